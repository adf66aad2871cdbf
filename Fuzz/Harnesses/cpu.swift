// The RISC-V decoder, interpreter and native tier on random instruction streams, differentially:
// the same code runs interpreted and with the native tier (blocks compiled after 2 entries), and
// the two must end alike: stop reason, pc, x1-x31, f0-f31, fcsr, instructions retired and the
// data pages. Any divergence is a bug in one of them.
//
// Input: 8 bytes seed the registers (a mix of pointers into the data pages and arbitrary
// values), the rest is the loop body at 0x10000. A fixed epilogue after it repeats the body 24
// times (its counter lives at 0x30000, a page of its own), then `ebreak`. Runs that use up the
// instruction budget are not compared (the budget is checked only at jumps).
@testable import RISCV
@testable import RISCVNative

let codeBase: UInt64 = 0x10000, dataBase: UInt64 = 0x20000, counterPage: UInt64 = 0x30000
let dataPages: UInt64 = 4, budget = 100_000, iterations: UInt64 = 24

/// lui x31, 0x30; ld x30, 0(x31); addi x30, x30, -1; sd x30, 0(x31); bne x30, x0, codeBase; ebreak
func epilogue(at address: UInt64) -> [UInt32] {
    let branchOffset = Int64(codeBase) - Int64(address + 16)
    let o = UInt32(truncatingIfNeeded: branchOffset)
    let bne = (o >> 12 & 1) << 31 | (o >> 5 & 0x3f) << 25 | 0 << 20 | 30 << 15 | 1 << 12 | (o >> 1 & 0xf) << 8 | (o >> 11 & 1) << 7 | 0x63
    return [0x0003_0fb7, 0x000f_bf03, 0xffff_0f13, 0x01ef_b023, bne, 0x0010_0073]
}

final class Run {
    let memory: GuestMemory
    let hart: Hart
    let stop: StopReason

    init(body: [UInt8], seed: UInt64, native: Bool) {
        if native { NativeCode.enable(threshold: 2) } else { NativeCode.disable() }
        defer { NativeCode.disable() }
        let memory = GuestMemory()
        self.memory = memory
        memory.map(at: codeBase, length: 0x4000, protection: [.read, .execute])
        memory.map(at: dataBase, length: dataPages * GuestMemory.pageSize, protection: [.read, .write])
        memory.map(at: counterPage, length: GuestMemory.pageSize, protection: [.read, .write])
        let end = codeBase + UInt64(body.count)
        var code = body
        for w in epilogue(at: end) { for k in 0..<4 { code.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(k)))) } }
        code.withUnsafeBytes { try! memory.write(at: codeBase, from: $0, force: true) }
        withUnsafeBytes(of: iterations.littleEndian) { try! memory.write(at: counterPage, from: $0) }
        hart = Hart(memory: memory)
        hart.timeSource = { 0 }
        hart.pc = codeBase
        var random = SplitMix(state: seed)
        for i in 1..<32 {
            let r = random.next()
            // Half the registers point into the data pages (8-byte aligned or not), so loads,
            // stores and AMOs mostly hit memory.
            hart.setX(i, r & 1 == 0 ? dataBase + (r >> 8) % (dataPages * GuestMemory.pageSize) : r)
        }
        for i in 0..<32 { hart.setF(i, random.next()) }
        stop = hart.run(instructionBudget: budget)
    }

    func data() -> [UInt8] {
        var d = [UInt8](repeating: 0, count: Int(dataPages * GuestMemory.pageSize) + 8)
        d.withUnsafeMutableBytes {
            try! memory.read(at: dataBase, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<Int(dataPages * GuestMemory.pageSize)]))
            try! memory.read(at: counterPage, into: UnsafeMutableRawBufferPointer(rebasing: $0[Int(dataPages * GuestMemory.pageSize)...]))
        }
        return d
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCPU(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard input.count >= 10 else { return 0 }
    var seed: UInt64 = 0
    for b in input[0..<8] { seed = seed << 8 | UInt64(b) }
    var body = Array(input[8...].prefix(0x3000))
    if body.count % 2 == 1 { body.append(0) }
    let i = Run(body: body, seed: seed, native: false)
    let n = Run(body: body, seed: seed, native: true)
    if i.stop == .budgetExhausted || n.stop == .budgetExhausted { return 0 }
    let what = "interpreted vs native tier"
    invariant(i.stop == n.stop, "\(what): stop \(i.stop) vs \(n.stop) at pc \(hex(i.hart.pc)) / \(hex(n.hart.pc))")
    invariant(i.hart.pc == n.hart.pc, "\(what): pc \(hex(i.hart.pc)) vs \(hex(n.hart.pc))")
    for r in 1..<32 {
        invariant(i.hart.x(r) == n.hart.x(r), "\(what): x\(r) \(hex(i.hart.x(r))) vs \(hex(n.hart.x(r))) (stop \(i.stop) at \(hex(i.hart.pc)))")
    }
    for r in 0..<32 {
        invariant(i.hart.f(r) == n.hart.f(r), "\(what): f\(r) \(hex(i.hart.f(r))) vs \(hex(n.hart.f(r)))")
    }
    invariant(i.hart.fcsr == n.hart.fcsr, "\(what): fcsr \(i.hart.fcsr) vs \(n.hart.fcsr)")
    invariant(i.hart.instructionsRetired == n.hart.instructionsRetired,
              "\(what): retired \(i.hart.instructionsRetired) vs \(n.hart.instructionsRetired)")
    invariant(i.data() == n.data(), "\(what): data pages differ")
    return 0
}


/// Seeds: loop bodies of ALU, multiply/divide, loads and stores of every width, AMOs, LR/SC,
/// floating point and compressed instructions (encodings as the Tests/RISCVTests assembler makes them).
func fuzzSeeds() -> [(name: String, bytes: [UInt8])] {
    func r(_ f7: UInt32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    func i(_ imm: Int32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        UInt32(bitPattern: imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    func s(_ imm: Int32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm & 0xfff)
        return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | 0x23
    }
    func words(_ seed: UInt64, _ ws: [UInt32]) -> [UInt8] {
        var w = ByteWriter()
        w.u64(seed.byteSwapped)
        for x in ws { w.u32(x) }
        return w.bytes
    }
    let alu = [r(0, 11, 10, 0, 12, 0x33), r(0x20, 12, 13, 0, 14, 0x33), r(1, 12, 14, 0, 15, 0x33),
               r(1, 15, 12, 4, 16, 0x33), r(1, 16, 15, 7, 17, 0x3b), i(7, 17, 5, 18, 0x13), i(63, 18, 1, 19, 0x13),
               r(0, 19, 18, 3, 20, 0x33), r(0x20, 11, 19, 5, 21, 0x33), r(0, 21, 20, 1, 22, 0x3b),
               r(0x10, 22, 21, 2, 23, 0x33), r(0x30, 0, 23, 1, 24, 0x13) /* clz */]
    let memory = [i(0, 5, 3, 12, 0x03), s(8, 12, 6, 3), i(3, 7, 4, 13, 0x03), s(1, 13, 7, 0), i(2, 8, 1, 14, 0x03),
                  s(6, 14, 9, 1), i(4, 28, 6, 15, 0x03), s(-4, 15, 28, 2), i(0, 6, 2, 16, 0x03),
                  r(0, 12, 5, 3, 17, 0x2f), r(0x04, 13, 6, 3, 18, 0x2f) /* amoadd, amoswap */,
                  r(0x08, 0, 7, 3, 19, 0x2f), r(0x0c, 19, 7, 3, 20, 0x2f) /* lr.d, sc.d */]
    let float = [i(0, 5, 3, 1, 0x07) /* fld f1 */, r(0x01, 2, 1, 7, 3, 0x53) /* fadd.d */, r(0x09, 3, 2, 7, 4, 0x53),
                 r(0x0d, 4, 3, 7, 5, 0x53), r(0x2d, 0, 5, 7, 6, 0x53), r(0x61, 0, 6, 1, 10, 0x53) /* fcvt.w.d rtz */,
                 r(0x51, 6, 5, 1, 11, 0x53) /* flt.d */, r(0x79, 0, 10, 0, 7, 0x53) /* fmv.d.x */,
                 s(16, 7, 6, 3) & ~0x7f | 0x27 /* fsd */, r(0x00, 2, 1, 7, 8, 0x53) /* fadd.s */, r(0x70, 0, 8, 1, 12, 0x53) /* fclass.s */]
    var compressed = ByteWriter()
    compressed.u64(0x1234_5678_9abc_def0)
    for h: UInt16 in [0x0505 /* c.addi x10,1 */, 0x952e /* c.add x10,x11 */, 0x8d0d /* c.sub x10,x11 */,
                      0x6198 /* c.ld x14,0(x11) */, 0xe198 /* c.sd x14,0(x11) */, 0x0586 /* c.slli x11,1 */, 0x8185 /* c.srli x11,1 */] { compressed.u16(h) }
    return [("alu", words(0x0102_0304_0506_0708, alu)), ("memory", words(0x1111_2222_3333_4444, memory)),
            ("float", words(0x5555_6666_7777_8888, float)), ("compressed", compressed.bytes),
            ("branchy", words(0x9999_aaaa_bbbb_cccc, [i(1, 10, 0, 10, 0x13), 0x00a5_8463 /* beq x11,x10,+8 */, i(-1, 11, 0, 11, 0x13), i(5, 10, 7, 12, 0x13)]))]
}
