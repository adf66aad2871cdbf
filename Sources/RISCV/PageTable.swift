// The guest page table: a four-level radix tree (9 bits per level) over 48-bit guest addresses,
// and the reference-counted host frames that back guest pages (shared copy-on-write after fork).

/// One guest page: its host frame (nil until first touched: the page reads as zeros), the
/// pre-decoded instructions of the page if it was ever executed, and its permissions. A shared
/// page (`GuestMemory.mapShared`) takes its frame from its `SharedPages` and is never copied on
/// write.
struct PageEntry {
    var frame: UnsafeMutableRawPointer?
    var code: UnsafeMutablePointer<DecodedInstruction>?
    var protection: UInt8
    var isMapped: Bool
    var isShared = false
}

/// Host frames: `GuestMemory.pageSize` bytes of data followed by a reference count.
enum Frame {
    static let size = Int(GuestMemory.pageSize)
    /// Frames allocated and not yet freed, in every address space (the guest's resident memory).
    static var live = 0

    static func allocateZeroed() -> UnsafeMutableRawPointer {
        live += 1
        #if canImport(Glibc)
        if let arena = FrameArena.shared { return arena.allocate() }
        #endif
        let p = ZeroedMemory.allocate(byteCount: size + 16)
        p.storeBytes(of: 1, toByteOffset: size, as: Int.self)
        return p
    }

    @inline(__always) static func referenceCount(_ p: UnsafeMutableRawPointer) -> Int {
        #if canImport(Glibc)
        if let arena = FrameArena.shared { return arena.referenceCount(p) }
        #endif
        return p.load(fromByteOffset: size, as: Int.self)
    }

    @inline(__always) static func retain(_ p: UnsafeMutableRawPointer) {
        #if canImport(Glibc)
        if let arena = FrameArena.shared { return arena.retain(p) }
        #endif
        p.storeBytes(of: referenceCount(p) + 1, toByteOffset: size, as: Int.self)
    }

    static func release(_ p: UnsafeMutableRawPointer) {
        if releaseFreed(p) { live -= 1 }
    }

    /// Drops a reference; true when it was the last and the frame is freed.
    private static func releaseFreed(_ p: UnsafeMutableRawPointer) -> Bool {
        #if canImport(Glibc)
        if let arena = FrameArena.shared { return arena.release(p) }
        #endif
        let n = referenceCount(p) - 1
        if n == 0 {
            p.deallocate()
            return true
        }
        p.storeBytes(of: n, toByteOffset: size, as: Int.self)
        return false
    }

    /// A private copy of a shared frame; the caller drops its reference to the original.
    static func copy(_ p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        live += 1
        let q: UnsafeMutableRawPointer
        #if canImport(Glibc)
        if let arena = FrameArena.shared {
            q = arena.allocate(zeroed: false)
            q.copyMemory(from: p, byteCount: size)
            return q
        }
        #endif
        q = UnsafeMutableRawPointer.allocate(byteCount: size + 16, alignment: 16)
        q.copyMemory(from: p, byteCount: size)
        q.storeBytes(of: 1, toByteOffset: size, as: Int.self)
        return q
    }
}

/// Radix tree from virtual page number (36 bits) to `PageEntry`.
struct PageTable {
    static let levelBits: UInt64 = 9
    static let fanout = 512
    static let vpnBits: UInt64 = 36
    typealias Node = UnsafeMutablePointer<UnsafeMutableRawPointer?>

    let root: Node

    init() {
        root = PageTable.allocateNode()
    }

    static func allocateNode() -> Node {
        let n = Node.allocate(capacity: fanout)
        n.initialize(repeating: nil, count: fanout)
        return n
    }

    static func allocateLeaf() -> UnsafeMutablePointer<PageEntry> {
        let l = UnsafeMutablePointer<PageEntry>.allocate(capacity: fanout)
        l.initialize(repeating: PageEntry(frame: nil, code: nil, protection: 0, isMapped: false), count: fanout)
        return l
    }

    @inline(__always) static func index(_ vpn: UInt64, level: UInt64) -> Int {
        Int((vpn >> (levelBits * (3 - level))) & UInt64(fanout - 1))
    }

    /// The entry for `vpn`, or nil when no leaf covers it (the page is unmapped).
    func entry(_ vpn: UInt64) -> UnsafeMutablePointer<PageEntry>? {
        if vpn >> PageTable.vpnBits != 0 { return nil }
        var node = root
        for level: UInt64 in 0..<3 {
            guard let next = node[PageTable.index(vpn, level: level)] else { return nil }
            node = next.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        }
        return UnsafeMutableRawPointer(node).assumingMemoryBound(to: PageEntry.self) + PageTable.index(vpn, level: 3)
    }

    /// The entry for `vpn`, creating the path to it. `vpn` must be below 2^36.
    func entryCreating(_ vpn: UInt64) -> UnsafeMutablePointer<PageEntry> {
        var node = root
        for level: UInt64 in 0..<3 {
            let i = PageTable.index(vpn, level: level)
            if node[i] == nil {
                node[i] = level == 2 ? UnsafeMutableRawPointer(PageTable.allocateLeaf()) : UnsafeMutableRawPointer(PageTable.allocateNode())
            }
            node = node[i]!.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        }
        return UnsafeMutableRawPointer(node).assumingMemoryBound(to: PageEntry.self) + PageTable.index(vpn, level: 3)
    }

    /// Calls `body` for every existing entry with first <= vpn < end (mapped or not), skipping
    /// subtrees that were never created.
    func forEachEntry(from first: UInt64, to end: UInt64, _ body: (UInt64, UnsafeMutablePointer<PageEntry>) -> Void) {
        let limit = min(end, UInt64(1) << PageTable.vpnBits)
        if first >= limit { return }
        walk(root, level: 0, base: 0, first: first, end: limit, body)
    }

    private func walk(_ node: Node, level: UInt64, base: UInt64, first: UInt64, end: UInt64,
                      _ body: (UInt64, UnsafeMutablePointer<PageEntry>) -> Void) {
        let shift = PageTable.levelBits * (3 - level)
        let span = UInt64(1) << shift
        let lo = first > base ? Int((first - base) >> shift) : 0
        let hi = Int(min(UInt64(PageTable.fanout), (end - base + span - 1) >> shift))
        if lo >= hi { return }
        for i in lo..<hi {
            let childBase = base + UInt64(i) << shift
            if level == 3 {
                body(childBase, UnsafeMutableRawPointer(node).assumingMemoryBound(to: PageEntry.self) + i)
            } else if let child = node[i] {
                walk(child.assumingMemoryBound(to: UnsafeMutableRawPointer?.self), level: level + 1,
                     base: childBase, first: first, end: end, body)
            }
        }
    }

    /// Frees the tree's nodes (not the frames or code pages the entries point to).
    func deallocate() {
        free(root, level: 0)
    }

    private func free(_ node: Node, level: UInt64) {
        if level < 3 {
            for i in 0..<PageTable.fanout {
                if let child = node[i] {
                    free(child.assumingMemoryBound(to: UnsafeMutableRawPointer?.self), level: level + 1)
                }
            }
        }
        UnsafeMutableRawPointer(node).deallocate()
    }
}
