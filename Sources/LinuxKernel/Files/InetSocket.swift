/// An AF_INET/AF_INET6 socket. Two kinds: `HostSocket` (`--network host`: a host socket) and
/// `LoopbackSocket` (`--network none`: the kernel's own loopback network). The system calls
/// (Syscalls/InetSockets.swift) drive both through these operations, which never block: they
/// throw EAGAIN (EINPROGRESS for a connect under way) and the caller parks the task on
/// `waitQueue(for:)` and/or `hostPollDescriptor`.
class InetSocket: FileDescription {
    static let stream: Int32 = 1
    static let datagram: Int32 = 2

    let family: Int32
    /// SOCK_STREAM 1, SOCK_DGRAM 2.
    let type: Int32
    let protocolNumber: Int32
    unowned(unsafe) let kernel: Kernel
    let serial: UInt64
    /// SO_RCVTIMEO / SO_SNDTIMEO in nanoseconds (0: wait forever), applied by the kernel.
    var receiveTimeout: UInt64 = 0
    var sendTimeout: UInt64 = 0
    override func waitTimeout(for events: Int16) -> UInt64 { events & PollRequest.readable != 0 ? receiveTimeout : sendTimeout }
    /// A blocking connect parked while the connection was being made.
    var connectInProgress = false

    init(family: Int32, type: Int32, protocolNumber: Int32, flags: Int32, kernel: Kernel) {
        self.family = family
        self.type = type
        self.protocolNumber = protocolNumber
        self.kernel = kernel
        serial = kernel.nextAnonymousNumber(above: 0x30000)
        super.init(flags: LinuxOpenFlags.readWrite | (flags & LinuxOpenFlags.nonBlocking), path: Array("socket:[\(serial)]".utf8))
    }

    var isStream: Bool { type == InetSocket.stream }

    // MARK: Operations (subclasses)

    func bind(_ address: SocketAddress) throws(Errno) { throw .EOPNOTSUPP }
    func listen(backlog: Int32) throws(Errno) { throw .EOPNOTSUPP }
    /// A pending connection and its peer's address; EAGAIN when none is waiting.
    func accept() throws(Errno) -> (InetSocket, SocketAddress?) { throw .EOPNOTSUPP }
    func connect(_ address: SocketAddress) throws(Errno) { throw .EOPNOTSUPP }
    /// `flags`: Linux MSG_* bits (MSG_DONTWAIT/NOSIGNAL are handled by the caller).
    func send(_ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int { throw .EOPNOTSUPP }
    func receive(into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived { throw .EOPNOTSUPP }
    /// sendmsg/recvmsg with ancillary data (Linux's struct cmsghdr layout). Only host sockets
    /// carry it; the loopback network has none to give and takes none (EINVAL).
    func send(_ data: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        if control.count > 0 { kernel.log("sendmsg: control messages on --network none sockets are not supported"); throw .EINVAL }
        return try send(data, flags: flags, to: address)
    }
    func receive(into buffer: UnsafeMutableRawBufferPointer, control: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        try receive(into: buffer, flags: flags)
    }
    func shutdown(how: Int32) throws(Errno) { throw .EOPNOTSUPP }
    func address(peer: Bool) throws(Errno) -> SocketAddress { throw .EOPNOTSUPP }
    func option(_ option: SocketOption) throws(Errno) -> Int32 { throw .ENOPROTOOPT }
    func setOption(_ option: SocketOption, _ value: Int32) throws(Errno) { throw .ENOPROTOOPT }
    /// Bytes waiting to be read (FIONREAD).
    func bytesAvailable() throws(Errno) -> Int { 0 }

    // MARK: As a file

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count == 0 && isStream { return 0 }
        return try receive(into: buffer, flags: 0).count
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try send(buffer, flags: 0, to: nil)
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.socketStat(serial: serial) }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if request == TerminalIoctl.FIONREAD {
            try task.store(Int32(clamping: try bytesAvailable()), at: arg)
            return 0
        }
        throw .ENOTTY
    }
}
