#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinuxKernel

/// Linux socket numbers (families, MSG_* flags, options) as this host's, and Linux-shaped socket
/// addresses to and from the host's sockaddr structures.
enum HostSocketConstants {
    static func family(fromLinux family: Int32) -> Int32? {
        switch family {
        case SocketAddress.inet: return AF_INET
        case SocketAddress.inet6: return AF_INET6
        case SocketAddress.unspecified: return AF_UNSPEC
        default: return nil
        }
    }

    #if canImport(Glibc)
    static let sendDefaults = Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)
    static let receiveDefaults = Int32(MSG_DONTWAIT)
    static let truncatedFlag = Int32(MSG_TRUNC)
    private static let messageFlagTable: [(Int32, Int32)] = [
        (SocketMessageFlags.outOfBand, Int32(MSG_OOB)), (SocketMessageFlags.peek, Int32(MSG_PEEK)),
        (SocketMessageFlags.dontRoute, Int32(MSG_DONTROUTE)), (SocketMessageFlags.endOfRecord, Int32(MSG_EOR)),
        (SocketMessageFlags.more, Int32(MSG_MORE)), (SocketMessageFlags.truncate, Int32(MSG_TRUNC)),
    ]
    #else
    static let sendDefaults = MSG_DONTWAIT
    static let receiveDefaults = MSG_DONTWAIT
    static let truncatedFlag = MSG_TRUNC
    private static let messageFlagTable: [(Int32, Int32)] = [
        (SocketMessageFlags.outOfBand, MSG_OOB), (SocketMessageFlags.peek, MSG_PEEK),
        (SocketMessageFlags.dontRoute, MSG_DONTROUTE), (SocketMessageFlags.endOfRecord, MSG_EOR),
    ]

    static func makeNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    #endif

    static func messageFlags(fromLinux flags: Int32) -> Int32 {
        var host: Int32 = 0
        for (linux, native) in messageFlagTable where flags & linux != 0 { host |= native }
        return host
    }

    /// (level, name) of an option on this host.
    static func option(_ option: SocketOption) -> (Int32, Int32)? {
        let tcp = Int32(IPPROTO_TCP), ip = Int32(IPPROTO_IP), ipv6 = Int32(IPPROTO_IPV6)
        switch option {
        case .reuseAddress: return (SOL_SOCKET, SO_REUSEADDR)
        case .reusePort: return (SOL_SOCKET, SO_REUSEPORT)
        case .keepAlive: return (SOL_SOCKET, SO_KEEPALIVE)
        case .broadcast: return (SOL_SOCKET, SO_BROADCAST)
        case .error: return (SOL_SOCKET, SO_ERROR)
        case .receiveBuffer: return (SOL_SOCKET, SO_RCVBUF)
        case .sendBuffer: return (SOL_SOCKET, SO_SNDBUF)
        case .linger: return (SOL_SOCKET, SO_LINGER)
        case .outOfBandInline: return (SOL_SOCKET, SO_OOBINLINE)
        case .acceptConnection: return (SOL_SOCKET, SO_ACCEPTCONN)
        case .dontRoute: return (SOL_SOCKET, SO_DONTROUTE)
        case .tcpNoDelay: return (tcp, TCP_NODELAY)
        case .tcpMaxSegment: return (tcp, TCP_MAXSEG)
        #if canImport(Glibc)
        case .tcpKeepIdle: return (tcp, TCP_KEEPIDLE)
        #else
        case .tcpKeepIdle: return (tcp, TCP_KEEPALIVE)
        #endif
        case .tcpKeepInterval: return (tcp, TCP_KEEPINTVL)
        case .tcpKeepCount: return (tcp, TCP_KEEPCNT)
        case .ipTimeToLive: return (ip, IP_TTL)
        case .ipTypeOfService: return (ip, IP_TOS)
        case .ipv6Only: return (ipv6, IPV6_V6ONLY)
        case .ipv6UnicastHops: return (ipv6, IPV6_UNICAST_HOPS)
        #if canImport(Glibc)
        case .ipReceiveErrors: return (ip, 11)       // IP_RECVERR (Linux only)
        case .ipv6ReceiveErrors: return (ipv6, 25)   // IPV6_RECVERR
        // Ancillary data: the host's control messages are handed to the guest as they are.
        case .ipPacketInfo: return (ip, 8)
        case .ipReceiveTimeToLive: return (ip, 12)
        case .ipReceiveTypeOfService: return (ip, 13)
        case .ipv6ReceivePacketInfo: return (ipv6, 49)
        case .ipv6ReceiveHopLimit: return (ipv6, 51)
        case .ipv6ReceiveTrafficClass: return (ipv6, 66)
        case .ipv6TrafficClass: return (ipv6, 67)
        #else
        case .ipReceiveErrors, .ipv6ReceiveErrors: return nil
        // Darwin's control messages differ (and are not translated).
        case .ipPacketInfo, .ipReceiveTimeToLive, .ipReceiveTypeOfService, .ipv6ReceivePacketInfo, .ipv6ReceiveHopLimit,
             .ipv6ReceiveTrafficClass, .ipv6TrafficClass: return nil
        #endif
        }
    }

    /// Runs `body` with `address` as a host sockaddr.
    static func withSockaddr<R>(_ address: SocketAddress, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(Errno) -> R {
        var storage = sockaddr_storage()
        let length: Int
        switch address.family {
        case SocketAddress.inet:
            if address.address.count != 4 { throw .EINVAL }
            length = MemoryLayout<sockaddr_in>.size
            withUnsafeMutableBytes(of: &storage) { raw in
                let p = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                #if canImport(Darwin)
                p.pointee.sin_len = UInt8(length)
                #endif
                p.pointee.sin_family = sa_family_t(AF_INET)
                p.pointee.sin_port = address.port.bigEndian
                withUnsafeMutableBytes(of: &p.pointee.sin_addr) { a in a.copyBytes(from: address.address) }
            }
        case SocketAddress.inet6:
            if address.address.count != 16 { throw .EINVAL }
            length = MemoryLayout<sockaddr_in6>.size
            withUnsafeMutableBytes(of: &storage) { raw in
                let p = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                #if canImport(Darwin)
                p.pointee.sin6_len = UInt8(length)
                #endif
                p.pointee.sin6_family = sa_family_t(AF_INET6)
                p.pointee.sin6_port = address.port.bigEndian
                p.pointee.sin6_flowinfo = address.flowInfo.bigEndian
                p.pointee.sin6_scope_id = address.scopeID
                withUnsafeMutableBytes(of: &p.pointee.sin6_addr) { a in a.copyBytes(from: address.address) }
            }
        default:
            length = MemoryLayout<sockaddr>.size
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.baseAddress!.assumingMemoryBound(to: sockaddr.self).pointee.sa_family = sa_family_t(AF_UNSPEC)
            }
        }
        return withUnsafePointer(to: &storage) { s in
            s.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(length)) }
        }
    }

    /// A host sockaddr as a Linux-shaped address (nil for families other than IPv4/IPv6).
    static func socketAddress(_ storage: sockaddr_storage) -> SocketAddress? {
        var storage = storage
        return withUnsafeBytes(of: &storage) { raw -> SocketAddress? in
            let family = Int32(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self).pointee.sa_family)
            if family == AF_INET {
                let p = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee
                var a = p.sin_addr
                let bytes = withUnsafeBytes(of: &a) { Array($0) }
                return SocketAddress(family: SocketAddress.inet, address: bytes, port: UInt16(bigEndian: p.sin_port))
            }
            if family == AF_INET6 {
                let p = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee
                var a = p.sin6_addr
                var s = SocketAddress(family: SocketAddress.inet6, address: withUnsafeBytes(of: &a) { Array($0) },
                                      port: UInt16(bigEndian: p.sin6_port))
                s.flowInfo = UInt32(bigEndian: p.sin6_flowinfo)
                s.scopeID = p.sin6_scope_id
                return s
            }
            return nil
        }
    }
}

#if canImport(Glibc)
// accept4 needs _GNU_SOURCE, which the Glibc module does not define.
@_silgen_name("accept4")
func linux_accept4(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?,
                   _ flags: Int32) -> Int32
#endif
