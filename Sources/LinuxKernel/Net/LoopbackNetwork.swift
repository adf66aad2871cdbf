/// The container's own loopback network (`--network none`): which loopback sockets are bound to
/// which ports, ephemeral port allocation, and the host listeners of published ports.
final class LoopbackNetwork {
    /// Bound sockets by protocol and port.
    private var bound: [Int: [LoopbackSocket]] = [:]
    private var nextEphemeral: UInt16 = 32768
    /// Guest TCP port -> host listening socket (`-p`).
    var published: [UInt16: HostFD] = [:]

    private func key(_ type: Int32, _ port: UInt16) -> Int { Int(type) << 16 | Int(port) }

    /// Binds `s` to `endpoint` (port 0: an ephemeral port). EADDRINUSE when another socket of the
    /// same protocol receives some of the same traffic on that port (SO_REUSEADDR/SO_REUSEPORT
    /// relax this as Linux does).
    func bind(_ s: LoopbackSocket, _ endpoint: LoopbackEndpoint) throws(Errno) {
        if !endpoint.isLocal { throw .EADDRNOTAVAIL }
        var e = endpoint
        if e.port == 0 {
            e.port = try ephemeralPort(s, endpoint)
        } else {
            for other in bound[key(s.type, e.port)] ?? [] where conflicts(s, e, other) { throw .EADDRINUSE }
        }
        s.local = e
        bound[key(s.type, e.port), default: []].append(s)
    }

    private func conflicts(_ s: LoopbackSocket, _ e: LoopbackEndpoint, _ other: LoopbackSocket) -> Bool {
        guard let o = other.local, LoopbackEndpoint.overlap(e, s.v6Only, o, other.v6Only) else { return false }
        if s.reusePort && other.reusePort { return false }
        if s.reuseAddress && other.reuseAddress && !(s.isStream && other.listening) { return false }
        return true
    }

    private func ephemeralPort(_ s: LoopbackSocket, _ e: LoopbackEndpoint) throws(Errno) -> UInt16 {
        for _ in 0..<28232 {
            let port = nextEphemeral
            nextEphemeral = nextEphemeral >= 60999 ? 32768 : nextEphemeral + 1
            var candidate = e
            candidate.port = port
            if !(bound[key(s.type, port)] ?? []).contains(where: { conflicts(s, candidate, $0) }) { return port }
        }
        throw .EADDRINUSE
    }

    func unbind(_ s: LoopbackSocket) {
        guard let e = s.local else { return }
        let k = key(s.type, e.port)
        bound[k]?.removeAll { $0 === s }
        if bound[k]?.isEmpty == true { bound[k] = nil }
    }

    /// The socket that receives traffic for `destination` (a listener for streams): one bound to
    /// exactly that address first, then a wildcard.
    func receiver(type: Int32, for destination: LoopbackEndpoint, from source: LoopbackEndpoint) -> LoopbackSocket? {
        var wildcard: LoopbackSocket?
        for s in bound[key(type, destination.port)] ?? [] {
            guard let local = s.local, local.accepts(destination, v6Only: s.v6Only) else { continue }
            if type == InetSocket.stream && !s.listening { continue }
            if type == InetSocket.datagram, let r = s.remote, r != source { continue }
            if !local.isWildcard { return s }
            if wildcard == nil { wildcard = s }
        }
        return wildcard
    }
}
