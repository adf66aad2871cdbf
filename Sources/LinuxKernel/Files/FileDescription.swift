/// An open file description (Linux `struct file`): shared by descriptors made with dup and by
/// parent and child after fork. Subclasses implement what their kind of file supports; the
/// defaults give the error Linux gives for an operation the file does not support.
class FileDescription {
    /// Access mode and status flags (O_APPEND, O_NONBLOCK…), as F_GETFL reports them.
    var flags: Int32
    /// Guest path (for /proc/self/fd and diagnostics) — "pipe:[7]" and the like for anonymous files.
    var path: [UInt8]
    /// Descriptor-table references plus mappings holding this description.
    private(set) var references = 0
    /// Who gets SIGIO when the file becomes ready and O_ASYNC is set (F_SETOWN; Syscalls/AsyncIO.swift).
    var asyncOwner: AsyncOwner?

    init(flags: Int32, path: [UInt8]) {
        self.flags = flags
        self.path = path
    }

    // MARK: Reference counting (close semantics must not depend on ARC timing)

    final func retain() { references += 1 }

    final func release() {
        references -= 1
        if references == 0 { lastReferenceClosed() }
    }

    /// The last descriptor and mapping went away (pipe ends count writers here, host files close).
    func lastReferenceClosed() {}

    // MARK: Properties

    var canRead: Bool { flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.writeOnly && !isPathOnly }
    var canWrite: Bool { flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly && !isPathOnly }
    var isNonBlocking: Bool { flags & LinuxOpenFlags.nonBlocking != 0 }
    var isPathOnly: Bool { flags & LinuxOpenFlags.path == LinuxOpenFlags.path }
    /// Where this file sits in the guest tree, for *at calls relative to a directory descriptor and
    /// fchdir; nil for anonymous files.
    var location: [[UInt8]]? { nil }
    /// A byte stream (pipe, stream socket, host pipe or terminal): a blocking write goes on until
    /// every byte is taken, waiting for room in between, as Linux's pipe and socket writes do.
    var isByteStream: Bool { false }
    /// How many bytes a write would take right now, where the kernel knows (its own pipes and
    /// stream sockets); nil when it cannot tell. sendfile reads no more than this from a stream.
    func writeCapacity() -> Int? { nil }

    // MARK: Operations

    /// Reads at the current offset. Throws EAGAIN when the read would block (the caller parks the
    /// task unless the description is non-blocking).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }
    func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .ESPIPE }
    func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int { throw .ESPIPE }
    func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 { throw .ESPIPE }
    func stat() throws(Errno) -> FileStat { throw .EBADF }
    func truncate(length: Int64) throws(Errno) { throw .EINVAL }
    func synchronize(dataOnly: Bool) throws(Errno) {}
    func setMode(_ mode: UInt32) throws(Errno) { throw .EPERM }
    func setOwner(uid: UInt32, gid: UInt32) throws(Errno) { throw .EPERM }
    func setTimes(access: Timespec, modification: Timespec) throws(Errno) { throw .EPERM }
    func fileSystemStat() throws(Errno) -> FileSystemStat { throw .ENOSYS }

    /// What fstat shows for an anon_inode file (eventfd, signalfd, timerfd): Linux's anon_inodefs, mode 0600.
    static var anonymousInodeStat: FileStat {
        var st = FileStat()
        st.device = makeDevice(0, 14)
        st.mode = 0o600
        return st
    }

    /// What fstat shows for a socket: Linux's sockfs, mode 0777, the socket's inode number.
    static func socketStat(serial: UInt64) -> FileStat {
        var st = FileStat()
        st.device = makeDevice(0, 8)
        st.inode = serial
        st.mode = FileMode.socket | 0o777
        st.blockSize = 4096
        return st
    }

    /// Directory entries from the description's position on; `advance` moves the position.
    func readDirectory() throws(Errno) -> [DirectoryEntry] { throw .ENOTDIR }
    var directoryPosition = 0

    /// Terminal and device control; `arg` is the guest pointer or value.
    func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 { throw .ENOTTY }

    // MARK: Readiness (poll, select, blocking reads)

    /// The POLL* events ready now, among `events` (POLLHUP/POLLERR are reported regardless).
    func readiness(_ events: Int16) -> Int16 { events & (PollRequest.readable | PollRequest.writable) }
    /// Where a task waiting for `events` on this file sleeps, when readiness comes from inside the
    /// guest (pipes, eventfd…).
    func waitQueue(for events: Int16) -> WaitQueue? { nil }
    /// Every queue a task waiting for `events` must sleep on (sockets have one per direction).
    func waitQueues(for events: Int16) -> [WaitQueue] { waitQueue(for: events).map { [$0] } ?? [] }
    /// The host descriptor to poll for readiness, when readiness comes from the host.
    var hostPollDescriptor: HostFD? { nil }
    /// For a file the host serves: the guest's operations on it so far, by direction (reads,
    /// receives and accepts; connects, and writes and sends that found too little room).
    /// epoll's EPOLLET counts them as events of that direction (`EpollInstance`).
    var guestReads: UInt64 = 0
    var guestWrites: UInt64 = 0
    /// How long a blocking call waiting for `events` may wait (nanoseconds, 0: forever): a
    /// socket's SO_RCVTIMEO/SO_SNDTIMEO.
    func waitTimeout(for events: Int16) -> UInt64 { 0 }
}
