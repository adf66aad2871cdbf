/// A network interface as the guest sees it (netlink's RTM_NEWLINK/RTM_NEWADDR, the SIOCGIF*
/// ioctls), in Linux's terms: IFF_* flags, ARPHRD_* link types, addresses in network byte order.
/// `--network none` has the loopback interface only; `--network host` shows the host's
/// (`Host.networkInterfaces`), as docker's host network does.
public struct NetworkInterface: Equatable {
    public var index: Int32
    public var name: [UInt8]
    /// IFF_UP 0x1, IFF_BROADCAST 0x2, IFF_LOOPBACK 0x8, IFF_RUNNING 0x40, IFF_MULTICAST 0x1000,
    /// IFF_LOWER_UP 0x10000…
    public var flags: UInt32
    public var mtu: UInt32
    /// ARPHRD_ETHER 1, ARPHRD_LOOPBACK 772, ARPHRD_NONE 0xfffe…
    public var linkType: UInt16
    public var hardwareAddress: [UInt8]
    public var hardwareBroadcast: [UInt8]
    public var addresses: [InterfaceAddress]

    public init(index: Int32, name: [UInt8], flags: UInt32, mtu: UInt32, linkType: UInt16,
                hardwareAddress: [UInt8], hardwareBroadcast: [UInt8], addresses: [InterfaceAddress]) {
        self.index = index
        self.name = name
        self.flags = flags
        self.mtu = mtu
        self.linkType = linkType
        self.hardwareAddress = hardwareAddress
        self.hardwareBroadcast = hardwareBroadcast
        self.addresses = addresses
    }

    public static let up: UInt32 = 0x1, broadcast: UInt32 = 0x2, loopback: UInt32 = 0x8, running: UInt32 = 0x40,
                      multicast: UInt32 = 0x1000, lowerUp: UInt32 = 0x10000
    public static let etherLink: UInt16 = 1, loopbackLink: UInt16 = 772

    /// Linux's `lo` (what `ip addr` shows in a `--network none` container).
    public static let loopbackInterface = NetworkInterface(
        index: 1, name: Array("lo".utf8), flags: up | loopback | running | lowerUp, mtu: 65536, linkType: loopbackLink,
        hardwareAddress: [UInt8](repeating: 0, count: 6), hardwareBroadcast: [UInt8](repeating: 0, count: 6),
        addresses: [InterfaceAddress(family: SocketAddress.inet, address: [127, 0, 0, 1], prefixLength: 8, scope: InterfaceAddress.hostScope),
                    InterfaceAddress(family: SocketAddress.inet6, address: [UInt8](repeating: 0, count: 15) + [1], prefixLength: 128,
                                     scope: InterfaceAddress.hostScope)])
}

/// One address of an interface: AF_INET (4 bytes) or AF_INET6 (16 bytes), network order.
public struct InterfaceAddress: Equatable {
    public var family: Int32
    public var address: [UInt8]
    public var prefixLength: UInt8
    /// RT_SCOPE_UNIVERSE 0, RT_SCOPE_LINK 253, RT_SCOPE_HOST 254.
    public var scope: UInt8
    /// The IPv4 broadcast address, when the interface has one.
    public var broadcast: [UInt8]?

    public init(family: Int32, address: [UInt8], prefixLength: UInt8, scope: UInt8, broadcast: [UInt8]? = nil) {
        self.family = family
        self.address = address
        self.prefixLength = prefixLength
        self.scope = scope
        self.broadcast = broadcast
    }

    public static let universeScope: UInt8 = 0, linkScope: UInt8 = 253, hostScope: UInt8 = 254

    /// The scope Linux gives an address it is not told otherwise about.
    public static func scope(family: Int32, address: [UInt8]) -> UInt8 {
        if family == SocketAddress.inet { return address.first == 127 ? hostScope : universeScope }
        if address == [UInt8](repeating: 0, count: 15) + [1] { return hostScope }
        if address.count == 16 && address[0] == 0xfe && address[1] & 0xc0 == 0x80 { return linkScope }
        return universeScope
    }
}

extension Kernel {
    /// The interfaces the container sees, in index order.
    func networkInterfaces() throws(Errno) -> [NetworkInterface] {
        switch configuration.network {
        case .loopback: return [NetworkInterface.loopbackInterface]
        case .host: return try host.networkInterfaces().sorted { $0.index < $1.index }
        }
    }
}
