import RISCV

// `SKIFF_JIT_STATS=1`: how compiled code was left, to see where a workload's time outside
// compiled code comes from (each return to the tier costs a Swift round trip and a block
// lookup; each exit to the interpreter an interpreted instruction or more).
struct ExitStatistics {
    /// Returns from compiled code to the tier's loop.
    var returns = 0
    /// ... because the instruction budget was spent (the scheduler's time slice).
    var budget = 0
    /// ... for the interpreter to execute one instruction, by operation (what the translator
    /// does not compile, TLB refills that failed, stores into code pages).
    var interpret = 0
    var interpretedOps: [String: Int] = [:]
    /// ... through an exit not yet chained (the target was not compiled then).
    var unchained = 0
    /// ... at a computed jump whose target the jump cache did not hold.
    var jumpCacheMisses = 0
    /// Returns after which the tier found no compiled block at the target and the interpreter
    /// continued (a cold entry).
    var toInterpreter = 0

    mutating func count(_ exit: UInt32, budgetLeft: Int, at slot: UnsafeMutablePointer<DecodedInstruction>?) {
        returns += 1
        if exit == NativeExit.interpret {
            interpret += 1
            interpretedOps[slot.map { "\($0.pointee.op)" } ?? "unfetchable", default: 0] += 1
        } else if budgetLeft <= 0 {
            budget += 1
        } else if exit == NativeExit.plain {
            jumpCacheMisses += 1
        } else {
            unchained += 1
        }
    }

    var description: String {
        let ops = interpretedOps.sorted { $0.value > $1.value }.prefix(8).map { "\($0.key) \($0.value)" }
        return "\(returns) returns from compiled code: \(budget) budget spent, \(jumpCacheMisses) jump-cache misses, "
            + "\(unchained) unchained exits, \(interpret) to interpret one instruction (\(ops.joined(separator: ", "))); "
            + "\(toInterpreter) continued in the interpreter"
    }
}
