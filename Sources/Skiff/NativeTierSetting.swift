import RISCVNative
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether guests run hot code natively (the default where there is a native tier) or fully
/// interpreted: `SKIFF_JIT=0` in the environment interprets everything (for comparisons and
/// for ruling the native tier out when hunting a bug).
enum NativeTierSetting {
    static func apply() {
        if let v = getenv("SKIFF_JIT"), String(cString: v) == "0" {
            NativeCode.disable()
        } else {
            NativeCode.enable()
        }
    }
}
