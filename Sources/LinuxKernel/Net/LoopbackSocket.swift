/// A TCP or UDP socket on the kernel's loopback network (`--network none`). A TCP connection is
/// a connected pair of AF_UNIX stream ends (UnixSocket) carrying the bytes; UDP datagrams are
/// queued here with their sender's address. A listener whose port is published (`-p`) also
/// accepts the host connections waiting on the published host socket.
final class LoopbackSocket: InetSocket {
    static let maximumDatagram = 65507
    static let readHangUp: Int16 = 0x2000   // POLLRDHUP
    unowned(unsafe) let network: LoopbackNetwork

    var local: LoopbackEndpoint?
    var remote: LoopbackEndpoint?
    /// The address a connected socket reports (its source address once bound to a wildcard).
    private var connectedLocal: LoopbackEndpoint?
    /// TCP: the carrier of the connection's bytes.
    private var connection: UnixSocket?
    private var wasConnected = false
    /// A write after the peer closed has been swallowed (TCP's reset).
    private var peerResetSeen = false
    private(set) var listening = false
    private var backlog: [LoopbackSocket] = []
    private let acceptQueue = WaitQueue()
    /// UDP: received datagrams with their senders (as this socket sees them).
    private var datagrams: [(SocketAddress, [UInt8])] = []
    private var datagramBytes = 0
    private let datagramReaders = WaitQueue()
    private var datagramReadShutdown = false
    private var datagramWriteShutdown = false
    /// An error reported by the next call (a connected UDP socket's unreachable peer).
    private var pendingError: Errno?
    private var options: [SocketOption: Int32] = [.receiveBuffer: 212_992, .sendBuffer: 212_992]

    init(network: LoopbackNetwork, family: Int32, type: Int32, protocolNumber: Int32, flags: Int32, kernel: Kernel) {
        self.network = network
        super.init(family: family, type: type, protocolNumber: protocolNumber, flags: flags, kernel: kernel)
    }

    var v6Only: Bool { options[.ipv6Only, default: 0] != 0 }
    var reuseAddress: Bool { options[.reuseAddress, default: 0] != 0 }
    var reusePort: Bool { options[.reusePort, default: 0] != 0 }

    override func lastReferenceClosed() {
        network.unbind(self)
        closeConnection()
        for s in backlog { s.closeConnection() }
        backlog = []
        acceptQueue.wakeAll(kernel)
        datagrams = []
        datagramReaders.wakeAll(kernel)
    }

    private func closeConnection() {
        connection?.lastReferenceClosed()
        connection = nil
    }

    /// A guest address for this socket's family, checked for reachability on loopback.
    private func endpoint(_ a: SocketAddress) throws(Errno) -> LoopbackEndpoint {
        if a.family != family { throw .EAFNOSUPPORT }
        let e = LoopbackEndpoint(a)
        if family == SocketAddress.inet6 && v6Only && e.isMapped { throw .ENETUNREACH }
        return e
    }

    /// The unspecified address of this socket's family, port 0 (what autobinding binds to).
    private var wildcard: LoopbackEndpoint {
        LoopbackEndpoint(address: family == SocketAddress.inet ? LoopbackEndpoint.v4Any : LoopbackEndpoint.v6Any, port: 0)
    }

    private func autobind(toward destination: LoopbackEndpoint) throws(Errno) {
        if local == nil { try network.bind(self, wildcard) }
    }

    /// This end's address toward `destination`: the bound one, or the loopback address of the
    /// destination's family when bound to a wildcard.
    private func source(toward destination: LoopbackEndpoint) -> LoopbackEndpoint {
        var s = local!
        if s.isWildcard { s.address = destination.isMapped ? LoopbackEndpoint.v4Loopback : LoopbackEndpoint.v6Loopback }
        return s
    }

    // MARK: Operations

    override func bind(_ address: SocketAddress) throws(Errno) {
        if local != nil { throw .EINVAL }
        try network.bind(self, try endpoint(address))
    }

    override func listen(backlog: Int32) throws(Errno) {
        if connection != nil || wasConnected { throw .EINVAL }
        if local == nil { try network.bind(self, wildcard) }
        listening = true
    }

    override func accept() throws(Errno) -> (InetSocket, SocketAddress?) {
        if !listening { throw .EINVAL }
        if !backlog.isEmpty {
            let s = backlog.removeFirst()
            return (s, s.remote?.presented(to: family))
        }
        if let fd = network.published[local!.port] {
            let (client, peer) = try kernel.host.accept(fd)
            let s = HostSocket(host: kernel.host, fd: client, family: peer?.family ?? family, type: type,
                               protocolNumber: protocolNumber, flags: 0, kernel: kernel)
            let here = LoopbackEndpoint(address: peer?.family == SocketAddress.inet6 ? LoopbackEndpoint.v6Loopback : LoopbackEndpoint.v4Loopback, port: local!.port)
            s.reportedLocalAddress = here.presented(to: s.family)
            s.confinedToConnection = true
            return (s, peer)
        }
        throw .EAGAIN
    }

    override func connect(_ address: SocketAddress) throws(Errno) {
        if !isStream && address.family == SocketAddress.unspecified {
            remote = nil
            connectedLocal = nil
            return
        }
        let destination = try endpoint(address).destination
        if !destination.isLocal { throw .ENETUNREACH }
        if !isStream {
            try autobind(toward: destination)
            remote = destination
            connectedLocal = source(toward: destination)
            pendingError = nil
            return
        }
        if listening { throw .EINVAL }
        if connection != nil { throw .EISCONN }
        if wasConnected { throw .EISCONN }
        try autobind(toward: destination)
        let here = source(toward: destination)
        guard let listener = network.receiver(type: type, for: destination, from: here), listener.backlog.count < 4096 else {
            throw .ECONNREFUSED
        }
        let server = LoopbackSocket(network: network, family: listener.family, type: type, protocolNumber: protocolNumber,
                                    flags: 0, kernel: kernel)
        let (a, b) = UnixSocket.pair(kind: .stream, flags: 0, kernel: kernel)
        connection = a
        server.connection = b
        wasConnected = true
        server.wasConnected = true
        remote = destination
        connectedLocal = here
        server.local = LoopbackEndpoint(address: destination.address, port: listener.local!.port)
        server.connectedLocal = server.local
        server.remote = here
        listener.backlog.append(server)
        listener.acceptQueue.wakeAll(kernel)
    }

    override func send(_ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        if let e = pendingError { pendingError = nil; throw e }
        if flags & SocketMessageFlags.outOfBand != 0 { throw .EOPNOTSUPP }
        if isStream {
            guard let c = connection else { throw .EPIPE }   // as Linux TCP, connected or not
            if c.peer == nil && !peerResetSeen {
                // The peer closed: like TCP, the first write still "succeeds" and draws the
                // reset that makes later ones fail with EPIPE.
                peerResetSeen = true
                return data.count
            }
            return try c.send(data)
        }
        if datagramWriteShutdown { throw .EPIPE }
        let destination: LoopbackEndpoint
        if let address {
            destination = try endpoint(address).destination
            if !destination.isLocal { throw .ENETUNREACH }
        } else {
            guard let r = remote else { throw .EDESTADDRREQ }
            destination = r
        }
        if data.count > LoopbackSocket.maximumDatagram { throw .EMSGSIZE }
        try autobind(toward: destination)
        let from = source(toward: destination)
        guard let receiver = network.receiver(type: type, for: destination, from: from) else {
            // Nobody listens: the datagram is lost; a connected socket hears of it (ICMP port unreachable).
            // (IP_RECVERR asks for it on unconnected sockets too.)
            let receiveErrors = options[.ipReceiveErrors, default: 0] != 0 || options[.ipv6ReceiveErrors, default: 0] != 0
            if remote != nil || receiveErrors { pendingError = .ECONNREFUSED }
            return data.count
        }
        receiver.deliver(Array(data), from: from)
        return data.count
    }

    private func deliver(_ bytes: [UInt8], from: LoopbackEndpoint) {
        if datagramBytes + bytes.count > Int(options[.receiveBuffer, default: 212_992]) { return }   // dropped, as UDP does
        datagrams.append((from.presented(to: family), bytes))
        datagramBytes += bytes.count
        datagramReaders.wakeAll(kernel)
    }

    override func receive(into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        if let e = pendingError { pendingError = nil; throw e }
        if flags & SocketMessageFlags.outOfBand != 0 { throw .EINVAL }
        let peek = flags & SocketMessageFlags.peek != 0
        if isStream {
            guard let c = connection else {
                if wasConnected { return SocketReceived(count: 0, fullLength: 0, source: nil, truncated: false) }
                throw .ENOTCONN
            }
            let (n, _) = try c.receive(into: buffer, peek: peek)
            return SocketReceived(count: n, fullLength: n, source: nil, truncated: false)
        }
        guard let (from, bytes) = datagrams.first else {
            if datagramReadShutdown { return SocketReceived(count: 0, fullLength: 0, source: nil, truncated: false) }
            throw .EAGAIN
        }
        let n = min(buffer.count, bytes.count)
        bytes.withUnsafeBytes { src in
            if n > 0 { buffer.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n) }
        }
        if !peek {
            datagrams.removeFirst()
            datagramBytes -= bytes.count
        }
        return SocketReceived(count: n, fullLength: bytes.count, source: from, truncated: n < bytes.count)
    }

    override func shutdown(how: Int32) throws(Errno) {
        if let c = connection {
            c.shutdown(how: how)
            return
        }
        if listening {
            // Shutting a listener's reading side stops it listening; waiting connections are reset.
            if how == 1 { return }
            listening = false
            for s in backlog { s.closeConnection() }
            backlog = []
            acceptQueue.wakeAll(kernel)
            return
        }
        if isStream { throw .ENOTCONN }
        // UDP: the directions close even on an unconnected socket, which is still ENOTCONN.
        if how != 1 { datagramReadShutdown = true; datagramReaders.wakeAll(kernel) }
        if how != 0 { datagramWriteShutdown = true }
        if remote == nil { throw .ENOTCONN }
    }

    override func address(peer: Bool) throws(Errno) -> SocketAddress {
        if peer {
            guard let r = remote, connection != nil || !isStream || wasConnected else { throw .ENOTCONN }
            return r.presented(to: family)
        }
        return (connectedLocal ?? local ?? wildcard).presented(to: family)
    }

    override func option(_ option: SocketOption) throws(Errno) -> Int32 {
        switch option {
        case .error:
            let e = pendingError
            pendingError = nil
            return e?.rawValue ?? 0
        case .acceptConnection: return listening ? 1 : 0
        case .linger: return options[.linger, default: -1]
        case .tcpMaxSegment: return 65483
        case .ipTimeToLive, .ipv6UnicastHops: return options[option, default: 64]
        case .tcpKeepIdle: return options[option, default: 7200]
        case .tcpKeepInterval: return options[option, default: 75]
        case .tcpKeepCount: return options[option, default: 9]
        default: return options[option, default: 0]
        }
    }

    override func setOption(_ option: SocketOption, _ value: Int32) throws(Errno) {
        switch option {
        case .receiveBuffer, .sendBuffer:
            // Linux doubles the request (bookkeeping overhead) within its limits.
            options[option] = max(option == .receiveBuffer ? 2304 : 4608, min(value, 212_992) * 2)
        case .ipv6Only:
            if local != nil { throw .EINVAL }
            options[option] = value != 0 ? 1 : 0
        case .tcpKeepIdle, .tcpKeepInterval, .tcpKeepCount, .ipTimeToLive, .ipv6UnicastHops:
            if value < 1 && !(value == -1 && (option == .ipTimeToLive || option == .ipv6UnicastHops)) { throw .EINVAL }
            options[option] = value == -1 ? 64 : value
        case .linger:
            options[option] = value
        case .tcpMaxSegment, .ipTypeOfService:
            options[option] = value
        default:
            options[option] = value != 0 ? 1 : 0
        }
    }

    override func bytesAvailable() throws(Errno) -> Int {
        if isStream { return connection?.pendingBytes ?? 0 }
        return datagrams.first?.1.count ?? 0
    }

    // MARK: Readiness

    override func readiness(_ events: Int16) -> Int16 {
        let always = PollRequest.hangUp | PollRequest.error
        var r: Int16 = 0
        if isStream {
            if listening {
                if !backlog.isEmpty { r |= PollRequest.readable }
                else if let fd = network.published[local!.port] {
                    var request = PollRequest(fd: fd, events: PollRequest.readable)
                    _ = withUnsafeMutablePointer(to: &request) { p in kernel.host.poll(UnsafeMutableBufferPointer(start: p, count: 1), timeout: 0) }
                    r |= request.returnedEvents & PollRequest.readable
                }
                return r & events
            }
            if let c = connection {
                // POLLRDHUP: the peer will send no more.
                let peerDone = c.readShutdown || c.peer == nil ? LoopbackSocket.readHangUp : 0
                return c.readiness(events) | (peerDone & events)
            }
            r = wasConnected ? PollRequest.readable | PollRequest.writable | PollRequest.hangUp : PollRequest.writable | PollRequest.hangUp
            return r & (events | always)
        }
        if !datagrams.isEmpty || datagramReadShutdown { r |= PollRequest.readable }
        if pendingError != nil { r |= PollRequest.error }
        r |= PollRequest.writable
        return r & (events | always)
    }

    override func waitQueue(for events: Int16) -> WaitQueue? {
        if !isStream { return datagramReaders }
        if listening { return acceptQueue }
        return connection?.waitQueue(for: events)
    }

    override func waitQueues(for events: Int16) -> [WaitQueue] {
        if isStream, !listening, let c = connection { return c.waitQueues(for: events) }
        return waitQueue(for: events).map { [$0] } ?? []
    }

    override var hostPollDescriptor: HostFD? {
        guard listening, let port = local?.port else { return nil }
        return network.published[port]
    }
}
