// One entry of a layer tarball as the flattener sees it, and where entries come from: libarchive
// natively (OCI's LayerArchive), the portable tar reader in a converted module (TarStream).

/// One tar entry, with the fields the flattener needs.
public struct LayerEntry {
    public enum Kind: Equatable {
        case regular
        case directory
        case symlink(target: [UInt8])
        case hardLink(target: [UInt8])
        case characterDevice
        case blockDevice
        case fifo
    }

    public var path: [UInt8]
    public var kind: Kind
    /// Permission bits including setuid, setgid and sticky.
    public var permissions: UInt32
    public var uid: Int64
    public var gid: Int64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: Int
    public var size: Int64
    public var rdevMajor: UInt32
    public var rdevMinor: UInt32

    public init(path: [UInt8], kind: Kind, permissions: UInt32, uid: Int64, gid: Int64, mtimeSeconds: Int64,
                mtimeNanoseconds: Int, size: Int64, rdevMajor: UInt32 = 0, rdevMinor: UInt32 = 0) {
        self.path = path
        self.kind = kind
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
        self.size = size
        self.rdevMajor = rdevMajor
        self.rdevMinor = rdevMinor
    }
}

/// A layer's entries in archive order.
public protocol LayerEntrySource: AnyObject {
    /// The next entry, or nil at the end of the archive. Its data must be read (or skipped by
    /// asking for the next entry) before the entry after it.
    func nextEntry() throws(LayerError) -> LayerEntry?

    /// Delivers the current entry's data in order as (offset, bytes) blocks; offsets jump over
    /// holes of sparse files. Returns the end offset of the last block.
    func readData(_ body: (Int64, UnsafeRawBufferPointer) throws(LayerError) -> Void) throws(LayerError) -> Int64
}
