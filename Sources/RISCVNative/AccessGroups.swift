#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

// Loads and stores of one block that share a base register share one TLB probe. Before a block
// is emitted its instructions are scanned: accesses off the same base register (not written in
// between) form a group whose offsets span at most `maxSpan` bytes. The group's first access (its
// leader) probes the TLB once for the whole span [base + low, base + low + span), which must lie
// in one page, and keeps the entry's addend in a context slot; every later access of the group is
// then one load of the slot and the access at [slot + base + offset]: all of the group's bytes are
// in the leader's page, with its rights. A group holding a store probes the write TLB, also for
// its loads (a list reversal's `ld`/`sd` of one address, a stack frame's saves and restores): the
// write TLB holds only pages that are readable too (`GuestMemory.translate`) and already have
// their own frame, so its addend serves loads as well.
// A span the probe cannot serve (crossing a page, a fault, a code page for writes) leaves to the
// interpreter at the leader, as a single access's miss does, so faults stay precise.
//
// The addend stays right while the page's frame does: only a store's TLB refill can change a
// frame (a copy-on-write break, a first write), so in a block with read groups a store whose
// probe misses continues, once refilled, in the block's fallback copy (every access probing on
// its own) instead of retrying: read groups run across stores that hit. Atomics end every
// group. A group also ends where its base register is written.

struct AccessPlan {
    /// What one instruction's access does.
    enum Role: Equatable {
        /// Its own TLB probe.
        case alone
        /// Probes [base + low, base + low + span) (in the write TLB when the group holds a store)
        /// and keeps the addend in context slot `slot`.
        /// `last`: the index of the group's last member.
        case leader(slot: Int32, low: Int32, span: Int, write: Bool, last: Int)
        /// Uses the addend its leader left in slot `slot`.
        case member(slot: Int32)
    }

    /// What the scan needs to know of an instruction.
    enum Step {
        /// A load or store of `size` bytes at guest `base` + `offset`; a load writes `writes`.
        case access(base: UInt8, offset: Int32, size: Int, write: Bool, writes: UInt8?)
        /// LR, SC, AMOs: end every group.
        case atomic
        /// Anything else, writing integer register `writes` (or nothing).
        case other(writes: UInt8?)
    }

    static let slots = 8
    /// Loads and stores off one base share one probe of the write TLB (`SKIFF_JIT_MIXED_GROUPS=0`:
    /// loads and stores group apart, for comparisons).
    static let mixed = !(getenv("SKIFF_JIT_MIXED_GROUPS").map { String(cString: $0) == "0" } ?? false)
    /// The widest span a group's probe covers (wider spans cross pages more often).
    static let maxSpan: Int32 = 256

    private var roles: [Role]
    /// Some loads share a probe (then a store's refill must not return to them).
    private(set) var hasReadGroups = false

    subscript(index: Int) -> Role { index < roles.count ? roles[index] : .alone }

    init() { roles = [] }

    private struct Group {
        var base: UInt8
        var write: Bool
        var members: [Int]
        var low: Int32
        var high: Int32
    }

    /// `joins`: instructions a branch inside the block leads to; no group runs across one (the
    /// branch may have skipped its leader).
    init(_ steps: [Step], joins: Swift.Set<Int> = []) {
        roles = Array(repeating: .alone, count: steps.count)
        var groups: [Group] = []
        var open: [Int] = []
        for (i, step) in steps.enumerated() {
            if joins.contains(i) { open.removeAll() }
            switch step {
            case .atomic:
                open.removeAll()
            case .other(let writes):
                if let r = writes { open.removeAll { groups[$0].base == r } }
            case .access(let base, let offset, let size, let write, let writes):
                guard base != 0 else { break }
                let end = offset + Int32(size)
                if let k = open.firstIndex(where: { groups[$0].base == base && (Self.mixed || groups[$0].write == write) }) {
                    let g = open[k]
                    let low = min(groups[g].low, offset), high = max(groups[g].high, end)
                    if high - low <= Self.maxSpan {
                        groups[g].members.append(i)
                        groups[g].low = low
                        groups[g].high = high
                        groups[g].write = groups[g].write || write
                    } else {
                        open.remove(at: k)
                        open.append(groups.count)
                        groups.append(Group(base: base, write: write, members: [i], low: offset, high: end))
                    }
                } else {
                    open.append(groups.count)
                    groups.append(Group(base: base, write: write, members: [i], low: offset, high: end))
                }
                if let r = writes { open.removeAll { groups[$0].base == r } }
            }
        }
        // Slots: a group holds one from its leader to its last member.
        var busyUntil = [Int](repeating: -1, count: Self.slots)
        for g in groups where g.members.count > 1 {
            guard let s = busyUntil.firstIndex(where: { $0 < g.members[0] }) else { continue }
            busyUntil[s] = g.members.last!
            roles[g.members[0]] = .leader(slot: Int32(s), low: g.low, span: Int(g.high - g.low), write: g.write,
                                          last: g.members.last!)
            for m in g.members.dropFirst() { roles[m] = .member(slot: Int32(s)) }
            if !g.write { hasReadGroups = true }
        }
    }

    /// The scan's view of a decoded instruction.
    static func step(_ d: DecodedInstruction) -> Step {
        let op = d.op.uncompressed
        switch op {
        case .lb, .lbu: return .access(base: d.rs1, offset: d.imm, size: 1, write: false, writes: d.rd)
        case .lh, .lhu: return .access(base: d.rs1, offset: d.imm, size: 2, write: false, writes: d.rd)
        case .lw, .lwu, .flw: return .access(base: d.rs1, offset: d.imm, size: 4, write: false, writes: d.rd)
        case .ld, .fld: return .access(base: d.rs1, offset: d.imm, size: 8, write: false, writes: d.rd)
        case .sb: return .access(base: d.rs1, offset: d.imm, size: 1, write: true, writes: nil)
        case .sh: return .access(base: d.rs1, offset: d.imm, size: 2, write: true, writes: nil)
        case .sw, .fsw: return .access(base: d.rs1, offset: d.imm, size: 4, write: true, writes: nil)
        case .sd, .fsd: return .access(base: d.rs1, offset: d.imm, size: 8, write: true, writes: nil)
        case .lrW, .lrD, .scW, .scD, .amoW, .amoD: return .atomic
        case .beq, .bne, .blt, .bge, .bltu, .bgeu, .branchFar, .fence: return .other(writes: nil)
        default: return .other(writes: d.rd)
        }
    }
}
