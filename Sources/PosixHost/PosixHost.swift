#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinuxKernel

/// The native host: the kernel's `Host` protocol on POSIX (glibc on Linux, Darwin on macOS).
/// Linux flags and numbers coming from the kernel are translated to the host's own here
/// (see HostConstants.swift); on Linux most are identical.
public final class PosixHost: Host {
    public init(forwardSignals: Bool = false) {
        if forwardSignals { HostSignals.install() }
    }

    /// Opens a host directory for mounting into the guest.
    public static func openDirectory(_ path: String) throws(Errno) -> HostFD {
        let fd = systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw HostErrno.current() }
        return fd
    }

    // MARK: Files

    public func open(at directory: HostFD, _ path: [UInt8], flags: Int32, mode: UInt32) throws(Errno) -> HostFD {
        let hostFlags = HostConstants.openFlags(fromLinux: flags)
        let fd = try withCPath(path) { p in retryInterrupted { openat(directory, p, hostFlags, mode_t(mode)) } }
        if fd < 0 { throw HostErrno.current() }
        return fd
    }

    public func close(_ fd: HostFD) {
        _ = closeDescriptor(fd)
    }

    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        let n = retryInterrupted { systemRead(fd, buffer.baseAddress, buffer.count) }
        if n < 0 { throw HostErrno.current() }
        return n
    }

    public func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        let n = retryInterrupted { systemWrite(fd, buffer.baseAddress, buffer.count) }
        if n < 0 { throw HostErrno.current() }
        return n
    }

    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        let n = retryInterrupted { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
        if n < 0 { throw HostErrno.current() }
        return n
    }

    public func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        let n = retryInterrupted { pwrite(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
        if n < 0 { throw HostErrno.current() }
        return n
    }

    public func seek(_ fd: HostFD, offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        guard let w = HostConstants.seekWhence(fromLinux: whence) else { throw .EINVAL }
        let r = lseek(fd, off_t(offset), w)
        if r < 0 { throw HostErrno.current() }
        return Int64(r)
    }

    public func stat(_ fd: HostFD) throws(Errno) -> FileStat {
        var st = systemStat()
        if fstat(fd, &st) != 0 { throw HostErrno.current() }
        return HostConstants.fileStat(st)
    }

    public func stat(at directory: HostFD, _ path: [UInt8], followSymlinks: Bool) throws(Errno) -> FileStat {
        var st = systemStat()
        let r = try withCPath(path) { p in fstatat(directory, p, &st, followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) }
        if r != 0 { throw HostErrno.current() }
        return HostConstants.fileStat(st)
    }

    public func readLink(at directory: HostFD, _ path: [UInt8]) throws(Errno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = try withCPath(path) { p in
            buffer.withUnsafeMutableBufferPointer { b in
                readlinkat(directory, p, UnsafeMutableRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self), b.count)
            }
        }
        if n < 0 { throw HostErrno.current() }
        return Array(buffer[0..<n])
    }

    public func makeDirectory(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno) {
        let r = try withCPath(path) { p in mkdirat(directory, p, mode_t(mode)) }
        if r != 0 { throw HostErrno.current() }
    }

    public func remove(at directory: HostFD, _ path: [UInt8], isDirectory: Bool) throws(Errno) {
        let r = try withCPath(path) { p in unlinkat(directory, p, isDirectory ? AT_REMOVEDIR : 0) }
        if r != 0 { throw HostErrno.current() }
    }

    public func rename(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8], flags: UInt32) throws(Errno) {
        let r = try withCPath(oldPath) { (o) throws(Errno) -> Int32 in
            try withCPath(newPath) { n in HostConstants.renameAt(oldDirectory, o, newDirectory, n, flags) }
        }
        if r != 0 { throw HostErrno.current() }
    }

    public func link(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8]) throws(Errno) {
        let r = try withCPath(oldPath) { (o) throws(Errno) -> Int32 in
            try withCPath(newPath) { n in linkat(oldDirectory, o, newDirectory, n, 0) }
        }
        if r != 0 { throw HostErrno.current() }
    }

    public func symlink(_ target: [UInt8], at directory: HostFD, _ path: [UInt8]) throws(Errno) {
        let r = try withCPath(target) { (t) throws(Errno) -> Int32 in
            try withCPath(path) { p in symlinkat(t, directory, p) }
        }
        if r != 0 { throw HostErrno.current() }
    }

    public func makeNode(at directory: HostFD, _ path: [UInt8], mode: UInt32, device: UInt64) throws(Errno) {
        let type = mode & FileMode.typeMask
        if type == FileMode.fifo {
            let r = try withCPath(path) { p in mkfifoat(directory, p, mode_t(mode & 0o7777)) }
            if r != 0 { throw HostErrno.current() }
            return
        }
        if type == FileMode.socket {   // bind of an AF_UNIX socket at a path
            #if os(Linux)
            let r = try withCPath(path) { p in mknodat(directory, p, mode_t(FileMode.socket | (mode & 0o7777)), 0) }
            if r != 0 { throw HostErrno.current() }
            return
            #else
            throw .EPERM   // Darwin's mknod makes no socket nodes: the guest's socket keeps its name only
            #endif
        }
        if type != FileMode.characterDevice && type != FileMode.blockDevice { throw .EINVAL }
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        #if os(Linux)
        let hostDevice = dev_t(device)   // glibc's dev_t has Linux's encoding
        _ = (major, minor)
        #else
        let hostDevice = dev_t(Int32(truncatingIfNeeded: (major << 24) | (minor & 0xffffff)))
        #endif
        let hostType: mode_t = type == FileMode.characterDevice ? mode_t(S_IFCHR) : mode_t(S_IFBLK)
        let r = try withCPath(path) { p in mknodat(directory, p, hostType | mode_t(mode & 0o7777), hostDevice) }
        if r != 0 { throw HostErrno.current() }
    }

    public func setMode(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno) {
        let r = try withCPath(path) { p in fchmodat(directory, p, mode_t(mode), 0) }
        if r != 0 { throw HostErrno.current() }
    }

    public func setMode(_ fd: HostFD, mode: UInt32) throws(Errno) {
        if fchmod(fd, mode_t(mode)) != 0 { throw HostErrno.current() }
    }

    public func setOwner(at directory: HostFD, _ path: [UInt8], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) {
        let r = try withCPath(path) { p in fchownat(directory, p, uid_t(uid), gid_t(gid), followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) }
        if r != 0 { throw HostErrno.current() }
    }

    public func setOwner(_ fd: HostFD, uid: UInt32, gid: UInt32) throws(Errno) {
        if fchown(fd, uid_t(uid), gid_t(gid)) != 0 { throw HostErrno.current() }
    }

    public func setTimes(at directory: HostFD, _ path: [UInt8], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        var times = [HostConstants.timespec(access), HostConstants.timespec(modification)]
        let r = try withCPath(path) { p in utimensat(directory, p, &times, followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) }
        if r != 0 { throw HostErrno.current() }
    }

    public func setTimes(_ fd: HostFD, access: Timespec, modification: Timespec) throws(Errno) {
        var times = [HostConstants.timespec(access), HostConstants.timespec(modification)]
        if futimens(fd, &times) != 0 { throw HostErrno.current() }
    }

    public func truncate(_ fd: HostFD, length: Int64) throws(Errno) {
        if retryInterrupted({ ftruncate(fd, off_t(length)) }) != 0 { throw HostErrno.current() }
    }

    public func synchronize(_ fd: HostFD, dataOnly: Bool) throws(Errno) {
        #if canImport(Glibc)
        let r = dataOnly ? fdatasync(fd) : fsync(fd)
        #else
        let r = fsync(fd)
        #endif
        if r != 0 { throw HostErrno.current() }
    }

    public func access(at directory: HostFD, _ path: [UInt8], mode: Int32) throws(Errno) {
        let r = try withCPath(path) { p in faccessat(directory, p, mode, 0) }
        if r != 0 { throw HostErrno.current() }
    }

    public func readDirectory(_ fd: HostFD) throws(Errno) -> [DirectoryEntry] {
        let copy = dup(fd)
        if copy < 0 { throw HostErrno.current() }
        guard let dir = fdopendir(copy) else {
            let e = HostErrno.current()
            _ = closeDescriptor(copy)
            throw e
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var result: [DirectoryEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                var out: [UInt8] = []
                for b in bytes { if b == 0 { break }; out.append(b) }
                return out
            }
            result.append(DirectoryEntry(name: name, inode: UInt64(entry.pointee.d_ino), type: UInt8(entry.pointee.d_type)))
        }
        return result
    }

    public func fileSystemStat(_ fd: HostFD) throws(Errno) -> FileSystemStat {
        try HostConstants.fileSystemStat(fd)
    }

    public func bytesAvailable(_ fd: HostFD) throws(Errno) -> Int {
        var n: Int32 = 0
        if ioctl(fd, UInt(FIONREAD), &n) != 0 { throw HostErrno.current() }
        return Int(n)
    }

    // MARK: Time

    public func realTime() -> Timespec { clockTime(CLOCK_REALTIME) }

    public func monotonicTime() -> UInt64 { UInt64(clockTime(CLOCK_MONOTONIC).totalNanoseconds) }

    public func processCPUTime() -> UInt64 { UInt64(clockTime(CLOCK_PROCESS_CPUTIME_ID).totalNanoseconds) }

    private func clockTime(_ clock: clockid_t) -> Timespec {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Timespec(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }

    // MARK: Waiting

    public func poll(_ requests: UnsafeMutableBufferPointer<PollRequest>, timeout: Int64) -> Int {
        var fds = [pollfd]()
        fds.reserveCapacity(requests.count + 1)
        for r in requests { fds.append(pollfd(fd: r.fd, events: r.events, revents: 0)) }
        let signalPipe = HostSignals.pipeEnds[0]
        if signalPipe >= 0 { fds.append(pollfd(fd: signalPipe, events: Int16(POLLIN), revents: 0)) }
        for i in 0..<requests.count { requests[i].returnedEvents = 0 }
        if HostSignals.pending() != 0 { return 0 }
        var n = HostConstants.poll(&fds, timeout: timeout)
        if signalPipe >= 0 && fds[requests.count].revents != 0 {
            HostSignals.drain()
            n -= 1
        }
        if n <= 0 { return 0 }
        for i in 0..<requests.count { requests[i].returnedEvents = fds[i].revents }
        return Int(n)
    }

    // MARK: Terminal

    public func isTerminal(_ fd: HostFD) -> Bool { isatty(fd) != 0 }

    public func terminalAttributes(_ fd: HostFD) throws(Errno) -> Termios {
        var t = termios()
        if tcgetattr(fd, &t) != 0 { throw HostErrno.current() }
        return HostConstants.linuxTermios(t)
    }

    public func setTerminalAttributes(_ fd: HostFD, _ attributes: Termios, action: Int32) throws(Errno) {
        var t = termios()
        if tcgetattr(fd, &t) != 0 { throw HostErrno.current() }
        HostConstants.apply(attributes, to: &t)
        let how: Int32 = action == 1 ? TCSADRAIN : action == 2 ? TCSAFLUSH : TCSANOW
        if tcsetattr(fd, how, &t) != 0 { throw HostErrno.current() }
    }

    public func windowSize(_ fd: HostFD) throws(Errno) -> WindowSize {
        var w = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &w) != 0 { throw HostErrno.current() }
        var size = WindowSize(rows: w.ws_row, columns: w.ws_col)
        size.xPixels = w.ws_xpixel
        size.yPixels = w.ws_ypixel
        return size
    }

    public func openControllingTerminal(flags: Int32) throws(Errno) -> HostFD {
        let hostFlags = HostConstants.openFlags(fromLinux: flags) | O_NOCTTY | O_CLOEXEC
        let fd = systemOpen("/dev/tty", hostFlags)
        if fd < 0 { throw .ENXIO }
        return fd
    }

    // MARK: Identity, randomness, signals

    public func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        HostConstants.randomBytes(buffer)
    }

    public var userID: UInt32 { UInt32(geteuid()) }
    public var groupID: UInt32 { UInt32(getegid()) }

    public func memoryInfo() -> (total: UInt64, available: UInt64) { HostConstants.memoryInfo() }

    public func takePendingSignals() -> UInt64 { HostSignals.take() }
}

// MARK: Helpers

/// Runs `body` with `path` as a NUL-terminated C string (ENAMETOOLONG/EINVAL for bad input).
func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) throws(Errno) -> R) throws(Errno) -> R {
    if path.contains(0) { throw .EINVAL }
    var bytes = path
    bytes.append(0)
    var result: R?
    var failure: Errno?
    bytes.withUnsafeBufferPointer { b in
        b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
            do throws(Errno) { result = try body(p) } catch { failure = error }
        }
    }
    if let f = failure { throw f }
    return result!
}

func retryInterrupted<T: FixedWidthInteger>(_ body: () -> T) -> T {
    while true {
        let r = body()
        if r >= 0 || errno != EINTR { return r }
    }
}

private func closeDescriptor(_ fd: HostFD) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}

private func systemRead(_ fd: HostFD, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, p, n)
    #else
    return Darwin.read(fd, p, n)
    #endif
}

private func systemWrite(_ fd: HostFD, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.open(path, flags)
    #else
    return Darwin.open(path, flags)
    #endif
}

private func systemStat() -> stat {
    #if canImport(Glibc)
    return Glibc.stat()
    #else
    return Darwin.stat()
    #endif
}
