/// AF_NETLINK sockets (NETLINK_ROUTE only: Files/NetlinkSocket.swift, Net/RouteNetlink.swift):
/// socket, bind, connect, getsockname/getpeername, the send/recv family and the options programs
/// set on them. Messages go to the kernel (port 0) only.
extension Kernel {
    func sysNetlinkSocket(_ t: Task, type: Int32, protocolNumber: Int32) throws(Errno) -> Int64 {
        let flags = type & (Kernel.SOCK_NONBLOCK | Kernel.SOCK_CLOEXEC)
        let kind = type & ~(Kernel.SOCK_NONBLOCK | Kernel.SOCK_CLOEXEC)
        if kind != 2 && kind != 3 { throw .ESOCKTNOSUPPORT }   // SOCK_DGRAM, SOCK_RAW
        if protocolNumber != 0 {                                // NETLINK_ROUTE
            log("socket: netlink protocol \(protocolNumber) is not provided (only NETLINK_ROUTE)")
            throw .EPROTONOSUPPORT
        }
        let s = NetlinkSocket(type: kind, flags: flags, kernel: self)
        return Int64(try t.process.files.install(s, closeOnExec: flags & Kernel.SOCK_CLOEXEC != 0))
    }

    /// The netlink socket the call's first argument names, if it is one.
    func netlinkSocket(_ t: Task) -> NetlinkSocket? {
        (try? t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))) as? NetlinkSocket
    }

    /// A struct sockaddr_nl: (nl_pid, nl_groups).
    private func readNetlinkAddress(_ t: Task, _ address: UInt64, _ length: UInt64) throws(Errno) -> (UInt32, UInt32) {
        if length < 12 { throw .EINVAL }
        let r = ByteReader(try t.copyIn(address, count: 12))
        if Int32(r.u16(0)) != NetlinkSocket.family { throw .EINVAL }
        return (r.u32(4), r.u32(8))
    }

    private func writeNetlinkAddress(_ t: Task, port: UInt32, to address: UInt64, lengthAt lengthAddress: UInt64) throws(Errno) {
        if address == 0 || lengthAddress == 0 { return }
        let capacity = Int32(bitPattern: try t.load(UInt32.self, at: lengthAddress))
        if capacity < 0 { throw .EINVAL }
        var w = ByteWriter(capacity: 12)
        w.u16(UInt16(NetlinkSocket.family)); w.u16(0); w.u32(port); w.u32(0)
        try t.copyOut(Array(w.bytes.prefix(Int(capacity))), to: address)
        try t.store(UInt32(12), at: lengthAddress)
    }

    /// A destination other than the kernel: nobody there (ECONNREFUSED), or another guest
    /// socket, which this kernel does not deliver to.
    private func checkNetlinkDestination(_ port: UInt32, groups: UInt32) throws(Errno) {
        if groups != 0 { log("netlink: multicast groups are not provided"); throw .EOPNOTSUPP }
        if port == 0 { return }
        if !netlinkPorts.contains(port) { throw .ECONNREFUSED }
        log("netlink: messages between user sockets are not provided")
        throw .EOPNOTSUPP
    }

    private func netlinkReceive(_ t: Task, _ s: NetlinkSocket, _ buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> (Int, Int) {
        do throws(Errno) {
            return try s.receive(into: buffer, peek: flags & SocketMessageFlags.peek != 0)
        } catch {
            if error == .EAGAIN && !s.isNonBlocking && flags & SocketMessageFlags.dontWait == 0 {
                throw waitForSocket(t, s, PollRequest.readable, timeout: s.receiveTimeout)
            }
            throw error
        }
    }

    /// bind … recvmsg (200-212), accept4 (242) and sendmmsg (269) on a netlink socket.
    func sysNetlinkSocketCall(_ t: Task, _ n: Int, _ s: NetlinkSocket) throws(Errno) -> Int64 {
        switch n {
        case 200: // bind
            let (port, groups) = try readNetlinkAddress(t, t.argument(1), t.argument(2))
            if groups != 0 { log("netlink: multicast groups are not provided"); throw .EOPNOTSUPP }
            try s.bindPort(port, pid: t.process.pid)
            return 0
        case 203: // connect: only to the kernel
            let (port, groups) = try readNetlinkAddress(t, t.argument(1), t.argument(2))
            try checkNetlinkDestination(port, groups: groups)
            try s.bindPort(0, pid: t.process.pid)
            return 0
        case 204, 205: // getsockname, getpeername (the kernel, port 0)
            try writeNetlinkAddress(t, port: n == 204 ? s.port : 0, to: t.argument(1), lengthAt: t.argument(2))
            return 0
        case 206, 211: // sendto, sendmsg
            var iov = [(t.argument(1), Int(clamping: t.argument(2)))]
            var name = (t.argument(4), t.argument(5))
            if n == 211 {
                let header = ByteReader(try t.copyIn(t.argument(1), count: 56))
                if header.u64(32) != 0 && header.u64(40) != 0 {
                    log("sendmsg: control messages on netlink sockets are not supported")
                    throw .EINVAL
                }
                iov = try readIovecs(t, header.u64(16), header.u64(24))
                name = (header.u64(0), UInt64(header.u32(8)))
            }
            if name.0 != 0 {
                let (port, groups) = try readNetlinkAddress(t, name.0, name.1)
                try checkNetlinkDestination(port, groups: groups)
            }
            var total = 0
            for (_, len) in iov { total += len }
            if total > Int(s.sendBuffer) { throw .EMSGSIZE }
            var data = [UInt8](repeating: 0, count: total)
            try withMutableBytes(&data) { (b) throws(Errno) in try gather(t, iov, skipping: 0, into: b) }
            try s.bindPort(0, pid: t.process.pid)
            s.send(data)
            return Int64(total)
        case 207, 212: // recvfrom, recvmsg
            let flags = Int32(truncatingIfNeeded: t.argument(n == 207 ? 3 : 2))
            let iov: [(UInt64, Int)]
            var header: ByteReader? = nil
            if n == 212 {
                let h = ByteReader(try t.copyIn(t.argument(1), count: 56))
                iov = try readIovecs(t, h.u64(16), h.u64(24))
                header = h
            } else {
                iov = [(t.argument(1), Int(clamping: t.argument(2)))]
            }
            var total = 0
            for (_, len) in iov { total += len }
            let count = min(total, Kernel.maximumTransfer)
            let buffer = scratchBuffer(max(count, 1))
            let (got, full) = try netlinkReceive(t, s, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), flags: flags)
            try scatter(t, UnsafeRawBufferPointer(rebasing: buffer[0..<got]), into: iov, skipping: 0)
            if let h = header {
                let at = t.argument(1)
                if h.u64(0) != 0 { try writeNetlinkAddress(t, port: 0, to: h.u64(0), lengthAt: at + 8) }
                try t.store(UInt64(0), at: at + 40)   // no control messages
                try t.store(Int32(full > got ? SocketMessageFlags.truncate : 0), at: at + 48)
            } else {
                try writeNetlinkAddress(t, port: 0, to: t.argument(4), lengthAt: t.argument(5))
            }
            return Int64(flags & SocketMessageFlags.truncate != 0 ? full : got)
        case 208:
            try setNetlinkOption(t, s)
            return 0
        case 209:
            try getNetlinkOption(t, s)
            return 0
        default: // listen, accept, shutdown, sendmmsg
            throw .EOPNOTSUPP
        }
    }

    private func setNetlinkOption(_ t: Task, _ s: NetlinkSocket) throws(Errno) {
        let level = Int32(truncatingIfNeeded: t.argument(1)), name = Int32(truncatingIfNeeded: t.argument(2))
        let length = Int32(truncatingIfNeeded: t.argument(4))
        if isTimeoutOption(level, name) {
            let ns = try readSocketTimeout(t, t.argument(3), length: Int(length))
            if isReceiveTimeout(name) { s.receiveTimeout = ns } else { s.sendTimeout = ns }
            return
        }
        if length < 4 { throw .EINVAL }
        let value = try t.load(Int32.self, at: t.argument(3))
        switch (level, name) {
        case (1, 7), (1, 32): s.sendBuffer = max(2048, value.multipliedReportingOverflow(by: 2).overflow ? Int32.max : value * 2)
        case (1, 8), (1, 33): s.receiveBuffer = max(2304, value.multipliedReportingOverflow(by: 2).overflow ? Int32.max : value * 2)
        case (270, 10), (270, 11), (270, 12):   // SOL_NETLINK: NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK
            if value != 0 { s.netlinkOptions.insert(name) } else { s.netlinkOptions.remove(name) }
        default:
            log("setsockopt: netlink option \(level)/\(name) is not provided")
            throw .ENOPROTOOPT
        }
    }

    private func getNetlinkOption(_ t: Task, _ s: NetlinkSocket) throws(Errno) {
        let level = Int32(truncatingIfNeeded: t.argument(1)), name = Int32(truncatingIfNeeded: t.argument(2))
        let capacity = Int32(bitPattern: try t.load(UInt32.self, at: t.argument(4)))
        if capacity < 0 { throw .EINVAL }
        var bytes: [UInt8]
        if isTimeoutOption(level, name) {
            bytes = socketTimeoutBytes(isReceiveTimeout(name) ? s.receiveTimeout : s.sendTimeout)
        } else {
            let value: Int32
            switch (level, name) {
            case (1, 3): value = s.type                        // SO_TYPE
            case (1, 4): value = 0                             // SO_ERROR
            case (1, 7): value = s.sendBuffer
            case (1, 8): value = s.receiveBuffer
            case (1, 38): value = 0                            // SO_PROTOCOL: NETLINK_ROUTE
            case (1, 39): value = NetlinkSocket.family         // SO_DOMAIN
            case (270, 10), (270, 11), (270, 12): value = s.netlinkOptions.contains(name) ? 1 : 0
            default: throw .ENOPROTOOPT
            }
            if capacity < 4 { throw .EINVAL }
            var w = ByteWriter(capacity: 4)
            w.i32(value)
            bytes = w.bytes
        }
        try t.copyOut(Array(bytes.prefix(Int(capacity))), to: t.argument(3))
        try t.store(UInt32(min(Int(capacity), bytes.count)), at: t.argument(4))
    }
}
