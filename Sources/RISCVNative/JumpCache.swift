#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Computed jumps (returns, calls through pointers, interpreters' dispatch tables) look their
// target up here from compiled code, without leaving it: a direct-mapped table from guest pc to
// compiled block, filled by the tier whenever it finds a block and emptied on every flush.

package struct JumpCache {
    /// 64k entries (1 MB): a JVM runs ~50k blocks, and with 4096 entries its computed jumps
    /// missed and left compiled code often (`SKIFF_JIT_JUMP_CACHE_BITS=12..20` for comparisons).
    package static let entries = 1 << (getenv("SKIFF_JIT_JUMP_CACHE_BITS").flatMap { Int(String(cString: $0)) }.map { min(max($0, 12), 20) } ?? 16)
    /// Entry i covers pcs with (pc >> 1) & (entries - 1) == i; 16 bytes: pc, host address.
    package static let indexMask = UInt64(entries - 1)
    static let emptyTag = UInt64.max
    static let bytes = 16 * entries

    package let table: UnsafeMutablePointer<UInt64>

    /// The table is its own anonymous mapping, so a short process touches only the pages its
    /// jumps use (filling 1 MB with empty tags cost every exec'd `true` 256 page faults) and its
    /// memory goes back to the host when the address space does (a 1 MB malloc block stayed in
    /// the heap: 200 execs of `true` from one shell peaked at 61 MB, 29 MB with a 64 KB table).
    /// Zero entries are empty too: entry i != 0 is only looked up for pcs that are not 0; entry
    /// 0 holds the empty tag.
    package init() {
        table = JumpCache.zeroPages(at: nil).bindMemory(to: UInt64.self, capacity: 2 * JumpCache.entries)
        table[0] = JumpCache.emptyTag
    }

    package func deallocate() { munmap(table, JumpCache.bytes) }

    /// Empties every entry: fresh zero pages in place of the table's (its memory goes back to
    /// the host).
    package func clear() {
        _ = JumpCache.zeroPages(at: table)
        table[0] = JumpCache.emptyTag
    }

    private static func zeroPages(at address: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (address == nil ? 0 : MAP_FIXED)
        let p = mmap(address, bytes, PROT_READ | PROT_WRITE, flags, -1, 0)
        guard let p, p != MAP_FAILED else { fatalError("skiff: the native tier's jump cache (\(bytes) bytes): out of memory") }
        return p
    }

    /// Forgets `pc` if it leads to `address`.
    package func remove(pc: UInt64, address: UInt) {
        let i = Int((pc >> 1) & JumpCache.indexMask)
        if table[2 * i] == pc && table[2 * i + 1] == UInt64(address) {
            table[2 * i] = JumpCache.emptyTag
            table[2 * i + 1] = 0
        }
    }

    package func insert(pc: UInt64, address: UInt) {
        let i = Int((pc >> 1) & JumpCache.indexMask)
        table[2 * i] = pc
        table[2 * i + 1] = UInt64(address)
    }
}
