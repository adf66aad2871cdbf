/// A file or directory of an in-memory file system.
final class TmpNode {
    var mode: UInt32
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var inode: UInt64
    var linkCount: UInt32 = 1
    var data: [UInt8] = []
    var target: [UInt8] = []
    /// Device nodes: their numbers (st_rdev).
    var rdev: UInt64 = 0
    /// Directory entries in creation order (getdents order).
    var names: [[UInt8]] = []
    var children: [[UInt8]: TmpNode] = [:]
    var accessTime = Timespec.zero
    var modificationTime = Timespec.zero
    var changeTime = Timespec.zero

    init(mode: UInt32, inode: UInt64) {
        self.mode = mode
        self.inode = inode
    }

    var isDirectory: Bool { mode & FileMode.typeMask == FileMode.directory }

    func stat(device: UInt64) -> FileStat {
        var st = FileStat(device: device, inode: inode, mode: mode, linkCount: linkCount, uid: uid, gid: gid,
                          accessTime: accessTime, modificationTime: modificationTime, changeTime: changeTime)
        st.rdev = rdev
        st.size = isDirectory ? 4096 : Int64(mode & FileMode.typeMask == FileMode.symlink ? target.count : data.count)
        st.blocks = (st.size + 511) / 512
        return st
    }

    func insert(_ name: [UInt8], _ node: TmpNode) {
        if children[name] == nil { names.append(name) }
        children[name] = node
    }

    func removeChild(_ name: [UInt8]) {
        children[name] = nil
        names.removeAll { $0 == name }
    }
}

/// An in-memory file system (tmpfs): /dev/shm, /tmp of a read-only container, memfd files.
final class TmpFS: FileSystem {
    /// Files live in host memory: larger ones are refused with EFBIG.
    static let maximumFileSize = Int64(min(Int(Int32.max), 1 << 32))
    let root: TmpNode
    let deviceID: UInt64
    private var nextInode: UInt64 = 2
    /// Supplies timestamps; set by the kernel.
    var clock: (() -> Timespec)?

    init(device: UInt64) {
        deviceID = makeDevice(0, device)
        root = TmpNode(mode: FileMode.directory | 0o1777, inode: 1)
        root.linkCount = 2
        super.init(readOnly: false)
    }

    override var device: UInt64 { deviceID }

    func newNode(mode: UInt32) -> TmpNode {
        let n = TmpNode(mode: mode, inode: nextInode)
        nextInode += 1
        let now = clock?() ?? .zero
        n.accessTime = now
        n.modificationTime = now
        n.changeTime = now
        return n
    }

    private func node(_ path: [[UInt8]]) throws(Errno) -> TmpNode {
        var n = root
        for c in path {
            guard n.isDirectory else { throw .ENOTDIR }
            guard let next = n.children[c] else { throw .ENOENT }
            n = next
        }
        return n
    }

    private func parent(_ path: [[UInt8]]) throws(Errno) -> (TmpNode, [UInt8]) {
        guard let name = path.last else { throw .EBUSY }
        let p = try node(Array(path.dropLast()))
        guard p.isDirectory else { throw .ENOTDIR }
        return (p, name)
    }

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat {
        try node(path).stat(device: deviceID)
    }

    override func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget {
        let n = try node(path)
        guard n.mode & FileMode.typeMask == FileMode.symlink else { throw .EINVAL }
        return .path(n.target)
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        var n: TmpNode
        do throws(Errno) {
            n = try node(path)
        } catch {
            guard error == .ENOENT, flags & LinuxOpenFlags.create != 0 else { throw error }
            let (p, name) = try parent(path)
            n = newNode(mode: FileMode.regular | (mode & 0o7777))
            p.insert(name, n)
        }
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: n.stat(device: deviceID))
        }
        if n.isDirectory {
            if flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly { throw .EISDIR }
            var list = [DirectoryEntry(name: [0x2e], inode: n.inode, type: 4), DirectoryEntry(name: [0x2e, 0x2e], inode: 1, type: 4)]
            for name in n.names {
                if let c = n.children[name] {
                    list.append(DirectoryEntry(name: name, inode: c.inode, type: FileMode.directoryEntryType(c.mode)))
                }
            }
            return SyntheticDirectory(entries: list, components: guestPath, stat: n.stat(device: deviceID), fileSystem: self, flags: flags)
        }
        if flags & LinuxOpenFlags.truncate != 0 && flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly {
            n.data.removeAll()
        }
        return TmpFile(node: n, fileSystem: self, flags: flags, components: guestPath)
    }

    override func makeDirectory(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        let (p, name) = try parent(path)
        if p.children[name] != nil { throw .EEXIST }
        let n = newNode(mode: FileMode.directory | (mode & 0o7777))
        n.linkCount = 2
        p.insert(name, n)
        p.linkCount += 1
    }

    override func remove(_ path: [[UInt8]], isDirectory: Bool) throws(Errno) {
        let (p, name) = try parent(path)
        guard let n = p.children[name] else { throw .ENOENT }
        if isDirectory {
            guard n.isDirectory else { throw .ENOTDIR }
            if !n.children.isEmpty { throw .ENOTEMPTY }
            p.linkCount -= 1
        } else if n.isDirectory {
            throw .EISDIR
        }
        n.linkCount -= 1
        p.removeChild(name)
    }

    override func rename(_ from: [[UInt8]], to: [[UInt8]], flags: UInt32) throws(Errno) {
        let (fp, fname) = try parent(from)
        let (tp, tname) = try parent(to)
        guard let n = fp.children[fname] else { throw .ENOENT }
        if to.count > from.count && Array(to[0..<from.count]) == from { throw .EINVAL }
        if let existing = tp.children[tname] {
            if existing === n { return }
            if flags & 1 != 0 { throw .EEXIST }
            if flags & 2 != 0 {
                tp.insert(tname, n)
                fp.insert(fname, existing)
                return
            }
            if existing.isDirectory {
                guard n.isDirectory else { throw .EISDIR }
                if !existing.children.isEmpty { throw .ENOTEMPTY }
            } else if n.isDirectory {
                throw .ENOTDIR
            }
        } else if flags & 2 != 0 {
            throw .ENOENT
        }
        fp.removeChild(fname)
        tp.insert(tname, n)
    }

    override func link(_ from: [[UInt8]], to: [[UInt8]]) throws(Errno) {
        let n = try node(from)
        if n.isDirectory { throw .EPERM }
        let (p, name) = try parent(to)
        if p.children[name] != nil { throw .EEXIST }
        n.linkCount += 1
        p.insert(name, n)
    }

    override func symlink(_ target: [UInt8], at path: [[UInt8]]) throws(Errno) {
        let (p, name) = try parent(path)
        if p.children[name] != nil { throw .EEXIST }
        let n = newNode(mode: FileMode.symlink | 0o777)
        n.target = target
        p.insert(name, n)
    }

    override func makeNode(_ path: [[UInt8]], mode: UInt32, device: UInt64) throws(Errno) {
        let (p, name) = try parent(path)
        if p.children[name] != nil { throw .EEXIST }
        let n = newNode(mode: mode)
        n.rdev = device
        p.insert(name, n)
    }

    override func setMode(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        let n = try node(path)
        n.mode = (n.mode & FileMode.typeMask) | (mode & 0o7777)
    }

    override func setOwner(_ path: [[UInt8]], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) {
        let n = try node(path)
        if uid != UInt32.max { n.uid = uid }
        if gid != UInt32.max { n.gid = gid }
    }

    override func setTimes(_ path: [[UInt8]], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        TmpFS.apply(try node(path), access: access, modification: modification, now: clock?() ?? .zero)
    }

    static func apply(_ n: TmpNode, access: Timespec, modification: Timespec, now: Timespec) {
        if access.nanoseconds != Timespec.utimeOmit { n.accessTime = access.nanoseconds == Timespec.utimeNow ? now : access }
        if modification.nanoseconds != Timespec.utimeOmit {
            n.modificationTime = modification.nanoseconds == Timespec.utimeNow ? now : modification
        }
        n.changeTime = now
    }
}

/// An open file of a TmpFS (also the body of memfd_create).
final class TmpFile: FileDescription {
    let node: TmpNode
    let fileSystem: TmpFS
    let components: [[UInt8]]?
    private var offset = 0

    init(node: TmpNode, fileSystem: TmpFS, flags: Int32, components: [[UInt8]]?, path: [UInt8]? = nil) {
        self.node = node
        self.fileSystem = fileSystem
        self.components = components
        super.init(flags: flags & ~LinuxOpenFlags.closeOnExec, path: path ?? Path.absolute(components ?? []))
    }

    override var location: [[UInt8]]? { components }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        let n = try read(into: buffer, at: Int64(offset))
        offset += n
        return n
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if flags & LinuxOpenFlags.append != 0 { offset = node.data.count }
        let n = try write(from: buffer, at: Int64(offset))
        offset += n
        return n
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(Errno) -> Int {
        if !canRead { throw .EBADF }
        if position < 0 { throw .EINVAL }
        let count = node.data.count
        if position >= Int64(count) { return 0 }
        let n = min(buffer.count, count - Int(position))
        node.data.withUnsafeBytes { src in buffer.baseAddress!.copyMemory(from: src.baseAddress! + Int(position), byteCount: n) }
        return n
    }

    override func write(from buffer: UnsafeRawBufferPointer, at position: Int64) throws(Errno) -> Int {
        if !canWrite { throw .EBADF }
        if position < 0 { throw .EINVAL }
        if position > TmpFS.maximumFileSize - Int64(buffer.count) { throw .EFBIG }
        let end = Int(position) + buffer.count
        if node.data.count < end { node.data.append(contentsOf: [UInt8](repeating: 0, count: end - node.data.count)) }
        if buffer.count > 0 {
            node.data.withUnsafeMutableBytes { dst in
                (dst.baseAddress! + Int(position)).copyMemory(from: buffer.baseAddress!, byteCount: buffer.count)
            }
        }
        node.modificationTime = fileSystem.clock?() ?? .zero
        node.changeTime = node.modificationTime
        return buffer.count
    }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        let base: Int64
        switch whence {
        case 0: base = 0
        case 1: base = Int64(self.offset)
        case 2: base = Int64(node.data.count)
        default: throw .EINVAL
        }
        let target = base + offset
        if target < 0 { throw .EINVAL }
        self.offset = Int(target)
        return target
    }

    override func stat() throws(Errno) -> FileStat { node.stat(device: fileSystem.deviceID) }

    override func truncate(length: Int64) throws(Errno) {
        if !canWrite { throw .EINVAL }
        if length < 0 { throw .EINVAL }
        if length > TmpFS.maximumFileSize { throw .EFBIG }
        let n = Int(length)
        if n < node.data.count { node.data.removeSubrange(n...) } else {
            node.data.append(contentsOf: [UInt8](repeating: 0, count: n - node.data.count))
        }
    }

    override func setMode(_ mode: UInt32) throws(Errno) { node.mode = (node.mode & FileMode.typeMask) | (mode & 0o7777) }
    override func setOwner(uid: UInt32, gid: UInt32) throws(Errno) {
        if uid != UInt32.max { node.uid = uid }
        if gid != UInt32.max { node.gid = gid }
    }
    override func setTimes(access: Timespec, modification: Timespec) throws(Errno) {
        TmpFS.apply(node, access: access, modification: modification, now: fileSystem.clock?() ?? .zero)
    }
    override func fileSystemStat() throws(Errno) -> FileSystemStat { try fileSystem.fileSystemStat([]) }
}
