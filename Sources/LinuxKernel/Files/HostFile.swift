/// A file the host holds open: a file or directory of a host-directory mount, or one of the
/// standard streams Skiff was started with.
final class HostFile: FileDescription {
    let host: Host
    let fd: HostFD
    let components: [[UInt8]]?
    let fileSystem: FileSystem?
    let isDirectory: Bool
    /// Pipes, terminals, sockets: reads are polled first so the host thread never blocks.
    let isStream: Bool
    let isTerminal: Bool
    /// The standard streams belong to Skiff; closing them in the guest leaves the host's open.
    let ownsDescriptor: Bool
    private var entries: [DirectoryEntry]?
    private let hostStat: FileStat

    init(host: Host, fd: HostFD, flags: Int32, path: [UInt8], components: [[UInt8]]?, stat: FileStat,
         fileSystem: FileSystem?, ownsDescriptor: Bool = true) {
        self.host = host
        self.fd = fd
        self.components = components
        self.fileSystem = fileSystem
        self.isDirectory = stat.isDirectory
        self.isStream = !stat.isDirectory && !stat.isRegular
        self.isTerminal = self.isStream && host.isTerminal(fd)
        self.ownsDescriptor = ownsDescriptor
        self.hostStat = stat
        super.init(flags: flags, path: path)
    }

    override func lastReferenceClosed() { if ownsDescriptor { host.close(fd) } }

    override var location: [[UInt8]]? { components }

    override var isByteStream: Bool { isStream }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if isDirectory { throw .EISDIR }
        guestReads &+= 1
        if isStream && readiness(PollRequest.readable) == 0 { throw .EAGAIN }
        return try host.read(fd, into: buffer)
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        do throws(Errno) {
            let n = try host.write(fd, from: buffer)
            if n < buffer.count { guestWrites &+= 1 }   // as HostSocket.send
            return n
        } catch {
            if error == .EAGAIN { guestWrites &+= 1 }
            throw error
        }
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        if isDirectory { throw .EISDIR }
        if isStream { throw .ESPIPE }
        return try host.read(fd, into: buffer, at: offset)
    }

    override func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        if isStream { throw .ESPIPE }
        return try host.write(fd, from: buffer, at: offset)
    }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        if isStream { throw .ESPIPE }
        if isDirectory {
            // Directory offsets are entry indices into the listing taken at the first read.
            switch whence {
            case 0:
                if offset < 0 { throw .EINVAL }
                if offset == 0 { entries = nil }
                directoryPosition = Int(clamping: offset)
            case 1:
                if directoryPosition + Int(clamping: offset) < 0 { throw .EINVAL }
                directoryPosition += Int(clamping: offset)
            default: throw .EINVAL
            }
            return Int64(directoryPosition)
        }
        return try host.seek(fd, offset: offset, whence: whence)
    }

    override func stat() throws(Errno) -> FileStat {
        var st = try host.stat(fd)
        if st.uid == host.userID { st.uid = 0 }
        if st.gid == host.groupID { st.gid = 0 }
        return st
    }

    override func truncate(length: Int64) throws(Errno) {
        if isDirectory { throw .EISDIR }
        if !canWrite || isStream { throw .EINVAL }
        try host.truncate(fd, length: length)
    }

    override func synchronize(dataOnly: Bool) throws(Errno) {
        if isStream { throw .EINVAL }
        try host.synchronize(fd, dataOnly: dataOnly)
    }

    override func setMode(_ mode: UInt32) throws(Errno) {
        if fileSystem?.readOnly == true { throw .EROFS }
        try host.setMode(fd, mode: mode)
    }

    override func setOwner(uid: UInt32, gid: UInt32) throws(Errno) {
        if fileSystem?.readOnly == true { throw .EROFS }
        try host.setOwner(fd, uid: hostID(uid, host.userID), gid: hostID(gid, host.groupID))
    }

    override func setTimes(access: Timespec, modification: Timespec) throws(Errno) {
        if fileSystem?.readOnly == true { throw .EROFS }
        try host.setTimes(fd, access: access, modification: modification)
    }

    override func fileSystemStat() throws(Errno) -> FileSystemStat {
        var s = try host.fileSystemStat(fd)
        if fileSystem?.readOnly == true { s.flags |= 1 }
        return s
    }

    override func readDirectory() throws(Errno) -> [DirectoryEntry] {
        if !isDirectory { throw .ENOTDIR }
        if entries == nil { entries = try host.readDirectory(fd) }
        let all = entries!
        return directoryPosition < all.count ? Array(all[directoryPosition...]) : []
    }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if isTerminal { return try kernel.terminalIoctl(task, fd: fd, request: request, arg: arg) }
        if request == TerminalIoctl.FIONREAD && !isDirectory {
            let available = isStream ? try host.bytesAvailable(fd) : Int(clamping: max(0, (try stat().size) - (try host.seek(fd, offset: 0, whence: 1))))
            try task.store(Int32(clamping: available), at: arg)
            return 0
        }
        throw .ENOTTY
    }

    override func readiness(_ events: Int16) -> Int16 {
        if !isStream { return events & (PollRequest.readable | PollRequest.writable) }
        var request = PollRequest(fd: fd, events: events)
        _ = withUnsafeMutablePointer(to: &request) { p in host.poll(UnsafeMutableBufferPointer(start: p, count: 1), timeout: 0) }
        return request.returnedEvents
    }

    override var hostPollDescriptor: HostFD? { isStream ? fd : nil }
}

/// An O_PATH descriptor: names a file for *at calls, fstat and fchdir, without opening it.
final class PathDescription: FileDescription {
    let fileSystem: FileSystem
    let components: [[UInt8]]
    let cachedStat: FileStat

    init(flags: Int32, fileSystem: FileSystem, components: [[UInt8]], stat: FileStat) {
        self.fileSystem = fileSystem
        self.components = components
        self.cachedStat = stat
        super.init(flags: flags & ~LinuxOpenFlags.closeOnExec, path: Path.absolute(components))
    }

    override var location: [[UInt8]]? { components }
    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EBADF }
    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EBADF }
    override func stat() throws(Errno) -> FileStat { cachedStat }
    override func readDirectory() throws(Errno) -> [DirectoryEntry] { throw .EBADF }
    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 { throw .EBADF }
}
