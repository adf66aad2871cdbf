#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The code buffer of a native tier: one anonymous mapping, readable, writable and executable
// (x86 keeps instruction fetch coherent with stores, so chained jumps are patched in place).
// Pages are committed as code is written; the whole buffer is reused after a flush.

package final class ExecutableMemory {
    package let base: UnsafeMutableRawPointer
    let size: Int
    package private(set) var used = 0

    /// nil when the host refuses executable memory (then the tier stays off).
    package init?(size: Int) {
        let p = mmap(nil, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { return nil }
        base = p
        self.size = size
    }

    deinit {
        munmap(base, size)
    }

    package var address: UInt { UInt(bitPattern: base) &+ UInt(used) }

    package func canHold(_ count: Int) -> Bool { used + count <= size }

    /// Copies `bytes` to the next free address (which the caller assembled them for).
    package func append(_ bytes: [UInt8]) {
        precondition(canHold(bytes.count))
        bytes.withUnsafeBytes { (base + used).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        used += bytes.count
    }

    /// Forgets everything after the first `keep` bytes.
    package func reset(keeping keep: Int) { used = keep }

    /// Points the rel32 field at `site` to `target`.
    package func patch(rel32At site: UInt, to target: UInt) {
        let rel = Int32(truncatingIfNeeded: Int(bitPattern: target) - Int(bitPattern: site &+ 4))
        UnsafeMutableRawPointer(bitPattern: site)!.storeBytes(of: rel, as: Int32.self)
    }
}
