#if canImport(Glibc)
import Glibc
#endif

// What the host CPU offers beyond x86-64's baseline, for the translator's optional forms.

enum HostFeatures {
    /// FMA3 (vfmadd231sd and friends).
    static let fma = offers("fma")
    /// BMI2 (shlx, shrx, sarx: shifts by a register other than cl, into a third register).
    static let bmi2 = offers("bmi2")
    /// BMI1's tzcnt, LZCNT ("abm") and POPCNT: without them the first two run as bsf and bsr.
    static let tzcnt = offers("bmi1"), lzcnt = offers("abm"), popcnt = offers("popcnt")

    /// Whether the `flags` line of /proc/cpuinfo (the kernel's view of CPUID, including what the
    /// hypervisor hides) names `feature`.
    private static func offers(_ feature: String) -> Bool {
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains(Substring(feature))
            }
        }
        return false
    }
}
