// Test scaffolding (not part of any product): an Embedded Swift (wasm32/WASI) program that
// loads the freestanding riscv64 ELF `prog.elf` from its preopened directory and runs it on the
// hart, serving write and exit. scripts/check-riscv-wasm.sh builds it with Sources/RISCV and
// compares the differential programs' output with qemu's, so the hart's exactness (notably
// floating point) is checked under WebAssembly too.
@_extern(c, "fopen") func fopen(_ path: UnsafePointer<CChar>, _ mode: UnsafePointer<CChar>) -> OpaquePointer?
@_extern(c, "fread") func fread(_ p: UnsafeMutableRawPointer, _ size: Int, _ n: Int, _ f: OpaquePointer) -> Int
@_extern(c, "write") func write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int
@_extern(c, "exit") func cexit(_ code: Int32)
func exit(_ code: Int32) -> Never { cexit(code); while true {} }

func u64(_ b: [UInt8], _ o: Int) -> UInt64 { var v: UInt64 = 0; for i in 0..<8 { v |= UInt64(b[o + i]) << (8 * UInt64(i)) }; return v }
func u32(_ b: [UInt8], _ o: Int) -> UInt64 { var v: UInt64 = 0; for i in 0..<4 { v |= UInt64(b[o + i]) << (8 * UInt64(i)) }; return v }
func u16(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(b[o]) | UInt64(b[o + 1]) << 8 }

@main struct Main {
    static func main() {
        guard let f = fopen("prog.elf", "rb") else { exit(2) }
        var elf: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress!, 1, 65536, f) }
            if n <= 0 { break }
            elf += chunk[0..<n]
        }
        let memory = GuestMemory()
        let phoff = Int(u64(elf, 32)), phentsize = Int(u16(elf, 54)), phnum = Int(u16(elf, 56))
        for i in 0..<phnum {
            let p = phoff + i * phentsize
            guard u32(elf, p) == 1 else { continue }
            let offset = Int(u64(elf, p + 8)), vaddr = u64(elf, p + 16)
            let filesz = Int(u64(elf, p + 32)), memsz = u64(elf, p + 40)
            let start = vaddr & ~0xfff, end = (vaddr + memsz + 0xfff) & ~0xfff
            var page = start
            while page < end {
                if memory.protection(at: page) == nil { memory.map(at: page, length: 0x1000, protection: [.read, .write, .execute]) }
                page += 0x1000
            }
            elf.withUnsafeBytes { b in
                try! memory.write(at: vaddr, from: UnsafeRawBufferPointer(rebasing: b[offset..<offset + filesz]), force: true)
            }
        }
        memory.map(at: 0x7ff0_0000, length: 0x10_0000, protection: [.read, .write])
        let hart = Hart(memory: memory)
        hart.pc = u64(elf, 24)
        hart.setX(2, 0x7fff_0000)
        while true {
            let stop = hart.run(instructionBudget: 1 << 22)
            if stop == .budgetExhausted { continue }
            guard stop == .ecall else { _ = write(2, "trap\n", 5); exit(3) }
            let n = hart.x(17)
            if n == 64 {
                let len = Int(hart.x(12))
                var buf = [UInt8](repeating: 0, count: len)
                buf.withUnsafeMutableBytes { try! hart.memory.read(at: hart.x(11), into: $0) }
                _ = buf.withUnsafeBytes { write(1, $0.baseAddress!, len) }
                hart.setX(10, UInt64(len))
            } else if n == 93 {
                exit(Int32(truncatingIfNeeded: hart.x(10)))
            } else {
                hart.setX(10, UInt64(bitPattern: -38))
            }
            hart.pc += 4
        }
    }
}
