/// An AF_NETLINK socket of protocol NETLINK_ROUTE (`Net/RouteNetlink.swift` answers it): what is
/// sent to the kernel is answered at once, the answers wait here as datagrams until read.
/// Multicast groups (link and address change notifications) are not provided.
final class NetlinkSocket: FileDescription {
    static let family: Int32 = 16
    unowned(unsafe) let kernel: Kernel
    let serial: UInt64
    /// SOCK_RAW 3 or SOCK_DGRAM 2 (the same to netlink).
    let type: Int32
    /// The port id (nl_pid): 0 until bound, explicitly or by the first send.
    var port: UInt32 = 0
    var datagrams: [[UInt8]] = []
    let readers = WaitQueue()
    var receiveTimeout: UInt64 = 0
    var sendTimeout: UInt64 = 0
    /// SO_SNDBUF / SO_RCVBUF as getsockopt reports them (Linux's defaults; the queue is not limited by them).
    var sendBuffer: Int32 = 212992
    var receiveBuffer: Int32 = 212992
    /// SOL_NETLINK options the guest set (NETLINK_CAP_ACK 10, NETLINK_EXT_ACK 11, NETLINK_GET_STRICT_CHK 12).
    var netlinkOptions: Set<Int32> = []

    init(type: Int32, flags: Int32, kernel: Kernel) {
        self.kernel = kernel
        self.type = type
        serial = kernel.nextAnonymousNumber(above: 0x20000)
        super.init(flags: LinuxOpenFlags.readWrite | (flags & LinuxOpenFlags.nonBlocking), path: Array("socket:[\(serial)]".utf8))
    }

    override func lastReferenceClosed() {
        if port != 0 { kernel.netlinkPorts.remove(port) }
    }

    /// Linux's autobind: the process id for a process's first socket, then negative ids from -4096 down.
    func bindPort(_ requested: UInt32, pid: Int32) throws(Errno) {
        if requested != 0 {
            if port != 0 { if port == requested { return }; throw .EINVAL }
            if kernel.netlinkPorts.contains(requested) { throw .EADDRINUSE }
            port = requested
        } else if port == 0 {
            var candidate = UInt32(bitPattern: pid)
            var rover = UInt32(bitPattern: -4096)
            while kernel.netlinkPorts.contains(candidate) { candidate = rover; rover &-= 1 }
            port = candidate
        }
        kernel.netlinkPorts.insert(port)
    }

    /// Takes the requests in `data` (sent to the kernel) and queues their answers.
    func send(_ data: [UInt8]) {
        let answers = RouteNetlink.answer(data, port: port, capAcknowledgements: netlinkOptions.contains(10),
                                          interfaces: kernel.networkInterfaces, log: { kernel.log($0) })
        if answers.isEmpty { return }
        datagrams += answers
        readers.wakeAll(kernel)
    }

    /// The next datagram into `buffer`: (bytes copied, the datagram's length); EAGAIN when none.
    func receive(into buffer: UnsafeMutableRawBufferPointer, peek: Bool) throws(Errno) -> (Int, Int) {
        guard let d = datagrams.first else { throw .EAGAIN }
        let n = min(d.count, buffer.count)
        if n > 0 { d.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) } }
        if !peek { datagrams.removeFirst() }
        return (n, d.count)
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try receive(into: buffer, peek: false).0
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        send(Array(buffer))
        return buffer.count
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.socketStat(serial: serial) }

    override func readiness(_ events: Int16) -> Int16 {
        (datagrams.isEmpty ? PollRequest.writable : PollRequest.readable | PollRequest.writable) & events
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { readers }
    override func waitTimeout(for events: Int16) -> UInt64 { events & PollRequest.readable != 0 ? receiveTimeout : sendTimeout }
}
