/// One end of a connected AF_UNIX socket (socketpair, or connect/accept): stream sockets move
/// bytes through a buffer like a pipe's; datagram and seqpacket sockets keep message boundaries.
final class UnixSocket: FileDescription {
    static let bufferLimit = 212_992   // net.core.rmem_default
    enum Kind: Int32 { case stream = 1, datagram = 2, seqpacket = 5 }

    let kind: Kind
    unowned(unsafe) let kernel: Kernel
    /// The other end; nil until connected (and after it is gone).
    var peer: UnixSocket?
    var isConnected = false
    var wasConnected = false
    /// Messages received (a stream socket appends into the last one unless descriptors ride
    /// with either), with the descriptions passed along (SCM_RIGHTS), held until received.
    private var incoming: [[UInt8]] = []
    private var incomingRights: [[FileDescription]] = []
    /// Each message's sender's address as bind gave it (empty: unnamed), which recvfrom and
    /// recvmsg report.
    private var incomingSenders: [[UInt8]] = []
    private var incomingBytes = 0
    var readShutdown = false
    var writeShutdown = false
    /// Tasks waiting to read from / write to this end.
    let readers = WaitQueue()
    let writers = WaitQueue()
    /// bind/listen state for path-named sockets: the name connections look up (the canonical
    /// guest path, or "\0name" for abstract ones) and the address as bind was given it, which
    /// getsockname, getpeername and accept show (Linux shows a relative path as it was given).
    var boundName: [UInt8]?
    var boundAddress: [UInt8]?
    /// The socket node bind made, held while the socket lives (`FileSystem.pinNode`).
    var boundNode: PinnedNode?
    var listening = false
    /// SO_REUSEADDR: kept for getsockopt; as on Linux it changes nothing for AF_UNIX (redis sets it).
    var reuseAddress = false
    var backlog: [UnixSocket] = []
    var backlogLimit = 0
    let serial: UInt64
    /// SO_RCVTIMEO / SO_SNDTIMEO in nanoseconds (0: wait forever).
    /// SO_PEERCRED (Linux's sk_peer_cred): the pid, effective uid and gid of whoever made the
    /// other end (socketpair, connect's caller for an accepted socket) or, for a connecting
    /// socket, of the listener's caller of listen; nil until then (pid 0, ids -1).
    var peerCredentials: (pid: Int32, uid: UInt32, gid: UInt32)?
    var receiveTimeout: UInt64 = 0
    var sendTimeout: UInt64 = 0
    override func waitTimeout(for events: Int16) -> UInt64 { events & PollRequest.readable != 0 ? receiveTimeout : sendTimeout }

    init(kind: Kind, flags: Int32, kernel: Kernel) {
        self.kind = kind
        self.kernel = kernel
        serial = kernel.nextAnonymousNumber(above: 0x20000)
        super.init(flags: LinuxOpenFlags.readWrite | (flags & LinuxOpenFlags.nonBlocking), path: Array("socket:[\(serial)]".utf8))
    }

    static func pair(kind: Kind, flags: Int32, kernel: Kernel) -> (UnixSocket, UnixSocket) {
        let a = UnixSocket(kind: kind, flags: flags, kernel: kernel)
        let b = UnixSocket(kind: kind, flags: flags, kernel: kernel)
        connect(a, b)
        return (a, b)
    }

    static func connect(_ a: UnixSocket, _ b: UnixSocket) {
        a.peer = b; b.peer = a
        a.isConnected = true; b.isConnected = true
        a.wasConnected = true; b.wasConnected = true
    }

    override func lastReferenceClosed() {
        if let p = peer {
            p.peer = nil
            p.readers.wakeAll(kernel)
            p.writers.wakeAll(kernel)
        }
        peer = nil
        readers.wakeAll(kernel)
        if let name = boundName, kernel.socketNames[name] === self { kernel.socketNames[name] = nil }
        boundNode = nil
        let inFlight = incomingRights
        incomingRights = []
        incoming = []
        incomingSenders = []
        for rights in inFlight { for d in rights { d.release() } }
    }

    // MARK: Data

    /// Queues `data` at the peer (or, for a datagram socket, at `target`: sendto's address);
    /// EAGAIN when its buffer is full. `rights` travel with the data.
    func send(_ data: UnsafeRawBufferPointer, rights: [FileDescription] = [], to target: UnixSocket? = nil) throws(Errno) -> Int {
        if writeShutdown { throw .EPIPE }
        guard let p = target ?? peer else { throw wasConnected ? .EPIPE : .ENOTCONN }
        let sender = boundAddress ?? []
        if p.readShutdown && kind == .stream { throw .EPIPE }
        let space = UnixSocket.bufferLimit - p.incomingBytes
        if kind == .stream {
            if space <= 0 { throw .EAGAIN }
            let n = min(space, data.count)
            if n == 0 { return 0 }
            let bytes = Array(UnsafeRawBufferPointer(rebasing: data[0..<n]))
            if p.incoming.isEmpty || !rights.isEmpty || !p.incomingRights[p.incomingRights.count - 1].isEmpty {
                p.incoming.append(bytes)
                p.incomingRights.append(rights)
                p.incomingSenders.append(sender)
                for d in rights { d.retain() }
            } else {
                p.incoming[p.incoming.count - 1].append(contentsOf: bytes)
            }
            p.incomingBytes += n
            p.readers.wakeAll(kernel)
            return n
        }
        if data.count > UnixSocket.bufferLimit { throw .EMSGSIZE }
        if space < data.count { throw .EAGAIN }
        p.incoming.append(Array(data))
        p.incomingRights.append(rights)
        p.incomingSenders.append(sender)
        for d in rights { d.retain() }
        p.incomingBytes += data.count
        p.readers.wakeAll(kernel)
        return data.count
    }

    /// Takes up to `buffer.count` bytes; returns (bytes, full message length). EAGAIN when empty.
    /// The descriptions that came with the message are handed over in `rights` (the caller
    /// installs them and releases the in-flight reference).
    func receive(into buffer: UnsafeMutableRawBufferPointer, peek: Bool) throws(Errno) -> (Int, Int) {
        var rights: [FileDescription] = []
        var sender: [UInt8] = []
        return try receive(into: buffer, peek: peek, rights: &rights, sender: &sender)
    }

    /// As above; `sender` gets the address of the socket that sent the message.
    func receive(into buffer: UnsafeMutableRawBufferPointer, peek: Bool, rights: inout [FileDescription],
                 sender: inout [UInt8]) throws(Errno) -> (Int, Int) {
        if incoming.isEmpty {
            if readShutdown || (peer == nil && wasConnected) { return (0, 0) }
            if !isConnected && kind != .datagram { throw .ENOTCONN }
            throw .EAGAIN
        }
        let message = incoming[0]
        sender = incomingSenders[0]
        let n = min(buffer.count, message.count)
        message.withUnsafeBytes { src in
            if n > 0 { buffer.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n) }
        }
        if !peek {
            rights = incomingRights[0]
            incomingRights[0] = []
            if kind == .stream && n < message.count {
                incoming[0].removeFirst(n)
                incomingBytes -= n
            } else {
                incoming.removeFirst()
                incomingRights.removeFirst()
                incomingSenders.removeFirst()
                incomingBytes -= message.count
            }
            peer?.writers.wakeAll(kernel)
            writers.wakeAll(kernel)   // senders by address wait here (`Kernel.transferSend`)
        }
        return (n, message.count)
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try receive(into: buffer, peek: false).0
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try send(buffer)
    }

    override var isByteStream: Bool { kind == .stream }

    override func writeCapacity() -> Int? {
        guard kind == .stream, !writeShutdown, let p = peer, !p.readShutdown else { return nil }
        return max(0, UnixSocket.bufferLimit - p.incomingBytes)
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.socketStat(serial: serial) }

    override func readiness(_ events: Int16) -> Int16 {
        var r: Int16 = 0
        if listening {
            if !backlog.isEmpty { r |= PollRequest.readable }
            return r & events
        }
        if !incoming.isEmpty || readShutdown || (peer == nil && wasConnected) { r |= PollRequest.readable }
        if let p = peer, UnixSocket.bufferLimit - p.incomingBytes > 0, !writeShutdown { r |= PollRequest.writable }
        if peer == nil && wasConnected { r |= PollRequest.hangUp }
        if !wasConnected && kind != .datagram { r |= PollRequest.hangUp | PollRequest.writable }
        return r & (events | PollRequest.hangUp | PollRequest.error)
    }

    override func waitQueue(for events: Int16) -> WaitQueue? {
        events & PollRequest.readable != 0 ? readers : writers
    }

    override func waitQueues(for events: Int16) -> [WaitQueue] {
        let both = PollRequest.readable | PollRequest.writable
        return events & both == both ? [readers, writers] : [events & PollRequest.readable != 0 ? readers : writers]
    }

    /// Bytes waiting to be received (FIONREAD).
    var pendingBytes: Int { kind == .stream ? incomingBytes : (incoming.first?.count ?? 0) }

    /// shutdown(2): SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2.
    func shutdown(how: Int32) {
        if how != 1 { readShutdown = true; readers.wakeAll(kernel) }
        if how != 0 {
            writeShutdown = true
            if let p = peer { p.readShutdown = true; p.readers.wakeAll(kernel) }
        }
    }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if request == TerminalIoctl.FIONREAD {
            try task.store(Int32(clamping: pendingBytes), at: arg)
            return 0
        }
        throw .ENOTTY
    }
}
