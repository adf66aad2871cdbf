/// The contents of a regular file kept in memory, in 4 KiB pages allocated on first write: appending
/// costs time linear in the bytes written (no reallocation of what is already there), a hole left by
/// seeking past the end or growing with truncate costs nothing and reads as zeros, and shrinking
/// frees the pages past the new end.
final class MemoryFileData {
    static let pageShift = 12
    static let pageSize = 1 << pageShift
    /// The largest size a file may reach (EFBIG beyond): what a wasm32 module could address.
    static let maximumSize: Int64 = 1 << 32

    private(set) var size: Int64 = 0
    /// nil: a hole (zeros).
    private var pages: [UnsafeMutableRawPointer?] = []
    /// Pages holding memory, for st_blocks and statfs.
    private(set) var allocatedPages = 0

    deinit { for p in pages { p?.deallocate() } }

    /// Copies up to `buffer.count` bytes from `offset`; returns how many (0 at or past the end).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        guard offset >= 0, offset < size, buffer.count > 0, let base = buffer.baseAddress else { return 0 }
        let count = Int(min(Int64(buffer.count), size - offset))
        var done = 0
        while done < count {
            let position = Int(offset) + done
            let index = position >> Self.pageShift
            let inPage = position & (Self.pageSize - 1)
            let n = min(count - done, Self.pageSize - inPage)
            if let page = pages[index] {
                (base + done).copyMemory(from: page + inPage, byteCount: n)
            } else {
                (base + done).initializeMemory(as: UInt8.self, repeating: 0, count: n)
            }
            done += n
        }
        return count
    }

    /// Writes all of `bytes` at `offset`, growing the file (a gap before it becomes a hole).
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        if offset < 0 { throw .EINVAL }
        guard bytes.count > 0, let source = bytes.baseAddress else { return 0 }
        let end = offset + Int64(bytes.count)
        if end > Self.maximumSize { throw .EFBIG }
        reservePages(through: end)
        var done = 0
        while done < bytes.count {
            let position = Int(offset) + done
            let index = position >> Self.pageShift
            let inPage = position & (Self.pageSize - 1)
            let n = min(bytes.count - done, Self.pageSize - inPage)
            let page = pages[index] ?? allocatePage(index)
            (page + inPage).copyMemory(from: source + done, byteCount: n)
            done += n
        }
        if end > size { size = end }
        return bytes.count
    }

    /// Sets the size: growing leaves a hole, shrinking drops the pages past the end and zeroes
    /// the tail of the last one (so growing again reads zeros there).
    func truncate(to length: Int64) throws(Errno) {
        if length < 0 { throw .EINVAL }
        if length > Self.maximumSize { throw .EFBIG }
        if length < size {
            let keep = Int((length + Int64(Self.pageSize) - 1) >> Int64(Self.pageShift))
            for i in keep..<pages.count {
                if let p = pages[i] { p.deallocate(); allocatedPages -= 1 }
            }
            pages.removeLast(pages.count - keep)
            let tail = Int(length) & (Self.pageSize - 1)
            if tail != 0, let last = pages.last, let page = last {
                (page + tail).initializeMemory(as: UInt8.self, repeating: 0, count: Self.pageSize - tail)
            }
        } else {
            reservePages(through: length)
        }
        size = length
    }

    private func reservePages(through end: Int64) {
        let needed = Int((end + Int64(Self.pageSize) - 1) >> Int64(Self.pageShift))
        if needed > pages.count { pages.append(contentsOf: repeatElement(nil, count: needed - pages.count)) }
    }

    private func allocatePage(_ index: Int) -> UnsafeMutableRawPointer {
        let page = UnsafeMutableRawPointer.allocate(byteCount: Self.pageSize, alignment: 16)
        page.initializeMemory(as: UInt8.self, repeating: 0, count: Self.pageSize)
        pages[index] = page
        allocatedPages += 1
        return page
    }
}
