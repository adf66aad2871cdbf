// Zero-filled host memory for guest frames and decoded code pages. On a native host `calloc`
// hands out fresh heap memory without writing it, so the kernel commits (and zeroes) only the
// host pages a guest actually touches: a 32 KiB code page whose program runs a few hundred
// bytes of it costs one or two host pages, not eight plus a memset. Elsewhere (Embedded Swift
// on wasm32, where fresh linear memory is zero anyway but the allocator may recycle blocks) it
// is allocate + initialize. Both kinds are freed with `deallocate()` (swift_slowDealloc is
// `free` for these alignments).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ZeroedMemory {
    /// `byteCount` zero bytes, 16-byte aligned.
    @inline(__always)
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        #if canImport(Glibc) || canImport(Darwin)
        guard let p = calloc(1, byteCount) else { fatalError("out of memory") }
        return p
        #else
        let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return p
        #endif
    }
}
