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

    /// The operations compiled code may have performed by `executeForNative` in the middle of a
    /// block instead of ending the block before them: the ones the run loop itself sends to an
    /// `execute...` function and that a second try after a fault redoes exactly (what they change
    /// comes after their last access that can fault, or, for the string instructions, is the
    /// progress a fault leaves anyway; x87's stores pop after storing, its stack underflow flags
    /// and exceptions are sticky bits set again alike).
    package static func runsForNative(_ op: X86Op) -> Bool {
        switch op {
        case .x87, .movs, .stos, .lods, .cmps, .scas, .sse, .sse4, .bmi, .btRR, .btMR, .btRI, .btMI,
             .bitScanRR, .bitScanRM, .xaddRR, .xaddMR, .cmpxchgRR, .cmpxchgMR, .shldR, .shrdR, .shldM, .shrdM,
             .flagSystem, .mmx, .mmxSSSE3, .mmxOther:
            return true
        default:
            return false
        }
    }

    /// Performs `p` (one of `runsForNative`'s at `pc`, decoded by `X86Instruction.decode`) for compiled
    /// code, which has stored the guest's registers and flags: 0 when it completed, 1 when it
    /// completed and decoded code changed meanwhile (what compiled code would run next may be
    /// stale: it leaves), 2 when it did not complete (a fault or a trap: the interpreter performs
    /// it again and raises it). The flags are in the flags word afterwards.
    package func executeForNative(_ p: UnsafeMutablePointer<X86Instruction>, pc: UInt64) -> UInt8 {
        let changes = memory.codeChanges
        let status: UInt8
        switch p.pointee.op {
        case .x87: status = executeX87(p, pc: pc)
        case .movs, .stos, .lods, .cmps, .scas: status = executeString(p)
        case .sse: status = executeSSE(p)
        case .sse4: status = executeSSE4(p)
        case .bmi: status = executeBMI(p)
        case .btRR, .btMR, .btRI, .btMI, .bitScanRR, .bitScanRM: status = executeBits(p)
        case .xaddRR, .xaddMR, .cmpxchgRR, .cmpxchgMR: status = executeExchange(p)
        case .shldR, .shrdR, .shldM, .shrdM: status = executeShift(p)
        case .mmx: status = executeMMX(p, ssse3: false)
        case .mmxSSSE3: status = executeMMX(p, ssse3: true)
        case .mmxOther: status = executeMMXOther(p)
        case .flagSystem: status = executeSystem(p)
        default: return 2
        }
        materializeFlags()
        if status != X86Status.next { return 2 }
        return memory.codeChanges == changes ? 0 : 1
    }
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
    /// Sets the bits of `scale` that say how `X86CPU.address` computes the memory operand (a
    /// segment base or 32-bit addressing, an index register): `decodeBlock` does for every
    /// instruction, compiled code for the ones it calls out with (`executeForNative`).
    package mutating func markAddressForm() {
        if seg != X86Registers.zeroOffset || attrs & X86Attrs.address32 != 0 { scale |= X86Instruction.slowAddress }
        if index != X86Registers.zeroOffset { scale |= X86Instruction.indexed }
    }

    /// The instruction at `pc` from `available` bytes, as the interpreter decodes it before its
    /// run-loop specialisations (for the native tier's translator).
    package static func decode(_ bytes: UnsafePointer<UInt8>, available: Int, pc: UInt64) -> X86Instruction {
        X86Decoder.decode(bytes, available: available, pc: pc)
    }
}
