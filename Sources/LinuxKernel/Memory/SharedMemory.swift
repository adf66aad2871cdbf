#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Memory several processes see at once: a MAP_SHARED anonymous mapping inherited through fork,
/// a SysV segment, or a writable MAP_SHARED mapping of a file (one object per file, so every
/// process mapping it shares it — SQLite's -shm, POSIX semaphores in /dev/shm).
///
/// Every mapping of the object maps the same host frames (`SharedPages`), so a store by one
/// process is seen by the others at once, as on Linux, whatever the scheduler runs next.
/// A file's object is filled from the file when it grows and written back to it on munmap,
/// msync, exit and exec.
final class SharedMemoryObject {
    let id: UInt64
    let pages: SharedPages
    /// Bytes covered (a whole number of pages).
    private(set) var size: UInt64
    let fileKey: FileKey?

    init(id: UInt64, size: UInt64, fileKey: FileKey?) {
        self.id = id
        self.size = size
        self.fileKey = fileKey
        pages = SharedPages(pageCount: Int(size / AddressLayout.pageSize))
    }

    func grow(to end: UInt64) {
        if end <= size { return }
        size = AddressLayout.pageUp(end)
        pages.grow(toPageCount: Int(size / AddressLayout.pageSize))
    }
}

/// A file's identity for sharing its mapped pages.
struct FileKey: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension Kernel {
    /// Shared objects live in host memory: larger mappings are refused with ENOMEM.
    static let maximumSharedObject: UInt64 = UInt64(min(Int(Int32.max), 1 << 30))

    /// The shared object of a file, grown (from the file's contents) to cover `end` bytes.
    func sharedObject(for d: FileDescription, stat st: FileStat, end: UInt64) throws(Errno) -> SharedMemoryObject {
        if end > Kernel.maximumSharedObject { throw .ENOMEM }
        let key = FileKey(device: st.device, inode: st.inode)
        let obj: SharedMemoryObject
        if let existing = sharedFiles[key] {
            obj = existing
        } else {
            sharedObjectCounter += 1
            obj = SharedMemoryObject(id: sharedObjectCounter, size: 0, fileKey: key)
            sharedFiles[key] = obj
        }
        var done = obj.size
        obj.grow(to: end)
        while done < end {
            let buffer = scratchBuffer(Int(min(end - done, UInt64(Kernel.maximumTransfer))))
            let n = try d.read(into: buffer, at: Int64(done))
            if n == 0 { break }
            obj.pages.write(at: Int(done), from: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            done += UInt64(n)
        }
        return obj
    }

    func newAnonymousSharedObject(size: UInt64) throws(Errno) -> SharedMemoryObject {
        if size > Kernel.maximumSharedObject { throw .ENOMEM }
        sharedObjectCounter += 1
        return SharedMemoryObject(id: sharedObjectCounter, size: AddressLayout.pageUp(size), fileKey: nil)
    }

    /// MAP_SHARED file pages go back to their file (munmap, msync, exit, exec).
    func writeBackShared(_ regions: [MemoryRegion]) {
        for r in regions {
            guard let obj = r.object, let f = r.file, f.description.canWrite, let st = try? f.description.stat() else { continue }
            if Int64(r.fileOffset) >= st.size || r.objectOffset >= obj.size { continue }
            let count = min(r.length, UInt64(st.size) - r.fileOffset, obj.size - r.objectOffset)
            var done: UInt64 = 0
            while done < count {
                let buffer = scratchBuffer(Int(min(count - done, UInt64(Kernel.maximumTransfer))))
                obj.pages.read(at: Int(r.objectOffset + done), into: buffer)
                guard let n = try? f.description.write(from: UnsafeRawBufferPointer(buffer), at: Int64(r.fileOffset + done)),
                      n > 0 else { break }
                done += UInt64(n)
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
