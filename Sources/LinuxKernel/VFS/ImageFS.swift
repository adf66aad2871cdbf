#if !SKIFF_SINGLE_MODULE
import FSImage
#endif

/// An image's flattened root filesystem (a Skiff filesystem image, docs/fs-image-format.md)
/// mounted read-only, read in place from the buffer the reader was opened on (a memory mapping
/// natively). Metadata is reported exactly as the image records it: mode (with setuid/setgid/
/// sticky), uid/gid, size, nlink, inode number and mtime (also reported as atime and ctime).
/// File contents are read (and mmapped, through pread) straight from the buffer, or from the
/// reader's content source for a split image (a converted WebAssembly module's data segments).
final class ImageFS: FileSystem {
    let reader: FSImageReader
    let deviceID: UInt64

    /// `reader`'s buffer must outlive the file system and every file opened from it.
    init(reader: FSImageReader, device: UInt64) {
        self.reader = reader
        self.deviceID = makeDevice(0, device)
        super.init(readOnly: true)
    }

    override var device: UInt64 { deviceID }

    // MARK: Lookups

    /// The inode at `path` (components without ".", ".." or symlinks), without following a final
    /// symlink. A corrupt image reads as EIO.
    func inode(_ path: [[UInt8]]) throws(Errno) -> FSImageInode {
        var current = try inode(number: reader.rootInode)
        for name in path {
            guard current.type == .directory else { throw .ENOTDIR }
            guard let next = try lookup(name, in: current) else { throw .ENOENT }
            current = try inode(number: next)
        }
        return current
    }

    func inode(number: UInt32) throws(Errno) -> FSImageInode {
        do throws(FSImageError) { return try reader.inode(number) } catch { throw ImageFS.errno(error) }
    }

    /// The inode named `name` in `directory` (binary search), or nil.
    func lookup(_ name: [UInt8], in directory: FSImageInode) throws(Errno) -> UInt32? {
        let reader = self.reader
        let result: Result<UInt32?, FSImageError> = name.withUnsafeBytes { bytes in
            do throws(FSImageError) { return .success(try reader.lookup(bytes, in: directory)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let n): return n
        case .failure(let e): throw ImageFS.errno(e)
        }
    }

    static func errno(_ error: FSImageError) -> Errno {
        switch error {
        case .notADirectory: return .ENOTDIR
        case .notARegularFile, .notASymlink: return .EINVAL
        default: return .EIO // a corrupt image
        }
    }

    func fileStat(_ i: FSImageInode) -> FileStat {
        var st = FileStat()
        st.device = deviceID
        st.inode = UInt64(i.number)
        st.mode = i.mode
        st.linkCount = i.nlink
        st.uid = i.uid
        st.gid = i.gid
        if i.type == .characterDevice || i.type == .blockDevice {
            st.rdev = makeDevice(UInt64(i.rdevMajor), UInt64(i.rdevMinor))
        }
        st.size = Int64(i.size)
        st.blocks = Int64(i.blockCount)
        let t = Timespec(seconds: i.mtimeSeconds, nanoseconds: Int64(i.mtimeNanoseconds))
        st.accessTime = t
        st.modificationTime = t
        st.changeTime = t
        return st
    }

    /// The directory listing of `directory` from index `position` (0 ".", 1 "..", 2 + i the i-th
    /// stored entry), at most `limit` entries.
    func entries(of directory: FSImageInode, from position: Int, limit: Int) throws(Errno) -> [DirectoryEntry] {
        var list: [DirectoryEntry] = []
        do throws(FSImageError) {
            try reader.readDirectory(directory, from: UInt64(position)) { e in
                list.append(DirectoryEntry(name: Array(e.name), inode: UInt64(e.inode), type: e.type.directoryEntryType))
                return list.count < limit
            }
        } catch {
            throw ImageFS.errno(error)
        }
        return list
    }

    /// Every name stored in `directory` ("." and ".." not included), in the image's sorted order.
    func names(in directory: FSImageInode) throws(Errno) -> [DirectoryEntry] {
        try entries(of: directory, from: 2, limit: Int.max)
    }

    /// Copies a regular file's bytes from `offset` into `buffer`; how many (0 at the end).
    func read(_ file: FSImageInode, at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        do throws(FSImageError) { return try reader.read(file, at: offset, into: buffer) } catch { throw ImageFS.errno(error) }
    }

    /// Hands a regular file's contents to `body` in chunks: in place when the image is in
    /// memory, else through a bounce buffer. `body` may throw to stop.
    func forEachChunk(of file: FSImageInode, _ body: (UnsafeRawBufferPointer) throws(Errno) -> Void) throws(Errno) {
        if reader.hasContentsInMemory {
            let all: UnsafeRawBufferPointer
            do throws(FSImageError) { all = try reader.contents(of: file) } catch { throw ImageFS.errno(error) }
            try body(all)
            return
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var offset: UInt64 = 0
        while true {
            let n = try read(file, at: offset, into: chunk)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            offset += UInt64(n)
        }
    }

    func linkTarget(_ link: FSImageInode) throws(Errno) -> [UInt8] {
        do throws(FSImageError) { return Array(try reader.readlink(link)) } catch { throw ImageFS.errno(error) }
    }

    // MARK: FileSystem

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat {
        fileStat(try inode(path))
    }

    override func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget {
        let i = try inode(path)
        guard i.type == .symlink else { throw .EINVAL }
        return .path(try linkTarget(i))
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        let i: FSImageInode
        do throws(Errno) {
            i = try inode(path)
        } catch {
            throw error == .ENOENT && flags & LinuxOpenFlags.create != 0 ? .EROFS : error
        }
        return try openInode(i, flags: flags, guestPath: guestPath, fileSystem: self)
    }

    /// Opens an inode of this image; `fileSystem` is the mount it is seen through (an overlay
    /// opens lower files this way).
    func openInode(_ i: FSImageInode, flags: Int32, guestPath: [[UInt8]], fileSystem: FileSystem) throws(Errno) -> FileDescription {
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            return PathDescription(flags: flags, fileSystem: fileSystem, components: guestPath, stat: fileStat(i))
        }
        if flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly || flags & LinuxOpenFlags.truncate != 0 {
            throw .EROFS
        }
        switch i.type {
        case .directory:
            return ImageDirectory(image: self, inode: i, components: guestPath, flags: flags)
        case .regular:
            return ImageFile(image: self, inode: i, components: guestPath, flags: flags)
        case .symlink:
            throw .ELOOP
        default:
            // Device nodes, fifos and sockets of an image are recorded, not live (as in a rootless
            // container, where they would be on a nodev mount).
            throw .EACCES
        }
    }

    override func access(_ path: [[UInt8]], mode: Int32, caller: Task) throws(Errno) {
        if mode & 2 != 0 { throw .EROFS }
        let i = try inode(path)
        if mode & 1 != 0 && i.type != .directory && i.mode & 0o111 == 0 { throw .EACCES }
    }

    override func fileSystemStat(_ path: [[UInt8]]) throws(Errno) -> FileSystemStat {
        var s = FileSystemStat()
        s.type = 0x73717368 // SQUASHFS_MAGIC: the closest Linux kind (a read-only image file system)
        s.blocks = reader.imageSize / 4096
        s.files = UInt64(reader.inodeCount)
        s.flags |= 1 // ST_RDONLY
        return s
    }
}

/// An open regular file of an image: reads (and mmap, which reads) come from the image.
final class ImageFile: FileDescription {
    let image: ImageFS
    let inode: FSImageInode
    let components: [[UInt8]]
    private var offset: Int64 = 0

    init(image: ImageFS, inode: FSImageInode, components: [[UInt8]], flags: Int32) {
        self.image = image
        self.inode = inode
        self.components = components
        super.init(flags: flags & ~(LinuxOpenFlags.closeOnExec | LinuxOpenFlags.create | LinuxOpenFlags.exclusive),
                   path: Path.absolute(components))
    }

    override var location: [[UInt8]]? { components }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        let n = try read(into: buffer, at: offset)
        offset += Int64(n)
        return n
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(Errno) -> Int {
        if position < 0 { throw .EINVAL }
        return try image.read(inode, at: UInt64(position), into: buffer)
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EBADF }
    override func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .EBADF }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        let base: Int64
        switch whence {
        case 0: base = 0
        case 1: base = self.offset
        case 2: base = Int64(inode.size)
        case 3: // SEEK_DATA: the whole file is data
            if offset < 0 || offset >= Int64(inode.size) { throw .ENXIO }
            self.offset = offset
            return offset
        case 4: // SEEK_HOLE: the only hole is the end
            if offset < 0 || offset >= Int64(inode.size) { throw .ENXIO }
            self.offset = Int64(inode.size)
            return self.offset
        default: throw .EINVAL
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        if overflow || target < 0 { throw .EINVAL }
        self.offset = target
        return target
    }

    override func stat() throws(Errno) -> FileStat { image.fileStat(inode) }
    override func setMode(_ mode: UInt32) throws(Errno) { throw .EROFS }
    override func setOwner(uid: UInt32, gid: UInt32) throws(Errno) { throw .EROFS }
    override func setTimes(access: Timespec, modification: Timespec) throws(Errno) { throw .EROFS }
    override func fileSystemStat() throws(Errno) -> FileSystemStat { try image.fileSystemStat([]) }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if request == TerminalIoctl.FIONREAD {
            try task.store(Int32(clamping: max(0, Int64(inode.size) - offset)), at: arg)
            return 0
        }
        throw .ENOTTY
    }
}

/// An open directory of an image, listed on demand from the image's sorted entries.
final class ImageDirectory: FileDescription {
    let image: ImageFS
    let inode: FSImageInode
    let components: [[UInt8]]
    /// Entries handed to getdents64 per call at most (it takes what fits in the guest's buffer).
    static let batch = 512

    init(image: ImageFS, inode: FSImageInode, components: [[UInt8]], flags: Int32) {
        self.image = image
        self.inode = inode
        self.components = components
        super.init(flags: flags & ~LinuxOpenFlags.closeOnExec, path: Path.absolute(components))
    }

    override var location: [[UInt8]]? { components }
    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EISDIR }
    override func stat() throws(Errno) -> FileStat { image.fileStat(inode) }
    override func fileSystemStat() throws(Errno) -> FileSystemStat { try image.fileSystemStat([]) }
    override func setMode(_ mode: UInt32) throws(Errno) { throw .EROFS }
    override func setOwner(uid: UInt32, gid: UInt32) throws(Errno) { throw .EROFS }
    override func setTimes(access: Timespec, modification: Timespec) throws(Errno) { throw .EROFS }

    override func readDirectory() throws(Errno) -> [DirectoryEntry] {
        try image.entries(of: inode, from: directoryPosition, limit: ImageDirectory.batch)
    }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        switch whence {
        case 0 where offset >= 0: directoryPosition = Int(clamping: offset)
        case 1 where Int64(directoryPosition) + offset >= 0: directoryPosition += Int(clamping: offset)
        default: throw .EINVAL
        }
        return Int64(directoryPosition)
    }
}
