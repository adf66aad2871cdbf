#if !SKIFF_SINGLE_MODULE
import LinuxKernel
#endif

/// Guest TCP connections made outside the module by a relay (docs/convert.md, "Networking").
///
/// WASI preview 1 cannot open a connection, but a runtime can pass the module a listening socket,
/// and `sock_accept` on it gives the module a byte stream. The relay behind that socket (the web
/// page's worker bridging to `skiff serve --network host`) makes the real connections: each
/// guest connection is one accepted stream. The module writes one request line and reads one
/// answer line, then the stream carries the connection's bytes both ways:
///
///     module: connect FAMILY ADDRESS PORT\n      FAMILY 2 or 10, ADDRESS the address bytes in hex
///     relay:  ok ADDRESS PORT\n                  the relay's local end of the connection
///          or error ERRNO\n                      a Linux errno: why the connection failed
///
/// Shutting the module's side for writing shuts the relay's connection for writing; end of
/// stream from the relay is the peer's end of data. The guest's sockets are non-blocking here as
/// all host sockets are (the kernel does the guest's blocking by polling): a connection being made
/// polls writable once the answer has come.
///
/// Not relayed (each fails with the errno Linux gives where it is not possible): UDP sockets,
/// listening and accepting, socket options other than SO_ERROR.
final class WasiRelay {
    /// The descriptors of relayed sockets are the kernel's handles, not WASI descriptors: they
    /// start here, far above what a runtime hands out.
    static let firstDescriptor: HostFD = 0x4000_0000

    let listener: HostFD
    private var sockets: [HostFD: RelaySocket] = [:]
    private var nextDescriptor = WasiRelay.firstDescriptor

    init(listener: HostFD) { self.listener = listener }

    /// The listening socket the runtime passed in, if any.
    static func find() -> WasiRelay? {
        let fd = wasiFindListener()
        return fd < 0 ? nil : WasiRelay(listener: fd)
    }

    func owns(_ fd: HostFD) -> Bool { fd >= WasiRelay.firstDescriptor }

    private func socket(_ fd: HostFD) throws(Errno) -> RelaySocket {
        guard let s = sockets[fd] else { throw .EBADF }
        return s
    }

    // MARK: The Host calls

    func socket(family: Int32, type: Int32) throws(Errno) -> HostFD {
        // UDP would need datagrams framed over the stream; not relayed (yet).
        if type != 1 { throw .EAFNOSUPPORT }
        let fd = nextDescriptor
        nextDescriptor += 1
        sockets[fd] = RelaySocket(family: family)
        return fd
    }

    func close(_ fd: HostFD) {
        guard let s = sockets.removeValue(forKey: fd) else { return }
        if s.channel >= 0 { _ = wasiClose(s.channel) }
    }

    /// Binding a socket before connecting it: only to "any address, any port" (what the relay's
    /// own connection is); anything else would be a promise the relay cannot keep.
    func bind(_ fd: HostFD, to address: SocketAddress) throws(Errno) {
        let s = try socket(fd)
        guard case .fresh = s.state else { throw .EINVAL }
        if address.port != 0 || address.address.contains(where: { $0 != 0 }) { throw .EADDRNOTAVAIL }
    }

    func connect(_ fd: HostFD, to address: SocketAddress) throws(Errno) {
        let s = try socket(fd)
        switch s.state {
        case .connected: throw .EISCONN
        case .connecting: throw .EALREADY
        case .failed: throw s.takeFailure()
        case .fresh: break
        }
        if address.family != s.family { throw .EAFNOSUPPORT }
        let channel = try acceptChannel()
        var request = "connect \(address.family) "
        for byte in address.address { request += hexByte(byte) }
        request += " \(address.port)\n"
        let line = Array(request.utf8)
        let written = line.withUnsafeBytes { b in wasiWrite(channel, b.baseAddress, b.count) }
        if written != Int64(line.count) {
            _ = wasiClose(channel)
            throw .ENETUNREACH
        }
        s.channel = channel
        s.peer = address
        s.state = .connecting
        throw .EINPROGRESS
    }

    /// A fresh stream from the relay. The page's relay hands one out at once; a relay on another
    /// runtime may take a moment to open it, so this waits up to five seconds.
    private func acceptChannel() throws(Errno) -> HostFD {
        var waited: Int64 = 0
        while true {
            let fd = wasiAccept(listener)
            if fd >= 0 { return fd }
            if fd != -Errno.EAGAIN.rawValue || waited >= 5_000_000_000 { throw .ENETUNREACH }
            var fds: [Int32] = [listener]
            var events: [Int16] = [PollRequest.readable]
            var returned: [Int16] = [0]
            _ = wasiPoll(&fds, &events, &returned, 1, 100_000_000)
            waited += 100_000_000
        }
    }

    func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer) throws(Errno) -> Int {
        let s = try socket(fd)
        switch s.state {
        case .connected:
            if s.writeShutdown { throw .EPIPE }
            let n = wasiWrite(s.channel, data.baseAddress, data.count)
            if n < 0 { throw n == -Int64(Errno.EAGAIN.rawValue) ? .EAGAIN : .EPIPE }
            return Int(n)
        case .connecting: throw .EAGAIN
        case .failed: throw s.takeFailure()
        case .fresh: throw .ENOTCONN
        }
    }

    func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        let s = try socket(fd)
        switch s.state {
        case .connected: break
        case .connecting: throw .EAGAIN
        case .failed: throw s.takeFailure()
        case .fresh: throw .ENOTCONN
        }
        if s.readShutdown { return SocketReceived(count: 0, fullLength: 0, source: nil, truncated: false) }
        if s.received.isEmpty && !s.endOfInput { try fill(s) }
        if s.received.isEmpty {
            if s.endOfInput { return SocketReceived(count: 0, fullLength: 0, source: nil, truncated: false) }
            throw .EAGAIN
        }
        let n = min(buffer.count, s.received.count)
        for i in 0..<n { buffer[i] = s.received[i] }
        if flags & SocketMessageFlags.peek == 0 { s.received.removeFirst(n) }
        return SocketReceived(count: n, fullLength: n, source: nil, truncated: false)
    }

    /// Reads what the relay has sent (without waiting) into the socket's read-ahead.
    private func fill(_ s: RelaySocket) throws(Errno) {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { b in wasiRead(s.channel, b.baseAddress, b.count) }
        if n == -Int64(Errno.EAGAIN.rawValue) { return }
        if n <= 0 {
            s.endOfInput = true   // end of stream, or the relay's stream broke
            return
        }
        s.received += chunk[0..<Int(n)]
    }

    func shutdown(_ fd: HostFD, how: Int32) throws(Errno) {
        let s = try socket(fd)
        guard case .connected = s.state else { throw .ENOTCONN }
        if how == 0 || how == 2 { s.readShutdown = true }
        if (how == 1 || how == 2) && !s.writeShutdown {
            s.writeShutdown = true
            _ = wasiShutdown(s.channel, 1)
        }
    }

    func socketAddress(_ fd: HostFD, peer: Bool) throws(Errno) -> SocketAddress {
        let s = try socket(fd)
        if peer {
            guard case .connected = s.state, let p = s.peer else { throw .ENOTCONN }
            return p
        }
        if let local = s.local { return local }
        return SocketAddress(family: s.family, address: [UInt8](repeating: 0, count: s.family == SocketAddress.inet6 ? 16 : 4), port: 0)
    }

    /// SO_ERROR: why a connection failed (once), else 0. Other options have no meaning for a
    /// relayed connection.
    func socketOption(_ fd: HostFD, _ option: SocketOption) throws(Errno) -> Int32 {
        let s = try socket(fd)
        guard option == .error else { throw .ENOPROTOOPT }
        if case .failed = s.state { return s.takeFailure().rawValue }
        return 0
    }

    func bytesAvailable(_ fd: HostFD) throws(Errno) -> Int {
        let s = try socket(fd)
        if case .connected = s.state, s.received.isEmpty, !s.endOfInput { try fill(s) }
        return s.received.count
    }

    // MARK: Waiting

    /// Readiness of relayed sockets for `poll`: what a socket can tell without the runtime
    /// (read-ahead, a finished or failed connection, an unconnected socket) is answered here;
    /// for the rest, the request to the runtime names the socket's stream instead. `settle` runs
    /// after the runtime's poll with what it reported for those streams.
    func prepare(_ request: PollRequest) -> (immediate: Int16?, channel: PollRequest?) {
        guard let s = sockets[request.fd] else { return (PollRequest.invalid, nil) }
        switch s.state {
        case .fresh: return (PollRequest.writable | PollRequest.hangUp, nil)   // as Linux: unconnected TCP
        case .failed: return (PollRequest.writable | PollRequest.error | PollRequest.hangUp, nil)
        case .connecting:
            // The answer line arriving is what makes the socket writable (or failed).
            return (nil, PollRequest(fd: s.channel, events: PollRequest.readable))
        case .connected:
            // Read-ahead is ready now (and the relay's stream takes writes whenever it can).
            if !s.received.isEmpty || s.endOfInput || s.readShutdown {
                return (PollRequest.readable | (request.events & PollRequest.writable), nil)
            }
            return (nil, PollRequest(fd: s.channel, events: request.events & (PollRequest.readable | PollRequest.writable)))
        }
    }

    /// What a relayed socket is ready for, given what the runtime said of its stream.
    func settle(_ request: PollRequest, channelEvents: Int16) -> Int16 {
        guard let s = sockets[request.fd] else { return PollRequest.invalid }
        if case .connecting = s.state {
            if channelEvents != 0 { readAnswer(s) }
            if case .connecting = s.state { return 0 }
            return prepare(request).immediate ?? (PollRequest.writable | (s.received.isEmpty ? 0 : PollRequest.readable))
        }
        var ready = channelEvents & (PollRequest.readable | PollRequest.writable | PollRequest.hangUp | PollRequest.error)
        if !s.received.isEmpty || s.endOfInput { ready |= PollRequest.readable }
        return ready
    }

    /// Reads the relay's answer to `connect` as far as it has come.
    private func readAnswer(_ s: RelaySocket) {
        var byte: UInt8 = 0
        while true {
            let n = wasiRead(s.channel, &byte, 1)
            if n == -Int64(Errno.EAGAIN.rawValue) { return }
            if n <= 0 {
                s.state = .failed(.ECONNREFUSED)   // the relay closed without answering
                return
            }
            if byte != 0x0a {
                if s.answer.count > 256 { s.state = .failed(relayProtocolError); return }
                s.answer.append(byte)
                continue
            }
            let words = s.answer.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            s.answer = []
            if words.count == 3 && words[0] == "ok", let bytes = hexBytes(words[1]), let port = UInt16(words[2]) {
                s.local = SocketAddress(family: s.family, address: bytes, port: port)
                s.state = .connected
            } else if words.count == 2 && words[0] == "error", let errno = Int32(words[1]), errno > 0 {
                s.state = .failed(Errno(errno))
            } else {
                s.state = .failed(relayProtocolError)
            }
            return
        }
    }
}

/// One relayed guest socket.
final class RelaySocket {
    enum State { case fresh, connecting, connected, failed(Errno) }
    let family: Int32
    var state = State.fresh
    /// The stream from the relay (a WASI descriptor), once connecting.
    var channel: HostFD = -1
    /// The relay's answer line, as far as it has come.
    var answer: [UInt8] = []
    /// Bytes read from the relay that the guest has not taken yet.
    var received: [UInt8] = []
    var endOfInput = false
    var readShutdown = false
    var writeShutdown = false
    var peer: SocketAddress?
    var local: SocketAddress?

    init(family: Int32) { self.family = family }

    /// Why the connection failed, reported once (connect or SO_ERROR): the socket is then
    /// unconnected again and may connect anew, as on Linux.
    func takeFailure() -> Errno {
        guard case .failed(let error) = state else { return .ENOTCONN }
        if channel >= 0 { _ = wasiClose(channel) }
        channel = -1
        answer = []
        received = []
        endOfInput = false
        peer = nil
        local = nil
        state = .fresh
        return error
    }
}

private func hexByte(_ b: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
}

private func hexBytes(_ text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count == 8 || utf8.count == 32 else { return nil }
    var result: [UInt8] = []
    var i = 0
    while i < utf8.count {
        guard let high = hexValue(utf8[i]), let low = hexValue(utf8[i + 1]) else { return nil }
        result.append(high << 4 | low)
        i += 2
    }
    return result
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x61...0x66: return c - 0x61 + 10
    case 0x41...0x46: return c - 0x41 + 10
    default: return nil
    }
}

/// EPROTO: the relay answered something this module does not understand.
private let relayProtocolError = Errno(71)
