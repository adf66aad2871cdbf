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
        /// and keeps the addend in context slot `slot`. `base`: the guest register the probe is
        /// computed from, the access's own base register, or (`base` != rs1) a register the
        /// access's base was derived from (`Value`), unchanged since.
        /// `last`: the index of the group's last member.
        case leader(slot: Int32, base: UInt8, low: Int32, span: Int, write: Bool, last: Int)
        /// Uses the addend its leader left in slot `slot`.
        case member(slot: Int32)
    }

    /// What the scan needs to know of an instruction.
    enum Step {
        /// A load or store of `size` bytes at guest `base` + `offset`; a load writes `writes`.
        case access(base: UInt8, offset: Int32, size: Int, write: Bool, writes: UInt8?)
        /// LR, SC, AMOs: end every group.
        case atomic
        /// Anything else, writing integer register `writes` (or nothing); `derives`: how its
        /// result relates to its sources, when it is one of the forms `Value` follows.
        case other(writes: UInt8?, derives: Derivation? = nil)
    }

    /// Results the scan follows (64-bit integer operations only).
    enum Derivation {
        case constant(Int64)
        case addImmediate(UInt8, Int64)
        /// `andi` with a non-negative mask: [0, mask] whatever the source.
        case mask(Int64)
        case shiftLeft(UInt8, Int64)
        /// rs1 << shift + rs2 (`add`: shift 0; Zba's sh1add...sh3add).
        case add(UInt8, UInt8, shift: Int64)
    }

    static let slots = 8
    /// Loads and stores off one base share one probe of the write TLB (`SKIFF_JIT_MIXED_GROUPS=0`:
    /// loads and stores group apart, for comparisons).
    static let mixed = !(getenv("SKIFF_JIT_MIXED_GROUPS").map { String(cString: $0) == "0" } ?? false)
    /// Accesses whose base registers were derived from one register (`Value`) group together
    /// (`SKIFF_JIT_DERIVED_GROUPS=0`: only accesses off the same register, for comparisons).
    static let derived = !(getenv("SKIFF_JIT_DERIVED_GROUPS").map { String(cString: $0) == "0" } ?? false)
    /// The widest span a group's probe covers (wider spans cross pages more often).
    static let maxSpan: Int32 = 256

    private var roles: [Role]
    /// Some loads share a probe (then a store's refill must not return to them).
    private(set) var hasReadGroups = false

    subscript(index: Int) -> Role { index < roles.count ? roles[index] : .alone }

    init() { roles = [] }

    /// What the scan knows of a register's value: `root`'s value (a value some instruction of
    /// the block produced or the block started with, by number) plus an offset in [lo, hi];
    /// `root` nil: a number in [lo, hi]. Followed through `addi`, `add`, `slli`, `andi` with a
    /// non-negative mask, `li` and Zba's shNadd (64-bit arithmetic, small numbers only): a
    /// table index masked and scaled onto a base (`X[(i + 9) & 15]`, sha256's schedule) or a
    /// copy of a pointer plus a constant (`add t4, a1, 8`) then shares its base's probe.
    struct Value: Equatable {
        var root: Int?
        var lo: Int64
        var hi: Int64
        /// Bounds kept this small, so sums never overflow.
        static let limit: Int64 = 1 << 24
        var bounded: Bool { lo >= -Self.limit && hi <= Self.limit }
    }

    private struct Group {
        /// The root value the members' addresses are offsets from.
        var root: Int
        /// The leader's base register and its value, as the leader reads it.
        var leaderBase: UInt8
        var leaderValue: Value
        /// A register holding `root` itself at the leader (probed when the leader's own base
        /// is not a known offset from it).
        var rootRegister: UInt8?
        var write: Bool
        /// The members (by instruction index; `memberOf` lists them): the leader, the last, how many.
        var first: Int
        var last: Int
        var count: Int
        var low: Int64
        var high: Int64
    }

    /// `joins`: instructions a branch inside the block leads to (and tails' starts); no group
    /// runs across one (the branch may have skipped its leader), and what the scan knows of
    /// registers starts afresh there.
    init(_ steps: [Step], joins: InstructionSet = InstructionSet()) {
        roles = Array(filledWith: .alone, count: steps.count)
        // The switches read once (a static's every read checks its lazy initialisation).
        let derived = Self.derived, mixed = Self.mixed
        var groups: [Group] = []
        // Instruction -> the group it joined (-1: none): one array for every group's members.
        var memberOf = [Int32](filledWith: -1, count: steps.count)
        var open: [Int] = []
        // Register -> its value; root numbers: register r's value at the block's start (or at
        // the last fresh start) is r, a value produced at instruction i is 32 + i.
        var values: [Value] = (0..<32).map { Value(root: $0, lo: 0, hi: 0) }
        values[0] = Value(root: nil, lo: 0, hi: 0)
        var epoch = 0
        func fresh(_ r: UInt8, at i: Int) {
            guard r != 0, r < 32 else { return }
            values[Int(r)] = Value(root: 32 + i + epoch, lo: 0, hi: 0)
        }
        func restart(at i: Int) {
            // New root numbers for every register (past any used so far).
            epoch += 64 + steps.count
            for r in 1..<32 { values[r] = Value(root: 32 + steps.count + epoch + r, lo: 0, hi: 0) }
        }
        func value(_ r: UInt8) -> Value { r < 32 ? values[Int(r)] : Value(root: -1 - Int(r), lo: 0, hi: 0) }
        func derive(_ d: Derivation) -> Value? {
            let v: Value
            switch d {
            case .constant(let c):
                v = Value(root: nil, lo: c, hi: c)
            case .addImmediate(let s, let c):
                let x = value(s)
                v = Value(root: x.root, lo: x.lo + c, hi: x.hi + c)
            case .mask(let m):
                v = Value(root: nil, lo: 0, hi: m)
            case .shiftLeft(let s, let k):
                let x = value(s)
                guard x.root == nil, x.lo >= 0, k < 24 else { return nil }
                v = Value(root: nil, lo: x.lo << k, hi: x.hi << k)
            case .add(let s1, let s2, let k):
                var (x, y) = (value(s1), value(s2))
                if k > 0 {
                    guard x.root == nil, x.lo >= 0, k < 24 else { return nil }
                    x = Value(root: nil, lo: x.lo << k, hi: x.hi << k)
                }
                guard x.root == nil || y.root == nil else { return nil }
                v = Value(root: x.root ?? y.root, lo: x.lo + y.lo, hi: x.hi + y.hi)
            }
            return v.bounded ? v : nil
        }
        /// The register holding root value `root` itself now, if any.
        func holder(_ root: Int) -> UInt8? {
            for r in 1..<32 where values[r] == Value(root: root, lo: 0, hi: 0) { return UInt8(r) }
            return nil
        }
        func written(_ r: UInt8?, at i: Int, derives: Derivation?) {
            guard let r, r != 0, r < 32 else { return }
            if derived, let d = derives, let v = derive(d) { values[Int(r)] = v } else { fresh(r, at: i) }
        }
        for (i, step) in steps.enumerated() {
            if joins.contains(i) {
                open.removeAll()
                restart(at: i)
            }
            switch step {
            case .atomic:
                open.removeAll()
                restart(at: i)
            case .other(let writes, let derives):
                written(writes, at: i, derives: derives)
                // Without following values, a group ends where its base register is written.
                if !derived, let r = writes { open.removeAll { groups[$0].leaderBase == r } }
            case .access(let base, let offset, let size, let write, let writes):
                guard base != 0, base < 32 else { break }
                let v = value(base)
                if let root = v.root {
                    let low = v.lo + Int64(offset), high = v.hi + Int64(offset) + Int64(size)
                    if let k = open.firstIndex(where: { groups[$0].root == root && (mixed || groups[$0].write == write) }),
                       max(groups[open[k]].high, high) - min(groups[open[k]].low, low) <= Int64(Self.maxSpan) {
                        let g = open[k]
                        memberOf[i] = Int32(g)
                        groups[g].last = i
                        groups[g].count += 1
                        groups[g].low = min(groups[g].low, low)
                        groups[g].high = max(groups[g].high, high)
                        groups[g].write = groups[g].write || write
                    } else if v.lo == v.hi || holder(root) != nil, high - low <= Int64(Self.maxSpan) {
                        // A leader probes from its own base (a known offset from the root) or
                        // from a register holding the root.
                        open.removeAll { groups[$0].root == root && (mixed || groups[$0].write == write) }
                        open.append(groups.count)
                        memberOf[i] = Int32(groups.count)
                        groups.append(Group(root: root, leaderBase: base, leaderValue: v,
                                            rootRegister: v.lo == v.hi ? nil : holder(root), write: write, first: i, last: i,
                                            count: 1, low: low, high: high))
                    }
                }
                written(writes, at: i, derives: nil)
                if !derived, let r = writes { open.removeAll { groups[$0].leaderBase == r } }
            }
        }
        // Slots: a group holds one from its leader to its last member.
        var busyUntil = [Int](filledWith: -1, count: Self.slots)
        for (n, g) in groups.enumerated() where g.count > 1 {
            guard let s = busyUntil.firstIndex(where: { $0 < g.first }) else { continue }
            busyUntil[s] = g.last
            // The probe's low end relative to the register it is computed from.
            let base: UInt8, low: Int64
            if let r = g.rootRegister {
                (base, low) = (r, g.low)
            } else {
                (base, low) = (g.leaderBase, g.low - g.leaderValue.lo)
            }
            roles[g.first] = .leader(slot: Int32(s), base: base, low: Int32(low), span: Int(g.high - g.low),
                                     write: g.write, last: g.last)
            for m in (g.first + 1)...g.last where memberOf[m] == Int32(n) { roles[m] = .member(slot: Int32(s)) }
            if !g.write { hasReadGroups = true }
        }
    }

    /// The scan's view of a decoded instruction.
    static func step(_ d: DecodedInstruction) -> Step {
        step(d, d.op.uncompressed)
    }

    /// The same, with `d`'s operation uncompressed already.
    static func step(_ d: DecodedInstruction, _ op: Op) -> Step {
        switch op {
        case .lb, .lbu: return .access(base: d.rs1, offset: d.imm, size: 1, write: false, writes: d.rd)
        case .lh, .lhu: return .access(base: d.rs1, offset: d.imm, size: 2, write: false, writes: d.rd)
        case .lw, .lwu: return .access(base: d.rs1, offset: d.imm, size: 4, write: false, writes: d.rd)
        case .ld: return .access(base: d.rs1, offset: d.imm, size: 8, write: false, writes: d.rd)
        // Floating-point loads write a floating-point register: no integer register changes.
        case .flw: return .access(base: d.rs1, offset: d.imm, size: 4, write: false, writes: nil)
        case .fld: return .access(base: d.rs1, offset: d.imm, size: 8, write: false, writes: nil)
        case .sb: return .access(base: d.rs1, offset: d.imm, size: 1, write: true, writes: nil)
        case .sh: return .access(base: d.rs1, offset: d.imm, size: 2, write: true, writes: nil)
        case .sw, .fsw: return .access(base: d.rs1, offset: d.imm, size: 4, write: true, writes: nil)
        case .sd, .fsd: return .access(base: d.rs1, offset: d.imm, size: 8, write: true, writes: nil)
        case .lrW, .lrD, .scW, .scD, .amoW, .amoD: return .atomic
        case .beq, .bne, .blt, .bge, .bltu, .bgeu, .branchFar, .fence: return .other(writes: nil)
        case .li: return .other(writes: d.rd, derives: .constant(Int64(d.imm)))
        case .addi: return .other(writes: d.rd, derives: .addImmediate(d.rs1, Int64(d.imm)))
        case .andi where d.imm >= 0: return .other(writes: d.rd, derives: .mask(Int64(d.imm)))
        case .slli: return .other(writes: d.rd, derives: .shiftLeft(d.rs1, Int64(d.imm & 63)))
        case .add: return .other(writes: d.rd, derives: .add(d.rs1, d.rs2, shift: 0))
        case .sh1add: return .other(writes: d.rd, derives: .add(d.rs1, d.rs2, shift: 1))
        case .sh2add: return .other(writes: d.rd, derives: .add(d.rs1, d.rs2, shift: 2))
        case .sh3add: return .other(writes: d.rd, derives: .add(d.rs1, d.rs2, shift: 3))
        default: return .other(writes: d.rd)
        }
    }
}
