#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinuxKernel

/// Translations between the guest's Linux numbers and this host's.
enum HostConstants {
    // Linux open(2) flag values (asm-generic).
    private static let linuxOpenFlags: [(Int32, Int32)] = {
        var table: [(Int32, Int32)] = [
            (0o100, O_CREAT), (0o200, O_EXCL), (0o400, O_NOCTTY), (0o1000, O_TRUNC), (0o2000, O_APPEND),
            (0o4000, O_NONBLOCK), (0o200000, O_DIRECTORY), (0o400000, O_NOFOLLOW), (0o2000000, O_CLOEXEC),
            (0o10000, O_DSYNC), (0o4010000, O_SYNC),
        ]
        // O_DIRECT and O_NOATIME are hints the host may refuse (alignment, ownership): not passed on.
        #if os(Linux)
        table.append((0o10000000, 0o10000000))   // O_PATH (Glibc does not export it); only the kernel asks for it: a socket node's pin
        #endif
        return table
    }()

    static func openFlags(fromLinux flags: Int32) -> Int32 {
        var host = flags & 3
        for (linux, native) in linuxOpenFlags where flags & linux == linux { host |= native }
        return host
    }

    #if canImport(Glibc)
    static let seekData: Int32 = 3, seekHole: Int32 = 4
    #else
    static let seekData: Int32 = SEEK_DATA, seekHole: Int32 = SEEK_HOLE
    #endif

    static func seekWhence(fromLinux whence: Int32) -> Int32? {
        switch whence {
        case 0: return SEEK_SET
        case 1: return SEEK_CUR
        case 2: return SEEK_END
        case 3: return HostConstants.seekData
        case 4: return HostConstants.seekHole
        default: return nil
        }
    }

    static func fileStat(_ st: stat) -> FileStat {
        var s = FileStat()
        #if canImport(Glibc)
        s.device = UInt64(st.st_dev)
        s.rdev = UInt64(st.st_rdev)
        s.accessTime = Timespec(seconds: Int64(st.st_atim.tv_sec), nanoseconds: Int64(st.st_atim.tv_nsec))
        s.modificationTime = Timespec(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int64(st.st_mtim.tv_nsec))
        s.changeTime = Timespec(seconds: Int64(st.st_ctim.tv_sec), nanoseconds: Int64(st.st_ctim.tv_nsec))
        #else
        s.device = linuxDevice(UInt32(bitPattern: st.st_dev))
        s.rdev = linuxDevice(UInt32(bitPattern: st.st_rdev))
        s.accessTime = Timespec(seconds: Int64(st.st_atimespec.tv_sec), nanoseconds: Int64(st.st_atimespec.tv_nsec))
        s.modificationTime = Timespec(seconds: Int64(st.st_mtimespec.tv_sec), nanoseconds: Int64(st.st_mtimespec.tv_nsec))
        s.changeTime = Timespec(seconds: Int64(st.st_ctimespec.tv_sec), nanoseconds: Int64(st.st_ctimespec.tv_nsec))
        #endif
        s.inode = UInt64(st.st_ino)
        s.mode = UInt32(st.st_mode)
        s.linkCount = UInt32(truncatingIfNeeded: st.st_nlink)
        s.uid = UInt32(st.st_uid)
        s.gid = UInt32(st.st_gid)
        s.size = Int64(st.st_size)
        s.blockSize = Int32(truncatingIfNeeded: st.st_blksize)
        s.blocks = Int64(st.st_blocks)
        return s
    }

    #if canImport(Darwin)
    /// Darwin's dev_t (major << 24 | minor) as Linux's makedev encoding.
    static func linuxDevice(_ d: UInt32) -> UInt64 {
        let major = UInt64(d >> 24), minor = UInt64(d & 0xffffff)
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32)
    }
    #endif

    static func timespec(_ t: Timespec) -> timespec {
        #if canImport(Glibc)
        return Glibc.timespec(tv_sec: Int(t.seconds), tv_nsec: Int(t.nanoseconds))
        #else
        var ns = Int(t.nanoseconds)
        if t.nanoseconds == Timespec.utimeNow { ns = Int(UTIME_NOW) }
        if t.nanoseconds == Timespec.utimeOmit { ns = Int(UTIME_OMIT) }
        return Darwin.timespec(tv_sec: Int(t.seconds), tv_nsec: ns)
        #endif
    }

    static func renameAt(_ oldDirectory: Int32, _ old: UnsafePointer<CChar>, _ newDirectory: Int32,
                         _ new: UnsafePointer<CChar>, _ flags: UInt32) -> Int32 {
        if flags == 0 { return renameat(oldDirectory, old, newDirectory, new) }
        #if canImport(Glibc)
        return linux_renameat2(oldDirectory, old, newDirectory, new, flags)
        #else
        var darwinFlags: UInt32 = 0
        if flags & 1 != 0 { darwinFlags |= UInt32(RENAME_EXCL) }
        if flags & 2 != 0 { darwinFlags |= UInt32(RENAME_SWAP) }
        return renameatx_np(oldDirectory, old, newDirectory, new, darwinFlags)
        #endif
    }

    static func fileSystemStat(_ fd: Int32) throws(Errno) -> FileSystemStat {
        var s = FileSystemStat()
        #if canImport(Glibc)
        // struct statfs of 64-bit Linux: type, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, frsize, flags.
        var raw = [Int64](repeating: 0, count: 15)
        let r = raw.withUnsafeMutableBytes { linux_fstatfs(fd, $0.baseAddress!) }
        if r != 0 { throw HostErrno.current() }
        s.type = raw[0]
        s.blockSize = raw[1]
        s.blocks = UInt64(bitPattern: raw[2])
        s.freeBlocks = UInt64(bitPattern: raw[3])
        s.availableBlocks = UInt64(bitPattern: raw[4])
        s.files = UInt64(bitPattern: raw[5])
        s.freeFiles = UInt64(bitPattern: raw[6])
        s.nameLength = raw[8]
        s.fragmentSize = raw[9]
        s.flags = raw[10]
        #else
        var st = statfs()
        if fstatfs(fd, &st) != 0 { throw HostErrno.current() }
        s.type = 0xEF53 // reported as ext4: the guest only needs a plausible disk file system
        s.blockSize = Int64(st.f_bsize)
        s.blocks = UInt64(st.f_blocks)
        s.freeBlocks = UInt64(st.f_bfree)
        s.availableBlocks = UInt64(st.f_bavail)
        s.files = UInt64(st.f_files)
        s.freeFiles = UInt64(st.f_ffree)
        s.fragmentSize = Int64(st.f_bsize)
        #endif
        return s
    }

    static func poll(_ fds: inout [pollfd], timeout: Int64) -> Int32 {
        #if canImport(Glibc)
        if timeout < 0 {
            return fds.withUnsafeMutableBufferPointer { linux_ppoll($0.baseAddress, nfds_t($0.count), nil, nil) }
        }
        var ts = Glibc.timespec(tv_sec: Int(timeout / 1_000_000_000), tv_nsec: Int(timeout % 1_000_000_000))
        return fds.withUnsafeMutableBufferPointer { linux_ppoll($0.baseAddress, nfds_t($0.count), &ts, nil) }
        #else
        let ms: Int32 = timeout < 0 ? -1 : Int32(clamping: (timeout + 999_999) / 1_000_000)
        return Darwin.poll(&fds, nfds_t(fds.count), ms)
        #endif
    }

    static func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Glibc)
        var done = 0
        while done < buffer.count {
            let n = linux_getrandom(base + done, buffer.count - done, 0)
            if n > 0 { done += n } else if errno != EINTR { break }
        }
        #else
        arc4random_buf(base, buffer.count)
        #endif
    }

    static func memoryInfo() -> (total: UInt64, available: UInt64) {
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let total = UInt64(max(sysconf(Int32(_SC_PHYS_PAGES)), 0)) * page
        #if canImport(Glibc)
        let available = UInt64(max(sysconf(Int32(_SC_AVPHYS_PAGES)), 0)) * page
        #else
        let available = total
        #endif
        return (total, available)
    }

    // MARK: Terminal attributes

    #if canImport(Glibc)
    /// glibc's termios carries the kernel's flag bits unchanged.
    static func linuxTermios(_ t: termios) -> Termios {
        var r = Termios()
        r.inputFlags = UInt32(t.c_iflag)
        r.outputFlags = UInt32(t.c_oflag)
        r.controlFlags = UInt32(t.c_cflag)
        r.localFlags = UInt32(t.c_lflag)
        r.line = UInt8(t.c_line)
        r.controlCharacters = withUnsafeBytes(of: t.c_cc) { Array($0.prefix(19)) }
        return r
    }

    static func apply(_ r: Termios, to t: inout termios) {
        t.c_iflag = tcflag_t(r.inputFlags)
        t.c_oflag = tcflag_t(r.outputFlags)
        t.c_cflag = tcflag_t(r.controlFlags)
        t.c_lflag = tcflag_t(r.localFlags)
        t.c_line = cc_t(r.line)
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            for i in 0..<min(19, r.controlCharacters.count) { cc[i] = r.controlCharacters[i] }
        }
    }
    #else
    // Linux bit -> Darwin bit for the flags programs actually toggle.
    private static let inputBits: [(UInt32, UInt)] = [(0o1, UInt(IGNBRK)), (0o2, UInt(BRKINT)), (0o4, UInt(IGNPAR)),
        (0o10, UInt(PARMRK)), (0o20, UInt(INPCK)), (0o40, UInt(ISTRIP)), (0o100, UInt(INLCR)), (0o200, UInt(IGNCR)),
        (0o400, UInt(ICRNL)), (0o2000, UInt(IXON)), (0o4000, UInt(IXANY)), (0o10000, UInt(IXOFF)),
        (0o20000, UInt(IMAXBEL)), (0o40000, UInt(IUTF8))]
    private static let outputBits: [(UInt32, UInt)] = [(0o1, UInt(OPOST)), (0o4, UInt(ONLCR))]
    private static let localBits: [(UInt32, UInt)] = [(0o1, UInt(ISIG)), (0o2, UInt(ICANON)), (0o10, UInt(ECHO)),
        (0o20, UInt(ECHOE)), (0o40, UInt(ECHOK)), (0o100, UInt(ECHONL)), (0o200, UInt(NOFLSH)), (0o400, UInt(TOSTOP)),
        (0o1000, UInt(ECHOCTL)), (0o2000, UInt(ECHOPRT)), (0o4000, UInt(ECHOKE)), (0o100000, UInt(IEXTEN))]
    /// Linux c_cc index -> Darwin c_cc index.
    private static let controlCharacters: [(Int, Int32)] = [(0, VINTR), (1, VQUIT), (2, VERASE), (3, VKILL), (4, VEOF),
        (5, VTIME), (6, VMIN), (8, VSTART), (9, VSTOP), (10, VSUSP), (11, VEOL), (12, VREPRINT), (13, VDISCARD),
        (14, VWERASE), (15, VLNEXT), (16, VEOL2)]

    private static func toLinux(_ v: UInt, _ table: [(UInt32, UInt)]) -> UInt32 {
        var r: UInt32 = 0
        for (l, d) in table where v & d != 0 { r |= l }
        return r
    }

    private static func toDarwin(_ v: UInt32, _ old: UInt, _ table: [(UInt32, UInt)]) -> UInt {
        var r = old
        for (l, d) in table { if v & l != 0 { r |= d } else { r &= ~d } }
        return r
    }

    static func linuxTermios(_ t: termios) -> Termios {
        var r = Termios()
        r.inputFlags = toLinux(UInt(t.c_iflag), inputBits)
        r.outputFlags = toLinux(UInt(t.c_oflag), outputBits)
        let size = UInt(t.c_cflag) & UInt(CSIZE)
        r.controlFlags = 0o17 // B38400
            | (size == UInt(CS8) ? 0o60 : size == UInt(CS7) ? 0o40 : size == UInt(CS6) ? 0o20 : 0)
            | (UInt(t.c_cflag) & UInt(CSTOPB) != 0 ? 0o100 : 0) | (UInt(t.c_cflag) & UInt(CREAD) != 0 ? 0o200 : 0)
            | (UInt(t.c_cflag) & UInt(PARENB) != 0 ? 0o400 : 0) | (UInt(t.c_cflag) & UInt(HUPCL) != 0 ? 0o2000 : 0)
            | (UInt(t.c_cflag) & UInt(CLOCAL) != 0 ? 0o4000 : 0)
        r.localFlags = toLinux(UInt(t.c_lflag), localBits)
        withUnsafeBytes(of: t.c_cc) { cc in
            for (l, d) in controlCharacters { r.controlCharacters[l] = cc[Int(d)] }
        }
        return r
    }

    static func apply(_ r: Termios, to t: inout termios) {
        t.c_iflag = tcflag_t(toDarwin(r.inputFlags, UInt(t.c_iflag), inputBits))
        t.c_oflag = tcflag_t(toDarwin(r.outputFlags, UInt(t.c_oflag), outputBits))
        t.c_lflag = tcflag_t(toDarwin(r.localFlags, UInt(t.c_lflag), localBits))
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            for (l, d) in controlCharacters where l < r.controlCharacters.count { cc[Int(d)] = r.controlCharacters[l] }
        }
    }
    #endif
}

#if canImport(Glibc)
// glibc functions the Glibc module does not export (they need _GNU_SOURCE or headers it omits).
@_silgen_name("ppoll")
func linux_ppoll(_ fds: UnsafeMutablePointer<pollfd>?, _ n: nfds_t, _ timeout: UnsafePointer<timespec>?,
                 _ mask: UnsafeRawPointer?) -> Int32
@_silgen_name("renameat2")
func linux_renameat2(_ olddir: Int32, _ old: UnsafePointer<CChar>, _ newdir: Int32, _ new: UnsafePointer<CChar>,
                     _ flags: UInt32) -> Int32
@_silgen_name("getrandom")
func linux_getrandom(_ buffer: UnsafeMutableRawPointer, _ count: Int, _ flags: UInt32) -> Int
@_silgen_name("fstatfs")
func linux_fstatfs(_ fd: Int32, _ buffer: UnsafeMutableRawPointer) -> Int32
#endif

/// Host errno values as Linux errnos (identical on Linux).
enum HostErrno {
    static func current() -> Errno { linux(errno) }

    static func linux(_ e: Int32) -> Errno {
        #if canImport(Glibc)
        return Errno(e)
        #else
        switch e {
        case EAGAIN: return .EAGAIN
        case EDEADLK: return .EDEADLK
        case ENAMETOOLONG: return .ENAMETOOLONG
        case ENOLCK: return .ENOLCK
        case ENOSYS: return .ENOSYS
        case ENOTEMPTY: return .ENOTEMPTY
        case ELOOP: return .ELOOP
        case EOVERFLOW: return .EOVERFLOW
        case EILSEQ: return .EILSEQ
        case ENOTSOCK: return .ENOTSOCK
        case EOPNOTSUPP, ENOTSUP: return .EOPNOTSUPP
        case ETIMEDOUT: return .ETIMEDOUT
        case ECONNREFUSED: return .ECONNREFUSED
        case EDQUOT: return .EDQUOT
        case ESTALE: return .ESTALE
        case ENOTCONN: return .ENOTCONN
        case ECONNRESET: return .ECONNRESET
        case EADDRINUSE: return .EADDRINUSE
        case EINPROGRESS: return .EINPROGRESS
        case ENOATTR: return .ENODATA
        default: return e <= 34 ? Errno(e) : .EIO
        }
        #endif
    }
}
