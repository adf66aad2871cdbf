/// open, close, read/write and friends, lseek, dup, fcntl, pipe2, sendfile, fsync, truncate,
/// flock, ioctl, memfd_create.
extension Kernel {
    static let maximumTransfer = 1 << 20
    /// Linux's MAX_RW_COUNT: the most one write to a byte stream takes.
    static let maximumWrite = 0x7fff_f000
    static let maximumIovecs = 1024

    // MARK: Opening and closing

    func sysOpenAt(_ t: Task) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let path = try t.readString(t.argument(1))
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        let mode = UInt32(truncatingIfNeeded: t.argument(3)) & 0o7777
        let d = try openFile(t, at: dirfd, path: path, flags: flags, mode: mode)
        d.retain()
        defer { d.release() }
        let fd = try t.process.files.install(d, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0)
        if watchingFiles && !d.isPathOnly { notifyChange(t, d, InotifyMask.open) }
        return Int64(fd)
    }

    /// openat's work: resolves `path` and opens or creates the file.
    func openFile(_ t: Task, at dirfd: Int32, path: [UInt8], flags: Int32, mode: UInt32) throws(Errno) -> FileDescription {
        let isPath = flags & LinuxOpenFlags.path == LinuxOpenFlags.path
        let create = flags & LinuxOpenFlags.create != 0 && !isPath
        let r = try resolve(t, at: dirfd, path: path, follow: flags & LinuxOpenFlags.noFollow == 0)
        if let m = r.magic {
            // /proc/PID/fd/N: a file with a place in the tree is opened anew, others are shared.
            if let loc = m.location, !isPath {
                return try openFile(t, at: AT_FDCWD, path: Path.absolute(loc), flags: flags, mode: mode)
            }
            return m
        }
        let fs = r.mount.fileSystem
        if let st = r.stat {
            if create && flags & LinuxOpenFlags.exclusive != 0 { throw .EEXIST }
            if st.isSymlink && !isPath { throw .ELOOP }
            if flags & LinuxOpenFlags.directory != 0 && !st.isDirectory { throw .ENOTDIR }
            if st.isDirectory && !isPath && (flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly || create) {
                throw .EISDIR
            }
            if !isPath {
                switch st.fileType {
                case FileMode.fifo: return try openNamedPipe(t, r, st, flags: flags)
                case FileMode.characterDevice, FileMode.blockDevice:
                    if !fs.servesDevices { return try openDeviceNode(t, r, st, flags: flags) }
                default: break
                }
            }
            return try fs.open(r.relative, flags: create ? flags & ~LinuxOpenFlags.exclusive : flags, mode: mode,
                               caller: t, guestPath: r.components)
        }
        if !create { throw .ENOENT }
        if r.trailingSlash { throw .EISDIR }
        if flags & LinuxOpenFlags.directory != 0 { throw .EINVAL }
        let created = try fs.open(r.relative, flags: flags, mode: mode & ~t.process.fs.umask, caller: t, guestPath: r.components)
        assignOwner(t, r)
        notifyEntry(t, r.components, InotifyMask.create, isDirectory: false)
        return created
    }

    func sysClose(_ t: Task) throws(Errno) -> Int64 {
        try closeDescriptor(t.process, Int32(truncatingIfNeeded: t.argument(0)))
        return 0
    }

    func closeDescriptor(_ p: Process, _ fd: Int32) throws(Errno) {
        if p.files.entry(fd) == nil { throw .EBADF }
        closeDescriptors(p, [fd])
    }

    /// Closes descriptors of `p`. Every path that drops a descriptor comes here (close,
    /// close_range, dup2/dup3 over an open one, exec's close-on-exec, exit), so each does what
    /// Linux's `filp_close` does: inotify's close events (while the file can still be asked for
    /// its stat), the table entry goes (a description's last reference ends it: pipe ends,
    /// sockets, epoll registrations), `p`'s POSIX record locks on the file go, and with the last
    /// reference the description's OFD and flock locks.
    func closeDescriptors(_ p: Process, _ fds: [Int32]) {
        if watchingFiles { notifyClosing(p.files, fds) }
        for fd in fds {
            guard let d = try? p.files.get(fd) else { continue }
            // Stat before the close: the last reference may close the host's descriptor.
            let file = locks.isEmpty ? nil : try? d.stat()
            _ = try? p.files.close(fd)
            if let st = file {
                locks.releaseProcessLocks(pid: p.pid, device: st.device, inode: st.inode, kernel: self)
                if d.references == 0 { locks.releaseDescription(d, kernel: self) }
            }
        }
    }

    func sysCloseRange(_ t: Task) throws(Errno) -> Int64 {
        let first = UInt32(truncatingIfNeeded: t.argument(0))
        let last = UInt32(truncatingIfNeeded: t.argument(1))
        let flags = UInt32(truncatingIfNeeded: t.argument(2))
        if first > last || flags & ~UInt32(6) != 0 { throw .EINVAL }
        if flags & 2 != 0 { t.process.files = t.process.files.unshared() }   // CLOSE_RANGE_UNSHARE
        let fds = t.process.files.openDescriptors.filter { UInt32($0) >= first && UInt32($0) <= last }
        if flags & 4 != 0 {   // CLOSE_RANGE_CLOEXEC
            for fd in fds { try t.process.files.setCloseOnExec(fd, true) }
        } else {
            closeDescriptors(t.process, fds)
        }
        return 0
    }

    // MARK: Reading and writing

    /// Parks the task until `d` may be ready for `events`; EAGAIN when nothing could wake it.
    func waitForReadiness(_ t: Task, _ d: FileDescription, _ events: Int16) -> Errno {
        let timeout = d.waitTimeout(for: events)   // read/write on a socket honour SO_RCVTIMEO/SO_SNDTIMEO
        if timeout > 0 || d is InetSocket { return waitForSocket(t, d, events, timeout: timeout) }
        let queues = d.waitQueues(for: events)
        let requests = d.hostPollDescriptor.map { [PollRequest(fd: $0, events: events)] } ?? []
        if queues.isEmpty && requests.isEmpty { return .EAGAIN }
        return block(t, on: queues, host: requests)
    }

    /// Reads up to `count` bytes from `d` into guest memory at `address`.
    func readToGuest(_ t: Task, _ d: FileDescription, address: UInt64, count: Int, offset: Int64?) throws(Errno) -> Int {
        try readScattered(t, d, [(address, count)], offset: offset)
    }

    /// Reads from `d` (at `offset` when given) into the guest buffers `iov` names. A regular file
    /// is read in full, as Linux does (up to MAX_RW_COUNT): programs count on it (the JVM took the
    /// short read of its 1.1 MB CDS heap region as a failure and ran with archived objects
    /// disabled); other files give what one read of at most `maximumTransfer` bytes gives. Later
    /// chunks that fail end the read short.
    func readScattered(_ t: Task, _ d: FileDescription, _ iov: [(UInt64, Int)], offset: Int64?) throws(Errno) -> Int {
        if !d.canRead { throw .EBADF }
        var total = 0
        for (_, len) in iov { total += len }
        total = min(total, Kernel.maximumWrite)
        var got = try readChunk(t, d, iov, skipping: 0, count: total, offset: offset)
        if got == Kernel.maximumTransfer && total > got, (try? d.stat())?.isRegular == true {
            while got < total {
                guard let k = try? readChunk(t, d, iov, skipping: got, count: total - got,
                                             offset: offset.map { $0 + Int64(got) }) else { break }
                got += k
                if k < Kernel.maximumTransfer { break }
            }
        }
        return got
    }

    /// One read of at most `maximumTransfer` bytes (through the kernel's scratch buffer) into the
    /// guest buffers `iov` names, after their first `skip` bytes.
    private func readChunk(_ t: Task, _ d: FileDescription, _ iov: [(UInt64, Int)], skipping skip: Int, count: Int,
                           offset: Int64?) throws(Errno) -> Int {
        let n = min(count, Kernel.maximumTransfer)
        if n == 0 { return 0 }
        let buffer = scratchBuffer(n)
        let got: Int
        do throws(Errno) {
            if let o = offset { got = try d.read(into: buffer, at: o) } else { got = try readDescription(t, d, buffer) }
        } catch {
            if error == .EAGAIN && !d.isNonBlocking { throw waitForReadiness(t, d, PollRequest.readable) }
            throw error
        }
        noteRead(mappedObject(of: d), d, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<got]), offset: offset)
        try scatter(t, UnsafeRawBufferPointer(rebasing: buffer[0..<got]), into: iov, skipping: skip)
        return got
    }

    /// Writes `count` bytes from guest memory at `address` to `d` (see `writeGathered`).
    func writeFromGuest(_ t: Task, _ d: FileDescription, address: UInt64, count: Int, offset: Int64?) throws(Errno) -> Int {
        try writeGathered(t, d, [(address, count)], offset: offset)
    }

    /// A read at the current position; the guest's terminal needs to know who reads (job control, VTIME).
    private func readDescription(_ t: Task, _ d: FileDescription, _ buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if let tty = d as? TerminalFile { return try readTerminal(t, tty, buffer) }
        return try d.read(into: buffer)
    }

    /// Writes the guest bytes `iov` names to `d` (at `offset` when given), as Linux does:
    /// - a blocking byte stream (pipe, stream socket, host pipe) takes every byte: after a partial
    ///   write the task waits for room and the call goes on from where it stopped, across
    ///   re-executions (`Task.syscallProgress` counts what went);
    /// - a non-blocking one takes what fits now: the count, or EAGAIN when nothing fits;
    /// - an error, or a signal, after some bytes were taken returns their count (never an error the
    ///   caller would answer by writing the same bytes again);
    /// - a regular file takes every byte too (up to MAX_RW_COUNT), no more than RLIMIT_FSIZE lets
    ///   it grow (FileSizeLimit.swift): Linux writes all of it, and programs count on that;
    /// - other files take one write of up to `maximumTransfer` bytes.
    /// Sockets of the host network go through `inetSend`, which keeps the same rules.
    func writeGathered(_ t: Task, _ d: FileDescription, _ iov: [(UInt64, Int)], offset: Int64?) throws(Errno) -> Int {
        if !d.canWrite { throw .EBADF }
        if let s = d as? InetSocket, offset == nil { return try inetSendGathered(t, s, iov, flags: 0, to: nil) }
        if let tty = d as? TerminalFile { try checkTerminalWrite(t, tty) }
        var total = 0
        for (_, len) in iov { total += len }
        total = try bytesUnderFileSizeLimit(t, d, count: total, offset: offset)
        let stream = d.isByteStream
        let whole = stream || (total > Kernel.maximumTransfer && (try? d.stat())?.isRegular == true)
        let limit = min(total, whole ? Kernel.maximumWrite : Kernel.maximumTransfer)
        var done = stream ? min(t.syscallProgress, limit) : 0
        let buffer = scratchBuffer(max(min(limit - done, Kernel.maximumTransfer), 1))
        var filled = 0, at = 0   // bytes of `buffer` holding guest data, and how many of them went
        let mapped = mappedObject(of: d)
        repeat {
            if at == filled {
                filled = min(limit - done, Kernel.maximumTransfer)
                at = 0
                do throws(Errno) {
                    try gather(t, iov, skipping: done, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<filled]))
                } catch {
                    if done > 0 { return done }
                    throw error
                }
            }
            let n: Int
            do throws(Errno) {
                let data = UnsafeRawBufferPointer(rebasing: buffer[at..<filled])
                if let o = offset { n = try d.write(from: data, at: o + Int64(done)) } else { n = try d.write(from: data) }
                noteWritten(mapped, d, UnsafeRawBufferPointer(rebasing: data[0..<n]), offset: offset.map { $0 + Int64(done) })
            } catch {
                return try writeStopped(t, d, error, done: done)
            }
            done += n
            at += n
            if n == 0 { break }
        } while whole && done < limit
        return done
    }

    /// A write to `d` failed with `error` after `done` bytes of the call went: waits for room (the
    /// call runs again and goes on), or settles the call with the count or the error.
    private func writeStopped(_ t: Task, _ d: FileDescription, _ error: Errno, done: Int) throws(Errno) -> Int {
        if error == .EAGAIN && !d.isNonBlocking {
            let wait = waitForReadiness(t, d, PollRequest.writable)
            if wait == .blocked { t.syscallProgress = done; throw wait }
            if done > 0 { return done }   // a signal is waiting: the bytes that went are the result
            throw wait
        }
        if error == .EPIPE { sendSignal(to: t, SignalInfo(signo: Signal.SIGPIPE, code: 0, senderPID: t.process.pid)) }
        if done > 0 { return done }
        throw error
    }

    /// Writes `buffer` (kernel memory) to `d` with one write, waiting for room when `d` blocks: the
    /// write of sendfile and splice. A regular file takes what RLIMIT_FSIZE lets it; as Linux's
    /// splice writes go on until everything is taken, one shortened by the limit raises SIGXFSZ.
    func writeBuffer(_ t: Task, _ d: FileDescription, _ buffer: UnsafeRawBufferPointer, offset: Int64?) throws(Errno) -> Int {
        if let tty = d as? TerminalFile { try checkTerminalWrite(t, tty) }
        let allowed = try bytesUnderFileSizeLimit(t, d, count: buffer.count, offset: offset)
        let data = UnsafeRawBufferPointer(rebasing: buffer[0..<allowed])
        do throws(Errno) {
            let n: Int
            if let o = offset { n = try d.write(from: data, at: o) } else { n = try d.write(from: data) }
            noteWritten(mappedObject(of: d), d, UnsafeRawBufferPointer(rebasing: data[0..<n]), offset: offset)
            if n == allowed && allowed < buffer.count { _ = fileTooLarge(t) }
            return n
        } catch {
            return try writeStopped(t, d, error, done: 0)
        }
    }

    /// The pieces of the guest memory `iov` names that hold its bytes [skip, skip + count): each
    /// piece's guest address and its place in those `count` bytes.
    func iovecPieces(_ iov: [(UInt64, Int)], skipping skip: Int, count: Int) -> [(address: UInt64, range: Range<Int>)] {
        var pieces: [(address: UInt64, range: Range<Int>)] = []
        var offset = 0, copied = 0
        for (base, len) in iov where copied < count {
            let start = max(0, skip - offset)
            offset += len
            if start >= len { continue }
            let k = min(len - start, count - copied)
            pieces.append((base &+ UInt64(start), copied..<(copied + k)))
            copied += k
        }
        return pieces
    }

    /// Copies `data` into the guest buffers `iov` names, after their first `skip` bytes.
    func scatter(_ t: Task, _ data: UnsafeRawBufferPointer, into iov: [(UInt64, Int)], skipping skip: Int) throws(Errno) {
        for piece in iovecPieces(iov, skipping: skip, count: data.count) {
            try t.copyOut(UnsafeRawBufferPointer(rebasing: data[piece.range]), to: piece.address)
        }
    }

    /// Copies `buffer.count` bytes of the guest memory `iov` names, starting `skip` bytes in.
    func gather(_ t: Task, _ iov: [(UInt64, Int)], skipping skip: Int, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) {
        for piece in iovecPieces(iov, skipping: skip, count: buffer.count) {
            try t.copyIn(piece.address, into: UnsafeMutableRawBufferPointer(rebasing: buffer[piece.range]))
        }
    }

    func sysRead(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        return noteTransfer(t, d, Int64(try readToGuest(t, d, address: t.argument(1), count: Int(clamping: t.argument(2)), offset: nil)), write: false)
    }

    func sysWrite(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        return noteTransfer(t, d, Int64(try writeFromGuest(t, d, address: t.argument(1), count: Int(clamping: t.argument(2)), offset: nil)), write: true)
    }

    func sysPread(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let offset = Int64(bitPattern: t.argument(3))
        if offset < 0 { throw .EINVAL }
        return noteTransfer(t, d, Int64(try readToGuest(t, d, address: t.argument(1), count: Int(clamping: t.argument(2)), offset: offset)), write: false)
    }

    func sysPwrite(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let offset = Int64(bitPattern: t.argument(3))
        if offset < 0 { throw .EINVAL }
        return noteTransfer(t, d, Int64(try writeFromGuest(t, d, address: t.argument(1), count: Int(clamping: t.argument(2)), offset: offset)), write: true)
    }

    /// The (base, length) pairs of a guest iovec array.
    func readIovecs(_ t: Task, _ address: UInt64, _ count: UInt64) throws(Errno) -> [(UInt64, Int)] {
        if count > UInt64(Kernel.maximumIovecs) { throw .EINVAL }
        if count == 0 { return [] }
        let raw = ByteReader(try t.copyIn(address, count: Int(count) * 16))
        var result: [(UInt64, Int)] = []
        var total = 0
        for i in 0..<Int(count) {
            let len = raw.u64(i * 16 + 8)
            if len > UInt64(Int.max / 2) { throw .EINVAL }
            total += Int(len)
            if total < 0 { throw .EINVAL }
            result.append((raw.u64(i * 16), Int(len)))
        }
        return result
    }

    private func vectorRead(_ t: Task, _ d: FileDescription, _ iov: [(UInt64, Int)], offset: Int64?) throws(Errno) -> Int64 {
        noteTransfer(t, d, Int64(try readScattered(t, d, iov, offset: offset)), write: false)
    }

    private func vectorWrite(_ t: Task, _ d: FileDescription, _ iov: [(UInt64, Int)], offset: Int64?) throws(Errno) -> Int64 {
        noteTransfer(t, d, Int64(try writeGathered(t, d, iov, offset: offset)), write: true)
    }

    func sysReadv(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        return try vectorRead(t, d, try readIovecs(t, t.argument(1), t.argument(2)), offset: nil)
    }

    func sysWritev(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        return try vectorWrite(t, d, try readIovecs(t, t.argument(1), t.argument(2)), offset: nil)
    }

    /// preadv/preadv2 (offset -1 means the current position for preadv2).
    func sysPreadv(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let offset = Int64(bitPattern: t.argument(3))
        if offset < -1 || (offset == -1 && t.syscallNumber != 286) { throw .EINVAL }
        return try vectorRead(t, d, try readIovecs(t, t.argument(1), t.argument(2)), offset: offset == -1 ? nil : offset)
    }

    func sysPwritev(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let offset = Int64(bitPattern: t.argument(3))
        if offset < -1 || (offset == -1 && t.syscallNumber != 287) { throw .EINVAL }
        return try vectorWrite(t, d, try readIovecs(t, t.argument(1), t.argument(2)), offset: offset == -1 ? nil : offset)
    }

    func sysLseek(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let whence = Int32(truncatingIfNeeded: t.argument(2))
        if whence < 0 || whence > 4 { throw .EINVAL }
        return try d.seek(offset: Int64(bitPattern: t.argument(1)), whence: whence)
    }

    // MARK: Descriptor table

    func sysDup(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        return Int64(try t.process.files.install(d, closeOnExec: false))
    }

    func sysDup3(_ t: Task) throws(Errno) -> Int64 {
        let old = Int32(truncatingIfNeeded: t.argument(0))
        let new = Int32(truncatingIfNeeded: t.argument(1))
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        if flags & ~LinuxOpenFlags.closeOnExec != 0 || old == new { throw .EINVAL }
        let d = try t.process.files.get(old)
        if new < 0 || Int(new) >= t.process.files.limit { throw .EBADF }
        d.retain()   // held across the close of `new`, which may be its other descriptor
        defer { d.release() }
        if t.process.files.entry(new) != nil { closeDescriptors(t.process, [new]) }
        try t.process.files.install(d, at: new, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0)
        return Int64(new)
    }

    func sysFcntl(_ t: Task) throws(Errno) -> Int64 {
        let fd = Int32(truncatingIfNeeded: t.argument(0))
        let cmd = Int32(truncatingIfNeeded: t.argument(1))
        let arg = t.argument(2)
        let files = t.process.files
        let d = try files.get(fd)
        switch cmd {
        case 0, 1030: // F_DUPFD, F_DUPFD_CLOEXEC
            let minimum = Int64(bitPattern: arg)
            if minimum < 0 || minimum >= Int64(files.limit) { throw .EINVAL }
            return Int64(try files.install(d, closeOnExec: cmd == 1030, minimum: Int32(minimum)))
        case 1: return files.entry(fd)!.closeOnExec ? 1 : 0
        case 2: try files.setCloseOnExec(fd, arg & 1 != 0); return 0
        case 3: return Int64(d.flags & ~LinuxOpenFlags.closeOnExec | (d.isPathOnly ? 0 : 0) | LinuxOpenFlags.largeFile)
        case 4:
            if d.isPathOnly { throw .EBADF }
            let value = Int32(truncatingIfNeeded: arg)
            let async = value & LinuxOpenFlags.async != 0
            if async != (d.flags & LinuxOpenFlags.async != 0) { setAsync(d, async) }
            d.flags = (d.flags & ~LinuxOpenFlags.settable) | (value & LinuxOpenFlags.settable)
            return 0
        case 5, 6, 7, 36, 37, 38: return try recordLock(t, d, cmd: cmd, address: arg)
        case 8, 9, 15, 16: return try fcntlOwner(t, d, cmd: cmd, arg: arg)   // F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX
        case 10, 11: // F_SETSIG, F_GETSIG: SIGIO is the only signal O_ASYNC sends here
            throw .EINVAL
        case 1031, 1032: // F_SETPIPE_SZ, F_GETPIPE_SZ
            guard let end = d as? PipeEnd else { throw .EBADF }
            if cmd == 1031 {
                let n = try end.pipe.resize(to: UInt32(truncatingIfNeeded: arg))
                end.pipe.writeQueue.wakeAll(self)   // writers waiting for room may have it now
                return Int64(n)
            }
            return Int64(end.pipe.capacity)
        case 1033, 1034: // F_ADD_SEALS, F_GET_SEALS: only memfd supports seals and ours has none
            throw .EINVAL
        default:
            throw .EINVAL
        }
    }

    /// fcntl record locks: F_GETLK 5, F_SETLK 6, F_SETLKW 7 and the OFD variants 36-38.
    private func recordLock(_ t: Task, _ d: FileDescription, cmd: Int32, address: UInt64) throws(Errno) -> Int64 {
        let raw = ByteReader(try t.copyIn(address, count: 32))
        let type = Int16(bitPattern: raw.u16(0))
        let whence = Int16(bitPattern: raw.u16(2))
        let start = raw.i64(8)
        let length = raw.i64(16)
        let ofd = cmd >= 36
        if ofd && raw.i32(24) != 0 { throw .EINVAL }
        if type < 0 || type > 2 { throw .EINVAL }
        let st = try d.stat()
        var base: Int64
        switch whence {
        case 0: base = 0
        case 1: base = try d.seek(offset: 0, whence: 1)
        case 2: base = st.size
        default: throw .EINVAL
        }
        base += start
        var lo = base, hi: UInt64
        if length > 0 { hi = UInt64(base + length) } else if length == 0 { hi = UInt64.max } else { lo = base + length; hi = UInt64(base) }
        if lo < 0 { throw .EINVAL }
        let owner: RecordLocks.Owner = ofd ? .description(d) : .process(t.process.pid)
        if cmd == 5 || cmd == 36 {
            var w = ByteWriter(capacity: 32)
            if let c = locks.conflict(device: st.device, inode: st.inode, owner: owner, exclusive: type == 1,
                                      start: UInt64(lo), end: hi, isFlock: false) {
                w.u16(UInt16(c.exclusive ? 1 : 0)); w.u16(0); w.u32(0); w.i64(Int64(c.start))
                w.i64(c.end == UInt64.max ? 0 : Int64(c.end - c.start)); w.i32(ofd ? -1 : c.pid); w.u32(0)
            } else {
                w.u16(2); w.u16(UInt16(bitPattern: whence)); w.u32(0); w.i64(start); w.i64(length); w.i32(0); w.u32(0)
            }
            try t.copyOut(w.bytes, to: address)
            return 0
        }
        if type == 0 && !d.canRead { throw .EBADF }
        if type == 1 && !d.canWrite { throw .EBADF }
        if type != 2, locks.conflict(device: st.device, inode: st.inode, owner: owner, exclusive: type == 1,
                                     start: UInt64(lo), end: hi, isFlock: false) != nil {
            if cmd == 7 || cmd == 38 { throw block(t, on: [locks.changed]) }
            throw .EAGAIN
        }
        locks.set(device: st.device, inode: st.inode, owner: owner, exclusive: type == 1, unlock: type == 2,
                  start: UInt64(lo), end: hi, isFlock: false, pid: t.process.pid, kernel: self)
        return 0
    }

    func sysFlock(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let op = Int32(truncatingIfNeeded: t.argument(1))
        let kind = op & ~4
        if kind != 1 && kind != 2 && kind != 8 { throw .EINVAL }
        if d.isPathOnly { throw .EBADF }
        let st = try d.stat()
        if kind != 8, locks.conflict(device: st.device, inode: st.inode, owner: .description(d), exclusive: kind == 2,
                                     start: 0, end: UInt64.max, isFlock: true) != nil {
            if op & 4 != 0 { throw .EAGAIN }
            throw block(t, on: [locks.changed])
        }
        locks.set(device: st.device, inode: st.inode, owner: .description(d), exclusive: kind == 2, unlock: kind == 8,
                  start: 0, end: UInt64.max, isFlock: true, pid: t.process.pid, kernel: self)
        return 0
    }

    func sysPipe2(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        if flags & ~(LinuxOpenFlags.closeOnExec | LinuxOpenFlags.nonBlocking | LinuxOpenFlags.direct) != 0 { throw .EINVAL }
        let pipe = Pipe(id: nextAnonymousNumber(above: 0x10000))
        let r = PipeEnd(pipe: pipe, readEnd: true, flags: flags, kernel: self)
        let w = PipeEnd(pipe: pipe, readEnd: false, flags: flags, kernel: self)
        let cloexec = flags & LinuxOpenFlags.closeOnExec != 0
        let files = t.process.files
        let rfd = try files.install(r, closeOnExec: cloexec)
        let wfd: Int32
        do throws(Errno) { wfd = try files.install(w, closeOnExec: cloexec) } catch { _ = try? files.close(rfd); throw error }
        var out = ByteWriter(capacity: 8)
        out.i32(rfd)
        out.i32(wfd)
        do throws(Errno) { try t.copyOut(out.bytes, to: address) } catch {
            _ = try? files.close(rfd); _ = try? files.close(wfd); throw error
        }
        return 0
    }

    /// sendfile(out, in, offset*, count): copies through the kernel, one chunk per call. As on
    /// Linux, the input moves (its position, or *offset) only by what the output took.
    func sysSendfile(_ t: Task) throws(Errno) -> Int64 {
        let out = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let input = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(1)))
        let offsetAddress = t.argument(2)
        let count = Int(clamping: t.argument(3))
        if !input.canRead || !out.canWrite { throw .EBADF }
        if input is PipeEnd || out.flags & LinuxOpenFlags.append != 0 { throw .EINVAL }
        var offset: Int64? = nil
        if offsetAddress != 0 {
            offset = try t.load(Int64.self, at: offsetAddress)
            if offset! < 0 { throw .EINVAL }
        }
        let moved = try copyBetween(t, from: input, at: offset, to: out, at: nil, count: count)
        if let o = offset { try t.store(o + Int64(moved), at: offsetAddress) }
        return Int64(moved)
    }

    /// copy_file_range: between regular files only (EINVAL otherwise, as Linux), one chunk per call.
    func sysCopyFileRange(_ t: Task) throws(Errno) -> Int64 {
        let input = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let out = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(2)))
        if t.argument(5) != 0 { throw .EINVAL }
        if !input.canRead || !out.canWrite || out.flags & LinuxOpenFlags.append != 0 { throw .EBADF }
        let inStat = try input.stat(), outStat = try out.stat()
        if inStat.isDirectory || outStat.isDirectory { throw .EISDIR }
        if !inStat.isRegular || !outStat.isRegular { throw .EINVAL }
        let inAddress = t.argument(1), outAddress = t.argument(3)
        var inOffset: Int64? = nil, outOffset: Int64? = nil
        if inAddress != 0 { inOffset = try t.load(Int64.self, at: inAddress) }
        if outAddress != 0 { outOffset = try t.load(Int64.self, at: outAddress) }
        if inOffset ?? 0 < 0 || outOffset ?? 0 < 0 { throw .EINVAL }
        var count = Int(clamping: t.argument(4))
        // As Linux: shortened to the input's end, then to RLIMIT_FSIZE (which refuses even an empty copy at the limit).
        var inPosition = inOffset ?? 0
        if inOffset == nil { inPosition = try input.seek(offset: 0, whence: 1) }
        count = inPosition >= inStat.size ? 0 : Int(clamping: min(Int64(count), inStat.size - inPosition))
        if let room = try fileSizeRoom(t, out, offset: outOffset) { count = Int(clamping: min(UInt64(count), room)) }
        let moved = try copyBetween(t, from: input, at: inOffset, to: out, at: outOffset, count: count)
        if let o = inOffset { try t.store(o + Int64(moved), at: inAddress) }
        if let o = outOffset { try t.store(o + Int64(moved), at: outAddress) }
        return Int64(moved)
    }

    /// One chunk from `input` to `out`. The input is read where it stands without moving (at
    /// `inOffset`, or at its position, which then moves by what `out` took), so bytes `out` did
    /// not take stay in the input; a stream input (a socket) is read only as far as `out` has
    /// room. A full blocking output waits before anything is read.
    func copyBetween(_ t: Task, from input: FileDescription, at inOffset: Int64?, to out: FileDescription,
                             at outOffset: Int64?, count: Int) throws(Errno) -> Int {
        if count == 0 { return 0 }
        var chunk = min(count, Kernel.maximumTransfer)
        if let room = out.writeCapacity() {
            if room == 0 {
                if out.isNonBlocking { throw .EAGAIN }
                throw waitForReadiness(t, out, PollRequest.writable)
            }
            chunk = min(chunk, room)
        }
        var position = inOffset
        if position == nil, let p = try? input.seek(offset: 0, whence: 1) { position = p }
        var data = [UInt8](repeating: 0, count: chunk)
        let got: Int
        do throws(Errno) {
            got = try withMutableBytes(&data) { (b) throws(Errno) -> Int in
                if let p = position { return try input.read(into: b, at: p) }
                return try input.read(into: b)
            }
        } catch {
            if error == .EAGAIN && !input.isNonBlocking { throw waitForReadiness(t, input, PollRequest.readable) }
            throw error
        }
        if got == 0 { return 0 }
        if let p = position, let object = mappedObject(of: input) {
            data.withUnsafeMutableBytes { b in noteRead(object, input, UnsafeMutableRawBufferPointer(rebasing: b[0..<got]), offset: p) }
        }
        let written = try withBytes(data) { (b) throws(Errno) -> Int in
            try writeBuffer(t, out, UnsafeRawBufferPointer(rebasing: b[0..<got]), offset: outOffset)
        }
        if inOffset == nil, let p = position { _ = try input.seek(offset: p + Int64(written), whence: 0) }
        return written
    }

    // MARK: Sync, size, advice

    func sysFsync(_ t: Task, dataOnly: Bool) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        try d.synchronize(dataOnly: dataOnly)
        return 0
    }

    func sysFtruncate(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let length = Int64(bitPattern: t.argument(1))
        if length < 0 { throw .EINVAL }
        if !d.canWrite { throw d.isPathOnly ? .EBADF : .EINVAL }
        try checkFileSizeLimit(t, d, growingTo: length)
        try d.truncate(length: length)
        noteTruncated(d, length: length)
        if watchingFiles { notifyChange(t, d, InotifyMask.modify) }
        return 0
    }

    func sysTruncate(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(0))
        let length = Int64(bitPattern: t.argument(1))
        if length < 0 { throw .EINVAL }
        let r = try resolve(t, path: path, follow: true)
        guard let st = r.stat else { throw .ENOENT }
        if st.isDirectory { throw .EISDIR }
        // Linux truncates only regular files (vfs_truncate); opening a FIFO to do it would wait
        // for a reader, stopping every task.
        if !st.isRegular && r.magic == nil { throw .EINVAL }
        let d: FileDescription
        if let m = r.magic { d = m } else {
            d = try r.mount.fileSystem.open(r.relative, flags: LinuxOpenFlags.writeOnly, mode: 0, caller: t, guestPath: r.components)
        }
        d.retain()
        defer { d.release() }
        try checkFileSizeLimit(t, d, growingTo: length)
        try d.truncate(length: length)
        noteTruncated(d, length: length)
        if watchingFiles { notifyChange(t, r.components, st, InotifyMask.modify) }
        return 0
    }

    /// fallocate mode 0 reserves space by extending the file; other modes are not supported.
    func sysFallocate(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let mode = Int32(truncatingIfNeeded: t.argument(1))
        let offset = Int64(bitPattern: t.argument(2))
        let length = Int64(bitPattern: t.argument(3))
        if offset < 0 || length <= 0 { throw .EINVAL }
        if !d.canWrite { throw .EBADF }
        if mode != 0 { throw .EOPNOTSUPP }
        let st = try d.stat()
        if !st.isRegular { throw st.isDirectory ? .EISDIR : .ENODEV }
        let (end, overflow) = offset.addingReportingOverflow(length)
        if overflow { throw .EFBIG }
        if end > st.size {
            try checkFileSizeLimit(t, d, growingTo: end)
            try d.truncate(length: end)
        }
        return 0
    }

    func sysFadvise(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        if d is PipeEnd { throw .ESPIPE }
        let advice = Int32(truncatingIfNeeded: t.argument(3))
        if advice < 0 || advice > 5 { throw .EINVAL }
        return 0 // advice only: nothing to do for files the host caches
    }

    // MARK: ioctl, memfd

    func sysIoctl(_ t: Task) throws(Errno) -> Int64 {
        let fd = Int32(truncatingIfNeeded: t.argument(0))
        let request = UInt32(truncatingIfNeeded: t.argument(1))
        let arg = t.argument(2)
        let d = try t.process.files.get(fd)
        switch request {
        case TerminalIoctl.FIOCLEX: try t.process.files.setCloseOnExec(fd, true); return 0
        case TerminalIoctl.FIONCLEX: try t.process.files.setCloseOnExec(fd, false); return 0
        case TerminalIoctl.FIONBIO:
            let on = try t.load(Int32.self, at: arg) != 0
            if on { d.flags |= LinuxOpenFlags.nonBlocking } else { d.flags &= ~LinuxOpenFlags.nonBlocking }
            return 0
        case TerminalIoctl.FIOASYNC: return try ioctlAsync(t, d, arg: arg)   // Syscalls/AsyncIO.swift
        case _ where Kernel.isInterfaceIoctl(request) && Kernel.isSocket(d):
            return try interfaceIoctl(t, request: request, arg: arg)          // Syscalls/InterfaceIoctls.swift
        default:
            return try d.ioctl(self, t, request: request, arg: arg)
        }
    }

    func sysMemfdCreate(_ t: Task) throws(Errno) -> Int64 {
        let name = try t.readString(t.argument(0), limit: 249)
        let flags = UInt32(truncatingIfNeeded: t.argument(1))
        if flags & ~UInt32(0x1f) != 0 { throw .EINVAL }
        let node = memfdFileSystem.newNode(mode: FileMode.regular | 0o777)
        let d = TmpFile(node: node, fileSystem: memfdFileSystem, flags: LinuxOpenFlags.readWrite, components: nil,
                        path: Array("/memfd:".utf8) + name + Array(" (deleted)".utf8))
        return Int64(try t.process.files.install(d, closeOnExec: flags & 1 != 0))
    }
}
