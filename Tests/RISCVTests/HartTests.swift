import XCTest
@testable import RISCV

final class HartTests: XCTestCase {
    func testLoopAndEcall() {
        // sum 1..100 in a0 via a backward branch, then ecall.
        let m = Machine([
            A.addi(10, 0, 0), A.addi(5, 0, 100),
            A.add(10, 10, 5), A.addi(5, 5, -1), A.bne(5, 0, -8),
            A.addi(17, 0, 93), A.ecall,
        ])
        XCTAssertEqual(m.run(), .ecall)
        XCTAssertEqual(m.hart.x(10), 5050)
        XCTAssertEqual(m.hart.pc, Machine.codeBase + 24)
        XCTAssertEqual(m.hart.instructionsRetired, 2 + 300 + 2)
    }

    func testRetiredCountIsExactAcrossRunsFusionAndCalls() {
        // Nested loops mixing 2- and 4-byte instructions, a fused add+branch, a call and a return:
        // 1 + 7 × (1 + 5 × 3 + 1 + 2 + 2) = 148 instructions before the ebreak.
        let m = Machine([])
        var h: [UInt16] = []
        func w(_ x: UInt32) { h += [UInt16(x & 0xffff), UInt16(x >> 16)] }
        w(A.addi(5, 0, 7))              // 0x00
        w(A.addi(6, 0, 5))              // 0x04 outer:
        h += [0x0505]                   // 0x08 inner: c.addi a0,1
        w(A.addi(6, 6, -1))             // 0x0a
        w(A.bne(6, 0, -6))              // 0x0e -> inner
        w(A.jal(1, 0x12))               // 0x12 -> callee
        w(A.addi(5, 5, -1))             // 0x16
        w(A.blt(0, 5, -0x16))           // 0x1a -> outer
        h += [0x9002, 0x0001, 0x0001]   // 0x1e c.ebreak, padding
        h += [0x0585, 0x8082]           // 0x24 callee: c.addi a1,1; ret
        m.loadHalves(h, at: Machine.codeBase)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.pc, Machine.codeBase + 0x1e)
        XCTAssertEqual(m.hart.x(10), 35)
        XCTAssertEqual(m.hart.x(11), 7)
        XCTAssertEqual(m.hart.instructionsRetired, 148)
        // The same with a budget that stops it at many points on the way: the total is unchanged.
        let n = Machine([])
        n.loadHalves(h, at: Machine.codeBase)
        var stop = StopReason.budgetExhausted
        while stop == .budgetExhausted { stop = n.run(budget: 3) }
        XCTAssertEqual(stop, .breakpoint)
        XCTAssertEqual(n.hart.instructionsRetired, 148)
        XCTAssertEqual(n.hart.x(10), 35)
    }

    func testX0StaysZero() {
        let m = Machine([A.addi(0, 0, 5), A.add(6, 0, 0), A.ebreak])
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(0), 0)
        XCTAssertEqual(m.hart.x(6), 0)
    }

    func testBudgetExhaustedStopsAtNextInstruction() {
        let m = Machine([A.jal(0, 0)])   // infinite loop
        XCTAssertEqual(m.run(budget: 1000), .budgetExhausted)
        XCTAssertEqual(m.hart.pc, Machine.codeBase)
        XCTAssertEqual(m.hart.instructionsRetired, 1000)
    }

    func testLoadStoreFaultIsPrecise() {
        let m = Machine([A.addi(5, 0, 1), A.sd(5, 0, 16), A.addi(6, 0, 1)])
        guard case .memoryFault(let f) = m.run() else { return XCTFail() }
        XCTAssertEqual(f.address, 16)
        XCTAssertEqual(f.kind, .write)
        XCTAssertTrue(f.isUnmapped)
        XCTAssertEqual(m.hart.pc, Machine.codeBase + 4)
        XCTAssertEqual(m.hart.instructionsRetired, 1)
    }
}
