// The seam for a second execution tier: hot code compiled to host machine code (natively; in
// WebAssembly there is none and the interpreter runs everything). The run loop counts how often
// each block entry is reached by a jump or branch in the entry slot's `native` field; once an
// entry is hot it hands execution to the tier, which runs compiled blocks until they leave
// compiled code, and the interpreter continues from where they stopped.
//
// Contract for a tier: compiled code keeps the register file exact at every exit, retires
// instructions only by what it reports, accesses guest memory only through the hart's TLB fast
// paths (anything else exits so the interpreter performs the access, faults included),
// records the guest bytes each block was compiled from (`GuestMemory.noteCompiledCode`), and
// forgets the blocks the address space reports changed (`invalidate`).

package protocol NativeTier: AnyObject {
    /// How the run loop calls the tier.
    var entry: NativeEntry { get }
    /// Guest bytes [from, to) (within one page) change or go away: forget every compiled block
    /// made from any of them, and report the page's remaining compiled lines
    /// (`GuestMemory.setCompiledLines`). Never called while compiled code runs.
    func invalidate(from: UInt64, to: UInt64)
}

/// The tier's run function as a C function pointer and the tier object it is called with
/// (unretained: the address space holds its tier). A plain function call: the run loop enters
/// compiled code often, and a protocol call retained and released the tier every time.
package struct NativeEntry {
    /// (tier, hart, pc, slot, budget, result): runs compiled code on the hart (an unretained
    /// `Hart`) from `pc` (a block entry whose slot is `slot`) for at most about `budget`
    /// instructions, and stores a `NativeRun` at `result`.
    package typealias Function = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UInt64,
                                                 UnsafeMutableRawPointer, Int, UnsafeMutableRawPointer) -> Void
    package var run: Function
    package var tier: UnsafeMutableRawPointer
    /// Executions of a block entry before it is compiled (`NativeSlot`).
    package var threshold: UInt16

    package init(run: Function, tier: UnsafeMutableRawPointer, threshold: UInt16) {
        self.run = run
        self.tier = tier
        self.threshold = min(threshold, NativeSlot.maxThreshold)
    }
}

/// Where compiled code stopped.
package struct NativeRun {
    /// The next instruction to execute.
    package var pc: UInt64
    package var executed: Int
    /// The interpreter must execute the instruction at `pc` itself (a TLB miss, a fault, an
    /// operation the tier does not compile) before it may enter the tier again.
    package var interpretFirst: Bool

    @inlinable package init(pc: UInt64, executed: Int, interpretFirst: Bool) {
        self.pc = pc
        self.executed = executed
        self.interpretFirst = interpretFirst
    }
}

/// Values of a slot's `native` field: below the tier's threshold (`NativeEntry.threshold`,
/// at most `maxThreshold`) a count of executions of a cold entry; at it, a request to compile.
package enum NativeSlot {
    /// The default threshold: high enough that short-lived code (a process start-up, the
    /// dynamic loader) does not pay for compiling code it runs a few hundred times.
    @inlinable package static var defaultThreshold: UInt16 { 256 }
    @inlinable package static var maxThreshold: UInt16 { 1023 }
    /// The tier could not compile a block here: keep interpreting.
    @inlinable package static var never: UInt16 { 0xffff }
    /// Compiled block number n is stored as `firstBlock + n`.
    @inlinable package static var firstBlock: UInt16 { maxThreshold + 1 }

    /// Counts one execution of the entry at `p` while it is cold. True when it is for the
    /// tier: hot (compile it) or compiled; false while cold or when it cannot be compiled.
    @inlinable @inline(__always)
    package static func countExecution(_ p: UnsafeMutablePointer<DecodedInstruction>, threshold: UInt16) -> Bool {
        let n = p.pointee.native
        if n < threshold {
            p.pointee.native = n &+ 1
            return false
        }
        return n != never
    }
}

extension GuestMemory {
    /// Makes the native tier of a new address space; set once at start-up by a host that has
    /// one (nil: interpret only).
    package static var makeNativeTier: ((GuestMemory) -> (any NativeTier)?)?
}
