/// The character devices of /dev: null, zero, full, random and urandom.
final class CharacterDevice: FileDescription {
    enum Kind { case null, zero, full, random }
    let kind: Kind
    let host: Host
    let fileStat: FileStat

    init(kind: Kind, host: Host, flags: Int32, path: [UInt8], stat: FileStat) {
        self.kind = kind
        self.host = host
        self.fileStat = stat
        super.init(flags: flags & ~LinuxOpenFlags.closeOnExec, path: path)
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        switch kind {
        case .null: return 0
        case .zero, .full:
            if buffer.count > 0 { buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count) }
            return buffer.count
        case .random:
            host.randomBytes(buffer)
            return buffer.count
        }
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if kind == .full { throw .ENOSPC }
        return buffer.count
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try read(into: buffer)
    }

    override func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try write(from: buffer)
    }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 { 0 }
    override func stat() throws(Errno) -> FileStat { fileStat }
    override func truncate(length: Int64) throws(Errno) {}
}

/// /dev: the standard character devices, the controlling terminal and links into /proc/self/fd.
final class DevFS: FileSystem {
    unowned(unsafe) let kernel: Kernel
    static let deviceID = makeDevice(0, 5)

    init(kernel: Kernel) {
        self.kernel = kernel
        super.init(readOnly: false)
    }

    override var device: UInt64 { DevFS.deviceID }
    override var servesDevices: Bool { true }

    private struct Node {
        var name: String
        var mode: UInt32
        var rdev: UInt64
        var link: String?
    }

    private static let nodes: [Node] = [
        Node(name: "null", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(1, 3)),
        Node(name: "zero", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(1, 5)),
        Node(name: "full", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(1, 7)),
        Node(name: "random", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(1, 8)),
        Node(name: "urandom", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(1, 9)),
        Node(name: "tty", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(5, 0)),
        Node(name: "ptmx", mode: FileMode.characterDevice | 0o666, rdev: makeDevice(5, 2)),
        Node(name: "shm", mode: FileMode.directory | 0o1777, rdev: 0),
        Node(name: "pts", mode: FileMode.directory | 0o755, rdev: 0),
        Node(name: "fd", mode: FileMode.symlink | 0o777, rdev: 0, link: "/proc/self/fd"),
        Node(name: "stdin", mode: FileMode.symlink | 0o777, rdev: 0, link: "/proc/self/fd/0"),
        Node(name: "stdout", mode: FileMode.symlink | 0o777, rdev: 0, link: "/proc/self/fd/1"),
        Node(name: "stderr", mode: FileMode.symlink | 0o777, rdev: 0, link: "/proc/self/fd/2"),
    ]

    private static let ptsDirectory: [UInt8] = Array("pts".utf8)

    /// /dev/pts/N: the guest's pseudo-terminal, when the container has one.
    private func ptsEntry(_ path: [[UInt8]]) throws(Errno) -> PseudoTerminal? {
        guard path.count == 2, path[0] == DevFS.ptsDirectory else { return nil }
        var index: Int32 = 0
        for c in path[1] {
            guard c >= 0x30 && c <= 0x39, index < 1 << 20 else { throw .ENOENT }
            index = index * 10 + Int32(c - 0x30)
        }
        guard !path[1].isEmpty, path[1] == Array("\(index)".utf8), let tty = kernel.pseudoTerminal(index) else { throw .ENOENT }
        return tty
    }

    private func node(_ path: [[UInt8]]) throws(Errno) -> (Int, Node)? {
        if path.isEmpty { return nil }
        if path.count > 1 { throw .ENOENT }
        for (i, n) in DevFS.nodes.enumerated() where Array(n.name.utf8) == path[0] { return (i, n) }
        throw .ENOENT
    }

    private func stat(of entry: (Int, Node)?) -> FileStat {
        var st = FileStat()
        st.device = DevFS.deviceID
        st.modificationTime = kernel.bootRealTime
        st.accessTime = kernel.bootRealTime
        st.changeTime = kernel.bootRealTime
        if let (i, n) = entry {
            st.inode = UInt64(i + 2)
            st.mode = n.mode
            st.rdev = n.rdev
            st.linkCount = n.mode & FileMode.typeMask == FileMode.directory ? 2 : 1
            if let l = n.link { st.size = Int64(l.utf8.count) }
            st.blockSize = 4096
        } else {
            st.inode = 1
            st.mode = FileMode.directory | 0o755
            st.linkCount = 3
        }
        return st
    }

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat {
        if let tty = try ptsEntry(path) { return tty.stat(device: DevFS.deviceID, time: kernel.bootRealTime) }
        return stat(of: try node(path))
    }

    override func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget {
        guard let (_, n) = try node(path), let l = n.link else { throw .EINVAL }
        return .path(Array(l.utf8))
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        if let tty = try ptsEntry(path) {
            if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
                return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: tty.stat(device: DevFS.deviceID, time: kernel.bootRealTime))
            }
            if tty.locked { throw .EIO }
            kernel.openedTerminal(tty, by: caller.process, flags: flags)
            return TerminalFile(terminal: tty, kernel: kernel, flags: flags)
        }
        let entry = try node(path)
        let st = stat(of: entry)
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: st)
        }
        guard let (_, n) = entry, n.name != "pts" else {
            if flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly { throw .EISDIR }
            var list = [DirectoryEntry(name: [0x2e], inode: 1, type: 4), DirectoryEntry(name: [0x2e, 0x2e], inode: 1, type: 4)]
            if entry != nil {
                for i in kernel.pseudoTerminalIndices { list.append(DirectoryEntry(name: Array("\(i)".utf8), inode: UInt64(i) + 3, type: 2)) }
            } else {
                for (i, n) in DevFS.nodes.enumerated() {
                    list.append(DirectoryEntry(name: Array(n.name.utf8), inode: UInt64(i + 2), type: FileMode.directoryEntryType(n.mode)))
                }
            }
            return SyntheticDirectory(entries: list, components: guestPath, stat: st, fileSystem: self, flags: flags)
        }
        let name = Path.absolute(guestPath)
        switch n.name {
        case "null": return CharacterDevice(kind: .null, host: kernel.host, flags: flags, path: name, stat: st)
        case "zero": return CharacterDevice(kind: .zero, host: kernel.host, flags: flags, path: name, stat: st)
        case "full": return CharacterDevice(kind: .full, host: kernel.host, flags: flags, path: name, stat: st)
        case "random", "urandom": return CharacterDevice(kind: .random, host: kernel.host, flags: flags, path: name, stat: st)
        case "ptmx":
            return kernel.openPseudoTerminalMaster(flags: flags, stat: st)
        case "tty" where kernel.terminal != nil || kernel.controllingTerminal(of: caller.process) != nil:
            // The caller's controlling terminal, or ENXIO when it has none.
            guard let tty = kernel.controllingTerminal(of: caller.process) else { throw .ENXIO }
            return TerminalFile(terminal: tty, kernel: kernel, flags: flags)
        case "tty":
            let fd = try kernel.host.openControllingTerminal(flags: flags & (LinuxOpenFlags.accessMode | LinuxOpenFlags.nonBlocking))
            let hostStat: FileStat
            do throws(Errno) { hostStat = try kernel.host.stat(fd) } catch { kernel.host.close(fd); throw error }
            return HostFile(host: kernel.host, fd: fd, flags: flags & ~LinuxOpenFlags.closeOnExec, path: name,
                            components: guestPath, stat: hostStat, fileSystem: self)
        default:
            // "shm" is covered by its own mount; reaching it here means it is being opened as a file.
            throw .EISDIR
        }
    }
}
