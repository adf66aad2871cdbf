/// What a symbolic link points at: a path, or (for /proc/PID/fd/N "magic links") an open file.
enum LinkTarget {
    case path([UInt8])
    case description(FileDescription)
}

/// A file system mounted somewhere in the guest tree. Paths given to it are relative to its root,
/// as components with no ".", ".." or symlink left (the resolver took care of those); the empty
/// path is its root. The defaults refuse the operation the way Linux does on a file system that
/// does not support it.
class FileSystem {
    let readOnly: Bool
    /// The st_dev of this file system's files (synthetic ones get their own).
    var device: UInt64 { 0 }
    init(readOnly: Bool) { self.readOnly = readOnly }

    /// lstat: metadata without following a final symlink.
    func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat { throw .ENOENT }
    func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget { throw .EINVAL }
    /// Opens (or, with O_CREAT, creates) the file; `guestPath` names it for /proc and *at calls.
    func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription { throw .ENOENT }
    func makeDirectory(_ path: [[UInt8]], mode: UInt32) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    func remove(_ path: [[UInt8]], isDirectory: Bool) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    func rename(_ from: [[UInt8]], to: [[UInt8]], flags: UInt32) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    func link(_ from: [[UInt8]], to: [[UInt8]]) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    func symlink(_ target: [UInt8], at path: [[UInt8]]) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    /// mknod of a FIFO (`mode` has S_IFIFO) or a device node (S_IFCHR/S_IFBLK, numbers in
    /// `device` as st_rdev holds them); the permission bits are already masked by the umask.
    func makeNode(_ path: [[UInt8]], mode: UInt32, device: UInt64) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    /// Holds the node at `path` (a bound socket's) so its inode is not freed and given to the next
    /// file while the socket lives, as Linux's socket holds its path; nil where nothing needs it.
    func pinNode(_ path: [[UInt8]]) -> PinnedNode? { nil }
    /// /dev: its character devices are served by the file system itself (device nodes elsewhere
    /// are opened by the kernel under the device policy).
    var servesDevices: Bool { false }
    func setMode(_ path: [[UInt8]], mode: UInt32) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    func setOwner(_ path: [[UInt8]], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    func setTimes(_ path: [[UInt8]], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) { throw readOnly ? .EROFS : .EPERM }
    /// access(2) for an existing file; F_OK was already checked by the lookup.
    func access(_ path: [[UInt8]], mode: Int32, caller: Task) throws(Errno) {
        if mode & 2 != 0 && readOnly { throw .EROFS }
        let st = try stat(path, caller: caller)
        if mode & 1 != 0 && st.mode & 0o111 == 0 && !st.isDirectory { throw .EACCES }
    }
    func fileSystemStat(_ path: [[UInt8]]) throws(Errno) -> FileSystemStat {
        var s = FileSystemStat()
        s.type = 0x01021994 // TMPFS_MAGIC-like for synthetic file systems
        if readOnly { s.flags |= 1 }
        return s
    }
}

/// A mount point: where in the guest tree a file system appears.
final class Mount {
    let path: [[UInt8]]
    let fileSystem: FileSystem
    init(path: [[UInt8]], fileSystem: FileSystem) {
        self.path = path
        self.fileSystem = fileSystem
    }
}

/// The guest's mount tree. The deepest mount whose path prefixes a guest path serves it.
final class MountTable {
    private(set) var mounts: [Mount] = []

    func mount(_ fileSystem: FileSystem, at path: [UInt8]) {
        let m = Mount(path: Path.components(path), fileSystem: fileSystem)
        mounts.removeAll { $0.path == m.path }
        mounts.append(m)
        mounts.sort { $0.path.count > $1.path.count }
    }

    /// The mount serving `components` and the path inside it.
    func lookup(_ components: [[UInt8]]) -> (Mount, [[UInt8]]) {
        for m in mounts where m.path.count <= components.count {
            var matches = true
            for i in 0..<m.path.count where components[i] != m.path[i] { matches = false; break }
            if matches { return (m, Array(components[m.path.count...])) }
        }
        // The root mount always matches; a table without one is a configuration error.
        fatalError("mount table has no root")
    }
}

/// A host descriptor that keeps a node's inode alive (an O_PATH one natively), closed when the
/// holder lets it go.
final class PinnedNode {
    let host: Host
    let fd: HostFD

    init(host: Host, fd: HostFD) {
        self.host = host
        self.fd = fd
    }

    /// The node at `relative` under `directory`, held by an O_PATH descriptor (nil if it is gone).
    static func open(_ host: Host, at directory: HostFD, _ relative: [UInt8]) -> PinnedNode? {
        let flags = LinuxOpenFlags.path | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec
        guard let fd = try? host.open(at: directory, relative, flags: flags, mode: 0) else { return nil }
        return PinnedNode(host: host, fd: fd)
    }

    deinit { host.close(fd) }
}
