#if !SKIFF_SINGLE_MODULE
import LinuxKernel
#endif

/// The kernel's `Host` inside a WASI command module: files through wasi-libc and the WASI calls
/// (wasi_shim.c translates flags, layouts and errno values to Linux's), time from WASI clocks,
/// waiting through `poll_oneoff`.
///
/// What WASI (preview 1) has no notion of is refused with the errno Linux gives in the same
/// situation, never faked: permission bits and owners cannot be changed (EPERM, unless the call
/// asks for what the file already shows), there are no terminals' attributes or window sizes
/// (ENOTTY), no controlling terminal (ENXIO), no file-system statistics (ENOSYS), no
/// RENAME_NOREPLACE/EXCHANGE (EINVAL) and no host signals.
public final class WasiHost: Host {
    private let startTime: UInt64
    /// The page's terminal with `-t` (WasiTerminal.swift): its input, window size and SIGWINCH.
    public var terminal: WasiTerminal?

    public init() {
        startTime = UInt64(max(0, wasiClock(1)))
    }

    /// The directories the runtime preopened (`--dir`), with the names the module sees them by:
    /// "/" for wasmtime's `--dir HOST::/` or node's `preopens: {"/": HOST}`, the host path itself
    /// for WasmKit's `--dir HOST`.
    public static func preopenedDirectories() -> [(name: String, fd: HostFD)] {
        var result: [(name: String, fd: HostFD)] = []
        var name = [UInt8](repeating: 0, count: 4096)
        var index: Int32 = 0
        while true {
            let fd = name.withUnsafeMutableBufferPointer { b in wasiPreopen(index, b.baseAddress!, b.count) }
            if fd < 0 { break }
            let length = name.firstIndex(of: 0) ?? name.count
            result.append((String(decoding: name[0..<length], as: UTF8.self), fd))
            index += 1
        }
        return result
    }

    // MARK: Files and directories

    public func open(at directory: HostFD, _ path: [UInt8], flags: Int32, mode: UInt32) throws(Errno) -> HostFD {
        HostFD(try withPath(path) { p in Int64(wasiOpen(directory, p, flags, mode)) })
    }

    public func close(_ fd: HostFD) {
        if let r = relay, r.owns(fd) { return r.close(fd) }
        _ = wasiClose(fd)
    }

    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if let t = terminal, fd == t.input { return try t.read(fd, into: buffer) }
        return Int(try check(wasiRead(fd, buffer.baseAddress, buffer.count)))
    }

    public func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        Int(try check(wasiWrite(fd, buffer.baseAddress, buffer.count)))
    }

    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        Int(try check(wasiPread(fd, buffer.baseAddress, buffer.count, offset)))
    }

    public func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        Int(try check(wasiPwrite(fd, buffer.baseAddress, buffer.count, offset)))
    }

    public func seek(_ fd: HostFD, offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        try check(wasiSeek(fd, offset, whence))
    }

    public func stat(_ fd: HostFD) throws(Errno) -> FileStat {
        try withStatRecord { out in wasiFstat(fd, out) }
    }

    public func stat(at directory: HostFD, _ path: [UInt8], followSymlinks: Bool) throws(Errno) -> FileStat {
        try withStatRecord { out throws(Errno) in
            Int32(try withPath(path) { p in Int64(wasiFstatat(directory, p, followSymlinks ? 1 : 0, out)) })
        }
    }

    public func readLink(at directory: HostFD, _ path: [UInt8]) throws(Errno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = try buffer.withUnsafeMutableBufferPointer { (b) throws(Errno) -> Int64 in
            try withPath(path) { p in wasiReadlink(directory, p, b.baseAddress!, b.count) }
        }
        return Array(buffer[0..<Int(n)])
    }

    public func makeDirectory(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno) {
        _ = try withPath(path) { p in Int64(wasiMkdir(directory, p, mode)) }
    }

    public func remove(at directory: HostFD, _ path: [UInt8], isDirectory: Bool) throws(Errno) {
        _ = try withPath(path) { p in Int64(wasiUnlink(directory, p, isDirectory ? 1 : 0)) }
    }

    public func rename(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8], flags: UInt32) throws(Errno) {
        // WASI's path_rename always replaces; RENAME_NOREPLACE/RENAME_EXCHANGE cannot be honoured atomically.
        if flags != 0 { throw .EINVAL }
        _ = try withPaths(oldPath, newPath) { o, n in Int64(wasiRename(oldDirectory, o, newDirectory, n)) }
    }

    public func link(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8]) throws(Errno) {
        _ = try withPaths(oldPath, newPath) { o, n in Int64(wasiLink(oldDirectory, o, newDirectory, n)) }
    }

    public func symlink(_ target: [UInt8], at directory: HostFD, _ path: [UInt8]) throws(Errno) {
        _ = try withPaths(target, path) { t, p in Int64(wasiSymlink(t, directory, p)) }
    }

    /// WASI has no named pipes or device nodes (no mknod): refused as an unprivileged user is.
    public func makeNode(at directory: HostFD, _ path: [UInt8], mode: UInt32, device: UInt64) throws(Errno) {
        throw .EPERM
    }

    // WASI has no chmod or chown: a request for what the file already shows changes nothing and
    // succeeds; anything else is refused as Linux refuses a caller without the privilege.

    public func setMode(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno) {
        try requireUnchangedMode(try stat(at: directory, path, followSymlinks: true), mode)
    }

    public func setMode(_ fd: HostFD, mode: UInt32) throws(Errno) {
        try requireUnchangedMode(try stat(fd), mode)
    }

    public func setOwner(at directory: HostFD, _ path: [UInt8], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) {
        try requireUnchangedOwner(try stat(at: directory, path, followSymlinks: followSymlinks), uid, gid)
    }

    public func setOwner(_ fd: HostFD, uid: UInt32, gid: UInt32) throws(Errno) {
        try requireUnchangedOwner(try stat(fd), uid, gid)
    }

    private func requireUnchangedMode(_ st: FileStat, _ mode: UInt32) throws(Errno) {
        if st.mode & 0o7777 != mode & 0o7777 { throw .EPERM }
    }

    private func requireUnchangedOwner(_ st: FileStat, _ uid: UInt32, _ gid: UInt32) throws(Errno) {
        if (uid != UInt32.max && uid != st.uid) || (gid != UInt32.max && gid != st.gid) { throw .EPERM }
    }

    public func setTimes(at directory: HostFD, _ path: [UInt8], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        _ = try withPath(path) { p in
            Int64(wasiSetTimesAt(directory, p, access.seconds, access.nanoseconds,
                                 modification.seconds, modification.nanoseconds, followSymlinks ? 1 : 0))
        }
    }

    public func setTimes(_ fd: HostFD, access: Timespec, modification: Timespec) throws(Errno) {
        _ = try check(Int64(wasiSetTimes(fd, access.seconds, access.nanoseconds, modification.seconds, modification.nanoseconds)))
    }

    public func truncate(_ fd: HostFD, length: Int64) throws(Errno) {
        _ = try check(Int64(wasiTruncate(fd, length)))
    }

    public func synchronize(_ fd: HostFD, dataOnly: Bool) throws(Errno) {
        _ = try check(Int64(wasiSync(fd, dataOnly ? 1 : 0)))
    }

    public func access(at directory: HostFD, _ path: [UInt8], mode: Int32) throws(Errno) {
        _ = try withPath(path) { p in Int64(wasiAccess(directory, p, mode)) }
    }

    public func readDirectory(_ fd: HostFD) throws(Errno) -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        var cookie: UInt64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Int(try check(chunk.withUnsafeMutableBufferPointer { b in
                wasiReadDirectory(fd, &cookie, b.baseAddress!, b.count)
            }))
            if n == 0 { break }
            var at = 0
            while at < n {
                var inode: UInt64 = 0
                for i in 0..<8 { inode |= UInt64(chunk[at + i]) << (8 * UInt64(i)) }
                let type = chunk[at + 8]
                let length = Int(chunk[at + 9]) | Int(chunk[at + 10]) << 8
                entries.append(DirectoryEntry(name: Array(chunk[(at + 11)..<(at + 11 + length)]), inode: inode, type: type))
                at += 11 + length
            }
        }
        // Some runtimes leave out "." and ".."; the protocol (like getdents64) has them.
        let dot: [UInt8] = [0x2e], dotDot: [UInt8] = [0x2e, 0x2e]
        if !entries.contains(where: { $0.name == dotDot }) {
            let parent = (try? stat(at: fd, dotDot, followSymlinks: false))?.inode ?? 0
            entries.insert(DirectoryEntry(name: dotDot, inode: parent, type: 4), at: 0)
        }
        if !entries.contains(where: { $0.name == dot }) {
            entries.insert(DirectoryEntry(name: dot, inode: try stat(fd).inode, type: 4), at: 0)
        }
        return entries
    }

    public func fileSystemStat(_ fd: HostFD) throws(Errno) -> FileSystemStat {
        // WASI exposes nothing about the file system behind a descriptor.
        throw .ENOSYS
    }

    public func bytesAvailable(_ fd: HostFD) throws(Errno) -> Int {
        if let r = relay, r.owns(fd) { return try r.bytesAvailable(fd) }
        return Int(try check(wasiBytesAvailable(fd)))
    }

    // MARK: Sockets
    // WASI preview 1 cannot create sockets. With a relay (a listening socket the runtime passed
    // in: WasiRelay.swift), guest TCP connections are made by it; without one the guest has a
    // loopback network of its own and nothing below is reached.

    /// The relay making guest connections, when the runtime passed one in.
    var relay: WasiRelay?

    private func relayed() throws(Errno) -> WasiRelay {
        guard let r = relay else { throw .ENOTSOCK }
        return r
    }

    public func socket(family: Int32, type: Int32, protocol proto: Int32) throws(Errno) -> HostFD {
        guard let r = relay else { throw .EAFNOSUPPORT }
        return try r.socket(family: family, type: type)
    }
    public func bind(_ fd: HostFD, to address: SocketAddress) throws(Errno) { try relayed().bind(fd, to: address) }
    /// Guest servers are not relayed: a relayed socket cannot listen.
    public func listen(_ fd: HostFD, backlog: Int32) throws(Errno) { _ = try relayed(); throw .EOPNOTSUPP }
    public func accept(_ fd: HostFD) throws(Errno) -> (HostFD, SocketAddress?) { _ = try relayed(); throw .EINVAL }
    public func connect(_ fd: HostFD, to address: SocketAddress) throws(Errno) { try relayed().connect(fd, to: address) }
    public func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int {
        try relayed().send(fd, data)
    }
    public func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived {
        try relayed().receive(fd, into: buffer, flags: flags)
    }
    public func shutdown(_ fd: HostFD, how: Int32) throws(Errno) { try relayed().shutdown(fd, how: how) }
    public func socketAddress(_ fd: HostFD, peer: Bool) throws(Errno) -> SocketAddress { try relayed().socketAddress(fd, peer: peer) }
    public func socketOption(_ fd: HostFD, _ option: SocketOption) throws(Errno) -> Int32 { try relayed().socketOption(fd, option) }
    public func setSocketOption(_ fd: HostFD, _ option: SocketOption, _ value: Int32) throws(Errno) { _ = try relayed(); throw .ENOPROTOOPT }
    /// Relayed connections carry no ancillary data.
    public func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer, flags: Int32,
                     to address: SocketAddress?) throws(Errno) -> Int { _ = try relayed(); throw .EOPNOTSUPP }
    public func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, control: UnsafeMutableRawBufferPointer,
                        flags: Int32) throws(Errno) -> SocketReceived { _ = try relayed(); throw .EOPNOTSUPP }
    /// The relay does not tell which interfaces the machine beyond it has.
    public func networkInterfaces() throws(Errno) -> [NetworkInterface] { throw .ENOSYS }

    // MARK: Time

    public func realTime() -> Timespec {
        let t = wasiClock(0)
        return Timespec(nanoseconds: t < 0 ? 0 : t)
    }

    public func monotonicTime() -> UInt64 {
        let t = wasiClock(1)
        return t < 0 ? 0 : UInt64(t)
    }

    public func processCPUTime() -> UInt64 {
        let t = wasiClock(2)
        if t >= 0 { return UInt64(t) }
        // A runtime without the CPU-time clock: this single-threaded module has used at most the
        // time since it started.
        return monotonicTime() &- startTime
    }

    // MARK: Waiting

    public func poll(_ requests: UnsafeMutableBufferPointer<PollRequest>, timeout: Int64) -> Int {
        let count = requests.count
        if count == 0 && timeout < 0 { return 0 }  // nothing could ever wake us
        var fds = [Int32](repeating: 0, count: count)
        var events = [Int16](repeating: 0, count: count)
        var returned = [Int16](repeating: 0, count: count)
        // A relayed socket is answered by the relay, or polled through its stream (-1: not polled).
        var immediate = [Int16?](repeating: nil, count: count)
        var anyImmediate = false
        for i in 0..<count {
            fds[i] = requests[i].fd
            events[i] = requests[i].events
            guard let r = relay, r.owns(requests[i].fd) else { continue }
            let (now, channel) = r.prepare(requests[i])
            immediate[i] = now
            if let now { anyImmediate = anyImmediate || now != 0 }
            fds[i] = channel?.fd ?? -1
            events[i] = channel?.events ?? 0
        }
        let ready = returned.withUnsafeMutableBufferPointer { r in
            wasiPoll(fds, events, r.baseAddress!, Int32(count), anyImmediate ? 0 : timeout)
        }
        if ready < 0 {
            // The runtime refused the whole wait: report each descriptor as failed rather than idle.
            for i in 0..<count { requests[i].returnedEvents = PollRequest.error }
            return count
        }
        var total = 0
        for i in 0..<count {
            var got = returned[i]
            if let r = relay, r.owns(requests[i].fd) {
                got = immediate[i] ?? r.settle(requests[i], channelEvents: returned[i])
                got &= requests[i].events | PollRequest.error | PollRequest.hangUp | PollRequest.invalid
            }
            requests[i].returnedEvents = got
            if got != 0 { total += 1 }
        }
        return total
    }

    // MARK: Terminal

    public func isTerminal(_ fd: HostFD) -> Bool { wasiIsatty(fd) != 0 }

    // WASI can tell a terminal from a file but offers no termios, window size or /dev/tty.

    public func terminalAttributes(_ fd: HostFD) throws(Errno) -> Termios { throw .ENOTTY }

    public func setTerminalAttributes(_ fd: HostFD, _ attributes: Termios, action: Int32) throws(Errno) { throw .ENOTTY }

    public func windowSize(_ fd: HostFD) throws(Errno) -> WindowSize {
        guard let t = terminal, t.covers(fd) else { throw .ENOTTY }
        return t.size
    }

    public func openControllingTerminal(flags: Int32) throws(Errno) -> HostFD { throw .ENXIO }

    // MARK: Identity, randomness, signals

    public func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        if buffer.isEmpty { return }
        if wasiRandom(buffer.baseAddress, buffer.count) != 0 {
            // No entropy source at all: nothing random may be handed out as if it were.
            wasiExit(125)
            fatalError("exit returned")
        }
    }

    /// WASI files have no owners (wasi-libc reports 0), so everything appears owned by root.
    public var userID: UInt32 { 0 }
    public var groupID: UInt32 { 0 }

    /// A wasm32 module can address 4 GiB; what it has not grown into yet is what is available.
    public func memoryInfo() -> (total: UInt64, available: UInt64) {
        let total: UInt64 = 1 << 32
        let used = wasiMemorySize()
        return (total, used >= total ? 0 : total - used)
    }

    /// WASI delivers no signals to a module; with `-t`, a new window size is SIGWINCH.
    public func takePendingSignals() -> UInt64 { terminal?.takePendingSignals() ?? 0 }
}

// MARK: Helpers

/// Throws the Linux errno a shim function returned negated; passes a result through.
private func check(_ result: Int64) throws(Errno) -> Int64 {
    if result < 0 { throw Errno(Int32(truncatingIfNeeded: -result)) }
    return result
}

/// Runs a shim call with `path` as a NUL-terminated C string and checks its result. A path with
/// an embedded NUL cannot reach the host (EINVAL, as Linux's copy from user memory would stop there).
private func withPath(_ path: [UInt8], _ body: (UnsafePointer<UInt8>) -> Int64) throws(Errno) -> Int64 {
    if path.contains(0) { throw .EINVAL }
    var bytes = path
    bytes.append(0)
    return try check(bytes.withUnsafeBufferPointer { b in body(b.baseAddress!) })
}

private func withPaths(_ first: [UInt8], _ second: [UInt8], _ body: (UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Int64) throws(Errno) -> Int64 {
    if second.contains(0) { throw .EINVAL }
    var bytes = second
    bytes.append(0)
    return try bytes.withUnsafeBufferPointer { (b) throws(Errno) -> Int64 in
        try withPath(first) { p in body(p, b.baseAddress!) }
    }
}

/// Runs a shim stat call on a temporary record and converts it.
private func withStatRecord(_ body: (UnsafeMutablePointer<Int64>) throws(Errno) -> Int32) throws(Errno) -> FileStat {
    let record = UnsafeMutablePointer<Int64>.allocate(capacity: WasiStatField.count)
    defer { record.deallocate() }
    _ = try check(Int64(try body(record)))
    var s = FileStat()
    s.device = UInt64(bitPattern: record[WasiStatField.device])
    s.inode = UInt64(bitPattern: record[WasiStatField.inode])
    s.mode = UInt32(truncatingIfNeeded: record[WasiStatField.mode])
    s.linkCount = UInt32(truncatingIfNeeded: record[WasiStatField.linkCount])
    s.uid = UInt32(truncatingIfNeeded: record[WasiStatField.uid])
    s.gid = UInt32(truncatingIfNeeded: record[WasiStatField.gid])
    s.rdev = UInt64(bitPattern: record[WasiStatField.rdev])
    s.size = record[WasiStatField.size]
    s.blockSize = Int32(truncatingIfNeeded: record[WasiStatField.blockSize])
    s.blocks = record[WasiStatField.blocks]
    s.accessTime = Timespec(seconds: record[WasiStatField.accessTime], nanoseconds: record[WasiStatField.accessTime + 1])
    s.modificationTime = Timespec(seconds: record[WasiStatField.modificationTime], nanoseconds: record[WasiStatField.modificationTime + 1])
    s.changeTime = Timespec(seconds: record[WasiStatField.changeTime], nanoseconds: record[WasiStatField.changeTime + 1])
    return s
}
