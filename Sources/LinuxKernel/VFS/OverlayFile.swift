#if !SKIFF_SINGLE_MODULE
import FSImage
#endif

/// An open file of an overlay: data operations go to the file it was opened from (an upper host
/// file, an image file, or the merged directory listing); stat shows the overlay's view (its
/// device, upper inodes apart from the image's, recorded owners and modes); chmod, chown and
/// utimes through the descriptor copy an image file up first, as overlayfs does.
final class OverlayFile: FileDescription {
    let inner: FileDescription
    let overlay: OverlayFS
    /// The path inside the overlay it was opened by.
    let relative: [[UInt8]]
    /// The upper host file, when the data comes from one.
    let upper: HostFile?

    init(_ inner: FileDescription, overlay: OverlayFS, relative: [[UInt8]], lower: FSImageInode?) {
        self.inner = inner
        self.overlay = overlay
        self.relative = relative
        self.upper = inner as? HostFile
        inner.retain()
        super.init(flags: inner.flags, path: inner.path)
    }

    override var flags: Int32 { didSet { inner.flags = flags } }
    override func lastReferenceClosed() { inner.release() }
    override var location: [[UInt8]]? { inner.location }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { try inner.read(into: buffer) }
    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        guard let quota = overlay.quota, let upper else { return try inner.write(from: buffer) }
        let size = try upperSize(upper)
        let start = flags & LinuxOpenFlags.append != 0 ? size : UInt64(clamping: try inner.seek(offset: 0, whence: 1))
        return try quotaWrite(quota, upper, size: size, end: start &+ UInt64(buffer.count), buffer) { b throws(Errno) in
            try inner.write(from: b)
        }
    }
    override func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try inner.read(into: buffer, at: offset)
    }
    override func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard let quota = overlay.quota, let upper, offset >= 0 else { return try inner.write(from: buffer, at: offset) }
        let size = try upperSize(upper)
        return try quotaWrite(quota, upper, size: size, end: UInt64(offset) &+ UInt64(buffer.count), buffer) { b throws(Errno) in
            try inner.write(from: b, at: offset)
        }
    }

    private func upperSize(_ upper: HostFile) throws(Errno) -> UInt64 {
        UInt64(clamping: try overlay.host.stat(upper.fd).size)
    }

    /// A write under the writable layer's cap: what fits of `buffer`, then the file's new length counted.
    private func quotaWrite(_ quota: WritableLayerQuota, _ upper: HostFile, size: UInt64, end: UInt64,
                            _ buffer: UnsafeRawBufferPointer,
                            _ write: (UnsafeRawBufferPointer) throws(Errno) -> Int) throws(Errno) -> Int {
        let n = buffer.count == 0 ? 0 : try quota.allowedBytes(buffer.count, end: end, size: size)
        let written = try write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        quota.resized(from: size, to: try upperSize(upper))
        return written
    }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        inner.directoryPosition = directoryPosition
        let result = try inner.seek(offset: offset, whence: whence)
        directoryPosition = inner.directoryPosition
        return result
    }

    override func readDirectory() throws(Errno) -> [DirectoryEntry] {
        inner.directoryPosition = directoryPosition
        return try inner.readDirectory()
    }

    override func stat() throws(Errno) -> FileStat {
        if let upper { return overlay.present(upper: try overlay.host.stat(upper.fd), lower: nil) }
        if inner is ImageFile {
            // Once chmod or chown copied the file up, the descriptor shows the new attributes (as
            // on overlayfs, where both share one inode); the data still comes from the image.
            if let st = try? overlay.stat(relative) { return st }
            return overlay.present(lower: try inner.stat())
        }
        return try inner.stat() // the merged directory's, taken when it was opened
    }

    override func truncate(length: Int64) throws(Errno) {
        guard let quota = overlay.quota, let upper, length >= 0 else { return try inner.truncate(length: length) }
        let size = try upperSize(upper)
        // The cap counts lengths: growing a file past it is refused as a file too large.
        if UInt64(length) > size && UInt64(length) - size > quota.available { throw .EFBIG }
        try inner.truncate(length: length)
        quota.resized(from: size, to: try upperSize(upper))
    }
    override func synchronize(dataOnly: Bool) throws(Errno) { try inner.synchronize(dataOnly: dataOnly) }

    override func setMode(_ mode: UInt32) throws(Errno) {
        guard let upper else { return try overlay.setMode(relative, mode: mode) }
        if overlay.readOnly { throw .EROFS }
        let st = try overlay.host.stat(upper.fd)
        try overlay.host.setMode(upper.fd, mode: OverlayAttributeTable.hostMode(mode, isDirectory: st.isDirectory))
        let current = overlay.present(upper: st, lower: nil)
        overlay.attributes.set(st.inode, uid: current.uid, gid: current.gid, mode: mode, isDirectory: st.isDirectory)
    }

    override func setOwner(uid: UInt32, gid: UInt32) throws(Errno) {
        guard let upper else { return try overlay.setOwner(relative, uid: uid, gid: gid, followSymlinks: false) }
        if overlay.readOnly { throw .EROFS }
        overlay.setOwner(try overlay.host.stat(upper.fd), uid: uid, gid: gid)
    }

    override func setTimes(access: Timespec, modification: Timespec) throws(Errno) {
        guard let upper else { return try overlay.setTimes(relative, access: access, modification: modification, followSymlinks: false) }
        if overlay.readOnly { throw .EROFS }
        try overlay.host.setTimes(upper.fd, access: access, modification: modification)
    }

    override func fileSystemStat() throws(Errno) -> FileSystemStat { try overlay.fileSystemStat(relative) }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        try inner.ioctl(kernel, task, request: request, arg: arg)
    }

    override func readiness(_ events: Int16) -> Int16 { inner.readiness(events) }
    override func waitQueue(for events: Int16) -> WaitQueue? { inner.waitQueue(for: events) }
    override var hostPollDescriptor: HostFD? { inner.hostPollDescriptor }
}
