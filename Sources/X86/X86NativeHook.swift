// The x86-64 guest's side of the native tier seam (RISCV/NativeTier.swift): the run loop counts
// how often execution jumps to a block entry in the entry instruction's `native` field and, once
// it is hot, calls the tier, which runs compiled code until it leaves (Sources/X86Native, native
// builds on x86-64 hosts only; this file is portable and compiles without it).
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    /// Makes the native tier of an x86-64 guest's address space; set once at start-up by a host
    /// that has one (nil: interpret only).
    package static var makeNativeTier: ((GuestMemory) -> (any NativeTier)?)?

    /// Puts the arithmetic flags into the flags word (compiled code keeps them in the host's
    /// RFLAGS and stores them back there at every exit).
    package func materializeFlagsForNative() { materializeFlags() }
}

extension X86CodeCache {
    /// The native tier's entry for this address space (nil without a tier), made with the cache.
    static func nativeEntry(_ memory: GuestMemory) -> NativeEntry? {
        guard let make = X86CPU.makeNativeTier, let tier = make(memory) else { return nil }
        memory.nativeTier = tier
        return tier.entry
    }
}

extension X86Instruction {
    /// Counts a jump to this block entry (`NativeSlot.countExecution`): true when the tier should
    /// run it (hot or compiled).
    @inline(__always) package mutating func countExecution(threshold: UInt16) -> Bool {
        let n = native
        if n < threshold {
            native = n &+ 1
            return false
        }
        return n != NativeSlot.never
    }
}

extension X86Instruction {
    /// The instruction at `pc` from `available` bytes, as the interpreter decodes it before its
    /// run-loop specialisations (for the native tier's translator).
    package static func decode(_ bytes: UnsafePointer<UInt8>, available: Int, pc: UInt64) -> X86Instruction {
        X86Decoder.decode(bytes, available: available, pc: pc)
    }
}
