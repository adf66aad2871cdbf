// CPUID: exactly what this CPU implements, so that glibc's ifuncs and programs' own dispatch
// pick code paths that work here. x86-64-v2: the baseline (FPU, CX8, CMOV, MMX, FXSR, SSE,
// SSE2, SYSCALL, long mode) plus SSE3, SSSE3, SSE4.1, SSE4.2, CMPXCHG16B, POPCNT and LAHF/SAHF
// in 64-bit mode; and of x86-64-v3 BMI1, BMI2 and LZCNT (ABM). No PCLMULQDQ, MONITOR, AVX,
// AVX2, FMA, MOVBE, XSAVE (so no XGETBV) or ERMS. The vendor
// is "AuthenticAMD": glibc reads leaf 1 (every feature bit) only for
// the vendors it knows (cpu-features.c: an unknown vendor gets no features at all, so the
// dynamic libc.so.6, marked x86-64-baseline, refuses to load: "CPU ISA level is lower than
// required"), and its AMD path takes the cache sizes from the legacy leaves 0x80000005/6
// below. Family 6 has no AMD-specific tuning in glibc; the brand string says what this is.

extension X86CPU {
    package static let vendor = "AuthenticAMD"
    package static let brand = "Skiff x86-64 interpreter"

    // Leaf 1 EDX.
    static let featureFPU: UInt32 = 1 << 0, featureTSC: UInt32 = 1 << 4, featureCX8: UInt32 = 1 << 8
    static let featureCMOV: UInt32 = 1 << 15, featureCLFSH: UInt32 = 1 << 19, featureMMX: UInt32 = 1 << 23
    static let featureFXSR: UInt32 = 1 << 24, featureSSE: UInt32 = 1 << 25, featureSSE2: UInt32 = 1 << 26
    // Leaf 1 ECX.
    static let featureSSE3: UInt32 = 1 << 0, featureSSSE3: UInt32 = 1 << 9, featureCX16: UInt32 = 1 << 13
    static let featureSSE41: UInt32 = 1 << 19, featureSSE42: UInt32 = 1 << 20, featurePOPCNT: UInt32 = 1 << 23
    // Leaf 7 EBX.
    static let featureBMI1: UInt32 = 1 << 3, featureBMI2: UInt32 = 1 << 8
    // Leaf 0x80000001.
    static let featureLAHF: UInt32 = 1 << 0, featureLZCNT: UInt32 = 1 << 5   // ECX: ABM (lzcnt)
    static let featureSYSCALL: UInt32 = 1 << 11, featureNX: UInt32 = 1 << 20, featureLM: UInt32 = 1 << 29

    /// Leaf 1 EDX and ECX (also the AT_HWCAP the kernel passes: EDX).
    package static let features1EDX: UInt32 = featureFPU | featureTSC | featureCX8 | featureCMOV | featureCLFSH
        | featureMMX | featureFXSR | featureSSE | featureSSE2
    package static let features1ECX: UInt32 = featureSSE3 | featureSSSE3 | featureCX16 | featureSSE41 | featureSSE42
        | featurePOPCNT

    /// (eax, ebx, ecx, edx) of CPUID leaf `leaf`, sub-leaf `subleaf`.
    package static func cpuid(leaf: UInt32, subleaf: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        switch leaf {
        case 0:
            let v = Array(vendor.utf8)
            return (7, word(v, 0), word(v, 8), word(v, 4))
        case 1:
            // Family 6, model 0, stepping 0; 64-byte clflush lines, one logical processor.
            return (0x0000_0600, 0x0001_0800, features1ECX, features1EDX)
        case 7:
            return (0, subleaf == 0 ? featureBMI1 | featureBMI2 : 0, 0, 0)
        case 0x8000_0000:
            return (0x8000_0008, 0, 0, 0)
        case 0x8000_0001:
            return (0, 0, featureLAHF | featureLZCNT, featureSYSCALL | featureNX | featureLM)
        case 0x8000_0002, 0x8000_0003, 0x8000_0004:
            var b = Array(brand.utf8)
            b += [UInt8](repeating: 0, count: 48 - b.count)
            let o = Int(leaf - 0x8000_0002) * 16
            return (word(b, o), word(b, o + 4), word(b, o + 8), word(b, o + 12))
        case 0x8000_0005:
            // L1: 32 KiB 8-way data and instruction caches, 64-byte lines.
            return (0, 0, 0x2008_0140, 0x2008_0140)
        case 0x8000_0006:
            // L2: 512 KiB 8-way; L3: 8 MiB (16-way).
            return (0, 0, 0x0200_6140, 0x0010_a140)
        case 0x8000_0008:
            return (0x0000_3030, 0, 0, 0)
        default:
            return (0, 0, 0, 0)
        }
    }

    private static func word(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
}
