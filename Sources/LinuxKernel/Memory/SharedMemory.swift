#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Memory several processes see at once: a MAP_SHARED anonymous mapping inherited through fork,
/// a SysV segment, or a writable MAP_SHARED mapping of a file (one object per file, so every
/// process mapping it shares it — SQLite's -shm, POSIX semaphores in /dev/shm).
///
/// Every mapping of the object maps the same host frames (`SharedPages`), so a store by one
/// process is seen by the others at once, as on Linux, whatever the scheduler runs next.
/// A file's object reads each page from the file on its first touch (a 5 GiB sparse file
/// mapped whole costs the pages used, not 5 GiB) and writes the touched pages back to it on
/// munmap, msync, exit and exec.
final class SharedMemoryObject {
    let id: UInt64
    let pages: SharedPages
    /// Bytes covered (a whole number of pages).
    private(set) var size: UInt64
    let fileKey: FileKey?

    init(id: UInt64, size: UInt64, fileKey: FileKey?, source: (any SharedPageSource)? = nil) {
        self.id = id
        self.size = size
        self.fileKey = fileKey
        pages = SharedPages(pageCount: Int(size / AddressLayout.pageSize), source: source)
    }

    func grow(to end: UInt64) {
        if end <= size { return }
        size = AddressLayout.pageUp(end)
        pages.grow(toPageCount: Int(size / AddressLayout.pageSize))
    }
}

/// A file's pages as its shared object first sees them: read from the file (through the
/// description of the first mapping, kept open as Linux keeps a mapping's file); past its end,
/// zeros.
final class SharedFileSource: SharedPageSource {
    let description: FileDescription

    init(_ description: FileDescription) {
        self.description = description
        description.retain()   // open while the object lives, even after that mapping and descriptor are gone
    }
    deinit { description.release() }

    func fillSharedPage(_ index: Int, into page: UnsafeMutableRawBufferPointer) {
        let offset = Int64(index) * Int64(AddressLayout.pageSize)
        var done = 0
        while done < page.count {
            guard let n = try? description.read(into: UnsafeMutableRawBufferPointer(rebasing: page[done...]),
                                                at: offset + Int64(done)), n > 0 else { return }
            done += n
        }
    }
}

/// A file's identity for sharing its mapped pages.
struct FileKey: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension Kernel {
    /// Anonymous shared memory and SysV segments are refused above this (ENOMEM).
    static let maximumSharedObject: UInt64 = UInt64(min(Int(Int32.max), 1 << 30))
    /// A file's object only holds the pages touched, so it may reach far into a large file: as
    /// far as byte offsets fit a host `Int` with room to spare (1 GiB on wasm32).
    static let maximumSharedFileObject: UInt64 = UInt64(Int.max >> 1)

    /// The shared object of a file, grown to cover `end` bytes (pages are read on first touch).
    func sharedObject(for d: FileDescription, stat st: FileStat, end: UInt64) throws(Errno) -> SharedMemoryObject {
        if end > Kernel.maximumSharedFileObject { throw .ENOMEM }
        let key = FileKey(device: st.device, inode: st.inode)
        let obj: SharedMemoryObject
        if let existing = sharedFiles[key] {
            obj = existing
        } else {
            sharedObjectCounter += 1
            obj = SharedMemoryObject(id: sharedObjectCounter, size: 0, fileKey: key, source: SharedFileSource(d))
            sharedFiles[key] = obj
        }
        obj.grow(to: end)
        return obj
    }

    func newAnonymousSharedObject(size: UInt64) throws(Errno) -> SharedMemoryObject {
        if size > Kernel.maximumSharedObject { throw .ENOMEM }
        sharedObjectCounter += 1
        return SharedMemoryObject(id: sharedObjectCounter, size: AddressLayout.pageUp(size), fileKey: nil)
    }

    /// MAP_SHARED file pages go back to their file (munmap, msync, exit, exec): the pages of the
    /// regions that were touched (the others still hold what the file holds), up to the file's
    /// end.
    func writeBackShared(_ regions: [MemoryRegion]) {
        let pageSize = AddressLayout.pageSize
        for r in regions {
            guard let obj = r.object, let f = r.file, f.description.canWrite, let st = try? f.description.stat() else { continue }
            if Int64(r.fileOffset) >= st.size || r.objectOffset >= obj.size { continue }
            let count = min(r.length, UInt64(st.size) - r.fileOffset, obj.size - r.objectOffset)
            let first = Int(r.objectOffset / pageSize)
            let touched = obj.pages.touchedPages(from: first, to: first + Int((count + pageSize - 1) / pageSize))
            var i = 0
            while i < touched.count {
                // A run of consecutive touched pages, written with one call per chunk.
                var j = i + 1
                while j < touched.count && touched[j] == touched[j - 1] + 1
                        && UInt64(j - i) * pageSize < UInt64(Kernel.maximumTransfer) { j += 1 }
                let at = UInt64(touched[i] - first) * pageSize
                let buffer = scratchBuffer(Int(min(count - at, UInt64(j - i) * pageSize)))
                obj.pages.read(at: Int(r.objectOffset + at), into: buffer)
                var done = 0
                while done < buffer.count {
                    guard let n = try? f.description.write(from: UnsafeRawBufferPointer(rebasing: buffer[done...]),
                                                           at: Int64(r.fileOffset + at) + Int64(done)), n > 0 else { break }
                    done += n
                }
                i = j
            }
        }
    }

    /// After shared regions went away: a file's object that no live process maps any more is
    /// dropped (its pages were written back), so the next mapping reads the file afresh.
    func forgetUnmappedSharedFiles() {
        if sharedFiles.isEmpty { return }
        var live: [SharedMemoryObject] = []
        for p in processes.values where !p.isZombie {
            for r in p.addressSpace.regions { if let o = r.object, !live.contains(where: { $0 === o }) { live.append(o) } }
        }
        for (key, obj) in sharedFiles where !live.contains(where: { $0 === obj }) {
            sharedFiles[key] = nil
        }
    }
}
