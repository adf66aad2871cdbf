// Branches and jumps from a block to one of its own instructions (not its entry, which a loop's
// back edge handles): an `if` inside a loop (`beqz t, SKIP; ...; SKIP: bnez n, LOOP`), the jump
// back of an inner loop, a `j` to code already in the block. Instead of leaving (writing every
// changed register back, chaining to another block that loads them again), such a branch jumps
// to the target instruction's code through a short stub laid out after the block:
// - the registers: the stub turns the register cache as it is at the branch into the cache the
//   target's code expects (changed values the target does not keep where they are are stored
//   back, values the target holds that are not in its host register are loaded). In a loop's
//   translation (registers fixed for the whole block) the caches agree and the stub has none.
// - the budget: exits subtract the instructions retired as counted along the block's straight
//   line, so the stub adds the instructions the branch skipped forward, or subtracts those it
//   repeats going back; going back, a spent budget leaves at the target (an inner loop yields to
//   the scheduler like any other).
// - access groups never run across a target (`AccessPlan`'s joins), so the target's accesses do
//   not rely on a probe the branch skipped.
// A target that is never translated (the block ended before it) makes the branch an ordinary exit.
// `SKIFF_JIT_INNER=0` turns this off (every such branch leaves), for comparisons.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

extension BlockTranslator {
    /// A branch or jump to the block's own instruction `to`, with the register cache at the branch.
    struct InnerJump {
        var site: Int
        /// Instructions retired at the branch (counted along the straight line, the branch included).
        var retired: Int
        var to: Int
        var cache: RegisterCache
        /// The `*w` results left zero-extended at the branch: sign-extended when written back.
        var narrow: UInt64 = 0
        /// Of those, the ones the target needs in full: sign-extended first.
        var edge: UInt64 = 0
    }

    static let noInnerJumps = getenv("SKIFF_JIT_INNER").map { String(cString: $0) == "0" } ?? false

    /// The instructions of `code` that a branch or a (not followed) direct jump of it leads to,
    /// or a tail runs into, by guest pc (the first instruction at that pc; never the entry, index 0),
    /// and the set of their indices.
    static func innerTargets(_ code: [Fetched]) -> (PCIndex, InstructionSet) {
        guard !noInnerJumps, var low = code.first?.pc else { return (PCIndex(), InstructionSet()) }
        var high = low
        for f in code {
            low = min(low, f.pc)
            high = max(high, f.pc)
        }
        var targets = PCIndex()
        var indices = InstructionSet()
        for f in code where !f.followed {
            // A tail running into the block's code goes on there as a jump would.
            if let c = f.continues, let j = PCIndex.first(c, in: code, within: low...high), j > 0 {
                targets.insert(c, Int32(j))
                indices.insert(j)
            }
            guard let target = f.staticTarget, let j = PCIndex.first(target, in: code, within: low...high),
                  j > 0 else { continue }
            targets.insert(target, Int32(j))
            indices.insert(j)
        }
        return (targets, indices)
    }

    /// Where a conditional branch or a direct jump goes (nil: another instruction).
    static func staticTarget(_ d: DecodedInstruction, pc: UInt64) -> UInt64? {
        staticTarget(d, d.op.uncompressed, pc: pc)
    }

    /// The same, with `d`'s operation uncompressed already.
    static func staticTarget(_ d: DecodedInstruction, _ op: Op, pc: UInt64) -> UInt64? {
        switch op {
        case .beq, .bne, .blt, .bge, .bltu, .bgeu, .jal: return pc &+ UInt64(bitPattern: Int64(d.imm) << 1)
        case .branchFar, .jalFar: return pc &+ UInt64(bitPattern: Int64(d.imm))
        default: return nil
        }
    }

    /// `SKIFF_JIT_INLINE_BACK=0`: every inner jump goes through a stub, as before (for comparisons).
    static let noInlineBackJumps = getenv("SKIFF_JIT_INLINE_BACK").map { String(cString: $0) == "0" } ?? false

    /// A jump (when `c` holds, or always) to the block's instruction `to`, through its stub.
    /// Back to an instruction already translated whose registers are where they are here (an
    /// inner loop's jump back; in a loop's translation always): inline, as a loop's back edge,
    /// `j!c over; [stores]; sub budget, n; jg target; jmp out` (one taken branch per iteration,
    /// not three; the stores: changed values the target's code does not keep in host registers).
    mutating func innerJump(if c: X86Condition?, to j: Int, retired: Int) {
        if !Self.noInlineBackJumps, retired > j, let target = joinCode.first(where: { $0.index == j }),
           Self.loadsNothing(cache, target.cache) {
            let over = c.map { a.jump(if: X86Condition(rawValue: $0.rawValue ^ 1)!) }
            extend(edgeNow, cache)
            reconcile(cache, target.cache, narrow: narrowNow & ~edgeNow)
            a.alu(.sub, .budget, imm: Int32(retired - j))
            a.patch(rel32At: a.jump(if: .g), toOffset: target.offset)
            // Spent: out at the target, with the `j` instructions before it counted there.
            exit(.chain(analysisPC(j)), retired: j)
            if let over { a.patch(rel32At: over, toOffset: a.offset) }
            return
        }
        let site = c.map { a.jump(if: $0) } ?? a.jump()
        innerJumps.append(InnerJump(site: site, retired: retired, to: j, cache: cache, narrow: narrowNow,
                                    edge: edgeNow))
    }

    /// `reconcile(from, to)` would load nothing (at most store): every register `to` holds is
    /// in the same host register in `from`.
    static func loadsNothing(_ from: RegisterCache, _ to: RegisterCache) -> Bool {
        for (guest, host) in to.all where from.host(of: guest) != host { return false }
        return true
    }

    /// The stubs of this copy's inner jumps, once every target's code and cache are known
    /// (`targets`: the instructions translated, by index, with their code's offset and the cache
    /// there; `code`: the block's instructions).
    mutating func emitInnerJumps(_ targets: [(index: Int, offset: Int, cache: RegisterCache)], code: [Fetched]) {
        for jump in innerJumps {
            let dirty = jump.cache.registers(in: jump.cache.dirty)
            guard let target = targets.first(where: { $0.index == jump.to }) else {
                exits.append(Exit(site: jump.site, kind: .chain(code[jump.to].pc), dirty: dirty, retired: jump.retired,
                                  narrow: jump.narrow))
                continue
            }
            a.patch(rel32At: jump.site, toOffset: a.offset)
            extend(jump.edge, jump.cache)
            // The straight line counts `to` instructions before the target.
            let extra = jump.retired - jump.to
            if extra > 0 {
                a.alu(.sub, .budget, imm: Int32(extra))
                let spent = a.jump(if: .le)
                reconcile(jump.cache, target.cache, narrow: jump.narrow & ~jump.edge)
                a.patch(rel32At: a.jump(), toOffset: target.offset)
                // Spent: out at the target, with the `to` instructions before it counted there.
                exits.append(Exit(site: spent, kind: .chain(code[jump.to].pc), dirty: dirty, retired: jump.to,
                                  narrow: jump.narrow))
            } else {
                if extra < 0 { a.lea(.budget, .budget, Int32(-extra)) }
                reconcile(jump.cache, target.cache, narrow: jump.narrow & ~jump.edge)
                a.patch(rel32At: a.jump(), toOffset: target.offset)
            }
        }
        innerJumps.removeAll()
    }

    /// Turns the host registers as `from` has them into what `to` expects (`narrow`: the `*w`
    /// results left zero-extended in `from`, sign-extended as they are stored).
    private mutating func reconcile(_ from: RegisterCache, _ to: RegisterCache, narrow: UInt64) {
        for (guest, host) in from.registers(in: from.dirty) where !(to.host(of: guest) == host && to.isDirty(guest)) {
            if narrow & (1 << UInt64(guest)) != 0 { a.signExtend32(host, host) }
            a.store(host, .guestRegisters, Self.disp(guest))
        }
        for (guest, host) in to.all where from.host(of: guest) != host {
            a.load(host, .guestRegisters, Self.disp(guest))
        }
    }
}
