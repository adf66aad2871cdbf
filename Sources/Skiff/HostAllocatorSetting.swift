#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator as a guest kernel needs it. Every exec and exit frees an address space's
/// pages, decoded code and tables (megabytes), and the next process allocates as much again; by
/// default glibc returns the freed top of its heap to the host kernel at once and the next
/// process faults every page back in (200 execs of `/usr/bin/true` from bash: 53.6 K host page
/// faults, 0.20 s of system time of 0.56 s). Keeping up to 64 MiB of free heap: 5.5 K faults,
/// 0.39 s in all (docs/performance.md, "Host allocator"); peak RSS unchanged. A larger free
/// top is still returned. `SKIFF_HOST_TRIM=0` keeps glibc's default, for comparisons.
enum HostAllocatorSetting {
    static let keptFreeHeap: Int32 = 64 << 20

    static func apply() {
        #if canImport(Glibc)
        if let v = getenv("SKIFF_HOST_TRIM"), String(cString: v) == "0" { return }
        // mallopt(M_TRIM_THRESHOLD, ...): <malloc.h> is not in Swift's Glibc module, so the
        // function is looked up (nil: RTLD_DEFAULT); M_TRIM_THRESHOLD is -1.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let f = dlsym(nil, "mallopt") else { return }
        _ = unsafeBitCast(f, to: Mallopt.self)(-1, keptFreeHeap)
        #endif
    }
}
