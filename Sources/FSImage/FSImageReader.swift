// Reads a Skiff filesystem image in place from a byte buffer (memory-mapped file or memory):
// inode lookup by name, stat, directory enumeration with getdents64-style cookies, file reads
// and readlink. Every offset is checked before use, so a corrupt image yields FSImageError.

/// The attributes of one inode, as `stat` reports them, plus where its data lies.
public struct FSImageInode {
    public var number: UInt32
    /// Linux `st_mode`: type bits and permissions (with setuid/setgid/sticky).
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var nlink: UInt32
    /// Regular file: content length; symlink: target length; directory: 4096.
    public var size: UInt64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: UInt32
    /// Directories: the parent directory's inode (the root's is itself); others 0.
    public var parent: UInt32
    public var rdevMajor: UInt32
    public var rdevMinor: UInt32
    public var type: FSImageFileType
    /// Regular file: offset of the contents in the image (page-aligned; 0 when empty).
    /// Symlink: offset of the target in the names area. Directory: first entry index.
    public var location: UInt64
    /// Directories: number of entries, without "." and "..".
    public var entryCount: UInt32

    /// `st_blocks`: 512-byte units of contents (file contents start on page boundaries).
    public var blockCount: UInt64 {
        switch type {
        case .regular, .directory: return (size + 4095) / 4096 * 8
        default: return 0
        }
    }

    /// Permission bits including setuid, setgid and sticky.
    public var permissions: UInt32 { mode & FSImageMode.permissionMask }
    public var isDirectory: Bool { type == .directory }
}

/// One directory entry. `name` points into the image buffer (or static storage for "." and "..").
public struct FSImageDirectoryEntry {
    public var name: UnsafeRawBufferPointer
    public var inode: UInt32
    public var type: FSImageFileType
    /// The cookie of the entry after this one (getdents64's `d_off`).
    public var nextCookie: UInt64
}

/// Where the file contents of an image opened without them (`FSImageReader(header:tables:...)`)
/// are read from: the passive data segments of a converted WebAssembly module, for instance.
public protocol FSImageContentSource: AnyObject {
    /// Copies the image's bytes at `offset` (an offset in the image, inside its contents area)
    /// into `buffer`, all of them; false when they cannot be had (a corrupt source).
    func readImage(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Bool
}

public struct FSImageReader {
    /// The buffer holding the image's metadata: the whole image, or (split images) the tables.
    public let base: UnsafeRawPointer
    /// The image offset of `base[0]`: 0, or (split images) where the tables start.
    let baseOffset: UInt64
    /// Split images: where file contents are read from (nil when they are in the buffer).
    let contentSource: FSImageContentSource?
    /// Bytes of the image (its header's imageSize; the buffer may be longer).
    public let imageSize: UInt64
    public let pageSize: UInt32
    public let inodeCount: UInt32
    public let direntCount: UInt64
    /// Sum of regular file sizes, as the builder recorded it.
    public let contentBytes: UInt64
    public let dataOffset: UInt64
    public let dataSize: UInt64
    let inodeTableOffset: UInt64
    let direntTableOffset: UInt64
    let namesOffset: UInt64
    let namesSize: UInt64

    public var rootInode: UInt32 { FSImageLayout.rootInode }

    /// Checks the header and that every table lies within the image. The buffer must stay valid
    /// and unchanged for as long as the reader (and any name it handed out) is used.
    public init(_ buffer: UnsafeRawBufferPointer) throws(FSImageError) {
        guard buffer.baseAddress != nil, UInt64(buffer.count) >= FSImageLayout.headerSize else {
            if buffer.count >= 8 && !FSImageReader.hasMagic(buffer) { throw .badMagic }
            throw .truncated(expected: FSImageLayout.headerSize, available: UInt64(buffer.count))
        }
        try self.init(header: buffer, tables: buffer, tablesOffset: 0, wholeImage: true, contents: nil)
    }

    /// Opens a split image: its 128-byte header, and `tables` holding the image's bytes from
    /// `tablesOffset` to its end (the inode, directory entry and name tables, which must lie
    /// there). File contents are read through `contents` when asked for (`read`), never kept.
    public init(header: UnsafeRawBufferPointer, tables: UnsafeRawBufferPointer, tablesOffset: UInt64,
                contents: FSImageContentSource) throws(FSImageError) {
        try self.init(header: header, tables: tables, tablesOffset: tablesOffset, wholeImage: false, contents: contents)
    }

    private init(header: UnsafeRawBufferPointer, tables: UnsafeRawBufferPointer, tablesOffset: UInt64,
                 wholeImage: Bool, contents: FSImageContentSource?) throws(FSImageError) {
        guard let h = header.baseAddress, UInt64(header.count) >= FSImageLayout.headerSize else {
            throw .truncated(expected: FSImageLayout.headerSize, available: UInt64(header.count))
        }
        guard FSImageReader.hasMagic(header) else { throw .badMagic }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: h.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: h.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        typealias H = FSImageLayout.Header
        let version = u32(H.version)
        guard version == FSImageLayout.version else { throw .unsupportedVersion(version) }
        guard UInt64(u32(H.headerSize)) == FSImageLayout.headerSize else { throw .corrupt("header size") }
        let pageSize = u32(H.pageSize)
        guard pageSize >= 512, pageSize & (pageSize - 1) == 0 else { throw .corrupt("page size") }
        guard u32(H.flags) == 0 else { throw .corrupt("unknown flags") }
        let imageSize = u64(H.imageSize)
        guard imageSize >= FSImageLayout.headerSize else { throw .corrupt("image size") }
        // The bytes at hand: the whole image, or the window [tablesOffset, imageSize).
        guard let base = tables.baseAddress, tablesOffset <= imageSize,
              imageSize - tablesOffset <= UInt64(tables.count) else {
            throw .truncated(expected: imageSize, available: tablesOffset + UInt64(tables.count))
        }
        func inWindow(_ offset: UInt64, _ length: UInt64) -> Bool {
            offset >= tablesOffset && fsImageRangeFits(offset - tablesOffset, length, within: imageSize - tablesOffset)
        }
        let inodeCount = u32(H.inodeCount)
        guard u32(H.rootInode) == FSImageLayout.rootInode, inodeCount >= 1 else { throw .corrupt("root inode") }
        let inodeTableOffset = u64(H.inodeTableOffset)
        guard UInt64(inodeCount) <= imageSize / FSImageLayout.inodeSize,
              inWindow(inodeTableOffset, UInt64(inodeCount) * FSImageLayout.inodeSize)
        else { throw .corrupt("inode table out of bounds") }
        let direntCount = u64(H.direntCount)
        let direntTableOffset = u64(H.direntTableOffset)
        guard direntCount <= imageSize / FSImageLayout.direntSize,
              inWindow(direntTableOffset, direntCount * FSImageLayout.direntSize)
        else { throw .corrupt("directory entry table out of bounds") }
        let namesOffset = u64(H.namesOffset), namesSize = u64(H.namesSize)
        guard inWindow(namesOffset, namesSize) else { throw .corrupt("names area out of bounds") }
        let dataOffset = u64(H.dataOffset), dataSize = u64(H.dataSize)
        guard fsImageRangeFits(dataOffset, dataSize, within: imageSize), dataOffset % UInt64(pageSize) == 0
        else { throw .corrupt("contents area out of bounds") }
        // A split image's contents are read from elsewhere: they must lie before the tables.
        guard wholeImage || dataOffset + dataSize <= tablesOffset else { throw .corrupt("contents area overlaps the tables") }

        self.base = base
        self.baseOffset = tablesOffset
        self.contentSource = contents
        self.imageSize = imageSize
        self.pageSize = pageSize
        self.inodeCount = inodeCount
        self.direntCount = direntCount
        self.contentBytes = u64(H.contentBytes)
        self.dataOffset = dataOffset
        self.dataSize = dataSize
        self.inodeTableOffset = inodeTableOffset
        self.direntTableOffset = direntTableOffset
        self.namesOffset = namesOffset
        self.namesSize = namesSize
        guard try inode(FSImageLayout.rootInode).type == .directory else { throw .corrupt("root is not a directory") }
    }

    /// Where the tables start: the part of the image a split reader needs in memory.
    public var tablesOffset: UInt64 { min(inodeTableOffset, direntTableOffset, namesOffset) }

    static func hasMagic(_ buffer: UnsafeRawBufferPointer) -> Bool {
        if buffer.count < 8 { return false }
        let m = FSImageLayout.magic
        return buffer[0] == m.0 && buffer[1] == m.1 && buffer[2] == m.2 && buffer[3] == m.3
            && buffer[4] == m.4 && buffer[5] == m.5 && buffer[6] == m.6 && buffer[7] == m.7
    }

    // Loads of table bytes at image offset `o` (inside the buffer: the initializer checked it).
    @inline(__always) func u8(_ o: UInt64) -> UInt8 { base.load(fromByteOffset: Int(o - baseOffset), as: UInt8.self) }
    @inline(__always) func u16(_ o: UInt64) -> UInt16 {
        UInt16(littleEndian: base.loadUnaligned(fromByteOffset: Int(o - baseOffset), as: UInt16.self))
    }
    @inline(__always) func u32(_ o: UInt64) -> UInt32 {
        UInt32(littleEndian: base.loadUnaligned(fromByteOffset: Int(o - baseOffset), as: UInt32.self))
    }
    @inline(__always) func u64(_ o: UInt64) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: Int(o - baseOffset), as: UInt64.self))
    }
    /// A pointer to the table bytes at image offset `o`.
    @inline(__always) func pointer(_ o: UInt64) -> UnsafeRawPointer { base + Int(o - baseOffset) }

    // MARK: Inodes

    /// The attributes of inode `number`, with its data location checked against the image.
    public func inode(_ number: UInt32) throws(FSImageError) -> FSImageInode {
        guard number >= 1 && number <= inodeCount else { throw .noSuchInode(number) }
        let at = inodeTableOffset + UInt64(number - 1) * FSImageLayout.inodeSize
        typealias I = FSImageLayout.Inode
        let mode = u32(at + UInt64(I.mode))
        guard let type = FSImageFileType(mode: mode) else { throw .corrupt("inode with invalid file type") }
        let size = u64(at + UInt64(I.size))
        let location = u64(at + UInt64(I.location))
        let entryCount = u32(at + UInt64(I.entryCount))
        let parent = u32(at + UInt64(I.parent))
        let nanos = u32(at + UInt64(I.mtimeNanoseconds))
        guard nanos < 1_000_000_000 else { throw .corrupt("inode mtime nanoseconds") }
        switch type {
        case .regular:
            guard size == 0 || (location % UInt64(pageSize) == 0 && location >= dataOffset
                && fsImageRangeFits(location - dataOffset, size, within: dataSize))
            else { throw .corrupt("file contents out of bounds") }
        case .symlink:
            guard fsImageRangeFits(location, size, within: namesSize) else { throw .corrupt("symlink target out of bounds") }
        case .directory:
            guard fsImageRangeFits(location, UInt64(entryCount), within: direntCount)
            else { throw .corrupt("directory entries out of bounds") }
            guard parent >= 1 && parent <= inodeCount else { throw .corrupt("directory parent out of range") }
        default:
            break
        }
        return FSImageInode(
            number: number, mode: mode, uid: u32(at + UInt64(I.uid)), gid: u32(at + UInt64(I.gid)),
            nlink: u32(at + UInt64(I.nlink)), size: size,
            mtimeSeconds: Int64(bitPattern: u64(at + UInt64(I.mtimeSeconds))), mtimeNanoseconds: nanos,
            parent: parent, rdevMajor: u32(at + UInt64(I.rdevMajor)), rdevMinor: u32(at + UInt64(I.rdevMinor)),
            type: type, location: location, entryCount: entryCount)
    }

    // MARK: Directories

    /// The `index`-th stored entry of `directory` (sorted by name; "." and ".." not included).
    public func entry(at index: UInt32, in directory: FSImageInode) throws(FSImageError) -> FSImageDirectoryEntry {
        guard directory.type == .directory else { throw .notADirectory }
        guard index < directory.entryCount else { throw .corrupt("directory entry index out of range") }
        let slot = directory.location + UInt64(index)
        // inode() checked location + entryCount <= direntCount for images it read; recheck for
        // hand-made FSImageInode values.
        guard slot < direntCount else { throw .corrupt("directory entries out of bounds") }
        let at = direntTableOffset + slot * FSImageLayout.direntSize
        typealias D = FSImageLayout.Dirent
        let number = u32(at + UInt64(D.inode))
        let nameOffset = UInt64(u32(at + UInt64(D.nameOffset)))
        let nameLength = UInt64(u16(at + UInt64(D.nameLength)))
        guard nameLength >= 1, fsImageRangeFits(nameOffset, nameLength, within: namesSize)
        else { throw .corrupt("entry name out of bounds") }
        guard number >= 1 && number <= inodeCount else { throw .noSuchInode(number) }
        guard let type = FSImageFileType(rawValue: u8(at + UInt64(D.type))) else { throw .corrupt("entry with invalid type") }
        let name = UnsafeRawBufferPointer(start: pointer(namesOffset + nameOffset), count: Int(nameLength))
        return FSImageDirectoryEntry(name: name, inode: number, type: type, nextCookie: UInt64(index) + 3)
    }

    /// The inode named `name` in `directory`, or nil if there is none (binary search).
    public func lookup(_ name: UnsafeRawBufferPointer, in directory: FSImageInode) throws(FSImageError) -> UInt32? {
        guard directory.type == .directory else { throw .notADirectory }
        if name.count == 1 && name[0] == 0x2E { return directory.number }
        if name.count == 2 && name[0] == 0x2E && name[1] == 0x2E { return directory.parent }
        var low: UInt32 = 0, high = directory.entryCount
        while low < high {
            let mid = low + (high - low) / 2
            let e = try entry(at: mid, in: directory)
            let c = fsImageCompareNames(e.name, name)
            if c == 0 { return e.inode }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    public func lookup(_ name: String, in directory: FSImageInode) throws(FSImageError) -> UInt32? {
        try fsImageWithUTF8(name) { (bytes) throws(FSImageError) in try lookup(bytes, in: directory) }
    }

    /// Enumerates `directory` from `cookie` (0 is ".", 1 is "..", 2 + i the i-th entry) until
    /// the end or until `body` returns false; an entry refused that way is delivered again
    /// when enumeration resumes from the last accepted entry's `nextCookie`.
    public func readDirectory(_ directory: FSImageInode, from cookie: UInt64,
                              _ body: (FSImageDirectoryEntry) -> Bool) throws(FSImageError) {
        guard directory.type == .directory else { throw .notADirectory }
        var cookie = cookie
        if cookie == 0 {
            let dot = FSImageDirectoryEntry(name: FSImageReader.dotName, inode: directory.number,
                                            type: .directory, nextCookie: 1)
            if !body(dot) { return }
            cookie = 1
        }
        if cookie == 1 {
            let dotdot = FSImageDirectoryEntry(name: FSImageReader.dotDotName, inode: directory.parent,
                                               type: .directory, nextCookie: 2)
            if !body(dotdot) { return }
            cookie = 2
        }
        var index = cookie - 2
        while index < UInt64(directory.entryCount) {
            if !body(try entry(at: UInt32(index), in: directory)) { return }
            index += 1
        }
    }

    static let dotName = UnsafeRawBufferPointer(start: StaticString(".").utf8Start, count: 1)
    static let dotDotName = UnsafeRawBufferPointer(start: StaticString("..").utf8Start, count: 2)

    /// Walks `path` ("/usr/bin/env" or "usr/bin/env") from the root without following symlinks.
    /// Returns nil if a component is missing; throws notADirectory if one is not a directory.
    public func resolve(_ path: UnsafeRawBufferPointer) throws(FSImageError) -> UInt32? {
        var current = try inode(rootInode)
        var start = 0
        while start < path.count {
            var end = start
            while end < path.count && path[end] != 0x2F { end += 1 }
            if end > start {
                let component = UnsafeRawBufferPointer(rebasing: path[start..<end])
                guard let next = try lookup(component, in: current) else { return nil }
                current = try inode(next)
            }
            start = end + 1
        }
        return current.number
    }

    public func resolve(_ path: String) throws(FSImageError) -> UInt32? {
        try fsImageWithUTF8(path) { (bytes) throws(FSImageError) in try resolve(bytes) }
    }

    // MARK: Contents

    /// Whether file contents are in the buffer (`contents(of:)` works), not read from elsewhere.
    public var hasContentsInMemory: Bool { contentSource == nil }

    /// Checks that `file` is a regular file whose contents lie in the contents area.
    private func checkContents(_ file: FSImageInode) throws(FSImageError) {
        guard file.type == .regular else { throw .notARegularFile }
        guard file.size == 0 || (file.location >= dataOffset && fsImageRangeFits(file.location - dataOffset, file.size, within: dataSize))
        else { throw .corrupt("file contents out of bounds") }
    }

    /// The whole contents of a regular file, in place in the image. A split image has no
    /// contents in memory: use `read`.
    public func contents(of file: FSImageInode) throws(FSImageError) -> UnsafeRawBufferPointer {
        try checkContents(file)
        if file.size == 0 { return UnsafeRawBufferPointer(start: base, count: 0) }
        guard contentSource == nil else { throw .contentsNotInMemory }
        return UnsafeRawBufferPointer(start: base + Int(file.location), count: Int(file.size))
    }

    /// Copies file bytes from `offset` into `buffer`; returns how many (0 at or past the end).
    public func read(_ file: FSImageInode, at offset: UInt64,
                     into buffer: UnsafeMutableRawBufferPointer) throws(FSImageError) -> Int {
        try checkContents(file)
        if offset >= file.size || buffer.count == 0 { return 0 }
        let n = Int(min(UInt64(buffer.count), file.size - offset))
        if let source = contentSource {
            guard source.readImage(at: file.location + offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])) else {
                throw .corrupt("file contents cannot be read")
            }
        } else {
            buffer.baseAddress!.copyMemory(from: base + Int(file.location + offset), byteCount: n)
        }
        return n
    }

    /// The target of a symlink, in place in the image.
    public func readlink(_ link: FSImageInode) throws(FSImageError) -> UnsafeRawBufferPointer {
        guard link.type == .symlink else { throw .notASymlink }
        guard fsImageRangeFits(link.location, link.size, within: namesSize) else { throw .corrupt("symlink target out of bounds") }
        return UnsafeRawBufferPointer(start: pointer(namesOffset + link.location), count: Int(link.size))
    }
}
