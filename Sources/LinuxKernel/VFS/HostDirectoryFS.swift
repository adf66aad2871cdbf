/// A host directory mounted into the guest (the `--rootfs` directory at `/`, a scratch /tmp…).
/// Every host call is relative to the directory's handle with a path the resolver already freed of
/// symlinks and "..", and opens add O_NOFOLLOW, so the host never walks outside the directory on
/// the guest's behalf.
final class HostDirectoryFS: FileSystem {
    let host: Host
    let root: HostFD
    /// Bind mounts (`-v`): what the guest creates stays the host user's, whoever the guest is.
    let hostOwnsNewFiles: Bool

    init(host: Host, root: HostFD, readOnly: Bool, hostOwnsNewFiles: Bool = false) {
        self.host = host
        self.root = root
        self.hostOwnsNewFiles = hostOwnsNewFiles
        super.init(readOnly: readOnly)
    }

    /// The host-relative form of a path ("." for the mount's root).
    static func relative(_ path: [[UInt8]]) -> [UInt8] { path.isEmpty ? [0x2e] : Path.join(path) }

    /// Host files owned by the user running Skiff appear owned by root, as in a rootless container.
    func guestView(_ st: FileStat) -> FileStat {
        var s = st
        if s.uid == host.userID { s.uid = 0 }
        if s.gid == host.groupID { s.gid = 0 }
        return s
    }

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat {
        guestView(try host.stat(at: root, Self.relative(path), followSymlinks: false))
    }

    override func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget {
        .path(try host.readLink(at: root, Self.relative(path)))
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        if flags & LinuxOpenFlags.temporaryFile == LinuxOpenFlags.temporaryFile { throw .EOPNOTSUPP }
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            let st = try stat(path, caller: caller)
            return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: st)
        }
        let access = flags & LinuxOpenFlags.accessMode
        if readOnly && (access != LinuxOpenFlags.readOnly || flags & (LinuxOpenFlags.create | LinuxOpenFlags.truncate) != 0) {
            // O_CREAT of an existing file without write access is allowed on a read-only mount.
            if access != LinuxOpenFlags.readOnly || flags & LinuxOpenFlags.truncate != 0 { throw .EROFS }
            if (try? host.stat(at: root, Self.relative(path), followSymlinks: false)) == nil { throw .EROFS }
        }
        let hostFlags = (flags & ~(LinuxOpenFlags.noControllingTerminal | LinuxOpenFlags.async))
            | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec
        let fd = try host.open(at: root, Self.relative(path), flags: hostFlags, mode: mode)
        let st: FileStat
        do { st = try host.stat(fd) } catch { host.close(fd); throw error }
        return HostFile(host: host, fd: fd, flags: flags & ~LinuxOpenFlags.closeOnExec, path: Path.absolute(guestPath),
                        components: guestPath, stat: guestView(st), fileSystem: self)
    }

    override func makeDirectory(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.makeDirectory(at: root, Self.relative(path), mode: mode)
    }

    override func remove(_ path: [[UInt8]], isDirectory: Bool) throws(Errno) {
        if readOnly { throw .EROFS }
        if path.isEmpty { throw .EBUSY }
        try host.remove(at: root, Self.relative(path), isDirectory: isDirectory)
    }

    override func rename(_ from: [[UInt8]], to: [[UInt8]], flags: UInt32) throws(Errno) {
        if readOnly { throw .EROFS }
        if from.isEmpty || to.isEmpty { throw .EBUSY }
        try host.rename(at: root, Self.relative(from), to: root, Self.relative(to), flags: flags)
    }

    override func link(_ from: [[UInt8]], to: [[UInt8]]) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.link(at: root, Self.relative(from), to: root, Self.relative(to))
    }

    override func symlink(_ target: [UInt8], at path: [[UInt8]]) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.symlink(target, at: root, Self.relative(path))
    }

    /// Real host nodes, as a bind mount has them in docker: FIFOs where the host can make them
    /// (not under WASI), device nodes only when Skiff's user may (host root; otherwise EPERM, as
    /// in a rootless container). Opening a device node is still decided by the kernel's policy.
    override func makeNode(_ path: [[UInt8]], mode: UInt32, device: UInt64) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.makeNode(at: root, Self.relative(path), mode: mode, device: device)
    }

    override func pinNode(_ path: [[UInt8]]) -> PinnedNode? { PinnedNode.open(host, at: root, Self.relative(path)) }

    override func setMode(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.setMode(at: root, Self.relative(path), mode: mode)
    }

    override func setOwner(_ path: [[UInt8]], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.setOwner(at: root, Self.relative(path), uid: hostID(uid, host.userID), gid: hostID(gid, host.groupID),
                          followSymlinks: followSymlinks)
    }

    override func setTimes(_ path: [[UInt8]], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        if readOnly { throw .EROFS }
        try host.setTimes(at: root, Self.relative(path), access: access, modification: modification, followSymlinks: followSymlinks)
    }

    override func access(_ path: [[UInt8]], mode: Int32, caller: Task) throws(Errno) {
        if mode & 2 != 0 && readOnly { throw .EROFS }
        // The guest runs as root: read and write are granted as root's are; execute needs an x bit.
        let st = try stat(path, caller: caller)
        if mode & 1 != 0 && !st.isDirectory && st.mode & 0o111 == 0 { throw .EACCES }
    }

    override func fileSystemStat(_ path: [[UInt8]]) throws(Errno) -> FileSystemStat {
        let fd = try host.open(at: root, Self.relative(path), flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0)
        defer { host.close(fd) }
        var s = try host.fileSystemStat(fd)
        if readOnly { s.flags |= 1 }
        return s
    }
}

/// Guest root (0) is the host user; other ids pass through.
func hostID(_ id: UInt32, _ hostOwn: UInt32) -> UInt32 {
    id == 0 ? hostOwn : id
}
