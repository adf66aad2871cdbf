/// One host file mounted over a guest path (docker's /etc/hostname, /etc/hosts, /etc/resolv.conf,
/// and `-v FILE:PATH`). The file is named by an open directory handle and a single name, opened
/// with O_NOFOLLOW; the mount itself cannot be removed or renamed (EBUSY, as on Linux).
final class HostFileFS: FileSystem {
    let host: Host
    let directory: HostFD
    let name: [UInt8]

    init(host: Host, directory: HostFD, name: [UInt8], readOnly: Bool) {
        self.host = host
        self.directory = directory
        self.name = name
        super.init(readOnly: readOnly)
    }

    private func check(_ path: [[UInt8]]) throws(Errno) { if !path.isEmpty { throw .ENOTDIR } }

    private func guestView(_ st: FileStat) -> FileStat {
        var s = st
        if s.uid == host.userID { s.uid = 0 }
        if s.gid == host.groupID { s.gid = 0 }
        return s
    }

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat {
        try check(path)
        return guestView(try host.stat(at: directory, name, followSymlinks: false))
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        try check(path)
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: try stat(path, caller: caller))
        }
        if readOnly && (flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly || flags & LinuxOpenFlags.truncate != 0) { throw .EROFS }
        let hostFlags = (flags & ~(LinuxOpenFlags.noControllingTerminal | LinuxOpenFlags.async | LinuxOpenFlags.create | LinuxOpenFlags.exclusive))
            | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec
        let fd = try host.open(at: directory, name, flags: hostFlags, mode: 0)
        let st: FileStat
        do { st = try host.stat(fd) } catch { host.close(fd); throw error }
        return HostFile(host: host, fd: fd, flags: flags & ~LinuxOpenFlags.closeOnExec, path: Path.absolute(guestPath),
                        components: guestPath, stat: guestView(st), fileSystem: self)
    }

    override func setMode(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        try check(path)
        if readOnly { throw .EROFS }
        try host.setMode(at: directory, name, mode: mode)
    }

    override func setTimes(_ path: [[UInt8]], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        try check(path)
        if readOnly { throw .EROFS }
        try host.setTimes(at: directory, name, access: access, modification: modification, followSymlinks: false)
    }

    override func remove(_ path: [[UInt8]], isDirectory: Bool) throws(Errno) { throw .EBUSY }
    override func rename(_ from: [[UInt8]], to: [[UInt8]], flags: UInt32) throws(Errno) { throw .EBUSY }

    override func fileSystemStat(_ path: [[UInt8]]) throws(Errno) -> FileSystemStat {
        var s = try host.fileSystemStat(directory)
        if readOnly { s.flags |= 1 }
        return s
    }
}

extension Kernel {
    /// Mounts the host file `name` of the open directory `directory` over the guest path `path`.
    public func mountHostFile(directory: HostFD, name: String, at path: String, readOnly: Bool) {
        mounts.mount(HostFileFS(host: host, directory: directory, name: Array(name.utf8), readOnly: readOnly), at: Array(path.utf8))
    }
}
