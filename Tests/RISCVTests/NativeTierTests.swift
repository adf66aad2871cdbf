import XCTest
@testable import RISCV
@testable import RISCVNative

/// The native tier against the interpreter on hand-written programs whose loops get hot:
/// identical registers and memory, precise faults, self-modifying code, the budget.
final class NativeTierTests: XCTestCase {
    /// Loops here run a few dozen times: compile after 16 (the default is higher).
    static let threshold = 16

    override func setUpWithError() throws {
        #if !arch(x86_64)
        throw XCTSkip("no native tier on this host")
        #endif
    }

    /// Runs `code` to its first stop on a fresh machine, interpreted or with the native tier.
    func run(_ code: [UInt32], native: Bool, budget: Int = 10_000_000, setUp: (Machine) -> Void = { _ in }) -> (Machine, StopReason) {
        if native { NativeCode.enable(threshold: NativeTierTests.threshold) } else { NativeCode.disable() }
        defer { NativeCode.disable() }
        let m = Machine(code)
        setUp(m)
        let stop = m.run(budget: budget)
        return (m, stop)
    }

    func compiledBlocks(_ m: Machine) -> Int {
        (m.memory.nativeTier as? X86NativeTier)?.compiledBlocks ?? 0
    }

    func droppedBlocks(_ m: Machine) -> Int {
        (m.memory.nativeTier as? X86NativeTier)?.droppedBlocks ?? -1
    }

    func assertSameState(_ a: Machine, _ b: Machine, file: StaticString = #filePath, line: UInt = #line) throws {
        for i in 1..<32 { XCTAssertEqual(a.hart.x(i), b.hart.x(i), "x\(i)", file: file, line: line) }
        XCTAssertEqual(a.hart.pc, b.hart.pc, "pc", file: file, line: line)
        var pa = [UInt8](repeating: 0, count: 4096), pb = pa
        try pa.withUnsafeMutableBytes { try a.memory.read(at: Machine.dataBase, into: $0) }
        try pb.withUnsafeMutableBytes { try b.memory.read(at: Machine.dataBase, into: $0) }
        XCTAssertEqual(pa, pb, "data page", file: file, line: line)
    }

    /// A loop over loads, stores of every width, ALU, shift, multiply, word and compare operations.
    func testHotLoopMatchesInterpreter() throws {
        let loop: [UInt32] = [
            A.i(255, 11, 7, 13, 0x13),          // andi x13, x11, 255
            A.i(3, 13, 1, 13, 0x13),            // slli x13, x13, 3
            A.add(13, 13, 12),
            A.ld(14, 13, 0),
            A.r(1, 11, 11, 0, 15, 0x33),        // mul x15, x11, x11
            A.r(0, 15, 14, 4, 14, 0x33),        // xor x14, x14, x15
            A.r(0, 11, 14, 0, 14, 0x3b),        // addw x14, x14, x11
            A.sd(14, 13, 0),
            A.i(0x407, 14, 5, 16, 0x13),        // srai x16, x14, 7
            A.add(10, 10, 16),
            A.r(0, 14, 10, 3, 17, 0x33),        // sltu x17, x10, x14
            A.add(10, 10, 17),
            A.sb(10, 13, 1),
            A.sh(10, 13, 2),
            A.sw(11, 13, 4),
            A.lbu(18, 13, 1),
            A.lw(19, 13, 4),
            A.add(10, 10, 18),
            A.sub(10, 10, 19),
            A.r(1, 19, 10, 1, 20, 0x33),        // mulh x20, x10, x19
            A.r(0, 17, 10, 1, 21, 0x3b),        // sllw x21, x10, x17
            A.add(10, 10, 21),
            A.add(10, 10, 20),
            A.addi(11, 11, -1),
        ]
        let code: [UInt32] = [A.addi(11, 0, 2000), A.lui(12, 0x20), A.addi(10, 0, 0)] + loop
            + [A.bne(11, 0, -Int32(loop.count * 4)), A.ebreak]
        let (i, si) = run(code, native: false)
        let (n, sn) = run(code, native: true)
        XCTAssertEqual(si, .breakpoint)
        XCTAssertEqual(sn, .breakpoint)
        try assertSameState(i, n)
        XCTAssertGreaterThan(compiledBlocks(n), 0, "the loop ran compiled")
        XCTAssertEqual(i.hart.instructionsRetired, n.hart.instructionsRetired)
    }

    /// A load that runs off the mapped data stops with the fault at that load and the registers
    /// as they were before it, from compiled code as from the interpreter.
    func testFaultInCompiledLoopIsPrecise() throws {
        let code: [UInt32] = [
            A.lui(12, 0x20), A.addi(10, 0, 0),
            A.ld(13, 12, 0), A.add(10, 10, 13), A.addi(12, 12, 8), A.jal(0, -12),
        ]
        let fill: (Machine) -> Void = { m in
            let words = (0..<512).map { UInt64($0) &* 0x9e37_79b9_7f4a_7c15 }
            words.withUnsafeBytes { try! m.memory.write(at: Machine.dataBase, from: $0) }
        }
        let (i, si) = run(code, native: false, setUp: fill)
        let (n, sn) = run(code, native: true, setUp: fill)
        XCTAssertEqual(si, .memoryFault(MemoryFault(address: 0x21000, kind: .read, isUnmapped: true)))
        XCTAssertEqual(sn, si)
        XCTAssertEqual(n.hart.pc, Machine.codeBase + 8)
        try assertSameState(i, n)
        XCTAssertGreaterThan(compiledBlocks(n), 0)
    }

    /// f at 0x30000 in a read/write/execute page: addi x10, x10, 1; ret.
    static let f: UInt64 = 0x30000
    static func mapF(_ m: Machine) {
        m.memory.map(at: f, length: 0x1000, protection: [.read, .write, .execute])
        m.load([A.addi(10, 10, 1), A.jalr(0, 1, 0)], at: f)
    }

    /// Code rewritten by a guest store after it ran compiled runs the new code, also where
    /// compiled code on another page had chained straight into the old code. Only the block
    /// compiled from the changed bytes is dropped.
    func testRewrittenCodeRunsAfterAGuestStore() throws {
        // f (jal: a chained exit) is called 1000 times, then its first instruction becomes addi x10, x10, 3 and it is called 1000
        // times more.
        let f = Self.f
        let replacement = A.addi(10, 10, 3)
        XCTAssertLessThan(replacement & 0xfff, 0x800)
        // The same call site runs in both rounds: its compiled block chains into f.
        let code: [UInt32] = [
            A.lui(20, 0x30), A.addi(10, 0, 0), A.addi(23, 0, 2),
            A.addi(11, 0, 1000),                                        // 0x1000c: round
            A.jal(1, Int32(f - (Machine.codeBase + 0x10))),             // 0x10010: call f
            A.addi(11, 11, -1), A.bne(11, 0, -8),
            A.addi(23, 23, -1), A.beq(23, 0, 20),
            A.lui(22, replacement >> 12), A.addi(22, 22, Int32(replacement & 0xfff)), A.sw(22, 20, 0),
            A.jal(0, -36),                                              // next round
            A.ebreak,
        ]
        let (n, stop) = run(code, native: true, setUp: Self.mapF)
        XCTAssertEqual(stop, .breakpoint)
        XCTAssertEqual(n.hart.x(10), 1000 + 3000)
        XCTAssertGreaterThan(compiledBlocks(n), 0)
        XCTAssertEqual(droppedBlocks(n), 1, "one store into f drops f's block alone")
        let (i, _) = run(code, native: false, setUp: Self.mapF)
        XCTAssertEqual(i.hart.x(10), 4000)
    }

    /// Data stored into a page that holds compiled code (a JIT's constants and counters beside
    /// its code) drops nothing: the loop calling f keeps running compiled.
    func testDataStoresBesideCompiledCodeDropNothing() throws {
        let f = Self.f
        let code: [UInt32] = [
            A.lui(20, 0x30), A.addi(10, 0, 0),
            A.addi(11, 0, 1000),
            A.jal(1, Int32(f - (Machine.codeBase + 0xc))),             // 0x1000c: call f
            A.sw(11, 20, 0x400),                                        // data beside f
            A.addi(11, 11, -1), A.bne(11, 0, -12),
            A.ebreak,
        ]
        let (n, stop) = run(code, native: true, setUp: Self.mapF)
        XCTAssertEqual(stop, .breakpoint)
        XCTAssertEqual(n.hart.x(10), 1000)
        XCTAssertEqual(try n.memory.load(UInt32.self, at: f + 0x400), 1)
        XCTAssertGreaterThan(compiledBlocks(n), 0)
        XCTAssertEqual(droppedBlocks(n), 0)
        let (i, _) = run(code, native: false, setUp: Self.mapF)
        XCTAssertEqual(i.hart.x(10), 1000)
    }

    /// Compiled code that touches new pages refills the TLB without leaving, and its stores
    /// break copy-on-write sharing after a fork exactly as interpreted stores do.
    func testTLBMissesAndCopyOnWriteFromCompiledCode() throws {
        let pages: Int32 = 64
        let code: [UInt32] = [
            A.addi(10, 0, 0), A.lui(12, 0x20), A.addi(11, 0, pages), A.lui(14, 1),
            A.ld(13, 12, 8), A.addi(13, 13, 7), A.sd(13, 12, 8), A.add(10, 10, 13),
            A.add(12, 12, 14), A.addi(11, 11, -1), A.bne(11, 0, -24), A.ebreak,
        ]
        func words(_ memory: GuestMemory) throws -> [UInt64] {
            try (0..<UInt64(pages)).map { try memory.load(UInt64.self, at: Machine.dataBase + $0 * 4096 + 8) }
        }
        NativeCode.enable(threshold: NativeTierTests.threshold)
        defer { NativeCode.disable() }
        let m = Machine(code, dataPages: UInt64(pages))
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(10), 7 * UInt64(pages))
        XCTAssertEqual(try words(m.memory), Array(repeating: 7, count: Int(pages)))
        XCTAssertGreaterThan(compiledBlocks(m), 0)

        let child = m.memory.fork()
        let h = Hart(memory: child)
        h.copyState(from: m.hart)
        h.pc = Machine.codeBase
        XCTAssertEqual(h.run(instructionBudget: 1_000_000), .breakpoint)
        XCTAssertEqual(h.x(10), 14 * UInt64(pages))
        XCTAssertEqual(try words(child), Array(repeating: 14, count: Int(pages)))
        XCTAssertEqual(try words(m.memory), Array(repeating: 7, count: Int(pages)), "the parent's pages are its own")
        XCTAssertGreaterThan((child.nativeTier as? X86NativeTier)?.compiledBlocks ?? 0, 0)
    }

    /// A compiled endless loop still returns when the budget is spent, having retired about
    /// the budget.
    func testBudgetEndsCompiledLoop() throws {
        let code: [UInt32] = [A.addi(10, 10, 1), A.jal(0, -4)]
        NativeCode.enable(threshold: NativeTierTests.threshold)
        defer { NativeCode.disable() }
        let m = Machine(code)
        for round in 1...3 {
            XCTAssertEqual(m.run(budget: 100_000), .budgetExhausted)
            let retired = Int(m.hart.instructionsRetired)
            XCTAssertGreaterThanOrEqual(retired, round * 100_000)
            XCTAssertLessThan(retired, round * 100_000 + 1000)
            XCTAssertEqual(Int(m.hart.x(10)), (retired + 1) / 2, accuracy: 1)
        }
        XCTAssertGreaterThan(compiledBlocks(m), 0)
    }
}
