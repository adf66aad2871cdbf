/// A `Host` whose file system is a directory tree kept in memory, over a base host that serves
/// everything else (clocks, poll, sockets, terminals, the standard streams and any descriptor the
/// base host gave out). It is the writable layer of a root file system where the host has no
/// writable directory to give, as inside a WebAssembly module: an OverlayFS works on it unchanged,
/// with `rootDirectory` as its upper directory. What is written is lost with this object.
///
/// Descriptors it gives out carry `descriptorTag` (bit 30), so calls on them are served from
/// memory and calls on any other descriptor go to the base host (native descriptors stay far
/// below 2^30, WASI ones are small indices). Semantics and errors are Linux's, as the protocol
/// asks, for a caller that is root: permission bits are kept and reported but not enforced
/// (except that X_OK needs an execute bit on non-directories); files live on while open after
/// their last name is removed; times come from the base host's `realTime()` (reads leave
/// st_atime alone, as with `noatime`).
///
/// Paths are resolved inside the tree from the directory handle given: "." is skipped, ".." goes
/// up but never above that directory, and symlinks in the middle of a path (or at its end, when the
/// call follows) are followed the same way; an absolute target or a ".." above the starting
/// directory is refused with EXDEV (as openat2's RESOLVE_BENEATH does). OverlayFS only ever passes
/// paths freed of symlinks and "..", and O_NOFOLLOW.
public final class MemoryDirectoryHost: Host {
    public let base: Host
    /// An open handle on the root of the in-memory tree (pass it as an OverlayFS upper directory).
    public let rootDirectory: HostFD
    /// Set in every descriptor this host gives out.
    public static let descriptorTag: HostFD = 1 << 30

    let root: MemoryNode
    /// st_dev of its files.
    let device: UInt64
    private var files: [HostFD: MemoryOpenFile] = [:]
    private var lastIndex: HostFD = 0
    private var nextInode: UInt64 = 2
    private var nextSequence: UInt64 = 0

    /// An empty tree (its root 0755, owned by the base host's user, which OverlayFS and HostFile
    /// show as root) over `base`.
    public init(base: Host, device: UInt64 = 0x2f /* makedev(0, 0x2f) */) {
        self.base = base
        self.device = device
        root = MemoryNode(mode: FileMode.directory | 0o755, inode: 1, uid: base.userID, gid: base.groupID, time: base.realTime())
        root.linkCount = 2
        root.parentInode = 1
        let file = MemoryOpenFile(root, flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.directory)
        lastIndex = 1
        rootDirectory = Self.descriptorTag | lastIndex
        files[rootDirectory] = file
    }

    /// Whether `fd` is one of this host's (rather than the base host's) descriptors.
    public static func isMemoryDescriptor(_ fd: HostFD) -> Bool { fd >= 0 && fd & descriptorTag != 0 }

    // MARK: Descriptors and path resolution

    /// The open file behind one of this host's descriptors, or nil for a base host descriptor.
    private func file(_ fd: HostFD) throws(Errno) -> MemoryOpenFile? {
        guard Self.isMemoryDescriptor(fd) else { return nil }
        guard let f = files[fd] else { throw .EBADF }
        return f
    }

    /// The open file behind `fd`, which must be one of this host's and not an O_PATH descriptor.
    private func openedForIO(_ f: MemoryOpenFile) throws(Errno) -> MemoryOpenFile {
        if f.isPathOnly { throw .EBADF }
        return f
    }

    private func install(_ f: MemoryOpenFile) throws(Errno) -> HostFD {
        let mask = Self.descriptorTag - 1
        var index = lastIndex
        repeat {
            index = (index &+ 1) & mask
            if index == lastIndex { throw .EMFILE }
        } while files[Self.descriptorTag | index] != nil
        lastIndex = index
        files[Self.descriptorTag | index] = f
        return Self.descriptorTag | index
    }

    /// What a path names: the directory holding its last component, that component, and what it
    /// is (nil when nothing has that name yet). For a path ending in "." or "..", `parent` and
    /// `node` are the directory named and `name` is the dot name.
    struct Lookup {
        var parent: MemoryNode
        var name: [UInt8]
        var node: MemoryNode?
        var trailingSlash: Bool
        var isDotName: Bool { name == [0x2e] || name == [0x2e, 0x2e] }
    }

    /// Resolves `path` from the directory `start` (see the type's comment). A final symlink is
    /// followed only when `followLast` is set or the path ends with "/".
    func lookup(_ start: MemoryNode, _ path: [UInt8], followLast: Bool) throws(Errno) -> Lookup {
        if path.isEmpty { throw .ENOENT }
        if path.first == 0x2f { throw .EXDEV }
        let trailingSlash = path.last == 0x2f
        var pending = Array(Path.components(path).reversed())
        var stack = [start]
        var hops = 0
        while let name = pending.popLast() {
            if name.count > 255 { throw .ENAMETOOLONG }
            let directory = stack[stack.count - 1]
            guard directory.isDirectory else { throw .ENOTDIR }
            let isLast = pending.isEmpty
            if name == [0x2e] || name == [0x2e, 0x2e] {
                if name.count == 2 {
                    if stack.count == 1 { throw .EXDEV }
                    stack.removeLast()
                }
                if isLast { return Lookup(parent: stack[stack.count - 1], name: name, node: stack[stack.count - 1], trailingSlash: trailingSlash) }
                continue
            }
            guard let child = directory.children[name]?.node else {
                if isLast { return Lookup(parent: directory, name: name, node: nil, trailingSlash: trailingSlash) }
                throw .ENOENT
            }
            if child.isSymlink && (!isLast || followLast || trailingSlash) {
                hops += 1
                if hops > 40 { throw .ELOOP }
                if child.target.first == 0x2f { throw .EXDEV }
                pending.append(contentsOf: Path.components(child.target).reversed())
                continue
            }
            if isLast {
                if trailingSlash && !child.isDirectory { throw .ENOTDIR }
                return Lookup(parent: directory, name: name, node: child, trailingSlash: trailingSlash)
            }
            stack.append(child)
        }
        // Only components that were all "." (or a symlink to "."): the directory itself.
        return Lookup(parent: stack[stack.count - 1], name: [0x2e], node: stack[stack.count - 1], trailingSlash: trailingSlash)
    }

    /// The directory a handle names for an *at call, or nil for a base host handle.
    private func directory(_ fd: HostFD) throws(Errno) -> MemoryNode? {
        guard let f = try file(fd) else { return nil }
        guard f.node.isDirectory else { throw .ENOTDIR }
        return f.node
    }

    /// Both handles of a two-path call: memory ones, nil for two base ones, EXDEV for a mix.
    private func directories(_ a: HostFD, _ b: HostFD) throws(Errno) -> (MemoryNode, MemoryNode)? {
        let first = try directory(a)
        let second = try directory(b)
        if let first, let second { return (first, second) }
        if first != nil || second != nil { throw .EXDEV }
        return nil
    }

    private func now() -> Timespec { base.realTime() }

    private func newNode(_ mode: UInt32) -> MemoryNode {
        let node = MemoryNode(mode: mode, inode: nextInode, uid: base.userID, gid: base.groupID, time: now())
        nextInode += 1
        return node
    }

    /// Adds a name for `node` to `directory`.
    private func insert(_ name: [UInt8], _ node: MemoryNode, into directory: MemoryNode) {
        nextSequence += 1
        directory.children[name] = MemoryNode.Entry(node: node, sequence: nextSequence)
        if node.isDirectory {
            directory.linkCount += 1
            node.parentInode = directory.inode
        }
        directory.touch(now(), modified: true)
    }

    /// Removes a name from `directory` (the caller adjusts the node's own link count).
    private func detach(_ name: [UInt8], from directory: MemoryNode) {
        guard let entry = directory.children.removeValue(forKey: name) else { return }
        if entry.node.isDirectory { directory.linkCount -= 1 }
        directory.touch(now(), modified: true)
    }

    /// A name stops referring to `node`: a directory is gone, a file loses a link.
    private func unlinked(_ node: MemoryNode) {
        if node.isDirectory {
            node.linkCount = 0
        } else if node.linkCount > 0 {
            node.linkCount -= 1
        }
        node.touch(now(), modified: false)
    }

    /// Refuses to create an entry in a directory that was removed (Linux: ENOENT).
    private func requireLive(_ directory: MemoryNode) throws(Errno) {
        if directory.linkCount == 0 { throw .ENOENT }
    }

    // MARK: Files and directories

    public func open(at directory: HostFD, _ path: [UInt8], flags: Int32, mode: UInt32) throws(Errno) -> HostFD {
        guard let start = try self.directory(directory) else { return try base.open(at: directory, path, flags: flags, mode: mode) }
        let create = flags & LinuxOpenFlags.create != 0
        let exclusive = create && flags & LinuxOpenFlags.exclusive != 0
        let pathOnly = flags & LinuxOpenFlags.path == LinuxOpenFlags.path
        let truncate = flags & LinuxOpenFlags.truncate != 0 && !pathOnly
        let writes = !pathOnly && (flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly || truncate)
        if flags & LinuxOpenFlags.temporaryFile == LinuxOpenFlags.temporaryFile { throw .EOPNOTSUPP }
        let found = try lookup(start, path, followLast: flags & LinuxOpenFlags.noFollow == 0 && !exclusive)
        let node: MemoryNode
        if let existing = found.node {
            if exclusive { throw .EEXIST }
            if existing.isSymlink && !pathOnly { throw .ELOOP }
            if flags & LinuxOpenFlags.directory != 0 && !existing.isDirectory { throw .ENOTDIR }
            if existing.isDirectory && !pathOnly && (writes || create) { throw .EISDIR }
            if truncate && existing.isRegular {
                try existing.data!.truncate(to: 0)
                existing.touch(now(), modified: true)
            }
            node = existing
        } else {
            if !create { throw .ENOENT }
            if found.trailingSlash { throw .EISDIR }
            if flags & LinuxOpenFlags.directory != 0 { throw .EINVAL }
            try requireLive(found.parent)
            node = newNode(FileMode.regular | (mode & 0o7777))
            insert(found.name, node, into: found.parent)
        }
        return try install(MemoryOpenFile(node, flags: flags))
    }

    public func close(_ fd: HostFD) {
        if Self.isMemoryDescriptor(fd) { files[fd] = nil } else { base.close(fd) }
    }

    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        guard let f = try file(fd) else { return try base.read(fd, into: buffer) }
        let data = try f.readableData()
        let n = data.read(into: buffer, at: f.offset)
        f.offset += Int64(n)
        return n
    }

    public func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        guard let f = try file(fd) else { return try base.write(fd, from: buffer) }
        let data = try f.writableData()
        if f.flags & LinuxOpenFlags.append != 0 { f.offset = data.size }
        let n = try data.write(buffer, at: f.offset)
        f.offset += Int64(n)
        if n > 0 { f.node.touch(now(), modified: true) }
        return n
    }

    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard let f = try file(fd) else { return try base.read(fd, into: buffer, at: offset) }
        let data = try f.readableData()
        if offset < 0 { throw .EINVAL }
        return data.read(into: buffer, at: offset)
    }

    public func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard let f = try file(fd) else { return try base.write(fd, from: buffer, at: offset) }
        let data = try f.writableData()
        if offset < 0 { throw .EINVAL }
        // With O_APPEND, Linux's pwrite appends whatever the offset says.
        let n = try data.write(buffer, at: f.flags & LinuxOpenFlags.append != 0 ? data.size : offset)
        if n > 0 { f.node.touch(now(), modified: true) }
        return n
    }

    public func seek(_ fd: HostFD, offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        guard let f = try file(fd) else { return try base.seek(fd, offset: offset, whence: whence) }
        _ = try openedForIO(f)
        let size = f.node.data?.size ?? 0
        let position: Int64
        switch whence {
        case 0: position = offset
        case 1:
            let (sum, overflow) = f.offset.addingReportingOverflow(offset)
            if overflow { throw .EOVERFLOW }
            position = sum
        case 2:
            let (sum, overflow) = size.addingReportingOverflow(offset)
            if overflow { throw .EOVERFLOW }
            position = sum
        case 3, 4: // SEEK_DATA, SEEK_HOLE: the whole file is data (holes are not reported).
            if offset < 0 || offset >= size { throw .ENXIO }
            position = whence == 3 ? offset : size
        default: throw .EINVAL
        }
        if position < 0 { throw .EINVAL }
        f.offset = position
        return position
    }

    public func stat(_ fd: HostFD) throws(Errno) -> FileStat {
        guard let f = try file(fd) else { return try base.stat(fd) }
        return f.node.stat(device: device)
    }

    public func stat(at directory: HostFD, _ path: [UInt8], followSymlinks: Bool) throws(Errno) -> FileStat {
        guard let start = try self.directory(directory) else { return try base.stat(at: directory, path, followSymlinks: followSymlinks) }
        guard let node = try lookup(start, path, followLast: followSymlinks).node else { throw .ENOENT }
        return node.stat(device: device)
    }

    public func readLink(at directory: HostFD, _ path: [UInt8]) throws(Errno) -> [UInt8] {
        guard let start = try self.directory(directory) else { return try base.readLink(at: directory, path) }
        guard let node = try lookup(start, path, followLast: false).node else { throw .ENOENT }
        guard node.isSymlink else { throw .EINVAL }
        return node.target
    }

    public func makeDirectory(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno) {
        guard let start = try self.directory(directory) else { return try base.makeDirectory(at: directory, path, mode: mode) }
        let found = try lookup(start, path, followLast: false)
        if found.node != nil { throw .EEXIST }
        try requireLive(found.parent)
        let node = newNode(FileMode.directory | (mode & 0o1777))
        node.linkCount = 2
        insert(found.name, node, into: found.parent)
    }

    public func remove(at directory: HostFD, _ path: [UInt8], isDirectory: Bool) throws(Errno) {
        guard let start = try self.directory(directory) else { return try base.remove(at: directory, path, isDirectory: isDirectory) }
        let found = try lookup(start, path, followLast: false)
        if found.isDotName { throw isDirectory ? (found.name.count == 1 ? .EINVAL : .ENOTEMPTY) : .EISDIR }
        guard let node = found.node else { throw .ENOENT }
        if isDirectory {
            guard node.isDirectory else { throw .ENOTDIR }
            if !node.children.isEmpty { throw .ENOTEMPTY }
        } else if node.isDirectory {
            throw .EISDIR
        }
        detach(found.name, from: found.parent)
        unlinked(node)
    }

    public func rename(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8], flags: UInt32) throws(Errno) {
        guard let (fromStart, toStart) = try directories(oldDirectory, newDirectory) else {
            return try base.rename(at: oldDirectory, oldPath, to: newDirectory, newPath, flags: flags)
        }
        let noReplace = flags & 1 != 0
        let exchange = flags & 2 != 0
        if flags & ~3 != 0 || (noReplace && exchange) { throw .EINVAL }
        let from = try lookup(fromStart, oldPath, followLast: false)
        let to = try lookup(toStart, newPath, followLast: false)
        if from.isDotName || to.isDotName { throw .EBUSY }
        guard let source = from.node else { throw .ENOENT }
        if exchange && to.node == nil { throw .ENOENT }
        if noReplace && to.node != nil { throw .EEXIST }
        if to.node === source { return } // two names of one file: nothing to do, as on Linux
        // A directory cannot move into itself or below.
        if source.isDirectory && source.contains(to.parent) { throw .EINVAL }
        if exchange, let target = to.node, target.isDirectory, target.contains(from.parent) { throw .EINVAL }
        if exchange {
            let target = to.node!
            try requireLive(to.parent)
            detach(from.name, from: from.parent)
            detach(to.name, from: to.parent)
            insert(to.name, source, into: to.parent)
            insert(from.name, target, into: from.parent)
            source.touch(now(), modified: false)
            target.touch(now(), modified: false)
            return
        }
        if let target = to.node {
            if source.isDirectory && !target.isDirectory { throw .ENOTDIR }
            if !source.isDirectory && target.isDirectory { throw .EISDIR }
            if target.isDirectory && !target.children.isEmpty { throw .ENOTEMPTY }
        }
        try requireLive(to.parent)
        if let target = to.node {
            detach(to.name, from: to.parent)
            unlinked(target)
        }
        detach(from.name, from: from.parent)
        insert(to.name, source, into: to.parent)
        source.touch(now(), modified: false)
    }

    public func link(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8]) throws(Errno) {
        guard let (fromStart, toStart) = try directories(oldDirectory, newDirectory) else {
            return try base.link(at: oldDirectory, oldPath, to: newDirectory, newPath)
        }
        guard let source = try lookup(fromStart, oldPath, followLast: false).node else { throw .ENOENT }
        if source.isDirectory { throw .EPERM }
        let to = try lookup(toStart, newPath, followLast: false)
        if to.node != nil { throw .EEXIST }
        if to.trailingSlash { throw .ENOENT }
        try requireLive(to.parent)
        if source.linkCount == 0 { throw .ENOENT } // linkat of an unlinked file (without AT_EMPTY_PATH)
        insert(to.name, source, into: to.parent)
        source.linkCount += 1
        source.touch(now(), modified: false)
    }

    public func symlink(_ target: [UInt8], at directory: HostFD, _ path: [UInt8]) throws(Errno) {
        guard let start = try self.directory(directory) else { return try base.symlink(target, at: directory, path) }
        if target.isEmpty { throw .ENOENT }
        let found = try lookup(start, path, followLast: false)
        if found.node != nil { throw .EEXIST }
        if found.trailingSlash { throw .ENOENT }
        try requireLive(found.parent)
        let node = newNode(FileMode.symlink | 0o777)
        node.target = target
        insert(found.name, node, into: found.parent)
    }

    /// FIFOs only (an OverlayFS above records device nodes itself).
    public func makeNode(at directory: HostFD, _ path: [UInt8], mode: UInt32, device: UInt64) throws(Errno) {
        guard let start = try self.directory(directory) else { return try base.makeNode(at: directory, path, mode: mode, device: device) }
        if mode & FileMode.typeMask != FileMode.fifo { throw .EPERM }
        let found = try lookup(start, path, followLast: false)
        if found.node != nil { throw .EEXIST }
        if found.trailingSlash { throw .ENOENT }
        try requireLive(found.parent)
        insert(found.name, newNode(FileMode.fifo | (mode & 0o7777)), into: found.parent)
    }

    /// The node of an *at call (nil: the call is the base host's).
    private func node(at directory: HostFD, _ path: [UInt8], follow: Bool) throws(Errno) -> MemoryNode? {
        guard let start = try self.directory(directory) else { return nil }
        guard let node = try lookup(start, path, followLast: follow).node else { throw .ENOENT }
        return node
    }

    public func setMode(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno) {
        guard let node = try node(at: directory, path, follow: true) else { return try base.setMode(at: directory, path, mode: mode) }
        node.setMode(mode, now())
    }

    public func setMode(_ fd: HostFD, mode: UInt32) throws(Errno) {
        guard let f = try file(fd) else { return try base.setMode(fd, mode: mode) }
        f.node.setMode(mode, now())
    }

    public func setOwner(at directory: HostFD, _ path: [UInt8], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) {
        guard let node = try node(at: directory, path, follow: followSymlinks) else {
            return try base.setOwner(at: directory, path, uid: uid, gid: gid, followSymlinks: followSymlinks)
        }
        node.setOwner(uid, gid, now())
    }

    public func setOwner(_ fd: HostFD, uid: UInt32, gid: UInt32) throws(Errno) {
        guard let f = try file(fd) else { return try base.setOwner(fd, uid: uid, gid: gid) }
        f.node.setOwner(uid, gid, now())
    }

    public func setTimes(at directory: HostFD, _ path: [UInt8], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        guard let node = try node(at: directory, path, follow: followSymlinks) else {
            return try base.setTimes(at: directory, path, access: access, modification: modification, followSymlinks: followSymlinks)
        }
        try node.setTimes(access, modification, now())
    }

    public func setTimes(_ fd: HostFD, access: Timespec, modification: Timespec) throws(Errno) {
        guard let f = try file(fd) else { return try base.setTimes(fd, access: access, modification: modification) }
        try f.node.setTimes(access, modification, now())
    }

    public func truncate(_ fd: HostFD, length: Int64) throws(Errno) {
        guard let f = try file(fd) else { return try base.truncate(fd, length: length) }
        _ = try openedForIO(f)
        if f.node.isDirectory { throw .EISDIR }
        guard let data = f.node.data, f.canWrite else { throw .EINVAL }
        try data.truncate(to: length)
        f.node.touch(now(), modified: true)
    }

    public func synchronize(_ fd: HostFD, dataOnly: Bool) throws(Errno) {
        guard let f = try file(fd) else { return try base.synchronize(fd, dataOnly: dataOnly) }
        _ = try openedForIO(f) // nothing to write back: memory is the storage
    }

    public func access(at directory: HostFD, _ path: [UInt8], mode: Int32) throws(Errno) {
        guard let node = try node(at: directory, path, follow: true) else { return try base.access(at: directory, path, mode: mode) }
        if mode & ~7 != 0 { throw .EINVAL }
        // The caller is root: only execution needs a permission bit (on anything but a directory).
        if mode & 1 != 0 && !node.isDirectory && node.mode & 0o111 == 0 { throw .EACCES }
    }

    public func readDirectory(_ fd: HostFD) throws(Errno) -> [DirectoryEntry] {
        guard let f = try file(fd) else { return try base.readDirectory(fd) }
        let node = try openedForIO(f).node
        guard node.isDirectory else { throw .ENOTDIR }
        if node.linkCount == 0 { return [] } // removed: Linux lists nothing, not even "." and ".."
        var result = [DirectoryEntry(name: [0x2e], inode: node.inode, type: 4),
                      DirectoryEntry(name: [0x2e, 0x2e], inode: node.parentInode, type: 4)]
        let entries = node.children.sorted { $0.value.sequence < $1.value.sequence }
        for (name, entry) in entries {
            result.append(DirectoryEntry(name: name, inode: entry.node.inode, type: FileMode.directoryEntryType(entry.node.mode)))
        }
        return result
    }

    public func fileSystemStat(_ fd: HostFD) throws(Errno) -> FileSystemStat {
        guard try file(fd) != nil else { return try base.fileSystemStat(fd) }
        // A tmpfs as large as the memory the base host reports.
        let memory = base.memoryInfo()
        var s = FileSystemStat()
        s.type = 0x01021994 // TMPFS_MAGIC
        s.blocks = memory.total / 4096
        s.freeBlocks = memory.available / 4096
        s.availableBlocks = s.freeBlocks
        s.files = nextInode + s.freeBlocks
        s.freeFiles = s.freeBlocks
        return s
    }

    public func bytesAvailable(_ fd: HostFD) throws(Errno) -> Int {
        guard let f = try file(fd) else { return try base.bytesAvailable(fd) }
        guard let data = f.node.data else { throw .ENOTTY }
        return Int(clamping: max(0, data.size - f.offset))
    }

    // MARK: Time

    public func realTime() -> Timespec { base.realTime() }
    public func monotonicTime() -> UInt64 { base.monotonicTime() }
    public func processCPUTime() -> UInt64 { base.processCPUTime() }

    // MARK: Waiting

    /// Memory files are always ready for what is asked; the base host waits for the others (without
    /// waiting at all when a memory file is ready).
    public func poll(_ requests: UnsafeMutableBufferPointer<PollRequest>, timeout: Int64) -> Int {
        var memoryReady = 0
        var others: [PollRequest] = []
        var positions: [Int] = []
        for i in requests.indices {
            let fd = requests[i].fd
            if Self.isMemoryDescriptor(fd) {
                let ready = files[fd] == nil ? PollRequest.invalid : requests[i].events & (PollRequest.readable | PollRequest.writable)
                requests[i].returnedEvents = ready
                if ready != 0 { memoryReady += 1 }
            } else {
                others.append(requests[i])
                positions.append(i)
            }
        }
        if others.isEmpty {
            if memoryReady == 0 && requests.isEmpty { return base.poll(requests, timeout: timeout) } // a plain sleep
            return memoryReady
        }
        let ready = others.withUnsafeMutableBufferPointer { b in base.poll(b, timeout: memoryReady > 0 ? 0 : timeout) }
        for (k, i) in positions.enumerated() { requests[i].returnedEvents = others[k].returnedEvents }
        return memoryReady + max(0, ready)
    }

    // MARK: Sockets (never memory descriptors)

    private func notSocket(_ fd: HostFD) throws(Errno) {
        if Self.isMemoryDescriptor(fd) { throw files[fd] == nil ? .EBADF : .ENOTSOCK }
    }

    public func socket(family: Int32, type: Int32, protocol proto: Int32) throws(Errno) -> HostFD {
        try base.socket(family: family, type: type, protocol: proto)
    }
    public func bind(_ fd: HostFD, to address: SocketAddress) throws(Errno) { try notSocket(fd); try base.bind(fd, to: address) }
    public func listen(_ fd: HostFD, backlog: Int32) throws(Errno) { try notSocket(fd); try base.listen(fd, backlog: backlog) }
    public func accept(_ fd: HostFD) throws(Errno) -> (HostFD, SocketAddress?) { try notSocket(fd); return try base.accept(fd) }
    public func connect(_ fd: HostFD, to address: SocketAddress) throws(Errno) { try notSocket(fd); try base.connect(fd, to: address) }
    public func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        try notSocket(fd)
        return try base.send(fd, data, flags: flags, to: address)
    }
    public func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        try notSocket(fd)
        return try base.receive(fd, into: buffer, flags: flags)
    }
    public func shutdown(_ fd: HostFD, how: Int32) throws(Errno) { try notSocket(fd); try base.shutdown(fd, how: how) }
    public func socketAddress(_ fd: HostFD, peer: Bool) throws(Errno) -> SocketAddress {
        try notSocket(fd)
        return try base.socketAddress(fd, peer: peer)
    }
    public func networkInterfaces() throws(Errno) -> [NetworkInterface] { try base.networkInterfaces() }
    public func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer, flags: Int32,
                     to address: SocketAddress?) throws(Errno) -> Int {
        try notSocket(fd)
        return try base.send(fd, data, control: control, flags: flags, to: address)
    }
    public func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, control: UnsafeMutableRawBufferPointer,
                        flags: Int32) throws(Errno) -> SocketReceived {
        try notSocket(fd)
        return try base.receive(fd, into: buffer, control: control, flags: flags)
    }
    public func socketOption(_ fd: HostFD, _ option: SocketOption) throws(Errno) -> Int32 {
        try notSocket(fd)
        return try base.socketOption(fd, option)
    }
    public func setSocketOption(_ fd: HostFD, _ option: SocketOption, _ value: Int32) throws(Errno) {
        try notSocket(fd)
        try base.setSocketOption(fd, option, value)
    }

    // MARK: Terminal (never memory descriptors)

    private func notTerminal(_ fd: HostFD) throws(Errno) {
        if Self.isMemoryDescriptor(fd) { throw files[fd] == nil ? .EBADF : .ENOTTY }
    }

    public func isTerminal(_ fd: HostFD) -> Bool { Self.isMemoryDescriptor(fd) ? false : base.isTerminal(fd) }
    public func terminalAttributes(_ fd: HostFD) throws(Errno) -> Termios { try notTerminal(fd); return try base.terminalAttributes(fd) }
    public func setTerminalAttributes(_ fd: HostFD, _ attributes: Termios, action: Int32) throws(Errno) {
        try notTerminal(fd)
        try base.setTerminalAttributes(fd, attributes, action: action)
    }
    public func windowSize(_ fd: HostFD) throws(Errno) -> WindowSize { try notTerminal(fd); return try base.windowSize(fd) }
    public func openControllingTerminal(flags: Int32) throws(Errno) -> HostFD { try base.openControllingTerminal(flags: flags) }

    // MARK: Identity, randomness, signals

    public func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) { base.randomBytes(buffer) }
    public var userID: UInt32 { base.userID }
    public var groupID: UInt32 { base.groupID }
    public func memoryInfo() -> (total: UInt64, available: UInt64) { base.memoryInfo() }
    public func takePendingSignals() -> UInt64 { base.takePendingSignals() }
}

/// A file, directory or symlink of a MemoryDirectoryHost: the inode, shared by its hard links and
/// by the descriptors open on it (which keep it alive after its last name goes).
final class MemoryNode {
    struct Entry {
        var node: MemoryNode
        /// When the name was added: listings come in this order.
        var sequence: UInt64
    }

    var mode: UInt32
    let inode: UInt64
    var uid: UInt32
    var gid: UInt32
    /// Names referring to it (directories: 2 + subdirectories; 0 once removed).
    var linkCount: UInt32 = 1
    /// Regular files' contents.
    let data: MemoryFileData?
    /// Symlinks' target.
    var target: [UInt8] = []
    /// Directories' entries ("." and ".." not included).
    var children: [[UInt8]: Entry] = [:]
    /// Directories: the inode number ".." lists.
    var parentInode: UInt64 = 0
    var accessTime: Timespec
    var modificationTime: Timespec
    var changeTime: Timespec

    init(mode: UInt32, inode: UInt64, uid: UInt32, gid: UInt32, time: Timespec) {
        self.mode = mode
        self.inode = inode
        self.uid = uid
        self.gid = gid
        data = mode & FileMode.typeMask == FileMode.regular ? MemoryFileData() : nil
        accessTime = time
        modificationTime = time
        changeTime = time
    }

    var isDirectory: Bool { mode & FileMode.typeMask == FileMode.directory }
    var isRegular: Bool { mode & FileMode.typeMask == FileMode.regular }
    var isSymlink: Bool { mode & FileMode.typeMask == FileMode.symlink }

    func stat(device: UInt64) -> FileStat {
        var st = FileStat(device: device, inode: inode, mode: mode, linkCount: linkCount, uid: uid, gid: gid,
                          accessTime: accessTime, modificationTime: modificationTime, changeTime: changeTime)
        if let data {
            st.size = data.size
            st.blocks = Int64(data.allocatedPages) * Int64(MemoryFileData.pageSize / 512)
        } else {
            st.size = isDirectory ? 4096 : Int64(target.count)
        }
        return st
    }

    /// Records a change: of the contents (mtime and ctime) or of the metadata only (ctime).
    func touch(_ now: Timespec, modified: Bool) {
        if modified { modificationTime = now }
        changeTime = now
    }

    func setMode(_ mode: UInt32, _ now: Timespec) {
        self.mode = (self.mode & FileMode.typeMask) | (mode & 0o7777)
        touch(now, modified: false)
    }

    /// chown; `UInt32.max` keeps an id. As Linux, it clears set-user-ID and (with group execute)
    /// set-group-ID of anything but a directory.
    func setOwner(_ uid: UInt32, _ gid: UInt32, _ now: Timespec) {
        if uid != UInt32.max { self.uid = uid }
        if gid != UInt32.max { self.gid = gid }
        if !isDirectory && (uid != UInt32.max || gid != UInt32.max) {
            mode &= ~UInt32(0o4000)
            if mode & 0o010 != 0 { mode &= ~UInt32(0o2000) }
        }
        touch(now, modified: false)
    }

    /// utimensat's times, with UTIME_NOW and UTIME_OMIT.
    func setTimes(_ access: Timespec, _ modification: Timespec, _ now: Timespec) throws(Errno) {
        func resolve(_ t: Timespec, _ current: Timespec) throws(Errno) -> Timespec {
            if t.nanoseconds == Timespec.utimeNow { return now }
            if t.nanoseconds == Timespec.utimeOmit { return current }
            if t.nanoseconds < 0 || t.nanoseconds >= 1_000_000_000 { throw .EINVAL }
            return t
        }
        accessTime = try resolve(access, accessTime)
        modificationTime = try resolve(modification, modificationTime)
        changeTime = now
    }

    /// Whether `other` is this directory or lies below it.
    func contains(_ other: MemoryNode) -> Bool {
        var pending = [self]
        while let d = pending.popLast() {
            if d === other { return true }
            for (_, e) in d.children where e.node.isDirectory { pending.append(e.node) }
        }
        return false
    }
}

/// One open file description of a MemoryDirectoryHost: the node, the open flags, the offset.
final class MemoryOpenFile {
    let node: MemoryNode
    let flags: Int32
    var offset: Int64 = 0

    init(_ node: MemoryNode, flags: Int32) {
        self.node = node
        self.flags = flags
    }

    var isPathOnly: Bool { flags & LinuxOpenFlags.path == LinuxOpenFlags.path }
    var canRead: Bool { !isPathOnly && flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.writeOnly }
    var canWrite: Bool {
        let access = flags & LinuxOpenFlags.accessMode
        return !isPathOnly && (access == LinuxOpenFlags.writeOnly || access == LinuxOpenFlags.readWrite)
    }

    /// The contents to read(2) from: EBADF without read access, EISDIR for a directory.
    func readableData() throws(Errno) -> MemoryFileData {
        guard canRead else { throw .EBADF }
        if node.isDirectory { throw .EISDIR }
        guard let data = node.data else { throw .EINVAL }
        return data
    }

    /// The contents to write(2) to: EBADF without write access.
    func writableData() throws(Errno) -> MemoryFileData {
        guard canWrite, let data = node.data else { throw .EBADF }
        return data
    }
}
