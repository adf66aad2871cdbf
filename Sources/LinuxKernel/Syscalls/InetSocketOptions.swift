/// getsockopt/setsockopt on AF_INET/AF_INET6 sockets: each supported (level, name) is translated
/// explicitly; any other is ENOPROTOOPT. SO_TYPE/SO_DOMAIN/SO_PROTOCOL and the SO_RCVTIMEO/
/// SO_SNDTIMEO timeouts are the kernel's own; the rest go to the socket (the host's, or the
/// loopback network's).
extension Kernel {
    static let SOL_SOCKET: Int32 = 1
    static let IPPROTO_IP: Int32 = 0
    static let IPPROTO_TCP: Int32 = 6
    static let IPPROTO_IPV6: Int32 = 41

    /// The option a Linux (level, name) pair stands for.
    private func socketOption(_ s: InetSocket, level: Int32, name: Int32) -> SocketOption? {
        switch (level, name) {
        case (Kernel.SOL_SOCKET, 2): return .reuseAddress
        case (Kernel.SOL_SOCKET, 4): return .error
        case (Kernel.SOL_SOCKET, 5): return .dontRoute
        case (Kernel.SOL_SOCKET, 6): return .broadcast
        case (Kernel.SOL_SOCKET, 7): return .sendBuffer
        case (Kernel.SOL_SOCKET, 8): return .receiveBuffer
        case (Kernel.SOL_SOCKET, 9): return .keepAlive
        case (Kernel.SOL_SOCKET, 10): return .outOfBandInline
        case (Kernel.SOL_SOCKET, 13): return .linger
        case (Kernel.SOL_SOCKET, 15): return .reusePort
        case (Kernel.SOL_SOCKET, 30): return .acceptConnection
        case (Kernel.IPPROTO_TCP, 1) where s.isStream: return .tcpNoDelay
        case (Kernel.IPPROTO_TCP, 2) where s.isStream: return .tcpMaxSegment
        case (Kernel.IPPROTO_TCP, 4) where s.isStream: return .tcpKeepIdle
        case (Kernel.IPPROTO_TCP, 5) where s.isStream: return .tcpKeepInterval
        case (Kernel.IPPROTO_TCP, 6) where s.isStream: return .tcpKeepCount
        case (Kernel.IPPROTO_IP, 1): return .ipTypeOfService
        case (Kernel.IPPROTO_IP, 2): return .ipTimeToLive
        case (Kernel.IPPROTO_IP, 11): return .ipReceiveErrors
        case (Kernel.IPPROTO_IPV6, 25) where s.family == Kernel.AF_INET6: return .ipv6ReceiveErrors
        case (Kernel.IPPROTO_IPV6, 16) where s.family == Kernel.AF_INET6: return .ipv6UnicastHops
        case (Kernel.IPPROTO_IPV6, 26) where s.family == Kernel.AF_INET6: return .ipv6Only
        // Ancillary data: host sockets only (recvmsg/sendmsg pass the host's control messages).
        case (Kernel.IPPROTO_IP, 8) where s is HostSocket: return .ipPacketInfo
        case (Kernel.IPPROTO_IP, 12) where s is HostSocket: return .ipReceiveTimeToLive
        case (Kernel.IPPROTO_IP, 13) where s is HostSocket: return .ipReceiveTypeOfService
        case (Kernel.IPPROTO_IPV6, 49) where s.family == Kernel.AF_INET6 && s is HostSocket: return .ipv6ReceivePacketInfo
        case (Kernel.IPPROTO_IPV6, 51) where s.family == Kernel.AF_INET6 && s is HostSocket: return .ipv6ReceiveHopLimit
        case (Kernel.IPPROTO_IPV6, 66) where s.family == Kernel.AF_INET6 && s is HostSocket: return .ipv6ReceiveTrafficClass
        case (Kernel.IPPROTO_IPV6, 67) where s.family == Kernel.AF_INET6 && s is HostSocket: return .ipv6TrafficClass
        default: return nil
        }
    }

    /// SO_RCVTIMEO (20, or 66 _NEW) and SO_SNDTIMEO (21, 67): a 64-bit struct timeval either way.
    func isTimeoutOption(_ level: Int32, _ name: Int32) -> Bool {
        level == Kernel.SOL_SOCKET && (name == 20 || name == 21 || name == 66 || name == 67)
    }

    func isReceiveTimeout(_ name: Int32) -> Bool { name == 20 || name == 66 }

    /// A timeout option's struct timeval as nanoseconds (0: wait forever; negative seconds too).
    func readSocketTimeout(_ t: Task, _ address: UInt64, length: Int) throws(Errno) -> UInt64 {
        if length < 16 { throw .EINVAL }
        let r = ByteReader(try t.copyIn(address, count: 16))
        let seconds = r.i64(0), microseconds = r.i64(8)
        if microseconds < 0 || microseconds >= 1_000_000 { throw .EDOM }
        return seconds < 0 ? 0 : UInt64(min(seconds, 1 << 32)) * 1_000_000_000 + UInt64(microseconds) * 1000
    }

    /// A timeout as the struct timeval getsockopt returns.
    func socketTimeoutBytes(_ ns: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: 16)
        w.u64(ns / 1_000_000_000); w.u64(ns % 1_000_000_000 / 1000)
        return w.bytes
    }

    func getSocketOption(_ t: Task, _ s: InetSocket) throws(Errno) {
        let level = Int32(truncatingIfNeeded: t.argument(1)), name = Int32(truncatingIfNeeded: t.argument(2))
        let valueAddress = t.argument(3), lengthAddress = t.argument(4)
        let capacity = Int32(bitPattern: try t.load(UInt32.self, at: lengthAddress))
        if capacity < 0 { throw .EINVAL }
        var w = ByteWriter(capacity: 16)
        if isTimeoutOption(level, name) {
            w.append(socketTimeoutBytes(isReceiveTimeout(name) ? s.receiveTimeout : s.sendTimeout))
        } else if level == Kernel.SOL_SOCKET && name == 3 {       // SO_TYPE
            w.i32(s.type)
        } else if level == Kernel.SOL_SOCKET && name == 39 {      // SO_DOMAIN
            w.i32(s.family)
        } else if level == Kernel.SOL_SOCKET && name == 38 {      // SO_PROTOCOL
            w.i32(s.protocolNumber)
        } else if let option = socketOption(s, level: level, name: name) {
            let value = try s.option(option)
            if option == .linger {
                w.i32(value >= 0 ? 1 : 0); w.i32(max(value, 0))
            } else {
                w.i32(value)
            }
        } else {
            log("getsockopt: level \(level) option \(name) is not supported")
            throw .ENOPROTOOPT
        }
        let n = min(Int(capacity), w.bytes.count)
        try t.copyOut(Array(w.bytes.prefix(n)), to: valueAddress)
        try t.store(UInt32(n), at: lengthAddress)
    }

    func setSocketOption(_ t: Task, _ s: InetSocket) throws(Errno) {
        let level = Int32(truncatingIfNeeded: t.argument(1)), name = Int32(truncatingIfNeeded: t.argument(2))
        let valueAddress = t.argument(3), length = Int(Int32(truncatingIfNeeded: t.argument(4)))
        if length < 0 { throw .EINVAL }
        if isTimeoutOption(level, name) {
            let ns = try readSocketTimeout(t, valueAddress, length: length)
            if isReceiveTimeout(name) { s.receiveTimeout = ns } else { s.sendTimeout = ns }
            return
        }
        guard let option = socketOption(s, level: level, name: name),
              option != .error, option != .acceptConnection else {
            log("setsockopt: level \(level) option \(name) is not supported")
            throw .ENOPROTOOPT
        }
        if option == .linger {
            if length < 8 { throw .EINVAL }
            let r = ByteReader(try t.copyIn(valueAddress, count: 8))
            try s.setOption(.linger, r.i32(0) != 0 ? max(0, r.i32(4)) : -1)
            return
        }
        if length < 4 { throw .EINVAL }
        try s.setOption(option, try t.load(Int32.self, at: valueAddress))
    }
}
