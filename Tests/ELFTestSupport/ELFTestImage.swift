// Test scaffolding only (never shipped): the PT_LOAD segments of a static, freestanding ELF64
// of one machine (riscv64 or x86-64) mapped into a fresh address space with their protections,
// plus a 1 MiB stack: what the ISA tests' program runners (RISCVTests/TestProgramLoader.swift,
// X86Tests/X86TestProgram.swift) start a CPU on.
import RISCV

public struct ELFTestImage {
    public static let riscv64: UInt64 = 243
    public static let x86_64: UInt64 = 62

    public let memory: GuestMemory
    public let entry: UInt64
    public let stackPointer: UInt64

    static func u16(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(b[o]) | UInt64(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt64 { u16(b, o) | u16(b, o + 2) << 16 }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { u32(b, o) | u32(b, o + 4) << 32 }

    public init(_ elf: [UInt8], machine: UInt64) {
        precondition(elf.count > 64 && elf[0] == 0x7f && elf[1] == 0x45 && elf[4] == 2, "not an ELF64")
        precondition(ELFTestImage.u16(elf, 18) == machine, "not an ELF for machine \(machine)")
        let memory = GuestMemory()
        let phoff = Int(ELFTestImage.u64(elf, 32)), phentsize = Int(ELFTestImage.u16(elf, 54))
        let phnum = Int(ELFTestImage.u16(elf, 56))
        var pages: [UInt64: MemoryProtection] = [:]
        var segments: [(UInt64, Int, Int)] = []
        for i in 0..<phnum {
            let p = phoff + i * phentsize
            guard ELFTestImage.u32(elf, p) == 1 else { continue }        // PT_LOAD
            let flags = ELFTestImage.u32(elf, p + 4)
            let offset = Int(ELFTestImage.u64(elf, p + 8)), vaddr = ELFTestImage.u64(elf, p + 16)
            let filesz = Int(ELFTestImage.u64(elf, p + 32)), memsz = ELFTestImage.u64(elf, p + 40)
            var prot: MemoryProtection = []
            if flags & 4 != 0 { prot.insert(.read) }
            if flags & 2 != 0 { prot.insert(.write) }
            if flags & 1 != 0 { prot.insert(.execute) }
            var page = vaddr & ~0xfff
            while page < vaddr + memsz {
                pages[page, default: []].formUnion(prot)
                page += 0x1000
            }
            segments.append((vaddr, offset, filesz))
        }
        for page in pages.keys { memory.map(at: page, length: 0x1000, protection: [.read, .write]) }
        for (vaddr, offset, filesz) in segments where filesz > 0 {
            elf[offset..<offset + filesz].withUnsafeBytes { try! memory.write(at: vaddr, from: $0, force: true) }
        }
        for (page, prot) in pages { _ = memory.protect(at: page, length: 0x1000, protection: prot) }
        let stackTop: UInt64 = 0x7fff_0000
        memory.map(at: stackTop - 0x10_0000, length: 0x10_0000, protection: [.read, .write])
        self.memory = memory
        entry = ELFTestImage.u64(elf, 24)
        stackPointer = stackTop - 0x1000
    }
}
