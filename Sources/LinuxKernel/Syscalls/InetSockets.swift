/// AF_INET/AF_INET6 sockets: socket, bind, listen, accept4, connect, the send/recv family,
/// shutdown, getsockname/getpeername and get/setsockopt. What a socket is made of depends on
/// `--network` (HostSocket or LoopbackSocket); blocking, timeouts, SIGPIPE and the guest's
/// structures are handled here, the same for both.
extension Kernel {
    static let AF_INET: Int32 = 2
    static let AF_INET6: Int32 = 10

    func sysInetSocket(_ t: Task, domain: Int32, type: Int32, protocolNumber: Int32) throws(Errno) -> Int64 {
        let flags = type & (Kernel.SOCK_NONBLOCK | Kernel.SOCK_CLOEXEC)
        if type & ~(0xf | Kernel.SOCK_NONBLOCK | Kernel.SOCK_CLOEXEC) != 0 { throw .EINVAL }
        let kind = type & 0xf
        let proto: Int32
        switch kind {
        case InetSocket.stream:
            if protocolNumber != 0 && protocolNumber != 6 { throw .EPROTONOSUPPORT }   // IPPROTO_TCP
            proto = 6
        case InetSocket.datagram where protocolNumber == 136 && configuration.network == .host:
            proto = 136   // IPPROTO_UDPLITE: the host's UDP-Lite (the loopback network has none)
        case InetSocket.datagram:
            if protocolNumber != 0 && protocolNumber != 17 {                           // IPPROTO_UDP
                log("socket: datagram protocol \(protocolNumber) is not supported (UDP; UDP-Lite with --network host)")
                throw .EPROTONOSUPPORT
            }
            proto = 17
        default:
            log("socket: type \(kind) of family \(domain) is not supported (only TCP and UDP)")
            throw .ESOCKTNOSUPPORT
        }
        let s: InetSocket
        switch configuration.network {
        case .host:
            let fd = try host.socket(family: domain, type: kind, protocol: proto)
            s = HostSocket(host: host, fd: fd, family: domain, type: kind, protocolNumber: proto, flags: flags, kernel: self)
        case .loopback:
            s = LoopbackSocket(network: loopback, family: domain, type: kind, protocolNumber: proto, flags: flags, kernel: self)
        }
        do throws(Errno) {
            return Int64(try t.process.files.install(s, closeOnExec: flags & Kernel.SOCK_CLOEXEC != 0))
        } catch {
            s.retain(); s.release()   // closes the host socket
            throw error
        }
    }

    /// Parks the task until `s` may be ready for `events`, or fails with EAGAIN once `timeout`
    /// (SO_RCVTIMEO/SO_SNDTIMEO, nanoseconds, 0 = none) has passed since the call began.
    func waitForSocket(_ t: Task, _ s: FileDescription, _ events: Int16, timeout: UInt64, timeoutError: Errno = .EAGAIN) -> Errno {
        var deadline: UInt64?
        if timeout > 0 {
            let now = host.monotonicTime()
            let d = t.syscallDeadline ?? now &+ timeout
            if now >= d { return timeoutError }
            t.syscallDeadline = d
            deadline = d
        }
        let requests = s.hostPollDescriptor.map { [PollRequest(fd: $0, events: events)] } ?? []
        return block(t, on: s.waitQueues(for: events), host: requests, deadline: deadline)
    }

    /// Sends `data`: what remains of the caller's buffer after the `sent` bytes earlier
    /// executions of this call sent. A blocking stream socket sends it all, as Linux does: after a
    /// partial send the call waits for room and goes on (`Task.syscallProgress` counts what went);
    /// an error or an SO_SNDTIMEO timeout after some bytes returns their count.
    private func inetSend(_ t: Task, _ s: InetSocket, _ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?,
                          sent: Int = 0, control: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) throws(Errno) -> Int {
        let blocking = !s.isNonBlocking && flags & SocketMessageFlags.dontWait == 0
        let n: Int
        do throws(Errno) {
            n = sent == 0 && control.count > 0   // the control messages go with the first bytes
                ? try s.send(data, control: control, flags: flags, to: address)
                : try s.send(data, flags: flags, to: address)
        } catch {
            if error == .EAGAIN && blocking {
                let wait = waitForSocket(t, s, PollRequest.writable, timeout: s.sendTimeout)
                if wait == .EAGAIN && sent > 0 { return sent }
                throw wait
            }
            if sent > 0 { return sent }
            if error == .EPIPE && flags & SocketMessageFlags.noSignal == 0 {
                sendSignal(to: t, SignalInfo(signo: Signal.SIGPIPE, code: 0, senderPID: t.process.pid))
            }
            throw error
        }
        if blocking && s.isStream && n > 0 && n < data.count {
            t.syscallProgress = sent + n
            let wait = waitForSocket(t, s, PollRequest.writable, timeout: s.sendTimeout)
            if wait == .EAGAIN { return sent + n }
            throw wait
        }
        return sent + n
    }

    /// Sends `count` bytes at guest `address`, from where earlier executions of the call left off.
    private func inetSendFromGuest(_ t: Task, _ s: InetSocket, address: UInt64, count total: Int, flags: Int32,
                                   to: SocketAddress?) throws(Errno) -> Int {
        try inetSendGathered(t, s, [(address, total)], flags: flags, to: to)
    }

    /// Sends the guest bytes `iov` names (write, writev, sendto), from where earlier executions of
    /// the call left off.
    func inetSendGathered(_ t: Task, _ s: InetSocket, _ iov: [(UInt64, Int)], flags: Int32, to: SocketAddress?) throws(Errno) -> Int {
        var total = 0
        for (_, len) in iov { total += len }
        let count = min(total, Kernel.maximumTransfer)
        let sent = min(t.syscallProgress, count)
        let buffer = scratchBuffer(max(count - sent, 1))
        let data = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(count - sent)])
        try gather(t, iov, skipping: sent, into: data)
        return try inetSend(t, s, UnsafeRawBufferPointer(data), flags: flags, to: to, sent: sent)
    }

    /// One receive into `buffer`; with MSG_WAITALL on a blocking stream socket, the call waits
    /// until the buffer is full (or end of file), keeping what came in `Task.syscallProgress`.
    private func inetReceive(_ t: Task, _ s: InetSocket, _ buffer: UnsafeMutableRawBufferPointer, flags: Int32,
                             control: UnsafeMutableRawBufferPointer) throws(Errno) -> SocketReceived {
        var passed = flags
        if s.isStream { passed &= ~SocketMessageFlags.truncate }
        do throws(Errno) {
            return control.count > 0 ? try s.receive(into: buffer, control: control, flags: passed) : try s.receive(into: buffer, flags: passed)
        } catch {
            if error == .EAGAIN && !s.isNonBlocking && flags & SocketMessageFlags.dontWait == 0 {
                throw waitForSocket(t, s, PollRequest.readable, timeout: s.receiveTimeout)
            }
            throw error
        }
    }

    /// Stream receive honouring MSG_WAITALL: bytes already taken live in the guest buffer and
    /// `Task.syscallProgress` counts them across re-executions.
    private func inetReceiveToGuest(_ t: Task, _ s: InetSocket, iov: [(UInt64, Int)], flags: Int32,
                                    control: UnsafeMutableRawBufferPointer = UnsafeMutableRawBufferPointer(start: nil, count: 0)) throws(Errno) -> SocketReceived {
        var total = 0
        for (_, len) in iov { total += len }
        total = min(total, Kernel.maximumTransfer)
        let waitAll = flags & SocketMessageFlags.waitAll != 0 && s.isStream && flags & SocketMessageFlags.peek == 0
            && !s.isNonBlocking && flags & SocketMessageFlags.dontWait == 0
        let done = waitAll ? t.syscallProgress : 0
        let count = total - done
        let buffer = scratchBuffer(max(count, 1))
        var got: SocketReceived
        do throws(Errno) {
            got = try inetReceive(t, s, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), flags: flags, control: control)
        } catch {
            if done > 0 && (error == .blocked || error == .restartSys) { throw error }
            if done > 0 { t.syscallProgress = 0; return SocketReceived(count: done, fullLength: done, source: nil, truncated: false) }
            throw error
        }
        try scatter(t, UnsafeRawBufferPointer(rebasing: buffer[0..<got.count]), into: iov, skipping: done)
        if waitAll && got.count > 0 && done + got.count < total {
            t.syscallProgress = done + got.count
            throw waitForSocket(t, s, PollRequest.readable, timeout: s.receiveTimeout)
        }
        t.syscallProgress = 0
        got.count += done
        got.fullLength = max(got.fullLength, got.count)
        return got
    }

    /// One sendmsg: the struct msghdr at `header`. Control messages of the IP and IPv6 levels go
    /// to the host socket as they are (IP_TOS, IPV6_HOPLIMIT, IPV6_TCLASS, IP_PKTINFO…: Linux's
    /// layout on both sides); SCM_RIGHTS/SCM_CREDENTIALS are ignored, as Linux does on an inet
    /// socket; other SOL_SOCKET ones (SO_MARK, SO_TIMESTAMPING, SCM_TXTIME) are EINVAL, logged.
    private func inetSendmsg(_ t: Task, _ s: InetSocket, header address: UInt64, flags: Int32, sent: Int) throws(Errno) -> Int {
        let header = ByteReader(try t.copyIn(address, count: 56))
        var control: [UInt8] = []
        if header.u64(32) != 0 && header.u64(40) >= 16 {
            if header.u64(40) > 20480 { throw .ENOBUFS }   // net.core.optmem_max
            let given = try t.copyIn(header.u64(32), count: Int(header.u64(40)))
            let r = ByteReader(given)
            var at = 0
            while given.count - at >= 16 {
                let length = Int(clamping: r.u64(at)), level = r.i32(at + 8), type = r.i32(at + 12)
                if length < 16 || length > given.count - at { throw .EINVAL }
                let next = min(given.count, at + ((length + 7) & ~7))
                if level == Kernel.IPPROTO_IP || level == Kernel.IPPROTO_IPV6 {
                    control += given[at..<next]
                } else if level != Kernel.SOL_SOCKET || (type != 1 && type != 2) {
                    log("sendmsg: control message \(level)/\(type) on AF_INET sockets is not supported")
                    throw .EINVAL
                }   // SCM_RIGHTS and SCM_CREDENTIALS mean nothing to an inet socket: Linux ignores them
                at = next
            }
        }
        let to = header.u64(0) != 0 && !s.isStream ? try readSocketAddress(t, header.u64(0), UInt64(header.u32(8))) : nil
        var data: [UInt8] = []
        for (base, len) in try readIovecs(t, header.u64(16), header.u64(24)) {
            data += try t.copyIn(base, count: min(len, Kernel.maximumTransfer - data.count))
        }
        let skip = min(sent, data.count)
        return try withBytes(Array(data[skip...])) { (b) throws(Errno) -> Int in
            try withBytes(control) { (c) throws(Errno) -> Int in try inetSend(t, s, b, flags: flags, to: to, sent: skip, control: c) }
        }
    }

    /// The AF_INET/AF_INET6 socket the call's first argument names, if it is one.
    func inetSocket(_ t: Task) -> InetSocket? {
        (try? t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))) as? InetSocket
    }

    /// bind … recvmsg (200-212), accept4 (242) and sendmmsg (269) on an AF_INET/AF_INET6 socket.
    func sysInetSocketCall(_ t: Task, _ n: Int, _ s: InetSocket) throws(Errno) -> Int64 {
        switch n {
        case 200: // bind
            try s.bind(try readSocketAddress(t, t.argument(1), t.argument(2)))
            return 0
        case 201: // listen
            if !s.isStream { throw .EOPNOTSUPP }
            try s.listen(backlog: max(0, min(Int32(truncatingIfNeeded: t.argument(1)), 4096)))
            return 0
        case 202, 242: // accept, accept4
            let flags = n == 242 ? Int32(truncatingIfNeeded: t.argument(3)) : 0
            if flags & ~(Kernel.SOCK_NONBLOCK | Kernel.SOCK_CLOEXEC) != 0 { throw .EINVAL }
            if !s.isStream { throw .EOPNOTSUPP }
            let accepted: (InetSocket, SocketAddress?)
            do throws(Errno) { accepted = try s.accept() } catch {
                if error == .EAGAIN && !s.isNonBlocking { throw waitForSocket(t, s, PollRequest.readable, timeout: s.receiveTimeout) }
                throw error
            }
            let c = accepted.0
            c.flags = LinuxOpenFlags.readWrite | (flags & Kernel.SOCK_NONBLOCK)
            do throws(Errno) {
                if let peer = accepted.1 { try writeSocketAddress(t, peer, to: t.argument(1), lengthAt: t.argument(2)) }
                return Int64(try t.process.files.install(c, closeOnExec: flags & Kernel.SOCK_CLOEXEC != 0))
            } catch {
                c.retain(); c.release()
                throw error
            }
        case 203: // connect
            let address = try readSocketAddress(t, t.argument(1), t.argument(2))
            if s.connectInProgress {
                // A blocking connect parked on the connection being made: once the socket is
                // writable, connecting again reports the outcome (0, or why it failed), as Linux's
                // connect does for a connection it started.
                if s.readiness(PollRequest.writable | PollRequest.error | PollRequest.hangUp) == 0 {
                    throw waitForSocket(t, s, PollRequest.writable, timeout: s.sendTimeout, timeoutError: .EINPROGRESS)
                }
                s.connectInProgress = false
                do throws(Errno) { try s.connect(address) } catch {
                    if error != .EISCONN { throw error }   // a host that reports completion this way
                }
                return 0
            }
            do throws(Errno) { try s.connect(address) } catch {
                if error == .EINPROGRESS && !s.isNonBlocking {
                    s.connectInProgress = true
                    throw waitForSocket(t, s, PollRequest.writable, timeout: s.sendTimeout, timeoutError: .EINPROGRESS)
                }
                throw error
            }
            return 0
        case 204, 205: // getsockname, getpeername
            let a = try s.address(peer: n == 205)
            if t.argument(1) == 0 || t.argument(2) == 0 { throw .EFAULT }
            try writeSocketAddress(t, a, to: t.argument(1), lengthAt: t.argument(2))
            return 0
        case 206: // sendto
            let flags = Int32(truncatingIfNeeded: t.argument(3))
            let to = t.argument(4) != 0 && !s.isStream ? try readSocketAddress(t, t.argument(4), t.argument(5)) : nil
            return Int64(try inetSendFromGuest(t, s, address: t.argument(1), count: Int(clamping: t.argument(2)), flags: flags, to: to))
        case 207: // recvfrom
            let flags = Int32(truncatingIfNeeded: t.argument(3))
            let got = try inetReceiveToGuest(t, s, iov: [(t.argument(1), Int(clamping: t.argument(2)))], flags: flags)
            if let source = got.source, !s.isStream {
                try writeSocketAddress(t, source, to: t.argument(4), lengthAt: t.argument(5))
            } else if t.argument(5) != 0 && t.argument(4) != 0 {
                try t.store(UInt32(0), at: t.argument(5))
            }
            return Int64(flags & SocketMessageFlags.truncate != 0 && !s.isStream ? got.fullLength : got.count)
        case 211: // sendmsg
            return Int64(try inetSendmsg(t, s, header: t.argument(1), flags: Int32(truncatingIfNeeded: t.argument(2)), sent: t.syscallProgress))
        case 269: // sendmmsg: messages after the first never wait; a failure after one was sent ends the batch
            let base = t.argument(1), count = min(Int(clamping: UInt32(truncatingIfNeeded: t.argument(2))), 1024)
            let flags = Int32(truncatingIfNeeded: t.argument(3))
            var sent = 0
            while sent < count {
                let header = base &+ UInt64(sent * 64)
                let n: Int
                do throws(Errno) {
                    n = sent == 0
                        ? try inetSendmsg(t, s, header: header, flags: flags, sent: t.syscallProgress)
                        : try inetSendmsg(t, s, header: header, flags: flags | SocketMessageFlags.dontWait, sent: 0)
                } catch {
                    if sent > 0 { break }
                    throw error
                }
                try t.store(UInt32(n), at: header &+ 56)
                t.syscallProgress = 0
                sent += 1
            }
            return Int64(sent)
        case 212: // recvmsg
            let flags = Int32(truncatingIfNeeded: t.argument(2))
            let headerAddress = t.argument(1)
            let header = ByteReader(try t.copyIn(headerAddress, count: 56))
            let iov = try readIovecs(t, header.u64(16), header.u64(24))
            var control = [UInt8](repeating: 0, count: header.u64(32) != 0 ? Int(min(header.u64(40), 1 << 16)) : 0)
            let got = try withMutableBytes(&control) { (c) throws(Errno) -> SocketReceived in
                try inetReceiveToGuest(t, s, iov: iov, flags: flags, control: c)
            }
            if header.u64(0) != 0 {
                if let source = got.source, !s.isStream {
                    try writeSocketAddress(t, source, to: header.u64(0), lengthAt: headerAddress + 8)
                } else {
                    try t.store(UInt32(0), at: headerAddress + 8)
                }
            }
            if got.controlLength > 0 { try t.copyOut(Array(control.prefix(got.controlLength)), to: header.u64(32)) }
            try t.store(UInt64(got.controlLength), at: headerAddress + 40)
            try t.store(Int32(got.truncated ? SocketMessageFlags.truncate : 0) | (got.controlTruncated ? 0x8 : 0), at: headerAddress + 48)
            return Int64(flags & SocketMessageFlags.truncate != 0 && !s.isStream ? got.fullLength : got.count)
        case 210: // shutdown
            let how = Int32(truncatingIfNeeded: t.argument(1))
            if how < 0 || how > 2 { throw .EINVAL }
            try s.shutdown(how: how)
            return 0
        case 208:
            try setSocketOption(t, s)
            return 0
        default: // 209
            try getSocketOption(t, s)
            return 0
        }
    }
}
