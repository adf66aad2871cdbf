import RISCV

/// Switches the native tier on for every address space created from now on (x86-64 hosts;
/// elsewhere, or with `SKIFF_JIT=0` in the environment, everything is interpreted).
public enum NativeCode {
    /// `threshold`: executions of a block entry before it is compiled (at most 1023; tests
    /// use small values to run short loops compiled; nil: the default).
    public static func enable(threshold: Int? = nil) {
        #if arch(x86_64) && (os(Linux) || os(macOS))
        let t = threshold.map { UInt16(clamping: $0) } ?? NativeSlot.defaultThreshold
        GuestMemory.makeNativeTier = { X86NativeTier(memory: $0, threshold: t) }
        #endif
    }

    public static func disable() {
        GuestMemory.makeNativeTier = nil
    }
}
