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
