// File types of image inodes, with the Linux mode bits and d_type values.

public enum FSImageFileType: UInt8 {
    // Raw values are `S_IFMT >> 12`, which is also the `d_type` (DT_*) value.
    case fifo = 1
    case characterDevice = 2
    case directory = 4
    case blockDevice = 6
    case regular = 8
    case symlink = 10
    case socket = 12

    /// The `S_IFMT` bits of a mode.
    public var modeBits: UInt32 { UInt32(rawValue) << 12 }
    /// The `d_type` value for getdents64.
    public var directoryEntryType: UInt8 { rawValue }

    /// The type encoded in a Linux `st_mode`, or nil for an invalid one.
    public init?(mode: UInt32) {
        self.init(rawValue: UInt8(truncatingIfNeeded: (mode >> 12) & 0xF))
    }
}

/// Mode bits beyond the file type.
public enum FSImageMode {
    public static let typeMask: UInt32 = 0o170000
    public static let setuid: UInt32 = 0o4000
    public static let setgid: UInt32 = 0o2000
    public static let sticky: UInt32 = 0o1000
    public static let permissionMask: UInt32 = 0o7777
}
