import RISCV

// What the passes before emitting find in a block, computed once per block: a block may be
// emitted up to three times (a loop's translation with preloaded registers, a translation that
// evicts, the fallback copy), each from the same instructions, and the passes (inner-jump
// targets, access groups, liveness) cost as much as emitting (2026-12-07: 30-40% of the
// translator's host instructions when each emission repeated them).

extension BlockTranslator {
    /// A class: shared by the block's translations without copying (retaining) each of its arrays.
    final class Analysis {
        /// The block's instructions (`fetch`).
        let code: [Fetched]
        /// The block holds tails.
        let hasTails: Bool
        /// Guest pc -> index of the instructions the block's own branches lead to.
        let joins: PCIndex
        let joinIndices: InstructionSet
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
        /// TLB probes an emission may make (an access one, an atomic two) and exits it may have
        /// (a branch, a probe's miss, a stop): what the emitter's lists are reserved for at once
        /// (grown one doubling at a time, they were copied over and over: ~2% of a translation).
        let probes: Int
        let exits: Int

        init(_ code: [Fetched]) {
            self.code = code
            hasTails = code.contains { $0.tail }
            let (joins, joinIndices) = BlockTranslator.innerTargets(code)
            (self.joins, self.joinIndices) = (joins, joinIndices)
            let steps = code.map { f in f.d.map { AccessPlan.step($0, f.op) } ?? .atomic }
            self.steps = steps
            // No group runs across a join or into a tail (the path there may have skipped its leader).
            plan = BlockTranslator.noGroups ? AccessPlan()
                                            : AccessPlan(steps, joins: joinIndices.union(InstructionSet(code.indices.filter { code[$0].tail })))
            liveness = BlockTranslator.liveness(code, joins: joinIndices, targets: joins)
            ops = code.map { $0.followed ? .li : $0.d == nil ? nil : $0.op }
            let registers = code.map { f in f.d.map(Analysis.registerMask) ?? 0 }
            self.registers = registers
            let entry = code.first?.pc
            let loops = code.contains { f in
                f.continues == entry || (f.d != nil && f.staticTarget == entry)
            }
            exceedsHostRegisters = !loops && registers.reduce(0, |).nonzeroBitCount > RegisterCache.poolSize
            var probes = 0, branches = 0
            for (f, step) in zip(code, steps) {
                switch step {
                case .access: probes += 1
                case .atomic: probes += 2
                case .other: if f.staticTarget != nil { branches += 1 }
                }
            }
            self.probes = probes
            exits = probes + branches + 4
        }

        /// The guest registers an instruction may name (x0 and the x0 sink left out); fields that
        /// are not registers for it only make room that is not needed.
        private static func registerMask(_ d: DecodedInstruction) -> UInt64 {
            func bit(_ g: UInt8) -> UInt64 { g == 0 || g == Registers.scratch ? 0 : 1 << UInt64(g) }
            return bit(d.rs1) | bit(d.rs2) | bit(d.rs3) | bit(d.rd)
        }
    }
}

/// Guest pc -> the index of the first instruction at that pc, for the few pcs a block's own
/// branches lead to: a short list searched in order (a block has a handful; an open-addressing
/// table of every pc, and before it a SipHash-hashed Dictionary, cost more to build than the
/// lookups saved).
struct PCIndex {
    private var entries: [(pc: UInt64, index: Int32)] = []

    init() {}

    /// Keeps the first index of a pc listed twice.
    mutating func insert(_ pc: UInt64, _ index: Int32) {
        if self[pc] == nil { entries.append((pc, index)) }
    }

    subscript(pc: UInt64) -> Int? {
        for e in entries where e.pc == pc { return Int(e.index) }
        return nil
    }

    /// The index of the first instruction of `code` at `pc` that could be fetched.
    static func first(_ pc: UInt64, in code: [BlockTranslator.Fetched], within range: ClosedRange<UInt64>) -> Int? {
        guard range.contains(pc) else { return nil }
        for i in code.indices where code[i].pc == pc && code[i].d != nil { return i }
        return nil
    }
}

/// A set of instruction indices of a block (at most `BlockTranslator.maxInstructions`), as bits.
struct InstructionSet {
    private var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
    static let capacity = 192

    init() {}

    init(_ indices: some Sequence<Int>) {
        for i in indices { insert(i) }
    }

    func contains(_ i: Int) -> Bool {
        guard i >= 0 && i < Self.capacity else { return false }
        let w = i < 64 ? words.0 : i < 128 ? words.1 : words.2
        return w & (1 &<< UInt64(i & 63)) != 0
    }

    mutating func insert(_ i: Int) {
        precondition(i >= 0 && i < Self.capacity)
        let bit: UInt64 = 1 &<< UInt64(i & 63)
        if i < 64 { words.0 |= bit } else if i < 128 { words.1 |= bit } else { words.2 |= bit }
    }

    func union(_ other: InstructionSet) -> InstructionSet {
        var u = self
        u.words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2)
        return u
    }
}

/// A value per instruction of a block (`count` of them), most of them none: nothing is allocated
/// until one is set, and a lookup past the end finds none.
struct PerInstruction<Value> {
    private var values: [Value?] = []
    private var count = 0

    init() {}

    init(count: Int) { self.count = count }

    subscript(i: Int) -> Value? {
        get { i >= 0 && i < values.count ? values[i] : nil }
        set {
            precondition(i >= 0 && i < count)
            if values.isEmpty {
                if newValue == nil { return }
                values = Array(filledWith: nil, count: count)
            }
            values[i] = newValue
        }
    }
}

extension Array {
    /// `count` copies of `value`, allocated through the specialised path: `Array(repeating:count:)`
    /// allocates through a generic entry point that looks up the storage class's metadata every
    /// time (2026-12-07: ~600 host instructions per array, 7 arrays per block in the translator).
    init(filledWith value: Element, count: Int) {
        self.init()
        reserveCapacity(count)
        for _ in 0..<count { append(value) }
    }
}
