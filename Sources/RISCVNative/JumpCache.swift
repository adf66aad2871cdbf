#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Computed jumps (returns, calls through pointers, interpreters' dispatch tables) look their
// target up here from compiled code, without leaving it: a direct-mapped table from guest pc to
// compiled block, filled by the tier whenever it finds a block and emptied on every flush.

struct JumpCache {
    /// 64k entries (1 MB): a JVM runs ~50k blocks, and with 4096 entries its computed jumps
    /// missed and left compiled code often (`SKIFF_JIT_JUMP_CACHE_BITS=12..20` for comparisons).
    static let entries = 1 << (getenv("SKIFF_JIT_JUMP_CACHE_BITS").flatMap { Int(String(cString: $0)) }.map { min(max($0, 12), 20) } ?? 16)
    /// Entry i covers pcs with (pc >> 1) & (entries - 1) == i; 16 bytes: pc, host address.
    static let indexMask = UInt64(entries - 1)
    static let emptyTag = UInt64.max

    let table: UnsafeMutablePointer<UInt64>

    init() {
        table = .allocate(capacity: 2 * JumpCache.entries)
        clear()
    }

    func deallocate() { table.deallocate() }

    func clear() {
        for i in 0..<JumpCache.entries {
            table[2 * i] = JumpCache.emptyTag
            table[2 * i + 1] = 0
        }
    }

    /// Forgets `pc` if it leads to `address`.
    func remove(pc: UInt64, address: UInt) {
        let i = Int((pc >> 1) & JumpCache.indexMask)
        if table[2 * i] == pc && table[2 * i + 1] == UInt64(address) {
            table[2 * i] = JumpCache.emptyTag
            table[2 * i + 1] = 0
        }
    }

    func insert(pc: UInt64, address: UInt) {
        let i = Int((pc >> 1) & JumpCache.indexMask)
        table[2 * i] = pc
        table[2 * i + 1] = UInt64(address)
    }
}
