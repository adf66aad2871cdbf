#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

// On Linux a MAP_SHARED mapping of a file and read(2)/write(2) of that file see one page cache:
// a write shows through every mapping at once, and a store through a mapping is what a read
// returns, before any msync. Here a mapped file's touched pages are frames of its
// `SharedMemoryObject`, written back to the host file on munmap, msync, exit and exec, so the
// file calls keep the two views the same: a write copies its bytes into the frames it covers
// (else the next write-back would put the old bytes back over it: data lost), and a read takes
// the bytes of pages with frames from the frames. Pages never touched need nothing: they are read
// from the file when first touched.

extension Kernel {
    /// The shared object of the regular file `d` is open on, while some process maps that file
    /// MAP_SHARED (no cost when nothing does).
    func mappedObject(of d: FileDescription) -> SharedMemoryObject? {
        if sharedFiles.isEmpty { return nil }
        guard let st = try? d.stat(), st.isRegular else { return nil }
        return sharedFiles[FileKey(device: st.device, inode: st.inode)]
    }

    /// Where the bytes a read or write just moved lie in the file: at `offset` when the call gave
    /// one, else just before the description's position (which the call advanced by `count`).
    func transferStart(_ d: FileDescription, offset: Int64?, count: Int) -> Int64? {
        if let o = offset { return o }
        guard let end = try? d.seek(offset: 0, whence: 1) else { return nil }
        return end - Int64(count)
    }

    /// After `data` was written to `d`'s file (see above).
    func noteWritten(_ object: SharedMemoryObject?, _ d: FileDescription, _ data: UnsafeRawBufferPointer, offset: Int64?) {
        guard let object, !data.isEmpty, let at = transferStart(d, offset: offset, count: data.count), at >= 0 else { return }
        object.pages.updateTouched(at: Int(at), from: data)
    }

    /// After `data` was read from `d`'s file (see above).
    func noteRead(_ object: SharedMemoryObject?, _ d: FileDescription, _ data: UnsafeMutableRawBufferPointer, offset: Int64?) {
        guard let object, !data.isEmpty, let at = transferStart(d, offset: offset, count: data.count), at >= 0 else { return }
        object.pages.overlayTouched(at: Int(at), into: data)
    }

    /// After `d`'s file was truncated to `length` (see above).
    func noteTruncated(_ d: FileDescription, length: Int64) {
        mappedObject(of: d)?.pages.zeroTouched(from: Int(length))
    }
}
