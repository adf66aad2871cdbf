import RISCV

// What the passes before emitting find in a block, computed once per block: a block may be
// emitted up to three times (a loop's translation with preloaded registers, a translation that
// evicts, the fallback copy), each from the same instructions, and the passes (inner-jump
// targets, access groups, liveness) cost as much as emitting (2026-12-07: 30-40% of the
// translator's host instructions when each emission repeated them).

extension BlockTranslator {
    struct Analysis {
        /// The block's instructions (`fetch`).
        let code: [Fetched]
        /// The block holds tails.
        let hasTails: Bool
        /// Guest pc -> index of the instructions the block's own branches lead to.
        let joins: [UInt64: Int]
        let joinIndices: Swift.Set<Int>
        /// What each instruction's access does for the grouping pass.
        let steps: [AccessPlan.Step]
        /// The access groups (with grouping on).
        let plan: AccessPlan
        let liveness: Liveness
        /// The block's operations (nil: not fetchable; a followed jump counts as `li`).
        let ops: [Op?]
        /// The guest registers each instruction may name (bit g: register g; `registerMask`).
        let registers: [UInt64]
        /// The block names more guest registers than the register cache has host registers and
        /// has no branch or jump back to its entry (a loop keeps its registers, never evicts):
        /// without eviction it would run out of them.
        let exceedsHostRegisters: Bool

        init(_ code: [Fetched]) {
            self.code = code
            hasTails = code.contains { $0.tail }
            joins = BlockTranslator.innerTargets(code)
            joinIndices = Swift.Set(joins.values)
            steps = code.map { $0.d.map(AccessPlan.step) ?? .atomic }
            // No group runs across a join or into a tail (the path there may have skipped its leader).
            plan = BlockTranslator.noGroups ? AccessPlan()
                                            : AccessPlan(steps, joins: joinIndices.union(code.indices.filter { code[$0].tail }))
            liveness = BlockTranslator.liveness(code, joins: joinIndices)
            ops = code.map { $0.followed ? .li : $0.d?.op.uncompressed }
            registers = code.map { f in f.d.map(Analysis.registerMask) ?? 0 }
            let entry = code.first?.pc
            let loops = code.contains { f in
                f.continues == entry || f.d.map { BlockTranslator.staticTarget($0, pc: f.pc) == entry } ?? false
            }
            exceedsHostRegisters = !loops && registers.reduce(0, |).nonzeroBitCount > RegisterCache.poolSize
        }

        /// The guest registers an instruction may name (x0 and the x0 sink left out); fields that
        /// are not registers for it only make room that is not needed.
        private static func registerMask(_ d: DecodedInstruction) -> UInt64 {
            func bit(_ g: UInt8) -> UInt64 { g == 0 || g == Registers.scratch ? 0 : 1 << UInt64(g) }
            return bit(d.rs1) | bit(d.rs2) | bit(d.rs3) | bit(d.rd)
        }
    }
}

/// Guest pc -> the index of its first instruction in a block: open addressing over a power-of-two
/// table (a block holds at most `BlockTranslator.maxInstructions`), for the passes that look up
/// branch targets (a Dictionary hashed every pc with SipHash: a tenth of the translator's time).
struct PCIndex {
    private var keys: [UInt64]
    private var values: [Int32]
    private let mask: Int

    init(_ code: [BlockTranslator.Fetched]) {
        var size = 16
        while size < code.count * 2 { size <<= 1 }
        mask = size - 1
        keys = Array(repeating: .max, count: size)
        values = Array(repeating: -1, count: size)
        for (i, f) in code.enumerated() where f.d != nil { insert(f.pc, Int32(i)) }
    }

    private static func slot(_ pc: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (pc >> 1) &* 0x9E37_79B9) & mask }

    /// Keeps the first index of a pc listed twice.
    private mutating func insert(_ pc: UInt64, _ index: Int32) {
        var k = Self.slot(pc, mask)
        while keys[k] != .max {
            if keys[k] == pc { return }
            k = (k + 1) & mask
        }
        keys[k] = pc
        values[k] = index
    }

    subscript(pc: UInt64) -> Int? {
        var k = Self.slot(pc, mask)
        while keys[k] != .max {
            if keys[k] == pc { return Int(values[k]) }
            k = (k + 1) & mask
        }
        return nil
    }
}
