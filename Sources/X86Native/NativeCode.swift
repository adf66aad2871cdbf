import RISCV
import X86

/// Switches the native tier for x86-64 guests on for every address space created from now on
/// (x86-64 hosts; elsewhere, or with `SKIFF_JIT=0` in the environment, everything is
/// interpreted). `SKIFF_JIT_X86=0` leaves it off while RISC-V guests keep theirs.
public enum X86NativeCode {
    public static func enable(threshold: Int? = nil) {
        #if arch(x86_64) && (os(Linux) || os(macOS))
        let t = threshold.map { UInt16(clamping: $0) } ?? NativeSlot.defaultThreshold
        X86CPU.makeNativeTier = { GuestTier(memory: $0, threshold: t) }
        #endif
    }

    public static func disable() {
        X86CPU.makeNativeTier = nil
    }
}
