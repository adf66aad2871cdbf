#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinuxKernel

/// The guest's AF_INET/AF_INET6 sockets as real host sockets (`--network host`). Every host
/// socket is non-blocking and close-on-exec; the kernel provides the guest's blocking by polling.
extension PosixHost {
    public func socket(family: Int32, type: Int32, protocol proto: Int32) throws(Errno) -> HostFD {
        guard let hostFamily = HostSocketConstants.family(fromLinux: family) else { throw .EAFNOSUPPORT }
        #if canImport(Glibc)
        let fd = Glibc.socket(hostFamily, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
        if fd < 0 { throw HostErrno.current() }
        #else
        let fd = Darwin.socket(hostFamily, type, proto)
        if fd < 0 { throw HostErrno.current() }
        HostSocketConstants.makeNonBlocking(fd)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(4))
        #endif
        return fd
    }

    public func bind(_ fd: HostFD, to address: SocketAddress) throws(Errno) {
        let r = try HostSocketConstants.withSockaddr(address) { p, n in
            #if canImport(Glibc)
            Glibc.bind(fd, p, n)
            #else
            Darwin.bind(fd, p, n)
            #endif
        }
        if r != 0 { throw HostErrno.current() }
    }

    public func listen(_ fd: HostFD, backlog: Int32) throws(Errno) {
        #if canImport(Glibc)
        let r = Glibc.listen(fd, backlog)
        #else
        let r = Darwin.listen(fd, backlog)
        #endif
        if r != 0 { throw HostErrno.current() }
    }

    public func accept(_ fd: HostFD) throws(Errno) -> (HostFD, SocketAddress?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let client = withUnsafeMutablePointer(to: &storage) { s in
            s.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                retryInterrupted {
                    #if canImport(Glibc)
                    linux_accept4(fd, p, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                    #else
                    Darwin.accept(fd, p, &length)
                    #endif
                }
            }
        }
        if client < 0 { throw HostErrno.current() }
        #if canImport(Darwin)
        HostSocketConstants.makeNonBlocking(client)
        var one: Int32 = 1
        _ = setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(4))
        #endif
        return (client, HostSocketConstants.socketAddress(storage))
    }

    public func connect(_ fd: HostFD, to address: SocketAddress) throws(Errno) {
        let r = try HostSocketConstants.withSockaddr(address) { p, n in
            #if canImport(Glibc)
            Glibc.connect(fd, p, n)
            #else
            Darwin.connect(fd, p, n)
            #endif
        }
        if r != 0 { throw HostErrno.current() }
    }

    public func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        let hostFlags = HostSocketConstants.messageFlags(fromLinux: flags) | HostSocketConstants.sendDefaults
        let n: Int
        if let address {
            n = try HostSocketConstants.withSockaddr(address) { p, length in
                retryInterrupted { sendto(fd, data.baseAddress, data.count, hostFlags, p, length) }
            }
        } else {
            n = retryInterrupted { sendto(fd, data.baseAddress, data.count, hostFlags, nil, 0) }
        }
        if n < 0 { throw HostErrno.current() }
        return n
    }

    public func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer, flags: Int32,
                     to address: SocketAddress?) throws(Errno) -> Int {
        #if canImport(Glibc)
        let hostFlags = HostSocketConstants.messageFlags(fromLinux: flags) | HostSocketConstants.sendDefaults
        var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: data.baseAddress), iov_len: data.count)
        func send(_ name: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int {
            withUnsafeMutablePointer(to: &iov) { v in
                var message = msghdr()
                message.msg_name = UnsafeMutableRawPointer(mutating: name)
                message.msg_namelen = length
                message.msg_iov = v
                message.msg_iovlen = 1
                message.msg_control = UnsafeMutableRawPointer(mutating: control.baseAddress)
                message.msg_controllen = .init(control.count)
                return retryInterrupted { sendmsg(fd, &message, hostFlags) }
            }
        }
        let n: Int
        if let address { n = try HostSocketConstants.withSockaddr(address) { p, l in send(p, l) } } else { n = send(nil, 0) }
        if n < 0 { throw HostErrno.current() }
        return n
        #else
        throw .EOPNOTSUPP
        #endif
    }

    public func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        try receive(fd, into: buffer, control: UnsafeMutableRawBufferPointer(start: nil, count: 0), flags: flags)
    }

    /// On Linux the guest's control messages are the host's: the buffer goes to recvmsg as it is.
    public func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, control: UnsafeMutableRawBufferPointer,
                        flags: Int32) throws(Errno) -> SocketReceived {
        #if !canImport(Glibc)
        if control.count > 0 { throw .EOPNOTSUPP }
        #endif
        var storage = sockaddr_storage()
        var iov = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        var message = msghdr()
        let hostFlags = HostSocketConstants.messageFlags(fromLinux: flags) | HostSocketConstants.receiveDefaults
        let n = withUnsafeMutablePointer(to: &storage) { s in
            withUnsafeMutablePointer(to: &iov) { v in
                message.msg_name = UnsafeMutableRawPointer(s)
                message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                message.msg_iov = v
                message.msg_iovlen = 1
                message.msg_control = control.baseAddress
                message.msg_controllen = .init(control.count)
                return retryInterrupted { recvmsg(fd, &message, hostFlags) }
            }
        }
        if n < 0 { throw HostErrno.current() }
        let count = min(n, buffer.count)
        let source = message.msg_namelen > 0 ? HostSocketConstants.socketAddress(storage) : nil
        let truncated = message.msg_flags & HostSocketConstants.truncatedFlag != 0
        var received = SocketReceived(count: count, fullLength: n, source: source, truncated: truncated)
        received.controlLength = control.count > 0 ? Int(message.msg_controllen) : 0
        received.controlTruncated = message.msg_flags & Int32(MSG_CTRUNC) != 0
        return received
    }

    public func shutdown(_ fd: HostFD, how: Int32) throws(Errno) {
        #if canImport(Glibc)
        let r = Glibc.shutdown(fd, how)
        #else
        let r = Darwin.shutdown(fd, how)
        #endif
        if r != 0 { throw HostErrno.current() }
    }

    public func socketAddress(_ fd: HostFD, peer: Bool) throws(Errno) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &storage) { s in
            s.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                peer ? getpeername(fd, p, &length) : getsockname(fd, p, &length)
            }
        }
        if r != 0 { throw HostErrno.current() }
        guard let address = HostSocketConstants.socketAddress(storage) else { throw .EAFNOSUPPORT }
        return address
    }

    public func socketOption(_ fd: HostFD, _ option: SocketOption) throws(Errno) -> Int32 {
        guard let (level, name) = HostSocketConstants.option(option) else { throw .ENOPROTOOPT }
        if option == .linger {
            var l = linger()
            var length = socklen_t(MemoryLayout<linger>.size)
            if getsockopt(fd, level, name, &l, &length) != 0 { throw HostErrno.current() }
            return l.l_onoff != 0 ? Int32(l.l_linger) : -1
        }
        var value: Int32 = 0
        var length = socklen_t(4)
        if getsockopt(fd, level, name, &value, &length) != 0 { throw HostErrno.current() }
        if option == .error { return HostErrno.linux(value).rawValue }
        return value
    }

    public func setSocketOption(_ fd: HostFD, _ option: SocketOption, _ value: Int32) throws(Errno) {
        guard let (level, name) = HostSocketConstants.option(option), option != .error, option != .acceptConnection else {
            throw .ENOPROTOOPT
        }
        let r: Int32
        if option == .linger {
            var l = linger()
            l.l_onoff = value >= 0 ? 1 : 0
            l.l_linger = value >= 0 ? value : 0
            r = setsockopt(fd, level, name, &l, socklen_t(MemoryLayout<linger>.size))
        } else {
            var v = value
            r = setsockopt(fd, level, name, &v, socklen_t(4))
        }
        if r != 0 { throw HostErrno.current() }
    }
}
