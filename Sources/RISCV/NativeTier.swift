// The seam for a second execution tier: hot code compiled to host machine code (natively; in
// WebAssembly there is none and the interpreter runs everything). The run loop counts how often
// each block entry is reached by a jump or branch in the entry slot's `native` field; once an
// entry is hot it hands execution to the tier, which runs compiled blocks until they leave
// compiled code, and the interpreter continues from where they stopped.
//
// Contract for a tier: compiled code keeps the register file exact at every exit, retires
// instructions only by what it reports, accesses guest memory only through the hart's TLB fast
// paths (anything else exits so the interpreter performs the access, faults included), and
// forgets every compiled block when the address space's `codeEpoch` moves.

package protocol NativeTier: AnyObject {
    /// Runs compiled code from `pc` (a block entry whose slot is `slot`) for at most about
    /// `budget` instructions.
    func execute(_ hart: Hart, pc: UInt64, slot: UnsafeMutablePointer<DecodedInstruction>, budget: Int) -> NativeRun
}

/// Where compiled code stopped.
package struct NativeRun {
    /// The next instruction to execute.
    package var pc: UInt64
    package var executed: Int
    /// The interpreter must execute the instruction at `pc` itself (a TLB miss, a fault, an
    /// operation the tier does not compile) before it may enter the tier again.
    package var interpretFirst: Bool

    package init(pc: UInt64, executed: Int, interpretFirst: Bool) {
        self.pc = pc
        self.executed = executed
        self.interpretFirst = interpretFirst
    }
}

/// Values of a slot's `native` field.
package enum NativeSlot {
    /// Counts below this are executions of a cold entry; reaching it asks for compilation.
    package static let threshold: UInt16 = 32
    /// The tier could not compile a block here: keep interpreting.
    package static let never: UInt16 = 0xffff
    /// Compiled block number n is stored as `firstBlock + n`.
    package static let firstBlock: UInt16 = threshold + 1
}

extension GuestMemory {
    /// Makes the native tier of a new address space; set once at start-up by a host that has
    /// one (nil: interpret only).
    package static var makeNativeTier: ((GuestMemory) -> (any NativeTier)?)?
}
