import RISCV

/// Switches the native tier on for every address space created from now on (x86-64 hosts;
/// elsewhere, or with `SKIFF_JIT=0` in the environment, everything is interpreted).
public enum NativeCode {
    public static func enable() {
        #if arch(x86_64) && (os(Linux) || os(macOS))
        GuestMemory.makeNativeTier = { X86NativeTier(memory: $0) }
        #endif
    }

    public static func disable() {
        GuestMemory.makeNativeTier = nil
    }
}
