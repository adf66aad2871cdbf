/// NETLINK_ROUTE as far as programs read the interface list: RTM_GETLINK (a dump, or one link by
/// index or IFLA_IFNAME) and RTM_GETADDR dumps, answered from `Kernel.networkInterfaces` with
/// Linux's message layouts (glibc's `if_nameindex`, `getifaddrs` and getaddrinfo's AI_ADDRCONFIG
/// check, Go's `net.Interfaces`, libuv). Changing the configuration (RTM_NEW*/DEL*/SET*) is EPERM,
/// as in a container without CAP_NET_ADMIN; the other queries (routes, neighbours, rules…) are
/// EOPNOTSUPP, logged.
enum RouteNetlink {
    static let noop: UInt16 = 1, error: UInt16 = 2, done: UInt16 = 3
    static let newLink: UInt16 = 16, getLink: UInt16 = 18, newAddress: UInt16 = 20, getAddress: UInt16 = 22
    /// RTM_MAX of Linux 6.12.
    static let lastType: UInt16 = 123
    static let request: UInt16 = 0x1, multi: UInt16 = 0x2, ack: UInt16 = 0x4, dump: UInt16 = 0x300, capped: UInt16 = 0x100
    /// NLMSG_GOODSIZE with 4 KiB pages: what one datagram of a dump holds.
    static let datagramSize = 3776

    /// What the requests in one sent buffer produce, as datagrams to queue on the socket.
    /// `capAcknowledgements` is NETLINK_CAP_ACK (errors do not echo the whole request).
    static func answer(_ data: [UInt8], port: UInt32, capAcknowledgements: Bool,
                       interfaces: () throws(Errno) -> [NetworkInterface], log: (String) -> Void) -> [[UInt8]] {
        var out: [[UInt8]] = []
        let r = ByteReader(data)
        var at = 0
        while data.count - at >= 16 {
            let length = Int(r.u32(at))
            if length < 16 || length > data.count - at { break }
            let message = Array(data[at..<(at + length)])
            let type = r.u16(at + 4), flags = r.u16(at + 6), sequence = r.u32(at + 8)
            at += (length + 3) & ~3
            var status: Errno? = nil
            if flags & request != 0 && type >= 16 {
                do throws(Errno) {
                    if let reply = try serve(message, type: type, flags: flags, sequence: sequence, port: port, interfaces: interfaces, log: log) {
                        out += reply
                        if flags & dump == dump { continue }   // a dump ends with NLMSG_DONE, not an ack
                    }
                } catch { status = error }
            }
            if flags & ack != 0 || status != nil {
                out.append(acknowledgement(message, status: status, sequence: sequence, port: port, capped: capAcknowledgements))
            }
        }
        return out
    }

    /// NLMSG_ERROR: 0 (an ack, the request's header only) or -errno with the request echoed.
    private static func acknowledgement(_ message: [UInt8], status: Errno?, sequence: UInt32, port: UInt32, capped: Bool) -> [UInt8] {
        let echo = status == nil || capped ? Array(message.prefix(16)) : message
        var w = ByteWriter(capacity: 20 + echo.count)
        header(&w, length: 20 + echo.count, type: error, flags: status == nil || capped ? RouteNetlink.capped : 0, sequence: sequence, port: port)
        w.i32(status.map { -Int32($0.rawValue) } ?? 0)
        w.append(echo)
        return w.bytes
    }

    private static func header(_ w: inout ByteWriter, length: Int, type: UInt16, flags: UInt16, sequence: UInt32, port: UInt32) {
        w.u32(UInt32(length)); w.u16(type); w.u16(flags); w.u32(sequence); w.u32(port)
    }

    private static func serve(_ message: [UInt8], type: UInt16, flags: UInt16, sequence: UInt32, port: UInt32,
                              interfaces: () throws(Errno) -> [NetworkInterface], log: (String) -> Void) throws(Errno) -> [[UInt8]]? {
        if type > lastType { throw .EOPNOTSUPP }
        if message.count < 17 { return nil }   // no struct rtgenmsg: ignored, as Linux does
        if (type - 16) % 4 != 2 { throw .EPERM }   // RTM_NEW*, RTM_DEL*, RTM_SET*: no CAP_NET_ADMIN
        let r = ByteReader(message)
        let family = message.count > 16 ? Int32(r.u8(16)) : 0
        switch type {
        case getLink where flags & dump == dump:
            return pack(try interfaces().map { link($0, flags: multi, sequence: sequence, port: port) }, sequence: sequence, port: port)
        case getLink:
            if message.count < 32 { throw .EINVAL }
            let index = r.i32(20)
            let name = attribute(3, in: message, from: 32).map { Array($0.prefix { $0 != 0 }) }
            guard index > 0 || name != nil else { throw .EINVAL }
            guard let found = try interfaces().first(where: { index > 0 ? $0.index == index : $0.name == name }) else { throw .ENODEV }
            return [link(found, flags: 0, sequence: sequence, port: port)]
        case getAddress where flags & dump == dump:
            var messages: [[UInt8]] = []
            let all = try interfaces()
            for f in [SocketAddress.inet, SocketAddress.inet6] where family == f || (family != SocketAddress.inet && family != SocketAddress.inet6) {
                for i in all {
                    for a in i.addresses where a.family == f {
                        messages.append(address(a, of: i, sequence: sequence, port: port))
                    }
                }
            }
            return pack(messages, sequence: sequence, port: port)
        default:
            log("netlink: NETLINK_ROUTE message type \(type) (flags \(flags)) is not provided")
            throw .EOPNOTSUPP
        }
    }

    /// The payload of the first attribute of `type` after `start`.
    private static func attribute(_ type: UInt16, in message: [UInt8], from start: Int) -> [UInt8]? {
        let r = ByteReader(message)
        var at = start
        while message.count - at >= 4 {
            let length = Int(r.u16(at))
            if length < 4 || length > message.count - at { return nil }
            if r.u16(at + 2) == type { return Array(message[(at + 4)..<(at + length)]) }
            at += (length + 3) & ~3
        }
        return nil
    }

    /// Messages in datagrams of at most `datagramSize` bytes, NLMSG_DONE after the last one.
    private static func pack(_ messages: [[UInt8]], sequence: UInt32, port: UInt32) -> [[UInt8]] {
        var w = ByteWriter(capacity: 20)
        header(&w, length: 20, type: done, flags: multi, sequence: sequence, port: port)
        w.i32(0)
        var datagrams: [[UInt8]] = []
        var current: [UInt8] = []
        for m in messages + [w.bytes] {
            if !current.isEmpty && current.count + m.count > datagramSize { datagrams.append(current); current = [] }
            current += m
        }
        datagrams.append(current)
        return datagrams
    }

    private static func attribute(_ w: inout ByteWriter, _ type: UInt16, _ payload: [UInt8]) {
        w.u16(UInt16(4 + payload.count)); w.u16(type); w.append(payload); w.align(4)
    }

    private static func u32(_ v: UInt32) -> [UInt8] {
        var w = ByteWriter(capacity: 4); w.u32(v); return w.bytes
    }

    /// RTM_NEWLINK: struct ifinfomsg, then IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE, IFLA_ADDRESS,
    /// IFLA_BROADCAST.
    private static func link(_ i: NetworkInterface, flags: UInt16, sequence: UInt32, port: UInt32) -> [UInt8] {
        var body = ByteWriter(capacity: 96)
        body.u8(0); body.u8(0); body.u16(i.linkType); body.i32(i.index); body.u32(i.flags); body.u32(0)
        attribute(&body, 3, i.name + [0])
        attribute(&body, 4, u32(i.mtu))
        // IF_OPER_UNKNOWN for loopback (as Linux shows lo), IF_OPER_UP or IF_OPER_DOWN otherwise.
        let operational: UInt8 = i.flags & NetworkInterface.loopback != 0 ? 0
            : i.flags & (NetworkInterface.running | NetworkInterface.lowerUp) != 0 ? 6 : 2
        attribute(&body, 16, [operational])
        if !i.hardwareAddress.isEmpty { attribute(&body, 1, i.hardwareAddress) }
        if !i.hardwareBroadcast.isEmpty { attribute(&body, 2, i.hardwareBroadcast) }
        var w = ByteWriter(capacity: 16 + body.bytes.count)
        header(&w, length: 16 + body.bytes.count, type: newLink, flags: flags, sequence: sequence, port: port)
        w.append(body.bytes)
        return w.bytes
    }

    /// RTM_NEWADDR: struct ifaddrmsg, then IFA_ADDRESS, and for IPv4 IFA_LOCAL, IFA_BROADCAST and
    /// IFA_LABEL; IFA_FLAGS (IFA_F_PERMANENT) last.
    private static func address(_ a: InterfaceAddress, of i: NetworkInterface, sequence: UInt32, port: UInt32) -> [UInt8] {
        let permanent: UInt32 = 0x80
        var body = ByteWriter(capacity: 64)
        body.u8(UInt8(a.family)); body.u8(a.prefixLength); body.u8(UInt8(permanent)); body.u8(a.scope); body.u32(UInt32(bitPattern: i.index))
        attribute(&body, 1, a.address)
        if a.family == SocketAddress.inet {
            attribute(&body, 2, a.address)
            if let b = a.broadcast { attribute(&body, 4, b) }
            attribute(&body, 3, i.name + [0])
        }
        attribute(&body, 8, u32(permanent))
        var w = ByteWriter(capacity: 16 + body.bytes.count)
        header(&w, length: 16 + body.bytes.count, type: newAddress, flags: multi, sequence: sequence, port: port)
        w.append(body.bytes)
        return w.bytes
    }
}
