/// A handle the host gave out: a file descriptor natively, a WASI fd inside WebAssembly.
public typealias HostFD = Int32

/// Everything the kernel needs from the world outside the guest. The kernel resolves guest paths
/// itself (symlinks, `..`, mount points) and only ever passes the host *relative* paths with no
/// symlink or `..` component left, together with an open directory handle to resolve them from,
/// so a host implementation never sees a path that could leave the directory it was given.
///
/// Flags, modes and errors crossing this protocol use Linux's values (`LinuxOpenFlags`, `Errno`,
/// `FileStat.mode`); a host converts them to and from its own.
public protocol Host: AnyObject {
    // MARK: Files and directories (paths relative to an open directory handle)
    func open(at directory: HostFD, _ path: [UInt8], flags: Int32, mode: UInt32) throws(Errno) -> HostFD
    func close(_ fd: HostFD)
    func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int
    func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int
    func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int
    func write(_ fd: HostFD, from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int
    /// `whence` is SEEK_SET 0, SEEK_CUR 1, SEEK_END 2 (SEEK_DATA/SEEK_HOLE may be refused with EINVAL).
    func seek(_ fd: HostFD, offset: Int64, whence: Int32) throws(Errno) -> Int64
    func stat(_ fd: HostFD) throws(Errno) -> FileStat
    func stat(at directory: HostFD, _ path: [UInt8], followSymlinks: Bool) throws(Errno) -> FileStat
    func readLink(at directory: HostFD, _ path: [UInt8]) throws(Errno) -> [UInt8]
    func makeDirectory(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno)
    func remove(at directory: HostFD, _ path: [UInt8], isDirectory: Bool) throws(Errno)
    /// `flags`: Linux RENAME_NOREPLACE (1) / RENAME_EXCHANGE (2); a host without them throws EINVAL.
    func rename(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8], flags: UInt32) throws(Errno)
    func link(at oldDirectory: HostFD, _ oldPath: [UInt8], to newDirectory: HostFD, _ newPath: [UInt8]) throws(Errno)
    func symlink(_ target: [UInt8], at directory: HostFD, _ path: [UInt8]) throws(Errno)
    /// mknod: a named pipe (`mode` S_IFIFO | permissions) or a device node (S_IFCHR/S_IFBLK, with
    /// `device` in Linux's st_rdev encoding). Hosts that cannot make one throw EPERM (WASI has no
    /// FIFOs; device nodes need a privileged host user).
    func makeNode(at directory: HostFD, _ path: [UInt8], mode: UInt32, device: UInt64) throws(Errno)
    func setMode(at directory: HostFD, _ path: [UInt8], mode: UInt32) throws(Errno)
    func setMode(_ fd: HostFD, mode: UInt32) throws(Errno)
    /// `UInt32.max` leaves an id unchanged.
    func setOwner(at directory: HostFD, _ path: [UInt8], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno)
    func setOwner(_ fd: HostFD, uid: UInt32, gid: UInt32) throws(Errno)
    /// Times use Linux's UTIME_NOW / UTIME_OMIT markers in `nanoseconds`.
    func setTimes(at directory: HostFD, _ path: [UInt8], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno)
    func setTimes(_ fd: HostFD, access: Timespec, modification: Timespec) throws(Errno)
    func truncate(_ fd: HostFD, length: Int64) throws(Errno)
    func synchronize(_ fd: HostFD, dataOnly: Bool) throws(Errno)
    /// `mode` is F_OK 0 or a mask of R_OK 4, W_OK 2, X_OK 1.
    func access(at directory: HostFD, _ path: [UInt8], mode: Int32) throws(Errno)
    /// Every entry of an open directory, "." and ".." included.
    func readDirectory(_ fd: HostFD) throws(Errno) -> [DirectoryEntry]
    func fileSystemStat(_ fd: HostFD) throws(Errno) -> FileSystemStat
    /// Bytes that can be read from a pipe, socket or terminal without blocking (FIONREAD).
    func bytesAvailable(_ fd: HostFD) throws(Errno) -> Int

    // MARK: Time
    func realTime() -> Timespec
    /// Nanoseconds on a clock that never goes backwards.
    func monotonicTime() -> UInt64
    /// Nanoseconds of CPU time this host process has used.
    func processCPUTime() -> UInt64

    // MARK: Waiting
    /// Waits until one request is ready or `timeout` nanoseconds pass (negative: no limit) or a host
    /// signal arrives; fills `returnedEvents` (Linux POLL* bits) and returns how many are ready.
    func poll(_ requests: UnsafeMutableBufferPointer<PollRequest>, timeout: Int64) -> Int

    // MARK: Sockets (`--network host`: guest AF_INET/AF_INET6 sockets are host sockets)
    /// A new socket, always non-blocking and close-on-exec on the host side (the kernel provides
    /// the guest's blocking by polling). `type` is SOCK_STREAM 1 or SOCK_DGRAM 2, no flags.
    func socket(family: Int32, type: Int32, protocol proto: Int32) throws(Errno) -> HostFD
    func bind(_ fd: HostFD, to address: SocketAddress) throws(Errno)
    func listen(_ fd: HostFD, backlog: Int32) throws(Errno)
    /// A pending connection (EAGAIN when there is none), non-blocking and close-on-exec too.
    func accept(_ fd: HostFD) throws(Errno) -> (HostFD, SocketAddress?)
    /// Starts a connection: EINPROGRESS while a stream connection is being made (the kernel then
    /// waits for writability and reads `.error`).
    func connect(_ fd: HostFD, to address: SocketAddress) throws(Errno)
    /// `flags` are Linux MSG_* bits among `SocketMessageFlags.passedToHost`.
    func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int
    func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived
    /// sendmsg and recvmsg with ancillary data in Linux's layout (64-bit struct cmsghdr, Linux's
    /// levels and types), passed unchanged: only a Linux host can (others: EOPNOTSUPP).
    func send(_ fd: HostFD, _ data: UnsafeRawBufferPointer, control: UnsafeRawBufferPointer, flags: Int32, to address: SocketAddress?) throws(Errno) -> Int
    func receive(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer, control: UnsafeMutableRawBufferPointer, flags: Int32) throws(Errno) -> SocketReceived
    /// `how` is SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2.
    func shutdown(_ fd: HostFD, how: Int32) throws(Errno)
    /// getsockname (`peer` false) or getpeername.
    func socketAddress(_ fd: HostFD, peer: Bool) throws(Errno) -> SocketAddress
    func socketOption(_ fd: HostFD, _ option: SocketOption) throws(Errno) -> Int32
    func setSocketOption(_ fd: HostFD, _ option: SocketOption, _ value: Int32) throws(Errno)
    /// The host's network interfaces with their addresses (the guest's under `--network host`:
    /// netlink RTM_GETLINK/RTM_GETADDR, SIOCGIF* ioctls), in Linux's terms.
    func networkInterfaces() throws(Errno) -> [NetworkInterface]

    // MARK: Terminal
    func isTerminal(_ fd: HostFD) -> Bool
    func terminalAttributes(_ fd: HostFD) throws(Errno) -> Termios
    /// `action` is TCSANOW 0, TCSADRAIN 1, TCSAFLUSH 2.
    func setTerminalAttributes(_ fd: HostFD, _ attributes: Termios, action: Int32) throws(Errno)
    func windowSize(_ fd: HostFD) throws(Errno) -> WindowSize
    /// The controlling terminal (`/dev/tty`), or ENXIO.
    func openControllingTerminal(flags: Int32) throws(Errno) -> HostFD

    // MARK: Identity, randomness, signals
    func randomBytes(_ buffer: UnsafeMutableRawBufferPointer)
    /// The host user and group whose files appear owned by root (0) in the guest.
    var userID: UInt32 { get }
    var groupID: UInt32 { get }
    /// Physical memory and how much of it is available, in bytes (/proc/meminfo, sysinfo).
    func memoryInfo() -> (total: UInt64, available: UInt64)
    /// Signals the host process received since the last call (bit N-1 = Linux signal N): the
    /// kernel forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGWINCH to the guest.
    func takePendingSignals() -> UInt64
}

public struct Timespec: Equatable {
    public var seconds: Int64
    public var nanoseconds: Int64
    public init(seconds: Int64, nanoseconds: Int64) { self.seconds = seconds; self.nanoseconds = nanoseconds }
    public static let zero = Timespec(seconds: 0, nanoseconds: 0)
    /// Linux's markers for utimensat.
    public static let utimeNow: Int64 = (1 << 30) - 1
    public static let utimeOmit: Int64 = (1 << 30) - 2
    public var totalNanoseconds: Int64 { seconds &* 1_000_000_000 &+ nanoseconds }
    public init(nanoseconds total: Int64) {
        seconds = total / 1_000_000_000
        nanoseconds = total % 1_000_000_000
        if nanoseconds < 0 { nanoseconds += 1_000_000_000; seconds -= 1 }
    }
}

/// File metadata, in Linux's terms (mode bits S_IF* | permissions).
public struct FileStat: Equatable {
    public var device: UInt64 = 0
    public var inode: UInt64 = 0
    public var mode: UInt32 = 0
    public var linkCount: UInt32 = 1
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var rdev: UInt64 = 0
    public var size: Int64 = 0
    public var blockSize: Int32 = 4096
    public var blocks: Int64 = 0
    public var accessTime = Timespec.zero
    public var modificationTime = Timespec.zero
    public var changeTime = Timespec.zero
    public init() {}

    public var fileType: UInt32 { mode & FileMode.typeMask }
    public var isDirectory: Bool { fileType == FileMode.directory }
    public var isRegular: Bool { fileType == FileMode.regular }
    public var isSymlink: Bool { fileType == FileMode.symlink }
}

extension FileStat {
    /// The attributes an in-memory node keeps (tmpfs, the in-memory upper layer); the caller
    /// fills in size, blocks and rdev.
    init(device: UInt64, inode: UInt64, mode: UInt32, linkCount: UInt32, uid: UInt32, gid: UInt32,
         accessTime: Timespec, modificationTime: Timespec, changeTime: Timespec) {
        self.init()
        self.device = device
        self.inode = inode
        self.mode = mode
        self.linkCount = linkCount
        self.uid = uid
        self.gid = gid
        self.accessTime = accessTime
        self.modificationTime = modificationTime
        self.changeTime = changeTime
    }
}

public enum FileMode {
    public static let typeMask: UInt32 = 0o170000
    public static let socket: UInt32 = 0o140000
    public static let symlink: UInt32 = 0o120000
    public static let regular: UInt32 = 0o100000
    public static let blockDevice: UInt32 = 0o060000
    public static let directory: UInt32 = 0o040000
    public static let characterDevice: UInt32 = 0o020000
    public static let fifo: UInt32 = 0o010000

    /// The getdents64 d_type for a mode.
    public static func directoryEntryType(_ mode: UInt32) -> UInt8 {
        switch mode & typeMask {
        case fifo: return 1
        case characterDevice: return 2
        case directory: return 4
        case blockDevice: return 6
        case regular: return 8
        case symlink: return 10
        case socket: return 12
        default: return 0
        }
    }
}

public struct DirectoryEntry: Equatable {
    public var name: [UInt8]
    public var inode: UInt64
    /// DT_* value (DT_DIR 4, DT_REG 8, DT_LNK 10, 0 unknown).
    public var type: UInt8
    public init(name: [UInt8], inode: UInt64, type: UInt8) { self.name = name; self.inode = inode; self.type = type }
}

public struct FileSystemStat {
    public var type: Int64 = 0
    public var blockSize: Int64 = 4096
    public var blocks: UInt64 = 0
    public var freeBlocks: UInt64 = 0
    public var availableBlocks: UInt64 = 0
    public var files: UInt64 = 0
    public var freeFiles: UInt64 = 0
    public var nameLength: Int64 = 255
    public var fragmentSize: Int64 = 4096
    public var flags: Int64 = 0
    public init() {}
}

/// One host descriptor to wait on, with Linux POLL* bits.
public struct PollRequest {
    public var fd: HostFD
    public var events: Int16
    public var returnedEvents: Int16 = 0
    public init(fd: HostFD, events: Int16) { self.fd = fd; self.events = events }
    public static let readable: Int16 = 0x1      // POLLIN
    public static let priority: Int16 = 0x2      // POLLPRI
    public static let writable: Int16 = 0x4      // POLLOUT
    public static let error: Int16 = 0x8         // POLLERR
    public static let hangUp: Int16 = 0x10       // POLLHUP
    public static let invalid: Int16 = 0x20      // POLLNVAL
}

/// The kernel's `struct termios` (asm-generic, 36 bytes) that TCGETS/TCSETS exchange.
public struct Termios: Equatable {
    public var inputFlags: UInt32 = 0
    public var outputFlags: UInt32 = 0
    public var controlFlags: UInt32 = 0
    public var localFlags: UInt32 = 0
    public var line: UInt8 = 0
    /// c_cc, 19 entries (NCCS of the kernel struct).
    public var controlCharacters: [UInt8] = [UInt8](repeating: 0, count: 19)
    public init() {}
}

public struct WindowSize: Equatable {
    public var rows: UInt16 = 0
    public var columns: UInt16 = 0
    public var xPixels: UInt16 = 0
    public var yPixels: UInt16 = 0
    public init(rows: UInt16 = 0, columns: UInt16 = 0) { self.rows = rows; self.columns = columns }
}
