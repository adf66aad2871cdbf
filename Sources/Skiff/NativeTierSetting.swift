import RISCV
import RISCVNative
import X86Native
import X86
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether guests run hot code natively (the default where there is a native tier) or fully
/// interpreted: `SKIFF_JIT=0` in the environment interprets everything (for comparisons and
/// for ruling the native tier out when hunting a bug). `SKIFF_JIT_THRESHOLD=N` compiles a block
/// after N executions instead of the default 256 (the differential tests use a small N so that
/// short programs run compiled too). `SKIFF_JIT_WARMUP=N`: instructions each new address space
/// (exec, fork) runs interpreted before it gets a tier (default `defaultWarmUp`; 0 with a
/// threshold given).
enum NativeTierSetting {
    /// Instructions of warm-up per address space by default (measured in docs/native-tier.md).
    static let defaultWarmUp = 1 << 20

    static func apply() {
        // The x86-64 interpreter's flag liveness (Sources/X86/X86FlagsLiveness.swift), for
        // comparisons: SKIFF_X86_FLAG_LIVENESS=0 computes every instruction's flags.
        if let v = getenv("SKIFF_X86_FLAG_LIVENESS"), String(cString: v) == "0" { X86Tuning.flagLiveness = false }
        // Its chains (Sources/X86/X86Pairs.swift): SKIFF_X86_CHAINS=0 dispatches their parts one by one.
        if let v = getenv("SKIFF_X86_CHAINS"), String(cString: v) == "0" { X86Tuning.chains = false }
        if let v = getenv("SKIFF_JIT"), String(cString: v) == "0" {
            NativeCode.disable()
            X86NativeCode.disable()
        } else {
            let threshold = getenv("SKIFF_JIT_THRESHOLD").flatMap { Int(String(cString: $0)) }
            NativeCode.enable(threshold: threshold)
            // Instructions a process runs interpreted before it gets a tier (GuestMemory's
            // `nativeWarmUp`): none when a threshold is given (the tests' small thresholds are
            // there to compile short programs), else SKIFF_JIT_WARMUP or the default.
            let warmUp = getenv("SKIFF_JIT_WARMUP").flatMap { Int(String(cString: $0)) }
            GuestMemory.nativeTierWarmUp = warmUp ?? (threshold == nil ? NativeTierSetting.defaultWarmUp : 0)
            if let v = getenv("SKIFF_JIT_X86"), String(cString: v) == "0" {
                X86NativeCode.disable()
            } else {
                X86NativeCode.enable(threshold: threshold)
            }
        }
    }
}
