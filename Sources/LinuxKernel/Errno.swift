/// A Linux error number, as the guest sees it (asm-generic/errno*.h values, the same on riscv64).
/// System call handlers throw these; the dispatcher returns them to the guest as `-rawValue`.
public struct Errno: Error, Equatable, Hashable {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let EPERM = Errno(1)
    public static let ENOENT = Errno(2)
    public static let ESRCH = Errno(3)
    public static let EINTR = Errno(4)
    public static let EIO = Errno(5)
    public static let ENXIO = Errno(6)
    public static let E2BIG = Errno(7)
    public static let ENOEXEC = Errno(8)
    public static let EBADF = Errno(9)
    public static let ECHILD = Errno(10)
    public static let EAGAIN = Errno(11)
    public static let ENOMEM = Errno(12)
    public static let EACCES = Errno(13)
    public static let EFAULT = Errno(14)
    public static let EBUSY = Errno(16)
    public static let EEXIST = Errno(17)
    public static let EXDEV = Errno(18)
    public static let ENODEV = Errno(19)
    public static let ENOTDIR = Errno(20)
    public static let EISDIR = Errno(21)
    public static let EINVAL = Errno(22)
    public static let ENFILE = Errno(23)
    public static let EMFILE = Errno(24)
    public static let ENOTTY = Errno(25)
    public static let ETXTBSY = Errno(26)
    public static let EFBIG = Errno(27)
    public static let ENOSPC = Errno(28)
    public static let ESPIPE = Errno(29)
    public static let EROFS = Errno(30)
    public static let EMLINK = Errno(31)
    public static let EPIPE = Errno(32)
    public static let EDOM = Errno(33)
    public static let ERANGE = Errno(34)
    public static let EDEADLK = Errno(35)
    public static let ENAMETOOLONG = Errno(36)
    public static let ENOLCK = Errno(37)
    public static let ENOSYS = Errno(38)
    public static let ENOTEMPTY = Errno(39)
    public static let ELOOP = Errno(40)
    public static let ENOMSG = Errno(42)
    public static let EIDRM = Errno(43)
    public static let ENODATA = Errno(61)
    public static let ETIME = Errno(62)
    public static let EOVERFLOW = Errno(75)
    public static let EILSEQ = Errno(84)
    public static let ENOTSOCK = Errno(88)
    public static let EDESTADDRREQ = Errno(89)
    public static let EMSGSIZE = Errno(90)
    public static let EPROTOTYPE = Errno(91)
    public static let ENOPROTOOPT = Errno(92)
    public static let EPROTONOSUPPORT = Errno(93)
    public static let ESOCKTNOSUPPORT = Errno(94)
    public static let EOPNOTSUPP = Errno(95)
    public static let EAFNOSUPPORT = Errno(97)
    public static let EADDRINUSE = Errno(98)
    public static let EADDRNOTAVAIL = Errno(99)
    public static let ENETUNREACH = Errno(101)
    public static let ECONNABORTED = Errno(103)
    public static let ECONNRESET = Errno(104)
    public static let ENOBUFS = Errno(105)
    public static let EISCONN = Errno(106)
    public static let ENOTCONN = Errno(107)
    public static let ETIMEDOUT = Errno(110)
    public static let ECONNREFUSED = Errno(111)
    public static let EALREADY = Errno(114)
    public static let EINPROGRESS = Errno(115)
    public static let ESTALE = Errno(116)
    public static let EDQUOT = Errno(122)
    public static let ECANCELED = Errno(125)

    // Kernel-internal values (never seen by a guest), as in Linux's include/linux/errno.h.
    /// The call must wait: the task was parked on a wait queue; the syscall is re-executed on wake-up.
    static let blocked = Errno(512 + 100)
    /// A signal interrupted a call that restarts after the handler when SA_RESTART is set.
    static let restartSys = Errno(512)

    /// The symbolic name, for diagnostics.
    public var name: String {
        switch rawValue {
        case 1: return "EPERM"; case 2: return "ENOENT"; case 3: return "ESRCH"; case 4: return "EINTR"
        case 5: return "EIO"; case 6: return "ENXIO"; case 7: return "E2BIG"; case 8: return "ENOEXEC"
        case 9: return "EBADF"; case 10: return "ECHILD"; case 11: return "EAGAIN"; case 12: return "ENOMEM"
        case 13: return "EACCES"; case 14: return "EFAULT"; case 16: return "EBUSY"; case 17: return "EEXIST"
        case 18: return "EXDEV"; case 19: return "ENODEV"; case 20: return "ENOTDIR"; case 21: return "EISDIR"
        case 22: return "EINVAL"; case 24: return "EMFILE"; case 25: return "ENOTTY"; case 26: return "ETXTBSY"
        case 27: return "EFBIG"; case 28: return "ENOSPC"; case 29: return "ESPIPE"; case 30: return "EROFS"
        case 31: return "EMLINK"; case 32: return "EPIPE"; case 33: return "EDOM"; case 34: return "ERANGE"
        case 35: return "EDEADLK"; case 36: return "ENAMETOOLONG"; case 37: return "ENOLCK"; case 38: return "ENOSYS"
        case 39: return "ENOTEMPTY"; case 40: return "ELOOP"; case 42: return "ENOMSG"; case 43: return "EIDRM"; case 61: return "ENODATA"; case 75: return "EOVERFLOW"
        case 88: return "ENOTSOCK"; case 95: return "EOPNOTSUPP"; case 97: return "EAFNOSUPPORT"
        case 110: return "ETIMEDOUT"
        default: return "E\(rawValue)"
        }
    }
}
