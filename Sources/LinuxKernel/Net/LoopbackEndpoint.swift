/// An address on the kernel's loopback network in one canonical form: IPv6, with IPv4 addresses
/// as IPv4-mapped ones (::ffff:a.b.c.d), so IPv4 and dual-stack IPv6 sockets compare directly.
struct LoopbackEndpoint: Equatable {
    var address: [UInt8]   // 16 bytes
    var port: UInt16

    static let v4Loopback: [UInt8] = mapped([127, 0, 0, 1])
    static let v6Loopback: [UInt8] = [UInt8](repeating: 0, count: 15) + [1]
    static let v4Any: [UInt8] = mapped([0, 0, 0, 0])
    static let v6Any: [UInt8] = [UInt8](repeating: 0, count: 16)

    static func mapped(_ v4: [UInt8]) -> [UInt8] { [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + v4 }

    init(address: [UInt8], port: UInt16) {
        self.address = address
        self.port = port
    }

    init(_ a: SocketAddress) {
        address = a.family == SocketAddress.inet ? LoopbackEndpoint.mapped(a.address) : a.address
        port = a.port
    }

    var isMapped: Bool {
        for i in 0..<10 where address[i] != 0 { return false }
        return address[10] == 0xff && address[11] == 0xff
    }
    var isV6Any: Bool { address == LoopbackEndpoint.v6Any }
    var isV4Any: Bool { address == LoopbackEndpoint.v4Any }
    var isWildcard: Bool { isV6Any || isV4Any }

    /// On this host's loopback interface (127.0.0.0/8, ::1) or a wildcard.
    var isLocal: Bool { isWildcard || address == LoopbackEndpoint.v6Loopback || (isMapped && address[12] == 127) }

    /// Where a connection or datagram to this address goes: a wildcard means this host.
    var destination: LoopbackEndpoint {
        if isV4Any { return LoopbackEndpoint(address: LoopbackEndpoint.v4Loopback, port: port) }
        if isV6Any { return LoopbackEndpoint(address: LoopbackEndpoint.v6Loopback, port: port) }
        return self
    }

    /// As a socket of `family` sees it.
    func presented(to family: Int32) -> SocketAddress {
        if family == SocketAddress.inet { return SocketAddress(family: family, address: Array(address[12..<16]), port: port) }
        return SocketAddress(family: family, address: address, port: port)
    }

    /// The part of the address space a socket bound here receives from: (IPv4 part, IPv6 part),
    /// each nil (nothing), [] (everything) or one address.
    func coverage(v6Only: Bool) -> (v4: [UInt8]?, v6: [UInt8]?) {
        if isV6Any { return (v6Only ? nil : [], []) }
        if isV4Any { return ([], nil) }
        return isMapped ? (address, nil) : (nil, address)
    }

    /// A socket bound here receives what is sent to `destination`.
    func accepts(_ destination: LoopbackEndpoint, v6Only: Bool) -> Bool {
        let c = coverage(v6Only: v6Only)
        guard let part = destination.isMapped ? c.v4 : c.v6 else { return false }
        return part.isEmpty || part == destination.address
    }

    /// Two bindings on one port would receive some of the same traffic.
    static func overlap(_ a: LoopbackEndpoint, _ aV6Only: Bool, _ b: LoopbackEndpoint, _ bV6Only: Bool) -> Bool {
        let x = a.coverage(v6Only: aV6Only), y = b.coverage(v6Only: bV6Only)
        func meet(_ p: [UInt8]?, _ q: [UInt8]?) -> Bool {
            guard let p, let q else { return false }
            return p.isEmpty || q.isEmpty || p == q
        }
        return meet(x.v4, y.v4) || meet(x.v6, y.v6)
    }
}
