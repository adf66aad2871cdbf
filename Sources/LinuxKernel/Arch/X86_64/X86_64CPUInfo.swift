#if !SKIFF_SINGLE_MODULE
import X86
#endif

/// /proc/cpuinfo for x86-64 guests: what CPUID reports (X86CPUID.swift), in Linux's words.
enum X86_64CPUInfo {
    static let text = """
        processor\t: 0
        vendor_id\t: \(X86CPU.vendor)
        cpu family\t: 6
        model\t\t: 0
        model name\t: \(X86CPU.brand)
        stepping\t: 0
        cpu MHz\t\t: 1000.000
        cache size\t: 512 KB
        physical id\t: 0
        siblings\t: 1
        core id\t\t: 0
        cpu cores\t: 1
        fpu\t\t: yes
        fpu_exception\t: yes
        cpuid level\t: 7
        wp\t\t: yes
        flags\t\t: fpu tsc cx8 cmov clflush mmx fxsr sse sse2 syscall nx lm pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm abm bmi1 bmi2
        clflush size\t: 64
        cache_alignment\t: 64
        address sizes\t: 48 bits physical, 48 bits virtual


        """
}
