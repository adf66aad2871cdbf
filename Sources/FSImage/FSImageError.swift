// Errors of the filesystem image reader and builder. The kernel maps them to errno values
// (notADirectory -> ENOTDIR, a corrupt image -> EIO, ...).

public enum FSImageError: Error {
    /// The buffer does not start with the image magic "SKIFF-FS".
    case badMagic
    /// An image of another format version.
    case unsupportedVersion(UInt32)
    /// The buffer is shorter than the image claims to be.
    case truncated(expected: UInt64, available: UInt64)
    /// A structure of the image is inconsistent; the reason names which.
    case corrupt(StaticString)
    /// An inode number outside 1...inodeCount.
    case noSuchInode(UInt32)
    case notADirectory
    case notARegularFile
    case notASymlink
    /// A name that cannot be stored in a directory (empty, over 255 bytes, "/", NUL, "." or "..").
    case invalidName
    /// The builder was used wrongly (the reason says how).
    case invalidTree(StaticString)
    /// A sink failed; the code is the host's errno.
    case sinkFailed(Int32)
    /// A count or offset does not fit the format's fields.
    case tooLarge
    /// The contents of a split image are read with `read`, never handed out in place.
    case contentsNotInMemory

    /// A sentence for a person.
    public var message: String {
        switch self {
        case .badMagic: return "not a Skiff filesystem image (bad magic)"
        case .unsupportedVersion(let v): return "unsupported filesystem image version \(v)"
        case .truncated(let expected, let available):
            return "filesystem image truncated: \(available) of \(expected) bytes present"
        case .corrupt(let why): return "corrupt filesystem image: " + why.description
        case .noSuchInode(let n): return "corrupt filesystem image: no inode \(n)"
        case .notADirectory: return "not a directory"
        case .notARegularFile: return "not a regular file"
        case .notASymlink: return "not a symbolic link"
        case .invalidName: return "invalid file name"
        case .invalidTree(let why): return "invalid filesystem tree: " + why.description
        case .sinkFailed(let code): return "writing the filesystem image failed (errno \(code))"
        case .tooLarge: return "filesystem tree too large for the image format"
        case .contentsNotInMemory: return "the filesystem image's file contents are not in memory"
        }
    }
}
