/// What crosses the `Host` protocol for IPv4/IPv6 sockets (`--network host`), in Linux's terms:
/// families AF_INET 2 / AF_INET6 10, SOCK_STREAM 1 / SOCK_DGRAM 2, addresses in network byte
/// order, ports as numbers. A host converts them to its own layouts (Darwin's sin_len, AF_INET6 30).
public struct SocketAddress: Equatable {
    public static let inet: Int32 = 2
    public static let inet6: Int32 = 10
    /// AF_UNSPEC: `connect` to it dissolves a datagram socket's association.
    public static let unspecified: Int32 = 0

    public var family: Int32
    /// 4 bytes (AF_INET) or 16 (AF_INET6), network order.
    public var address: [UInt8]
    public var port: UInt16
    public var flowInfo: UInt32 = 0
    public var scopeID: UInt32 = 0

    public init(family: Int32, address: [UInt8], port: UInt16) {
        self.family = family
        self.address = address
        self.port = port
    }

    public static let disconnect = SocketAddress(family: unspecified, address: [], port: 0)
}

/// The socket options a host socket supports, each with an `Int32` value (booleans 0/1, sizes in
/// bytes, seconds for the TCP keep-alive timers). `linger` is the linger time in seconds, or -1
/// when lingering is off. Options the kernel answers itself (SO_TYPE, timeouts…) are not here.
public enum SocketOption: Int {
    case reuseAddress, reusePort, keepAlive, broadcast, error, receiveBuffer, sendBuffer, linger,
         outOfBandInline, acceptConnection, dontRoute
    case tcpNoDelay, tcpMaxSegment, tcpKeepIdle, tcpKeepInterval, tcpKeepCount
    case ipTimeToLive, ipTypeOfService, ipReceiveErrors
    case ipv6Only, ipv6UnicastHops, ipv6ReceiveErrors
    /// Options that ask for ancillary data on received datagrams (IP_PKTINFO, IP_RECVTTL,
    /// IP_RECVTOS; IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS) and IPV6_TCLASS: only on
    /// hosts whose control messages are Linux's (`Host.receive(_:into:control:flags:)`).
    case ipPacketInfo, ipReceiveTimeToLive, ipReceiveTypeOfService
    case ipv6ReceivePacketInfo, ipv6ReceiveHopLimit, ipv6ReceiveTrafficClass, ipv6TrafficClass
}

/// What one receive returned.
public struct SocketReceived {
    public var count: Int
    /// The whole datagram's length when the kernel passed `truncate` (only for datagrams) and the
    /// host can tell, otherwise `count`.
    public var fullLength: Int
    /// The sender, when the socket is not connected (datagrams) and the host says.
    public var source: SocketAddress?
    /// The datagram did not fit (Linux's MSG_TRUNC in msg_flags).
    public var truncated: Bool
    /// Bytes of ancillary data (Linux's struct cmsghdr layout) put in the caller's control buffer.
    public var controlLength = 0
    /// Ancillary data did not fit (MSG_CTRUNC).
    public var controlTruncated = false
    public init(count: Int, fullLength: Int, source: SocketAddress?, truncated: Bool) {
        self.count = count
        self.fullLength = fullLength
        self.source = source
        self.truncated = truncated
    }
}

/// Linux MSG_* flags the kernel passes to a host socket call; the host never blocks (it adds its
/// own MSG_DONTWAIT) and never raises SIGPIPE (the kernel raises it in the guest).
public enum SocketMessageFlags {
    public static let outOfBand: Int32 = 0x1
    public static let peek: Int32 = 0x2
    public static let dontRoute: Int32 = 0x4
    public static let truncate: Int32 = 0x20
    public static let dontWait: Int32 = 0x40
    public static let endOfRecord: Int32 = 0x80
    public static let waitAll: Int32 = 0x100
    public static let noSignal: Int32 = 0x4000
    public static let more: Int32 = 0x8000
    /// The ones a host is given (the rest are the kernel's business).
    public static let passedToHost: Int32 = outOfBand | peek | dontRoute | truncate | endOfRecord | more
}
