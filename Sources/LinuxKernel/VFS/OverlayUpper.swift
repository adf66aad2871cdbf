/// The writable (upper) layer of an overlay: a host directory laid out as an OCI layer
/// changeset, so `skiff commit` can archive it as it is:
/// - files and directories the container created or changed (changed lower files are copied up
///   whole first);
/// - `.wh.NAME` (an empty file) where the container deleted NAME of the image;
/// - `.wh..wh..opq` inside a directory that hides the image's directory of the same path
///   (a directory removed and created again).
/// Only the overlay changes this directory while a container runs, so it keeps an index of which
/// names exist there (loaded per directory on first use) and answers most lookups from memory.
enum Whiteout {
    static let prefix: [UInt8] = Array(".wh.".utf8)
    static let opaqueMarker: [UInt8] = Array(".wh..wh..opq".utf8)

    static func isReserved(_ name: [UInt8]) -> Bool {
        name.count >= prefix.count && Array(name[0..<prefix.count]) == prefix
    }

    static func name(for name: [UInt8]) -> [UInt8] { prefix + name }
}

/// What the upper layer holds at one path.
final class UpperNode {
    enum Kind { case directory, file, whiteout }
    var kind: Kind
    /// Directories: the image's directory at this path is hidden (`.wh..wh..opq`).
    var opaque = false
    /// Directories: `children` reflects the host directory.
    var loaded = false
    var children: [[UInt8]: UpperNode] = [:]

    init(_ kind: Kind, loaded: Bool = false) {
        self.kind = kind
        self.loaded = loaded
    }

    /// Names the directory really holds (whiteouts excluded).
    var hasEntries: Bool { children.values.contains { $0.kind != .whiteout } }
}

/// Guest-visible ownership and permission bits of an upper file that the host cannot hold
/// itself: files owned by users other than the container's root (the host user running Skiff
/// cannot chown), and modes without owner read/write (and search, for directories), which the
/// host would enforce against the guest's root. The host file keeps those owner bits set.
public struct OverlayAttributes: Equatable {
    public var uid: UInt32
    public var gid: UInt32
    /// Permission bits (with setuid, setgid, sticky).
    public var mode: UInt32
    /// A device node the host cannot make (an unprivileged host user has no mknod): the host file
    /// is an empty regular file, this record gives its type (S_IFCHR/S_IFBLK) and st_rdev.
    public var fileType: UInt32
    public var rdev: UInt64
    public init(uid: UInt32, gid: UInt32, mode: UInt32, fileType: UInt32 = 0, rdev: UInt64 = 0) {
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.fileType = fileType
        self.rdev = rdev
    }
}

/// The attribute records of a container's upper directory, by host inode number (so they follow
/// renames and are shared by hard links). The native side loads and saves them beside the upper
/// directory; `skiff commit` applies them to the layer it writes.
public final class OverlayAttributeTable {
    public var entries: [UInt64: OverlayAttributes]
    /// Set when a record changed since the table was loaded.
    public var changed = false
    public init(_ entries: [UInt64: OverlayAttributes] = [:]) { self.entries = entries }

    /// The host permission bits that let Skiff's user act as the guest's root on the file.
    static func hostMode(_ mode: UInt32, isDirectory: Bool) -> UInt32 {
        (mode & 0o7777) | (isDirectory ? 0o700 : 0o600)
    }

    /// Records what the host cannot show (or forgets the record when the host can).
    func set(_ inode: UInt64, uid: UInt32, gid: UInt32, mode: UInt32, isDirectory: Bool, isSymlink: Bool = false) {
        // A device node keeps its record (its type lives nowhere else).
        let device = entries[inode].map { ($0.fileType, $0.rdev) } ?? (0, 0)
        let needed = uid != 0 || gid != 0 || device.0 != 0
            || (!isSymlink && OverlayAttributeTable.hostMode(mode, isDirectory: isDirectory) != mode & 0o7777)
        let record = OverlayAttributes(uid: uid, gid: gid, mode: mode & 0o7777, fileType: device.0, rdev: device.1)
        if needed {
            if entries[inode] != record { entries[inode] = record; changed = true }
        } else if entries.removeValue(forKey: inode) != nil {
            changed = true
        }
    }

    /// Records that the empty host file `inode` stands for a device node.
    func setDevice(_ inode: UInt64, uid: UInt32, gid: UInt32, mode: UInt32, type: UInt32, rdev: UInt64) {
        entries[inode] = OverlayAttributes(uid: uid, gid: gid, mode: mode & 0o7777, fileType: type, rdev: rdev)
        changed = true
    }

    func forget(_ inode: UInt64) {
        if entries.removeValue(forKey: inode) != nil { changed = true }
    }
}
