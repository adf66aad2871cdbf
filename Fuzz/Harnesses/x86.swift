// The x86-64 decoder, interpreter and native tier on random instruction streams, differentially:
// the same code runs interpreted and with the native tier (blocks compiled after 2 entries), and
// the two must end alike: stop reason, rip, the register file (general-purpose, SSE, MXCSR, x87,
// FS/GS bases; RFLAGS as pushf would see it, since the lazily kept flags may be held in other
// forms; where the manuals leave flags undefined the interpreter gives AMD's values: see
// `hostIsAMD`), instructions retired and the data pages. Any divergence is a bug in one of them; a host
// crash or sanitizer report on any byte string is one too.
//
// Input: 8 bytes seed the registers (about half point into the data pages, rsp into their
// middle), the rest is the loop body at 0x10000. A fixed epilogue after it repeats the body 24
// times (`dec qword [0x30000]; jnz body`, its counter in a page of its own), then `int3`. Runs that
// use up the instruction budget are not compared. SKIFF_FUZZ_TRACE=1 prints each run's start and
// end registers (replaying a finding: `.build-fuzz/fuzz-x86 Fuzz/Findings/x86-crash-...`).
#if canImport(Glibc)
import Glibc
#endif
@testable import RISCV
@testable import X86
@testable import X86Native

let codeBase: UInt64 = 0x10000, dataBase: UInt64 = 0x20000, counterPage: UInt64 = 0x30000
let dataPages: UInt64 = 4, budget = 100_000, iterations: UInt64 = 24

/// dec qword [counterPage]; jnz codeBase; int3 — placed at `address`.
func epilogue(at address: UInt64) -> [UInt8] {
    var w = ByteWriter()
    w.append([0x48, 0xff, 0x0c, 0x25])
    w.u32(UInt32(counterPage))
    w.append([0x0f, 0x85])
    w.u32(UInt32(truncatingIfNeeded: Int64(codeBase) - Int64(address + 14)))
    w.append([0xcc])
    return w.bytes
}

final class Run {
    let memory: GuestMemory
    let cpu: X86CPU
    let stop: X86Stop

    init(body: [UInt8], seed: UInt64, native: Bool) {
        if native { X86NativeCode.enable(threshold: 2) } else { X86NativeCode.disable() }
        defer { X86NativeCode.disable() }
        let memory = GuestMemory()
        self.memory = memory
        memory.map(at: codeBase, length: 0x4000, protection: [.read, .execute])
        memory.map(at: dataBase, length: dataPages * GuestMemory.pageSize, protection: [.read, .write])
        memory.map(at: counterPage, length: GuestMemory.pageSize, protection: [.read, .write])
        let code = body + epilogue(at: codeBase + UInt64(body.count))
        code.withUnsafeBytes { try! memory.write(at: codeBase, from: $0, force: true) }
        withUnsafeBytes(of: iterations.littleEndian) { try! memory.write(at: counterPage, from: $0) }
        cpu = X86CPU(memory: memory)
        cpu.reset()
        cpu.timeSource = { 0 }
        cpu.rip = codeBase
        var random = SplitMix(state: seed)
        for i in 0..<16 {
            let r = random.next()
            cpu.setRegister(i, r & 1 == 0 ? dataBase + (r >> 8) % (dataPages * GuestMemory.pageSize) : r)
        }
        cpu.setRegister(4, dataBase + dataPages * GuestMemory.pageSize / 2)
        for i in 0..<16 { cpu.setXMM(i, (random.next(), random.next())) }
        if trace { fputs("start: \(Run.state(cpu))\n", stderr) }
        stop = cpu.run(instructionBudget: budget)
        if trace { fputs("\(native ? "native tier" : "interpreted"): stop \(stop), rip \(hex(cpu.rip)), retired \(cpu.instructionsRetired), \(Run.state(cpu))\n", stderr) }
    }

    /// The general-purpose registers and RFLAGS, for SKIFF_FUZZ_TRACE=1 (a finding's replay).
    static func state(_ cpu: X86CPU) -> String {
        (0..<16).map { "r\($0)=\(hex(cpu.register($0)))" }.joined(separator: " ") + " rflags=\(hex(cpu.rflags))"
    }

    func data() -> [UInt8] {
        let size = Int(dataPages * GuestMemory.pageSize)
        var d = [UInt8](repeating: 0, count: size + 8)
        d.withUnsafeMutableBytes {
            try! memory.read(at: dataBase, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<size]))
            try! memory.read(at: counterPage, into: UnsafeMutableRawBufferPointer(rebasing: $0[size...]))
        }
        return d
    }

    /// The register file's words other than the lazy flags' (compared as `rflags`).
    func registerWords() -> [UInt64] {
        (0..<X86Registers.count).filter { !(X86Registers.ccOp...X86Registers.flags).contains($0) }.map { cpu.regs[$0] }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzX86(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard input.count >= 9 else { return 0 }
    var seed: UInt64 = 0
    for b in input[0..<8] { seed = seed << 8 | UInt64(b) }
    let body = Array(input[8...].prefix(0x3000))
    let i = Run(body: body, seed: seed, native: false)
    let n = Run(body: body, seed: seed, native: true)
    if i.stop == .budgetExhausted || n.stop == .budgetExhausted || !hostIsAMD { return 0 }
    let what = "interpreted vs native tier"
    invariant(i.stop == n.stop, "\(what): stop \(i.stop) vs \(n.stop) at rip \(hex(i.cpu.rip)) / \(hex(n.cpu.rip))")
    invariant(i.cpu.rip == n.cpu.rip, "\(what): rip \(hex(i.cpu.rip)) vs \(hex(n.cpu.rip)) (stop \(i.stop))")
    let (a, b) = (i.registerWords(), n.registerWords())
    for k in a.indices where a[k] != b[k] {
        invariant(false, "\(what): register word \(k) \(hex(a[k])) vs \(hex(b[k])) (stop \(i.stop) at \(hex(i.cpu.rip)))")
    }
    invariant(i.cpu.rflags == n.cpu.rflags,
              "\(what): rflags \(hex(i.cpu.rflags)) vs \(hex(n.cpu.rflags)) (stop \(i.stop) at \(hex(i.cpu.rip)))")
    invariant(i.cpu.instructionsRetired == n.cpu.instructionsRetired,
              "\(what): retired \(i.cpu.instructionsRetired) vs \(n.cpu.instructionsRetired)")
    invariant(i.data() == n.data(), "\(what): data pages differ")
    return 0
}

let trace = getenv("SKIFF_FUZZ_TRACE") != nil

/// Where the x86-64 manuals leave a flag undefined, the interpreter gives what AMD's CPUs give (its
/// CPUID says AuthenticAMD) and the native tier what the host CPU gives. On a host of another
/// vendor the two may differ there, and such a value can flow on into registers and memory
/// (through adc, setcc, pushf...): the runs are then not compared, only crashes count.
let hostIsAMD: Bool = {
    guard let f = fopen("/proc/cpuinfo", "r") else { return false }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let text = String(cString: line)
        if text.hasPrefix("vendor_id") {
            let amd = text.contains("AuthenticAMD")
            if !amd { fputs("fuzz-x86: the host CPU is not AMD's: runs are not compared, only crashes count\n", stderr) }
            return amd
        }
    }
    return false
}()

/// Seeds: loop bodies of ALU with flags, shifts and rotates, multiply/divide, loads and stores of
/// every width, the stack, string instructions, conditional moves and sets, SSE integer and
/// floating point, x87 (assembled by hand; `objdump -D -b binary -m i386:x86-64` shows them).
func fuzzSeeds() -> [(name: String, bytes: [UInt8])] {
    func seed(_ s: UInt64, _ code: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u64(s.byteSwapped)
        w.append(code)
        return w.bytes
    }
    let alu: [UInt8] = [0x48, 0x01, 0xd8,             // add rax, rbx
                        0x48, 0x11, 0xca,             // adc rdx, rcx
                        0x48, 0x29, 0xf7,             // sub rdi, rsi
                        0x4d, 0x19, 0xc1,             // sbb r9, r8
                        0x48, 0x0f, 0xaf, 0xc3,       // imul rax, rbx
                        0x48, 0xd3, 0xe0,             // shl rax, cl
                        0x48, 0xc1, 0xc2, 0x0d,       // rol rdx, 13
                        0x48, 0xd1, 0xfb,             // sar rbx, 1
                        0x31, 0xc9,                   // xor ecx, ecx... then
                        0x83, 0xc1, 0x07,             // add ecx, 7
                        0x48, 0x0f, 0x4c, 0xc2,       // cmovl rax, rdx
                        0x0f, 0x94, 0xc3,             // sete bl
                        0x66, 0x0f, 0xbc, 0xd6,       // bsf dx, si
                        0xf3, 0x48, 0x0f, 0xb8, 0xc7, // popcnt rax, rdi
                        0x48, 0x0f, 0xc8]             // bswap rax
    let memory: [UInt8] = [0x48, 0x8b, 0x06,          // mov rax, [rsi]
                           0x48, 0x89, 0x47, 0x08,    // mov [rdi+8], rax
                           0x8a, 0x5e, 0x03,          // mov bl, [rsi+3]
                           0x66, 0x89, 0x5f, 0x05,    // mov [rdi+5], bx
                           0x48, 0x0f, 0xb6, 0x0e,    // movzx rcx, byte [rsi]
                           0x48, 0x63, 0x56, 0x04,    // movsxd rdx, [rsi+4]
                           0x48, 0x01, 0x07,          // add [rdi], rax
                           0x48, 0x87, 0x06,          // xchg [rsi], rax
                           0xf0, 0x48, 0x0f, 0xb1, 0x0f, // lock cmpxchg [rdi], rcx
                           0x48, 0x8d, 0x44, 0x8e, 0x10, // lea rax, [rsi+rcx*4+16]
                           0x50, 0x53, 0x5a, 0x59,    // push rax; push rbx; pop rdx; pop rcx
                           0x48, 0xf7, 0x36]          // div qword [rsi]
    let string: [UInt8] = [0xb9, 0x10, 0x00, 0x00, 0x00, // mov ecx, 16
                           0xf3, 0xa4,                // rep movsb
                           0xb9, 0x04, 0x00, 0x00, 0x00,
                           0xf3, 0x48, 0xab,          // rep stosq
                           0xfd, 0xa6, 0xfc,          // std; cmpsb; cld
                           0xac, 0x48, 0xaf]          // lodsb; scasq
    let sse: [UInt8] = [0x66, 0x0f, 0xfe, 0xc1,       // paddd xmm0, xmm1
                        0x66, 0x0f, 0xef, 0xd3,       // pxor xmm2, xmm3
                        0xf2, 0x0f, 0x58, 0xe5,       // addsd xmm4, xmm5
                        0x0f, 0x59, 0xf7,             // mulps xmm6, xmm7
                        0xf3, 0x0f, 0x5e, 0xc2,       // divss xmm0, xmm2
                        0x66, 0x0f, 0x38, 0x00, 0xc1, // pshufb xmm0, xmm1
                        0x66, 0x0f, 0x74, 0xc8,       // pcmpeqb xmm1, xmm0
                        0x66, 0x0f, 0xd7, 0xc1,       // pmovmskb eax, xmm1
                        0xf2, 0x48, 0x0f, 0x2c, 0xd8, // cvttsd2si rbx, xmm0
                        0x0f, 0x11, 0x06,             // movups [rsi], xmm0
                        0x66, 0x0f, 0x6f, 0x1e,       // movdqa xmm3, [rsi] (#GP unless aligned)
                        0x66, 0x0f, 0x2e, 0xc1]       // ucomisd xmm0, xmm1
    let x87: [UInt8] = [0xdd, 0x06,                   // fld qword [rsi]
                        0xd9, 0xe8,                   // fld1
                        0xde, 0xc1,                   // faddp
                        0xd9, 0xfa,                   // fsqrt
                        0xdf, 0x3f,                   // fistp qword [rdi]
                        0xd9, 0xee,                   // fldz
                        0xdd, 0x1f]                   // fstp qword [rdi]
    let branchy: [UInt8] = [0x48, 0xff, 0xc0,         // inc rax
                            0x48, 0x39, 0xd8,         // cmp rax, rbx
                            0x74, 0x03,               // je +3
                            0x48, 0xff, 0xcb,         // dec rbx
                            0xa8, 0x01,               // test al, 1
                            0x75, 0x02,               // jnz +2
                            0x31, 0xd2]               // xor edx, edx
    return [("alu", seed(0x0102_0304_0506_0708, alu)), ("memory", seed(0x1111_2222_3333_4444, memory)),
            ("string", seed(0x2222_3333_4444_5555, string)), ("sse", seed(0x5555_6666_7777_8888, sse)),
            ("x87", seed(0x6666_7777_8888_9999, x87)), ("branchy", seed(0x9999_aaaa_bbbb_cccc, branchy))]
}
