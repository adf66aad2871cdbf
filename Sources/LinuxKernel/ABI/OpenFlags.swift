/// open(2) flags as the riscv64 guest passes them (asm-generic/fcntl.h, octal).
public enum LinuxOpenFlags {
    public static let accessMode: Int32 = 0o3
    public static let readOnly: Int32 = 0o0
    public static let writeOnly: Int32 = 0o1
    public static let readWrite: Int32 = 0o2
    public static let create: Int32 = 0o100
    public static let exclusive: Int32 = 0o200
    public static let noControllingTerminal: Int32 = 0o400
    public static let truncate: Int32 = 0o1000
    public static let append: Int32 = 0o2000
    public static let nonBlocking: Int32 = 0o4000
    public static let dataSync: Int32 = 0o10000
    public static let async: Int32 = 0o20000
    public static let direct: Int32 = 0o40000
    public static let largeFile: Int32 = 0o100000
    public static let directory: Int32 = 0o200000
    public static let noFollow: Int32 = 0o400000
    public static let noAccessTime: Int32 = 0o1000000
    public static let closeOnExec: Int32 = 0o2000000
    public static let sync: Int32 = 0o4010000
    public static let path: Int32 = 0o10000000
    public static let temporaryFile: Int32 = 0o20200000

    /// Flags F_GETFL reports and F_SETFL may change (the rest are fixed at open).
    static let settable: Int32 = append | nonBlocking | async | direct | noAccessTime
}

/// `dirfd` value meaning "the current directory" in *at calls.
let AT_FDCWD: Int32 = -100
let AT_SYMLINK_NOFOLLOW: Int32 = 0x100
let AT_REMOVEDIR: Int32 = 0x200
let AT_SYMLINK_FOLLOW: Int32 = 0x400
let AT_NO_AUTOMOUNT: Int32 = 0x800
let AT_EMPTY_PATH: Int32 = 0x1000
let AT_EACCESS: Int32 = 0x200
