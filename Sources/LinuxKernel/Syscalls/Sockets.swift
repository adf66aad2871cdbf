/// AF_UNIX sockets: socketpair, socket/bind/listen/accept/connect on names kept by the kernel,
/// and the send/recv family. AF_INET/AF_INET6 are in InetSockets.swift, AF_NETLINK in
/// NetlinkSockets.swift; other address families (packet…) are not provided (EAFNOSUPPORT).
extension Kernel {
    static let AF_UNIX: Int32 = 1
    static let SOCK_NONBLOCK: Int32 = 0o4000
    static let SOCK_CLOEXEC: Int32 = 0o2000000

    private func socketKind(_ domain: Int32, _ type: Int32) throws(Errno) -> (UnixSocket.Kind, Int32) {
        if domain != Kernel.AF_UNIX { throw .EAFNOSUPPORT }
        let flags = type & (Kernel.SOCK_NONBLOCK | Kernel.SOCK_CLOEXEC)
        guard let kind = UnixSocket.Kind(rawValue: type & 0xf) else { throw .EINVAL }
        return (kind, flags)
    }

    private func socket(_ t: Task, _ fd: UInt64) throws(Errno) -> UnixSocket {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: fd))
        guard let s = d as? UnixSocket else { throw .ENOTSOCK }
        return s
    }

    func sysSocket(_ t: Task) throws(Errno) -> Int64 {
        let domain = Int32(truncatingIfNeeded: t.argument(0))
        if domain == Kernel.AF_INET || domain == Kernel.AF_INET6 {
            return try sysInetSocket(t, domain: domain, type: Int32(truncatingIfNeeded: t.argument(1)),
                                     protocolNumber: Int32(truncatingIfNeeded: t.argument(2)))
        }
        if domain == NetlinkSocket.family {
            return try sysNetlinkSocket(t, type: Int32(truncatingIfNeeded: t.argument(1)),
                                        protocolNumber: Int32(truncatingIfNeeded: t.argument(2)))
        }
        let (kind, flags) = try socketKind(domain, Int32(truncatingIfNeeded: t.argument(1)))
        let s = UnixSocket(kind: kind, flags: flags, kernel: self)
        return Int64(try t.process.files.install(s, closeOnExec: flags & Kernel.SOCK_CLOEXEC != 0))
    }

    func sysSocketpair(_ t: Task) throws(Errno) -> Int64 {
        let (kind, flags) = try socketKind(Int32(truncatingIfNeeded: t.argument(0)), Int32(truncatingIfNeeded: t.argument(1)))
        let (a, b) = UnixSocket.pair(kind: kind, flags: flags, kernel: self)
        a.peerCredentials = t.process.socketCredentials
        b.peerCredentials = t.process.socketCredentials
        let cloexec = flags & Kernel.SOCK_CLOEXEC != 0
        let files = t.process.files
        let fa = try files.install(a, closeOnExec: cloexec)
        let fb: Int32
        do throws(Errno) { fb = try files.install(b, closeOnExec: cloexec) } catch { _ = try? files.close(fa); throw error }
        var w = ByteWriter(capacity: 8)
        w.i32(fa); w.i32(fb)
        do throws(Errno) { try t.copyOut(w.bytes, to: t.argument(3)) } catch {
            _ = try? files.close(fa); _ = try? files.close(fb); throw error
        }
        return 0
    }

    /// The kernel-side name of a sockaddr_un (the canonical guest path, or "\0name" for abstract
    /// ones) and the address as given (a path up to its first NUL, as Linux keeps it).
    private func socketName(_ t: Task, _ address: UInt64, _ length: Int) throws(Errno) -> (name: [UInt8], given: [UInt8]) {
        if length < 3 || length > 110 { throw .EINVAL }
        let raw = try t.copyIn(address, count: length)
        if ByteReader(raw).u16(0) != UInt16(Kernel.AF_UNIX) { throw .EAFNOSUPPORT }
        var path = Array(raw[2...])
        if path.first == 0 { return (path, path) }   // abstract namespace
        if let z = path.firstIndex(of: 0) { path.removeSubrange(z...) }
        let r = try resolve(t, path: path, follow: true)
        return (Path.absolute(r.components), path)
    }

    /// bind's file, as on Linux: a socket node at the path (0777 less the umask, owned by the
    /// caller), EADDRINUSE when anything is there already. Connections find the socket by name
    /// (`socketNames`); unlinking the node takes the name away. A file system that cannot hold a
    /// socket node (a converted module's in-memory root: EPERM) leaves the name only. The node is held
    /// while the socket lives (`pinNode`), so a node bound after it is unlinked gets another inode.
    private func makeSocketNode(_ t: Task, _ path: [UInt8]) throws(Errno) -> PinnedNode? {
        let r = try resolve(t, path: path, follow: false)
        if r.stat != nil { throw .EADDRINUSE }
        do throws(Errno) {
            try r.mount.fileSystem.makeNode(r.relative, mode: FileMode.socket | (0o777 & ~t.process.fs.umask), device: 0)
        } catch {
            if error == .EPERM { return nil }
            throw error
        }
        assignOwner(t, r)
        return r.mount.fileSystem.pinNode(r.relative)
    }

    /// bind, listen, accept/accept4, connect.
    func sysSocketAddressCall(_ t: Task, _ n: Int) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        switch n {
        case 200: // bind
            if t.argument(2) == 2 {   // only sun_family: autobind to an unused abstract name, "\0" and 5 hex digits
                if ByteReader(try t.copyIn(t.argument(1), count: 2)).u16(0) != UInt16(Kernel.AF_UNIX) { throw .EINVAL }
                if s.boundName != nil { return 0 }   // already named: nothing to do, as Linux's unix_autobind
                let name = try autobindName()
                s.boundName = name
                s.boundAddress = name
                socketNames[name] = s
                return 0
            }
            if s.boundName != nil { throw .EINVAL }
            let (name, given) = try socketName(t, t.argument(1), Int(clamping: t.argument(2)))
            if socketNames[name] != nil { throw .EADDRINUSE }
            if name.first != 0 { s.boundNode = try makeSocketNode(t, name) }
            s.boundName = name
            s.boundAddress = given
            socketNames[name] = s
            return 0
        case 201: // listen
            if s.kind == .datagram { throw .EOPNOTSUPP }
            if s.boundName == nil { throw .EINVAL }
            s.listening = true
            s.peerCredentials = t.process.socketCredentials
            s.backlogLimit = max(1, min(Int(Int32(truncatingIfNeeded: t.argument(1))), 4096))
            return 0
        case 202, 242: // accept, accept4
            if !s.listening { throw .EINVAL }
            let flags = n == 242 ? Int32(truncatingIfNeeded: t.argument(3)) : 0
            guard !s.backlog.isEmpty else {
                if s.isNonBlocking { throw .EAGAIN }
                throw waitForSocket(t, s, PollRequest.readable, timeout: s.receiveTimeout)
            }
            let server = s.backlog.removeFirst()
            server.flags = LinuxOpenFlags.readWrite | (flags & Kernel.SOCK_NONBLOCK)
            if t.argument(1) != 0 && t.argument(2) != 0 {   // the connecting socket's name
                try copyOutUnixAddress(t, server.peer?.boundAddress ?? [], to: t.argument(1), lengthAt: t.argument(2))
            }
            return Int64(try t.process.files.install(server, closeOnExec: flags & Kernel.SOCK_CLOEXEC != 0))
        default: // connect
            let name = try socketName(t, t.argument(1), Int(clamping: t.argument(2))).name
            if s.isConnected { throw .EISCONN }
            let listener = try boundSocket(t, name, kind: s.kind)
            if s.kind == .datagram {
                s.peer = listener
                s.isConnected = true
                s.wasConnected = true
                return 0
            }
            if !listener.listening { throw .ECONNREFUSED }
            if listener.backlog.count >= listener.backlogLimit {
                if s.isNonBlocking { throw .EAGAIN }
                throw block(t, on: [listener.writers])
            }
            let server = UnixSocket(kind: s.kind, flags: 0, kernel: self)
            server.boundName = listener.boundName   // as on Linux, the accepted socket has the listener's name
            server.boundAddress = listener.boundAddress
            server.peerCredentials = t.process.socketCredentials
            s.peerCredentials = listener.peerCredentials
            UnixSocket.connect(s, server)
            listener.backlog.append(server)
            listener.readers.wakeAll(self)
            return 0
        }
    }

    /// The socket bound at `name` (connect's and a datagram's destination): ENOENT when the path
    /// names no file, ECONNREFUSED when no socket is bound there; one of another type is
    /// EPROTOTYPE at a path and ECONNREFUSED at an abstract name, as on Linux (its abstract
    /// lookup looks for the type too).
    private func boundSocket(_ t: Task, _ name: [UInt8], kind: UnixSocket.Kind) throws(Errno) -> UnixSocket {
        guard let bound = socketNames[name] else {
            if name.first != 0, (try? resolve(t, path: name, follow: true))?.stat == nil { throw .ENOENT }
            throw .ECONNREFUSED
        }
        if bound.kind != kind { throw name.first == 0 ? .ECONNREFUSED : .EPROTOTYPE }
        return bound
    }

    /// Where sendto/sendmsg with an address send: a datagram socket sends to the socket bound at
    /// it; a stream socket refuses an address (EISCONN when connected, else EOPNOTSUPP) and a
    /// seqpacket socket ignores it, as Linux's. nil: no address (the peer).
    private func unixDestination(_ t: Task, _ s: UnixSocket, address: UInt64, length: Int) throws(Errno) -> UnixSocket? {
        if address == 0 || length == 0 { return nil }
        switch s.kind {
        case .stream: throw s.isConnected ? .EISCONN : .EOPNOTSUPP
        case .seqpacket: return nil
        case .datagram: return try boundSocket(t, try socketName(t, address, length).name, kind: s.kind)
        }
    }

    /// getsockname / getpeername: an unnamed AF_UNIX address, or the bound path.
    func sysSocketName(_ t: Task, _ n: Int) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        if n == 205 && s.peer == nil { throw .ENOTCONN }
        try copyOutUnixAddress(t, (n == 204 ? s.boundAddress : s.peer?.boundAddress) ?? [], to: t.argument(1), lengthAt: t.argument(2))
        return 0
    }

    /// Linux's autobind names: "\0" and five lower-case hex digits, the first free after the last one given.
    private func autobindName() throws(Errno) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        for _ in 0..<0x100000 {
            unixAutobindCounter = (unixAutobindCounter + 1) & 0xfffff
            var name: [UInt8] = [0]
            for shift in stride(from: 16, through: 0, by: -4) { name.append(digits[Int(unixAutobindCounter >> UInt32(shift)) & 0xf]) }
            if socketNames[name] == nil { return name }
        }
        throw .ENOSPC
    }

    /// A struct sockaddr_un for `name` (empty: unnamed), cut to the guest's buffer, and its length.
    private func copyOutUnixAddress(_ t: Task, _ name: [UInt8], to address: UInt64, lengthAt lengthAddress: UInt64) throws(Errno) {
        let capacity = Int(try t.load(UInt32.self, at: lengthAddress))
        try t.store(try copyOutUnixAddress(t, name, to: address, capacity: capacity), at: lengthAddress)
    }

    /// The same for a buffer of `capacity` bytes; returns the address's whole length.
    private func copyOutUnixAddress(_ t: Task, _ name: [UInt8], to address: UInt64, capacity: Int) throws(Errno) -> UInt32 {
        var w = ByteWriter(capacity: 110)
        w.u16(UInt16(Kernel.AF_UNIX))
        w.append(name)
        if !name.isEmpty && name[0] != 0 { w.u8(0) }
        try t.copyOut(Array(w.bytes.prefix(capacity)), to: address)
        return UInt32(w.bytes.count)
    }

    /// recvfrom's and recvmsg's source address: the sender's name, or nothing at all (length 0)
    /// when the sender has none, as Linux gives it.
    private func copyOutSender(_ t: Task, _ sender: [UInt8], to address: UInt64, capacity: Int) throws(Errno) -> UInt32 {
        if sender.isEmpty { return 0 }
        return try copyOutUnixAddress(t, sender, to: address, capacity: capacity)
    }

    /// Sends `data`: what remains of the caller's bytes after the `sent` bytes earlier executions
    /// of this call sent. A blocking stream socket sends it all, as Linux does: after a partial
    /// send the call waits for room and goes on (`Task.syscallProgress` counts what went); an
    /// error or a signal after some bytes returns their count. `rights` ride with the first byte.
    /// A datagram sent to an address (`target`) waits for room in the target's queue.
    private func transferSend(_ t: Task, _ s: UnixSocket, _ data: UnsafeRawBufferPointer, flags: Int32,
                              rights: [FileDescription] = [], sent: Int = 0, to target: UnixSocket? = nil) throws(Errno) -> Int {
        let blocking = !s.isNonBlocking && flags & 0x40 == 0   // MSG_DONTWAIT
        let n: Int
        do throws(Errno) {
            n = try s.send(data, rights: sent == 0 ? rights : [], to: target)
        } catch {
            if error == .EAGAIN && blocking, let target { throw block(t, on: [target.writers]) }
            if error == .EAGAIN && blocking {
                let wait = waitForSocket(t, s, PollRequest.writable, timeout: s.sendTimeout)
                if wait == .blocked { t.syscallProgress = sent; throw wait }
                if sent > 0 { return sent }
                throw wait
            }
            if error == .EPIPE && flags & 0x4000 == 0 { // MSG_NOSIGNAL
                sendSignal(to: t, SignalInfo(signo: Signal.SIGPIPE, code: 0, senderPID: t.process.pid))
            }
            if sent > 0 { return sent }
            throw error
        }
        if blocking && s.kind == .stream && n > 0 && n < data.count {
            let wait = waitForSocket(t, s, PollRequest.writable, timeout: s.sendTimeout)
            if wait == .blocked { t.syscallProgress = sent + n; throw wait }
        }
        return sent + n
    }

    private func transferReceive(_ t: Task, _ s: UnixSocket, _ buffer: UnsafeMutableRawBufferPointer, flags: Int32,
                                 rights: inout [FileDescription], sender: inout [UInt8]) throws(Errno) -> (Int, Int) {
        do throws(Errno) {
            return try s.receive(into: buffer, peek: flags & 0x2 != 0, rights: &rights, sender: &sender)   // MSG_PEEK
        } catch {
            if error == .EAGAIN && !s.isNonBlocking && flags & 0x40 == 0 {
                throw waitForSocket(t, s, PollRequest.readable, timeout: s.receiveTimeout)
            }
            throw error
        }
    }

    func sysSendto(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let count = min(Int(clamping: t.argument(2)), Kernel.maximumTransfer)
        let sent = s.kind == .stream ? min(t.syscallProgress, count) : 0
        let buffer = scratchBuffer(max(count - sent, 1))
        let data = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(count - sent)])
        try t.copyIn(t.argument(1) &+ UInt64(sent), into: data)
        let target = try unixDestination(t, s, address: t.argument(4), length: Int(clamping: t.argument(5)))
        return Int64(try transferSend(t, s, UnsafeRawBufferPointer(data), flags: Int32(truncatingIfNeeded: t.argument(3)),
                                      sent: sent, to: target))
    }

    func sysRecvfrom(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(3))
        let count = min(Int(clamping: t.argument(2)), Kernel.maximumTransfer)
        let buffer = scratchBuffer(max(count, 1))
        var rights: [FileDescription] = []
        var sender: [UInt8] = []
        let (n, full) = try transferReceive(t, s, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), flags: flags,
                                            rights: &rights, sender: &sender)
        for d in rights { d.release() }   // recv without a control buffer discards passed descriptors
        try t.copyOut(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), to: t.argument(1))
        if t.argument(4) != 0 && t.argument(5) != 0 {
            let capacity = Int(Int32(bitPattern: try t.load(UInt32.self, at: t.argument(5))))
            if capacity < 0 { throw .EINVAL }
            try t.store(try copyOutSender(t, sender, to: t.argument(4), capacity: capacity), at: t.argument(5))
        }
        return Int64(flags & 0x20 != 0 && s.kind != .stream ? full : n)   // MSG_TRUNC
    }

    func sysSendmsg(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let header = ByteReader(try t.copyIn(t.argument(1), count: 56))
        let rights = try controlRights(t, address: header.u64(32), length: header.u64(40))
        let iov = try readIovecs(t, header.u64(16), header.u64(24))
        var total = 0
        for (_, len) in iov { total += len }
        let count = min(total, Kernel.maximumTransfer)
        let sent = s.kind == .stream ? min(t.syscallProgress, count) : 0
        var data = [UInt8](repeating: 0, count: count - sent)
        try withMutableBytes(&data) { (b) throws(Errno) in try gather(t, iov, skipping: sent, into: b) }
        let target = try unixDestination(t, s, address: header.u64(0), length: Int(header.u32(8)))
        return Int64(try withBytes(data) { (b) throws(Errno) -> Int in
            try transferSend(t, s, b, flags: Int32(truncatingIfNeeded: t.argument(2)), rights: rights, sent: sent, to: target)
        })
    }

    func sysRecvmsg(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        let headerAddress = t.argument(1)
        let header = ByteReader(try t.copyIn(headerAddress, count: 56))
        let iov = try readIovecs(t, header.u64(16), header.u64(24))
        var total = 0
        for (_, len) in iov { total += len }
        let count = min(total, Kernel.maximumTransfer)
        let buffer = scratchBuffer(max(count, 1))
        var rights: [FileDescription] = []
        var sender: [UInt8] = []
        let (n, full) = try transferReceive(t, s, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), flags: flags,
                                            rights: &rights, sender: &sender)
        var done = 0
        for (base, len) in iov where done < n {
            let k = min(len, n - done)
            try t.copyOut(UnsafeRawBufferPointer(rebasing: buffer[done..<(done + k)]), to: base)
            done += k
        }
        // The sender's name; passed descriptors as an SCM_RIGHTS message; MSG_TRUNC when a
        // datagram did not fit, MSG_CTRUNC when descriptors did not.
        if header.u64(0) != 0 {
            let capacity = Int(Int32(bitPattern: header.u32(8)))
            try t.store(try copyOutSender(t, sender, to: header.u64(0), capacity: max(capacity, 0)), at: headerAddress + 8)
        }
        var messageFlags: Int32 = full > n && s.kind != .stream ? 0x20 : 0
        let controlSpace = Int(min(header.u64(40), 1 << 16))
        var control = ByteWriter(capacity: 64)
        if !rights.isEmpty {
            let fit = max(0, (controlSpace - 16) / 4)
            let installed = min(fit, rights.count)
            if installed < rights.count { messageFlags |= 0x8 }
            if installed > 0 {
                control.u64(UInt64(16 + 4 * installed)); control.i32(1); control.i32(1)
                for d in rights[0..<installed] {
                    control.i32(try t.process.files.install(d, closeOnExec: flags & 0x4000_0000 != 0))
                }
                control.align(8)
            }
            for d in rights { d.release() }
        }
        if !control.bytes.isEmpty { try t.copyOut(Array(control.bytes.prefix(controlSpace)), to: header.u64(32)) }
        try t.store(UInt64(min(control.bytes.count, controlSpace)), at: headerAddress + 40)
        try t.store(messageFlags, at: headerAddress + 48)
        return Int64(flags & 0x20 != 0 && s.kind != .stream ? full : n)
    }

    /// The descriptions named by SCM_RIGHTS control messages.
    private func controlRights(_ t: Task, address: UInt64, length: UInt64) throws(Errno) -> [FileDescription] {
        if address == 0 || length == 0 { return [] }
        if length > 1 << 16 { throw .ENOBUFS }
        let raw = try t.copyIn(address, count: Int(length))
        let r = ByteReader(raw)
        var rights: [FileDescription] = []
        var at = 0
        while at + 16 <= raw.count {
            let cmsgLength = Int(clamping: r.u64(at))
            if cmsgLength < 16 || at + cmsgLength > raw.count { throw .EINVAL }
            let level = r.i32(at + 8), type = r.i32(at + 12)
            guard level == 1 && type == 1 else {
                log("sendmsg: control message level \(level) type \(type) is not supported")
                throw .EINVAL
            }
            var p = at + 16
            while p + 4 <= at + cmsgLength {
                rights.append(try t.process.files.get(r.i32(p)))
                p += 4
            }
            at += (cmsgLength + 7) & ~7
        }
        if rights.count > 253 { throw .EINVAL }
        return rights
    }

    func sysShutdown(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let how = Int32(truncatingIfNeeded: t.argument(1))
        if how < 0 || how > 2 { throw .EINVAL }
        if s.peer == nil && !s.wasConnected { throw .ENOTCONN }
        s.shutdown(how: how)
        return 0
    }

    func sysGetsockopt(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let level = Int32(truncatingIfNeeded: t.argument(1)), name = Int32(truncatingIfNeeded: t.argument(2))
        if level != 1 { throw .ENOPROTOOPT }   // SOL_SOCKET
        if isTimeoutOption(level, name) {
            let bytes = socketTimeoutBytes(isReceiveTimeout(name) ? s.receiveTimeout : s.sendTimeout)
            let capacity = Int(Int32(bitPattern: try t.load(UInt32.self, at: t.argument(4))))
            if capacity < 0 { throw .EINVAL }
            try t.copyOut(Array(bytes.prefix(capacity)), to: t.argument(3))
            try t.store(UInt32(min(capacity, bytes.count)), at: t.argument(4))
            return 0
        }
        if name == 17 {   // SO_PEERCRED: struct ucred
            let c = s.peerCredentials ?? (0, UInt32.max, UInt32.max)   // nobody yet: pid 0, ids -1
            var w = ByteWriter(capacity: 12)
            w.i32(c.pid); w.u32(c.uid); w.u32(c.gid)
            let capacity = Int(Int32(bitPattern: try t.load(UInt32.self, at: t.argument(4))))
            if capacity < 0 { throw .EINVAL }
            try t.copyOut(Array(w.bytes.prefix(capacity)), to: t.argument(3))
            try t.store(UInt32(min(capacity, 12)), at: t.argument(4))
            return 0
        }
        let value: Int32
        switch name {
        case 3: value = s.kind.rawValue                      // SO_TYPE
        case 4: value = 0                                    // SO_ERROR
        case 7, 8: value = Int32(UnixSocket.bufferLimit)     // SO_SNDBUF, SO_RCVBUF
        case 39: value = Kernel.AF_UNIX                      // SO_DOMAIN
        case 38: value = 0                                   // SO_PROTOCOL (socket(fileno=) asks for it)
        case 30: value = s.listening ? 1 : 0                 // SO_ACCEPTCONN
        case 2: value = s.reuseAddress ? 1 : 0               // SO_REUSEADDR
        default: throw .ENOPROTOOPT
        }
        let length = try t.load(UInt32.self, at: t.argument(4))
        if length < 4 { throw .EINVAL }
        try t.store(value, at: t.argument(3))
        try t.store(UInt32(4), at: t.argument(4))
        return 0
    }

    func sysSetsockopt(_ t: Task) throws(Errno) -> Int64 {
        let s = try socket(t, t.argument(0))
        let level = Int32(truncatingIfNeeded: t.argument(1)), name = Int32(truncatingIfNeeded: t.argument(2))
        if level != 1 { throw .ENOPROTOOPT }
        if isTimeoutOption(level, name) {
            let ns = try readSocketTimeout(t, t.argument(3), length: Int(Int32(truncatingIfNeeded: t.argument(4))))
            if isReceiveTimeout(name) { s.receiveTimeout = ns } else { s.sendTimeout = ns }
            return 0
        }
        switch name {
        case 7, 8, 32, 33: return 0   // buffer sizes: the kernel keeps its own fixed limit
        case 2:                       // SO_REUSEADDR
            if Int32(truncatingIfNeeded: t.argument(4)) < 4 { throw .EINVAL }
            s.reuseAddress = try t.load(Int32.self, at: t.argument(3)) != 0
            return 0
        default: throw .ENOPROTOOPT
        }
    }
}
