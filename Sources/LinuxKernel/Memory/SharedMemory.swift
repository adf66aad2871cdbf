#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Memory several processes see at once: a MAP_SHARED anonymous mapping inherited through fork,
/// or a writable MAP_SHARED mapping of a file (one object per file, so every process mapping
/// it shares it — SQLite's -shm, POSIX semaphores in /dev/shm).
///
/// Each address space has its own pages, so the kernel keeps them coherent: `bytes` is the
/// canonical copy and exactly one address space (the holder) may have newer contents in its
/// pages. Before a process runs, the scheduler makes its address space the holder of every
/// object it maps (copying the previous holder's view into `bytes`, then `bytes` into its
/// pages). Only one guest task runs at a time, so every task sees every store of the others
/// as on a single-CPU Linux machine.
final class SharedMemoryObject {
    let id: UInt64
    var bytes: [UInt8] = []
    var holder: AddressSpace?
    let fileKey: FileKey?

    init(id: UInt64, size: Int, fileKey: FileKey?) {
        self.id = id
        self.fileKey = fileKey
        bytes = [UInt8](repeating: 0, count: size)
    }
}

/// A file's identity for sharing its mapped pages.
struct FileKey: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension Kernel {
    /// The shared object of a file, grown (from the file's contents) to cover `end` bytes.
    /// Shared objects live in host memory: larger mappings are refused with ENOMEM.
    static let maximumSharedObject: UInt64 = UInt64(min(Int(Int32.max), 1 << 30))

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
        if UInt64(obj.bytes.count) < end {
            let old = obj.bytes.count
            obj.bytes.append(contentsOf: [UInt8](repeating: 0, count: Int(end) - old))
            var done = old
            while done < Int(end) {
                let n = try withMutableBytes(&obj.bytes) { (b) throws(Errno) -> Int in
                    try d.read(into: UnsafeMutableRawBufferPointer(rebasing: b[done..<Int(end)]), at: Int64(done))
                }
                if n == 0 { break }
                done += n
            }
        }
        return obj
    }

    func newAnonymousSharedObject(size: UInt64) throws(Errno) -> SharedMemoryObject {
        if size > Kernel.maximumSharedObject { throw .ENOMEM }
        sharedObjectCounter += 1
        return SharedMemoryObject(id: sharedObjectCounter, size: Int(size), fileKey: nil)
    }

    /// Copies `space`'s view of `obj` into the object (it was the holder).
    func syncOut(_ space: AddressSpace, _ obj: SharedMemoryObject) {
        for r in space.regions where r.object === obj {
            let at = Int(r.objectOffset)
            let count = min(Int(r.length), obj.bytes.count - at)
            if count <= 0 { continue }
            obj.bytes.withUnsafeMutableBytes { b in
                _ = readPages(space, at: r.start, into: UnsafeMutableRawBufferPointer(rebasing: b[at..<(at + count)]))
            }
        }
    }

    /// Copies the object's bytes into the pages of `region`.
    func copyObject(_ obj: SharedMemoryObject, into region: MemoryRegion, of space: AddressSpace) {
        let at = Int(region.objectOffset)
        let count = min(Int(region.length), obj.bytes.count - at)
        if count <= 0 { return }
        obj.bytes.withUnsafeBytes { b in
            _ = try? space.memory.write(at: region.start, from: UnsafeRawBufferPointer(rebasing: b[at..<(at + count)]), force: true)
        }
    }

    /// Makes `space` the holder of `obj`, bringing its pages up to date.
    func acquire(_ obj: SharedMemoryObject, for space: AddressSpace) {
        if obj.holder === space { return }
        if let previous = obj.holder { syncOut(previous, obj) }
        for r in space.regions where r.object === obj { copyObject(obj, into: r, of: space) }
        obj.holder = space
    }

    /// Before a task of `space` runs: every object it maps is current in its pages.
    func acquireSharedObjects(_ space: AddressSpace) {
        guard space.mapsSharedObjects else { return }
        var seen: [SharedMemoryObject] = []
        for r in space.regions {
            guard let obj = r.object, !seen.contains(where: { $0 === obj }) else { continue }
            seen.append(obj)
            acquire(obj, for: space)
        }
    }

    /// After regions of `space` went away: objects it no longer maps lose it as holder (their
    /// bytes were synced before the pages were unmapped).
    func dropHolder(_ space: AddressSpace) {
        for (_, obj) in sharedFiles where obj.holder === space && !space.regions.contains(where: { $0.object === obj }) {
            obj.holder = nil
        }
        var live: [SharedMemoryObject] = []
        for p in processes.values where !p.isZombie {
            for r in p.addressSpace.regions { if let o = r.object, !live.contains(where: { $0 === o }) { live.append(o) } }
        }
        for (key, obj) in sharedFiles where !live.contains(where: { $0 === obj }) && obj.holder == nil {
            sharedFiles[key] = nil
        }
    }
}
