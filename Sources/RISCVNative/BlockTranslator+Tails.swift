// Tails: the paths a block's forward branches take off its straight line, appended to the block
// after it. A side exit whose target lies ahead in the block's pages (an `else` laid out after
// the function's return, a switch's cases, a loop's early `break` path) leaves the block, writing
// back every changed register, and the block at the target loads them again. With the target's
// code appended to the block (fetched as a straight line of its own, up to a jump, an
// instruction it cannot fetch, or an instruction the block already holds, where it goes on
// through an inner jump), the branch becomes an inner jump (`BlockTranslator+InnerJumps.swift`):
// the guest values stay in host registers, the tail's code starts from the registers as the
// first branch to it has them, and the stub corrects only the budget (counted along the block's
// order: the branch skips the instructions between it and the tail).
// Only forward targets make tails, only in blocks that do not loop to their entry, and a tail that
// goes back (an inner loop, or into one) is dropped: a loop is better served by its own block
// translated as a loop (registers fixed for the loop's body, loop page caches). With tails in
// loops and inner loops in tails, CoreMark's matrix loop nest ran as a straight-line block's
// inner jumps (its block's share of the samples went from 1.4% to 8.8%).
// Off by default: CoreMark's host instructions per iteration fell 0.65%, but the compile cost
// rose (bigger blocks, 13% more code) and no CPU-time gain showed (docs/performance.md).
// `SKIFF_JIT_TAILS=1` turns it on (tests/differential/test_isa.py runs some programs so).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

extension BlockTranslator {
    /// Off unless `SKIFF_JIT_TAILS=1`: measured, they did not pay (docs/performance.md).
    static let noTails = getenv("SKIFF_JIT_TAILS").map { String(cString: $0) != "1" } ?? true
    /// Tails per block (each counts against `maxInstructions` too).
    static let maxTails = 8

    /// Appends a tail for each forward branch or jump target of `code` (the tails' own ones
    /// included) that lies in the block's pages and that the block does not hold yet.
    func appendTails(_ memory: GuestMemory, to code: inout [Fetched]) {
        guard !Self.noTails else { return }
        let firstPage = entry >> 12, lastPage = firstPage + (Self.noCrossPage ? 0 : 1)
        // A block looping to its entry is translated as a loop: its registers are chosen for the
        // loop's body, and the code after the loop is better off in its own block.
        if code.contains(where: { Self.branchTarget($0) == entry }) { return }
        var k = 0, tails = 0
        while k < code.count && tails < Self.maxTails && code.count < Self.maxInstructions {
            let f = code[k]
            k += 1
            guard let t = Self.branchTarget(f), t > f.pc, t >> 12 <= lastPage, t >> 12 >= firstPage,
                  !code.contains(where: { $0.pc == t }) else { continue }
            let first = code.count
            fetchRun(memory, from: t, into: &code, tail: true)
            // A tail going back (an inner loop, or into one) is left to its own block: in a block
            // translated as straight line, each of its iterations would pay a stub's stores and
            // loads that its own block, translated as a loop, does not.
            if code[first...].contains(where: { g in Self.branchTarget(g).map { $0 < g.pc } ?? false }) {
                code.removeSubrange(first...)
                continue
            }
            tails += 1
        }
    }

    /// Where a branch or a direct jump the block does not follow goes (nil: anything else).
    static func branchTarget(_ f: Fetched) -> UInt64? {
        guard !f.followed, let d = f.d else { return nil }
        return staticTarget(d, f.op, pc: f.pc)
    }
}
