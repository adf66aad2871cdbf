/// A guest AF_INET/AF_INET6 socket that is a host socket (`--network host`). The host socket is
/// non-blocking; readiness comes from polling it.
final class HostSocket: InetSocket {
    let host: Host
    let fd: HostFD
    /// The address getsockname reports instead of the host's (a published port's connections
    /// show the guest port they were published to).
    var reportedLocalAddress: SocketAddress?
    /// A connection accepted on a published port under `--network none`: it must never become a
    /// way out, so it cannot be disconnected and connected elsewhere (connect with AF_UNSPEC
    /// would do that on Linux), bound or made a listener.
    var confinedToConnection = false
    /// A datagram socket the guest shut for reading (see `receive`).
    private var readShutdown = false

    init(host: Host, fd: HostFD, family: Int32, type: Int32, protocolNumber: Int32, flags: Int32, kernel: Kernel) {
        self.host = host
        self.fd = fd
        super.init(family: family, type: type, protocolNumber: protocolNumber, flags: flags, kernel: kernel)
    }

    override func lastReferenceClosed() { host.close(fd) }

    override func bind(_ address: SocketAddress) throws(Errno) {
        if confinedToConnection { throw .EINVAL }   // as for any connected socket
        try host.bind(fd, to: address)
    }

    override func listen(backlog: Int32) throws(Errno) {
        if confinedToConnection { throw .EINVAL }
        try host.listen(fd, backlog: backlog)
    }

    override func accept() throws(Errno) -> (InetSocket, SocketAddress?) {
        guestReads &+= 1
        let (client, peer) = try host.accept(fd)
        return (HostSocket(host: host, fd: client, family: family, type: type, protocolNumber: protocolNumber, flags: 0, kernel: kernel), peer)
    }

    override func connect(_ address: SocketAddress) throws(Errno) {
        if confinedToConnection {
            kernel.log("connect: a published port's connection stays connected (the network is the container's own)")
            throw address.family == SocketAddress.unspecified ? .ENETUNREACH : .EISCONN
        }
        guestWrites &+= 1
        try host.connect(fd, to: address)
    }

    override func send(_ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        try send(data, control: UnsafeRawBufferPointer(start: nil, count: 0), flags: flags, to: address)
    }

    override func send(_ data: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        // Only a send that did not take everything counts: Linux reports writable again only
        // after the socket ran out of room (SOCK_NOSPACE), not after every send.
        do throws(Errno) {
            let n = control.count > 0
                ? try host.send(fd, data, control: control, flags: flags & SocketMessageFlags.passedToHost, to: address)
                : try host.send(fd, data, flags: flags & SocketMessageFlags.passedToHost, to: address)
            if n < data.count { guestWrites &+= 1 }
            return n
        } catch {
            if error == .EAGAIN { guestWrites &+= 1 }
            throw error
        }
    }

    override func receive(into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        try receive(into: buffer, control: UnsafeMutableRawBufferPointer(start: nil, count: 0), flags: flags)
    }

    override func receive(into buffer: UnsafeMutableRawBufferPointer, control: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        var passed = flags & SocketMessageFlags.passedToHost
        if isStream { passed &= ~SocketMessageFlags.truncate }   // on TCP MSG_TRUNC discards data
        guestReads &+= 1
        do throws(Errno) {
            return control.count > 0
                ? try host.receive(fd, into: buffer, control: control, flags: passed)
                : try host.receive(fd, into: buffer, flags: passed)
        } catch {
            // A UDP socket shut for reading polls readable, yet a non-blocking receive says
            // EAGAIN where the guest's blocking one returns 0 at once.
            let guestBlocks = !isNonBlocking && flags & SocketMessageFlags.dontWait == 0
            if error == .EAGAIN && readShutdown && guestBlocks { return SocketReceived(count: 0, fullLength: 0, source: nil, truncated: false) }
            throw error
        }
    }

    override func shutdown(how: Int32) throws(Errno) {
        if !isStream && how != 1 { readShutdown = true }
        try host.shutdown(fd, how: how)
    }

    override func address(peer: Bool) throws(Errno) -> SocketAddress {
        if !peer, let a = reportedLocalAddress { return a }
        return try host.socketAddress(fd, peer: peer)
    }

    override func option(_ option: SocketOption) throws(Errno) -> Int32 { try host.socketOption(fd, option) }
    override func setOption(_ option: SocketOption, _ value: Int32) throws(Errno) { try host.setSocketOption(fd, option, value) }
    override func bytesAvailable() throws(Errno) -> Int { try host.bytesAvailable(fd) }

    override func readiness(_ events: Int16) -> Int16 {
        var request = PollRequest(fd: fd, events: events)
        _ = withUnsafeMutablePointer(to: &request) { p in host.poll(UnsafeMutableBufferPointer(start: p, count: 1), timeout: 0) }
        return request.returnedEvents
    }

    override var hostPollDescriptor: HostFD? { fd }
}
