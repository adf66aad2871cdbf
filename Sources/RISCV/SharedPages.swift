// Memory several address spaces map at once (MAP_SHARED mappings, SysV segments): one host
// frame per page, so a store through any mapping is seen through every other at once, with no
// copying between processes.

/// Where a shared object's pages come from on first touch (a file's contents).
public protocol SharedPageSource: AnyObject {
    /// Fills `page` (zeroed, one frame) with the contents of page `index`.
    func fillSharedPage(_ index: Int, into page: UnsafeMutableRawBufferPointer)
}

/// The pages of one shared object. A page gets its frame on first touch through any mapping (or
/// a kernel read or write), filled from `source` if there is one; the object keeps a reference
/// to each frame and every address space mapping the page holds another, so the contents
/// outlive any one mapping. Only touched pages cost anything: a 5 GiB file's object with three
/// pages touched holds three frames.
public final class SharedPages {
    private var frames: [Int: UnsafeMutableRawPointer] = [:]
    public private(set) var pageCount: Int
    public let source: (any SharedPageSource)?

    public init(pageCount: Int, source: (any SharedPageSource)? = nil) {
        self.pageCount = pageCount
        self.source = source
    }

    deinit {
        for f in frames.values { Frame.release(f) }
    }

    /// Makes room for `count` pages (the new ones are filled on first touch).
    public func grow(toPageCount count: Int) {
        if count > pageCount { pageCount = count }
    }

    /// The frame of page `index`, created (and filled from the source) on first use. Owned by
    /// the object.
    func frame(_ index: Int) -> UnsafeMutableRawPointer {
        grow(toPageCount: index + 1)
        if let f = frames[index] { return f }
        let f = Frame.allocateZeroed()
        frames[index] = f
        source?.fillSharedPage(index, into: UnsafeMutableRawBufferPointer(start: f, count: Frame.size))
        return f
    }

    /// The pages in [first, end) that have a frame (were touched), in order.
    public func touchedPages(from first: Int, to end: Int) -> [Int] {
        var found: [Int] = []
        if end - first < frames.count {
            var i = first
            while i < end { if frames[i] != nil { found.append(i) }; i += 1 }
        } else {
            for i in frames.keys where i >= first && i < end { found.append(i) }
            found.sort()
        }
        return found
    }

    /// Copies `buffer.count` bytes from byte `offset` out (pages never touched read as zeros:
    /// callers that need a file's contents there read only `touchedPages`).
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        forEachPiece(offset, buffer.count) { page, inPage, at, n in
            if let f = frames[page] {
                (base + at).copyMemory(from: f + inPage, byteCount: n)
            } else {
                (base + at).initializeMemory(as: UInt8.self, repeating: 0, count: n)
            }
        }
    }

    /// Copies `buffer` in at byte `offset` (a page not touched before is filled first).
    public func write(at offset: Int, from buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        forEachPiece(offset, buffer.count) { page, inPage, at, n in
            (frame(page) + inPage).copyMemory(from: base + at, byteCount: n)
        }
    }

    /// The bytes [offset, offset + count) page by page: each page's index, where the bytes start
    /// in it, their place in those `count` bytes, and how many lie in that page.
    private func forEachPiece(_ offset: Int, _ count: Int, _ body: (Int, Int, Int, Int) -> Void) {
        var done = 0
        while done < count {
            let at = offset + done
            let inPage = at % Frame.size
            let n = min(count - done, Frame.size - inPage)
            body(at / Frame.size, inPage, done, n)
            done += n
        }
    }
}

/// Guest pages [first, end) map pages firstPage... of `pages`.
struct SharedRange {
    var first: UInt64
    var end: UInt64
    let pages: SharedPages
    var firstPage: Int
}

extension GuestMemory {
    /// Maps [address, address + length) onto the pages of `pages` from `firstPage` on, replacing
    /// whatever was there. Unlike private pages these are never copied on write, in this address
    /// space or in a fork of it.
    public func mapShared(at address: UInt64, length: UInt64, protection: MemoryProtection,
                          pages: SharedPages, firstPage: Int) {
        map(at: address, length: length, protection: protection)
        let (first, end) = GuestMemory.pageRange(address, length)
        table.forEachEntry(from: first, to: end) { _, e in e.pointee.isShared = true }
        sharedRanges.append(SharedRange(first: first, end: end, pages: pages, firstPage: firstPage))
    }

    /// The frame a shared page gets on its first touch here (retained for this address space).
    func sharedFrame(_ vpn: UInt64) -> UnsafeMutableRawPointer {
        for r in sharedRanges where r.first <= vpn && vpn < r.end {
            let f = r.pages.frame(r.firstPage + Int(vpn - r.first))
            Frame.retain(f)
            return f
        }
        return Frame.allocateZeroed()   // not reached: every shared entry lies in a range
    }

    /// Forgets the shared ranges over pages [first, end) (they are being unmapped or replaced).
    func forgetSharedRanges(_ first: UInt64, _ end: UInt64) {
        if sharedRanges.isEmpty { return }
        var kept: [SharedRange] = []
        for r in sharedRanges {
            if r.end <= first || r.first >= end { kept.append(r); continue }
            if r.first < first { kept.append(SharedRange(first: r.first, end: first, pages: r.pages, firstPage: r.firstPage)) }
            if r.end > end {
                kept.append(SharedRange(first: end, end: r.end, pages: r.pages, firstPage: r.firstPage + Int(end - r.first)))
            }
        }
        sharedRanges = kept
    }
}

extension SharedPages {
    /// Copies `buffer` into the pages that already have a frame, at byte `offset` (a write(2) to
    /// the object's file: the frames are the file's page cache, so they must see it). Pages never
    /// touched are left alone: they are read from the file when first touched.
    public func updateTouched(at offset: Int, from buffer: UnsafeRawBufferPointer) {
        forEachTouchedPiece(offset, buffer.count) { frame, at, n in
            frame.copyMemory(from: buffer.baseAddress! + at, byteCount: n)
        }
    }

    /// Copies the bytes of pages that have a frame over `buffer`, from byte `offset` (a read(2)
    /// of the object's file: stores through a mapping are not in the file until written back).
    public func overlayTouched(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        forEachTouchedPiece(offset, buffer.count) { frame, at, n in
            (buffer.baseAddress! + at).copyMemory(from: frame, byteCount: n)
        }
    }

    /// Zeroes the bytes from `offset` on in the pages that have a frame (the file was truncated
    /// there: if it grows again, those bytes read as zeros, as Linux's page cache gives them).
    public func zeroTouched(from offset: Int) {
        for (index, f) in frames where (index + 1) * Frame.size > offset {
            let inPage = max(0, offset - index * Frame.size)
            (f + inPage).initializeMemory(as: UInt8.self, repeating: 0, count: Frame.size - inPage)
        }
    }

    /// For each page with a frame among the bytes [offset, offset + count): the frame address
    /// where they start, their place in those bytes, and how many there are in that page.
    private func forEachTouchedPiece(_ offset: Int, _ count: Int,
                                     _ body: (UnsafeMutableRawPointer, Int, Int) -> Void) {
        if frames.isEmpty || count <= 0 { return }
        forEachPiece(offset, count) { page, inPage, at, n in
            if let f = frames[page] { body(f + inPage, at, n) }
        }
    }
}
