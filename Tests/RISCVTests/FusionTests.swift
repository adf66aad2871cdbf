import XCTest
@testable import RISCV

/// Decode-time fusion must be invisible: same results, same retired counts, precise faults, and
/// jumps into the middle of a fused pair still work.
final class FusionTests: XCTestCase {
    func slli(_ rd: UInt32, _ rs1: UInt32, _ sh: Int32) -> UInt32 { A.i(sh, rs1, 1, rd, 0x13) }

    func testShiftAddBothOperandOrdersAndSelfAdd() {
        let m = Machine([
            slli(5, 6, 3), A.add(5, 5, 7),          // t0 = t2 + (t1 << 3)
            slli(28, 6, 2), A.add(28, 7, 28),       // t3 = t2 + (t1 << 2)
            slli(29, 6, 1), A.add(29, 29, 29),      // t4 = (t1 << 1) * 2: not fusable as shift-add
            A.ebreak,
        ])
        m.hart.setX(6, 5)
        m.hart.setX(7, 1000)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(5), 1040)
        XCTAssertEqual(m.hart.x(28), 1020)
        XCTAssertEqual(m.hart.x(29), 20)
        XCTAssertEqual(m.hart.instructionsRetired, 6)
    }

    func testIndexedLoadFaultIsPreciseAndTheAddRetires() {
        let m = Machine([A.addi(1, 0, 1), A.add(5, 6, 7), A.lw(10, 5, 8), A.ebreak])
        m.hart.setX(6, 0x5000_0000)                 // unmapped
        m.hart.setX(7, 0x10)
        guard case .memoryFault(let f) = m.run() else { return XCTFail() }
        XCTAssertEqual(f.address, 0x5000_0018)
        XCTAssertEqual(m.hart.pc, Machine.codeBase + 8, "the fault is at the load")
        XCTAssertEqual(m.hart.x(5), 0x5000_0010, "the add retired")
        XCTAssertEqual(m.hart.instructionsRetired, 2)
        // Resuming with a mapped base completes the load.
        m.hart.setX(5, Machine.dataBase)
        try! m.memory.store(UInt32(0xdead_beef), at: Machine.dataBase + 8)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(10), 0xffff_ffff_dead_beef)
        XCTAssertEqual(m.hart.instructionsRetired, 3)
    }

    func testIndexedLoadsOfEveryWidth() throws {
        let m = Machine([A.add(5, 6, 7), A.ld(10, 5, 0), A.add(28, 6, 7), A.lbu(11, 28, 7), A.ebreak])
        m.hart.setX(6, Machine.dataBase)
        m.hart.setX(7, 16)
        try m.memory.store(UInt64(0x8899_aabb_ccdd_eeff), at: Machine.dataBase + 16)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(10), 0x8899_aabb_ccdd_eeff)
        XCTAssertEqual(m.hart.x(11), 0x88)
    }

    func testJumpIntoTheSecondInstructionOfAFusedPair() {
        // 0: addi t0,t0,1 ; 4: bne t0,t1,0 (fused with the addi) ; 8: jal to 4 once more ...
        let m = Machine([
            A.addi(5, 5, 1),            // 0x00
            A.bne(5, 6, -4),            // 0x04 -> 0x00 (fused pair 0x00/0x04)
            A.addi(7, 7, 1),            // 0x08
            A.addi(5, 5, -1),           // 0x0c
            A.bne(7, 28, -12),          // 0x10 -> 0x04: lands on the branch itself (fused pair 0x0c/0x10)
            A.ebreak,                   // 0x14
        ])
        m.hart.setX(6, 3)
        m.hart.setX(28, 2)
        XCTAssertEqual(m.run(), .breakpoint)
        // t0 counts to 3 (6 instructions); t2=1, t0=2, branch to 0x04 (3); 0x04 taken to 0x00
        // (1); t0=3, falls through (2); t2=2, t0=2, exits (3).
        XCTAssertEqual(m.hart.x(7), 2)
        XCTAssertEqual(m.hart.x(5), 2)
        XCTAssertEqual(m.hart.instructionsRetired, 6 + 3 + 1 + 2 + 3)
    }
}

final class PairFusionTests: XCTestCase {
    func testLoadAndStorePairsOffOneBase() throws {
        let m = Machine([
            A.sd(10, 2, -8), A.sd(11, 2, -16),      // fused store pair
            A.ld(12, 2, -8), A.ld(13, 2, -16),      // fused load pair
            A.ld(5, 5, 0), A.ld(6, 5, 8),           // not fused: the first load replaces the base
            A.ld(7, 2, -8), A.ld(7, 2, -16),        // same destination: the second wins
            A.ebreak,
        ])
        m.hart.setX(10, 0x1111)
        m.hart.setX(11, 0x2222)
        m.hart.setX(5, Machine.dataBase)
        try m.memory.store(UInt64(Machine.dataBase + 0x100), at: Machine.dataBase)
        try m.memory.store(UInt64(0x3333), at: Machine.dataBase + 0x108)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(12), 0x1111)
        XCTAssertEqual(m.hart.x(13), 0x2222)
        XCTAssertEqual(m.hart.x(5), Machine.dataBase + 0x100)
        XCTAssertEqual(m.hart.x(6), 0x3333)
        XCTAssertEqual(m.hart.x(7), 0x2222)
        XCTAssertEqual(m.hart.instructionsRetired, 8)
    }

    func testCompressedPairs() {
        let m = Machine([])
        // c.sdsp a0,0(sp); c.sdsp a1,8(sp); c.ldsp a2,0(sp); c.ldsp a3,8(sp); c.ebreak
        m.loadHalves([0xe02a, 0xe42e, 0x6602, 0x66a2, 0x9002], at: Machine.codeBase)
        m.hart.setX(2, Machine.dataBase + 64)
        m.hart.setX(10, 7)
        m.hart.setX(11, 9)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(12), 7)
        XCTAssertEqual(m.hart.x(13), 9)
        XCTAssertEqual(m.hart.instructionsRetired, 4)
    }

    func testPairFaultsArePreciseAndTheFirstAccessRetires() throws {
        // t0 points at the last doubleword of the data page: the second access is off its end.
        let stores = Machine([A.sd(10, 5, 0), A.sd(11, 5, 8), A.ebreak])
        stores.hart.setX(5, Machine.dataBase + GuestMemory.pageSize - 8)
        stores.hart.setX(10, 0xabcd)
        guard case .memoryFault(let f) = stores.run() else { return XCTFail() }
        XCTAssertEqual(f.address, Machine.dataBase + GuestMemory.pageSize)
        XCTAssertEqual(stores.hart.pc, Machine.codeBase + 4, "the fault is at the second store")
        XCTAssertEqual(try stores.memory.load(UInt64.self, at: Machine.dataBase + GuestMemory.pageSize - 8), 0xabcd)
        XCTAssertEqual(stores.hart.instructionsRetired, 1)

        let loads = Machine([A.ld(12, 5, 0), A.ld(13, 5, 8), A.ebreak])
        loads.hart.setX(5, Machine.dataBase + GuestMemory.pageSize - 8)
        try loads.memory.store(UInt64(0x77), at: Machine.dataBase + GuestMemory.pageSize - 8)
        guard case .memoryFault(let g) = loads.run() else { return XCTFail() }
        XCTAssertEqual(g.address, Machine.dataBase + GuestMemory.pageSize)
        XCTAssertEqual(loads.hart.pc, Machine.codeBase + 4, "the fault is at the second load")
        XCTAssertEqual(loads.hart.x(12), 0x77, "the first load retired")
        XCTAssertEqual(loads.hart.instructionsRetired, 1)

        // A first access that faults retires nothing.
        let first = Machine([A.ld(12, 5, 0), A.ld(13, 5, 8), A.ebreak])
        first.hart.setX(5, 0x5000_0000)
        guard case .memoryFault(let h) = first.run() else { return XCTFail() }
        XCTAssertEqual(h.address, 0x5000_0000)
        XCTAssertEqual(first.hart.pc, Machine.codeBase)
        XCTAssertEqual(first.hart.instructionsRetired, 0)
    }

    func testLoadThenAddImmediateAndAddImmediateThenStore() throws {
        let m = Machine([
            A.ld(10, 5, 0), A.addi(10, 10, 1),      // the addi uses the loaded value
            A.ld(11, 5, 8), A.addi(12, 6, -3),      // independent
            A.addi(13, 10, 5), A.sd(13, 5, 16),     // the store writes the addi's result
            A.addi(5, 5, 8), A.sd(12, 5, 16),       // the store's base is the addi's result
            A.ebreak,
        ])
        m.hart.setX(5, Machine.dataBase)
        m.hart.setX(6, 100)
        try m.memory.store(UInt64(41), at: Machine.dataBase)
        try m.memory.store(UInt64(7), at: Machine.dataBase + 8)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(10), 42)
        XCTAssertEqual(m.hart.x(11), 7)
        XCTAssertEqual(m.hart.x(12), 97)
        XCTAssertEqual(m.hart.x(13), 47)
        XCTAssertEqual(try m.memory.load(UInt64.self, at: Machine.dataBase + 16), 47)
        XCTAssertEqual(try m.memory.load(UInt64.self, at: Machine.dataBase + 24), 97)
        XCTAssertEqual(m.hart.instructionsRetired, 8)
    }

    func testAddImmediateThenFaultingStoreRetiresTheAdd() {
        let m = Machine([A.addi(5, 5, 16), A.sd(10, 5, 0), A.ebreak])
        m.hart.setX(5, 0x5000_0000)
        guard case .memoryFault(let f) = m.run() else { return XCTFail() }
        XCTAssertEqual(f.address, 0x5000_0010)
        XCTAssertEqual(m.hart.pc, Machine.codeBase + 4)
        XCTAssertEqual(m.hart.x(5), 0x5000_0010)
        XCTAssertEqual(m.hart.instructionsRetired, 1)
    }

    func testStorePairIntoItsOwnCodePageReDecodes() throws {
        // The code page is made writable: the pair's first store rewrites the instruction after
        // the pair (addi a4 -> addi a5), the second store lands past the code. After the pair
        // the hart must execute the new instruction.
        let newInstruction = UInt64(A.addi(15, 0, 42))
        let m = Machine([A.sd(10, 5, 0), A.sd(11, 5, 16), A.addi(14, 0, 1), A.ebreak])
        _ = m.memory.protect(at: Machine.codeBase, length: 0x4000, protection: [.read, .write, .execute])
        m.hart.setX(5, Machine.codeBase + 8)
        m.hart.setX(10, UInt64(A.ebreak) << 32 | newInstruction)
        m.hart.setX(11, 5)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(15), 42)
        XCTAssertEqual(m.hart.x(14), 0)
        XCTAssertEqual(try m.memory.load(UInt64.self, at: Machine.codeBase + 24), 5)
    }
}

final class ConstantFusionTests: XCTestCase {
    func testLuiAddiAuipcAddiAndAuipcLd() throws {
        let m = Machine([
            A.lui(5, 0x12345), A.addi(5, 5, 0x678),          // 0x00: t0 = 0x12345678
            A.lui(6, 0x80000), A.i(-1, 6, 0, 6, 0x1b),       // 0x08: addiw t1,t1,-1 -> 0x7fffffff
            A.lui(7, 0x80000), A.addi(7, 7, -1),             // 0x10: t2 = 0xffffffff7fffffff (not an Int32)
            A.auipc(28, 1), A.addi(28, 28, -4),              // 0x18: t3 = 0x18 + 0x1000 - 4
            A.auipc(29, 0x10), A.ld(30, 29, 8),              // 0x20: t5 = *(0x20 + 0x10000 + 8), t4 = 0x10020
            A.ebreak,
        ])
        try m.memory.store(UInt64(0x1122_3344_5566_7788), at: Machine.codeBase + 0x20 + 0x10000 + 8)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(5), 0x1234_5678)
        XCTAssertEqual(m.hart.x(6), 0x7fff_ffff)
        XCTAssertEqual(m.hart.x(7), 0xffff_ffff_7fff_ffff)
        XCTAssertEqual(m.hart.x(28), Machine.codeBase + 0x18 + 0x1000 - 4)
        XCTAssertEqual(m.hart.x(29), Machine.codeBase + 0x20 + 0x10000)
        XCTAssertEqual(m.hart.x(30), 0x1122_3344_5566_7788)
        XCTAssertEqual(m.hart.instructionsRetired, 10)
    }

    func testAuipcLdFaultIsPrecise() {
        let m = Machine([A.auipc(29, 0x40000), A.ld(30, 29, 0), A.ebreak])     // far beyond any mapping
        guard case .memoryFault(let f) = m.run() else { return XCTFail() }
        XCTAssertEqual(f.address, Machine.codeBase + 0x4000_0000)
        XCTAssertEqual(m.hart.pc, Machine.codeBase + 4)
        XCTAssertEqual(m.hart.x(29), Machine.codeBase + 0x4000_0000)
        XCTAssertEqual(m.hart.instructionsRetired, 1)
    }
}

final class AluPairFusionTests: XCTestCase {
    func slli(_ rd: UInt32, _ rs1: UInt32, _ sh: Int32) -> UInt32 { A.i(sh, rs1, 1, rd, 0x13) }
    func srli(_ rd: UInt32, _ rs1: UInt32, _ sh: Int32) -> UInt32 { A.i(sh, rs1, 5, rd, 0x13) }
    func andi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { A.i(imm, rs1, 7, rd, 0x13) }
    func sraiw(_ rd: UInt32, _ rs1: UInt32, _ sh: Int32) -> UInt32 { A.i(0x400 | sh, rs1, 5, rd, 0x1b) }
    func addiw(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { A.i(imm, rs1, 0, rd, 0x1b) }
    func addw(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { A.r(0, rs2, rs1, 0, rd, 0x3b) }
    func mulw(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { A.r(1, rs2, rs1, 0, rd, 0x3b) }
    func lh(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { A.i(imm, rs1, 1, rd, 0x03) }

    func testEveryAluPairInOrderWithX0AsDestination() {
        let m = Machine([
            slli(5, 6, 32), slli(28, 7, 32),        // the zero-extension idiom, interleaved
            srli(5, 5, 31), srli(28, 28, 31),
            slli(29, 6, 30), srli(30, 29, 60),      // the second reads the first's result
            andi(10, 6, -4), andi(11, 6, 0x7ff),
            sraiw(12, 6, 1), sraiw(13, 12, 4),
            srli(14, 6, 1), A.add(15, 14, 7),
            addiw(18, 7, -6), addw(19, 18, 7),
            A.add(20, 6, 7), A.add(21, 20, 20),
            mulw(22, 6, 7), addw(23, 22, 7),
            addw(24, 7, 7), mulw(25, 24, 24),
            slli(0, 6, 3), slli(26, 0, 1),          // a write to x0 is dropped
            A.ebreak,
        ])
        m.hart.setX(6, 0x1_8000_0003)
        m.hart.setX(7, 5)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(5), 0x1_0000_0006)
        XCTAssertEqual(m.hart.x(28), 10)
        XCTAssertEqual(m.hart.x(29), 0x6000_0000_c000_0000)
        XCTAssertEqual(m.hart.x(30), 6)
        XCTAssertEqual(m.hart.x(10), 0x1_8000_0000)
        XCTAssertEqual(m.hart.x(11), 3)
        XCTAssertEqual(m.hart.x(12), 0xffff_ffff_c000_0001)
        XCTAssertEqual(m.hart.x(13), 0xffff_ffff_fc00_0000)
        XCTAssertEqual(m.hart.x(14), 0xc000_0001)
        XCTAssertEqual(m.hart.x(15), 0xc000_0006)
        XCTAssertEqual(m.hart.x(18), UInt64.max)
        XCTAssertEqual(m.hart.x(19), 4)
        XCTAssertEqual(m.hart.x(20), 0x1_8000_0008)
        XCTAssertEqual(m.hart.x(21), 0x3_0000_0010)
        XCTAssertEqual(m.hart.x(22), 0xffff_ffff_8000_000f)
        XCTAssertEqual(m.hart.x(23), 0xffff_ffff_8000_0014)
        XCTAssertEqual(m.hart.x(24), 10)
        XCTAssertEqual(m.hart.x(25), 100)
        XCTAssertEqual(m.hart.x(0), 0)
        XCTAssertEqual(m.hart.x(26), 0)
        XCTAssertEqual(m.hart.instructionsRetired, 22)
        // Each pair was fused (one slot every 8 bytes holds the pair's operation); the first
        // also runs the srli pair after it in the same dispatch (Fusion.fuseUnits); the srli
        // reading the slli's result makes the chained form.
        let slots = m.memory.codeSlots(Machine.codeBase)!
        let fused: [Op] = [.slliSrliQuad, .srliPair, .slliSrliChain, .andiPair, .sraiwPair, .srliAdd,
                           .addiwAddw, .addPair, .mulwAddw, .addwMulw, .slliPair]
        XCTAssertEqual((0..<fused.count).map { slots[4 * $0].op }, fused)
    }

    func testCompressedAluPairs() {
        let m = Machine([])
        // c.add a0,a1; c.add a2,a0; c.srli a0,4; c.srli a1,4; c.ebreak
        m.loadHalves([0x952e, 0x962a, 0x8111, 0x8191, 0x9002], at: Machine.codeBase)
        m.hart.setX(10, 0x100)
        m.hart.setX(11, 0x23)
        m.hart.setX(12, 1)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(10), 0x12)
        XCTAssertEqual(m.hart.x(11), 0x2)
        XCTAssertEqual(m.hart.x(12), 0x124)
        XCTAssertEqual(m.hart.instructionsRetired, 4)
    }

    func testHalfwordLoadPairOffTwoBasesAndItsFaults() throws {
        let m = Machine([lh(10, 5, 0), lh(11, 6, 6), A.ebreak])
        m.hart.setX(5, Machine.dataBase)
        m.hart.setX(6, Machine.dataBase)
        try m.memory.store(UInt16(0x8001), at: Machine.dataBase)
        try m.memory.store(UInt16(0x7ffe), at: Machine.dataBase + 6)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(m.hart.x(10), 0xffff_ffff_ffff_8001)
        XCTAssertEqual(m.hart.x(11), 0x7ffe)
        XCTAssertEqual(m.memory.codeSlots(Machine.codeBase)!.pointee.op, .lhPair)

        // The second load faults: the first has retired, the fault is at the second.
        let second = Machine([lh(12, 5, 0), lh(13, 7, 0), A.ebreak])
        second.hart.setX(5, Machine.dataBase)
        second.hart.setX(7, 0x5000_0000)
        try second.memory.store(UInt16(0x1234), at: Machine.dataBase)
        guard case .memoryFault(let f) = second.run() else { return XCTFail() }
        XCTAssertEqual(f.address, 0x5000_0000)
        XCTAssertEqual(second.hart.pc, Machine.codeBase + 4)
        XCTAssertEqual(second.hart.x(12), 0x1234)
        XCTAssertEqual(second.hart.instructionsRetired, 1)

        // The first faults: nothing retired.
        let first = Machine([lh(12, 7, 0), lh(13, 5, 0), A.ebreak])
        first.hart.setX(5, Machine.dataBase)
        first.hart.setX(7, 0x5000_0000)
        guard case .memoryFault(let g) = first.run() else { return XCTFail() }
        XCTAssertEqual(g.address, 0x5000_0000)
        XCTAssertEqual(first.hart.pc, Machine.codeBase)
        XCTAssertEqual(first.hart.instructionsRetired, 0)
    }
}
