// Builds a filesystem image: file contents stream into the sink as they arrive (page-aligned),
// the tree is kept in memory and may change freely (entries replaced, removed, hard-linked),
// and `finish()` writes the inode, entry and name tables and then the header.

/// Attributes the builder records for every node besides its type.
public struct FSImageAttributes: Equatable {
    /// Permission bits including setuid, setgid and sticky (`mode & 0o7777`).
    public var permissions: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: UInt32

    public init(permissions: UInt32, uid: UInt32 = 0, gid: UInt32 = 0,
                mtimeSeconds: Int64 = 0, mtimeNanoseconds: UInt32 = 0) {
        self.permissions = permissions & FSImageMode.permissionMask
        self.uid = uid
        self.gid = gid
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds < 1_000_000_000 ? mtimeNanoseconds : 999_999_999
    }
}

/// What `FSImageBuilder.finish()` wrote.
public struct FSImageSummary {
    public var inodes: Int
    public var imageSize: UInt64
    /// Bytes of regular-file content reachable in the tree.
    public var contentBytes: UInt64
    /// Content bytes written to the sink but no longer reachable (files replaced or removed
    /// after their contents were written).
    public var unreachableContentBytes: UInt64
}

public final class FSImageBuilder {
    /// A node of the tree being built. Several entries may name one non-directory node (hard links).
    public struct Node: Hashable {
        public let index: Int32
    }

    public struct Child {
        public var name: [UInt8]
        public var node: Node
        /// The caller's mark on the entry (the layer flattener records which layer wrote it).
        public var tag: UInt32
    }

    struct Record {
        var type: FSImageFileType
        var attributes: FSImageAttributes
        var contentOffset: UInt64 = 0
        var size: UInt64 = 0
        var rdevMajor: UInt32 = 0
        var rdevMinor: UInt32 = 0
        var target: [UInt8] = []
        var children: [Child] = []
        /// Directories: the directory holding it, -1 when detached (the root holds itself).
        var parent: Int32 = -1
    }

    let sink: any FSImageSink
    let pageSize: UInt64
    var records: [Record] = []
    /// Bytes appended to the sink so far.
    var written: UInt64 = 0
    var openContent: (node: Int32, start: UInt64)? = nil
    var contentBytesWritten: UInt64 = 0
    var finished = false

    /// Starts an image: reserves the header page in `sink`. The root directory gets `rootAttributes`.
    public init(sink: any FSImageSink,
                rootAttributes: FSImageAttributes = FSImageAttributes(permissions: 0o755),
                pageSize: UInt32 = 4096) throws(FSImageError) {
        guard pageSize >= 512, pageSize & (pageSize - 1) == 0 else { throw .invalidTree("page size must be a power of two") }
        self.sink = sink
        self.pageSize = UInt64(pageSize)
        records.append(Record(type: .directory, attributes: rootAttributes, parent: 0))
        try sink.appendZeros(Int(pageSize))
        written = UInt64(pageSize)
    }

    public var root: Node { Node(index: 0) }

    // MARK: Making nodes (detached until linked into a directory)

    public func makeDirectory(_ attributes: FSImageAttributes) -> Node {
        add(Record(type: .directory, attributes: attributes))
    }

    public func makeSymlink(target: [UInt8], _ attributes: FSImageAttributes) -> Node {
        add(Record(type: .symlink, attributes: attributes, size: UInt64(target.count), target: target))
    }

    /// A character or block device, fifo or socket. Device numbers are recorded, nothing is created.
    public func makeSpecialFile(_ type: FSImageFileType, major: UInt32 = 0, minor: UInt32 = 0,
                                _ attributes: FSImageAttributes) throws(FSImageError) -> Node {
        switch type {
        case .characterDevice, .blockDevice, .fifo, .socket:
            return add(Record(type: type, attributes: attributes, rdevMajor: major, rdevMinor: minor))
        default:
            throw .invalidTree("not a special file type")
        }
    }

    /// An empty regular file; give it contents with `beginContent`/`appendContent`/`endContent`.
    public func makeRegularFile(_ attributes: FSImageAttributes) -> Node {
        add(Record(type: .regular, attributes: attributes))
    }

    /// A regular file holding `bytes`.
    public func makeRegularFile(_ attributes: FSImageAttributes, contents bytes: UnsafeRawBufferPointer) throws(FSImageError) -> Node {
        let node = makeRegularFile(attributes)
        try beginContent(of: node)
        try appendContent(bytes)
        try endContent()
        return node
    }

    /// A regular file holding `bytes`.
    public func makeRegularFile(_ attributes: FSImageAttributes, contents bytes: [UInt8]) throws(FSImageError) -> Node {
        let node = makeRegularFile(attributes)
        try beginContent(of: node)
        try fsImageWithBytes(bytes) { (b) throws(FSImageError) in try appendContent(b) }
        try endContent()
        return node
    }

    func add(_ record: Record) -> Node {
        records.append(record)
        return Node(index: Int32(records.count - 1))
    }

    // MARK: File contents (streamed to the sink, one file at a time)

    /// Starts (or restarts) the contents of `file` at the next page boundary.
    public func beginContent(of file: Node) throws(FSImageError) {
        guard !finished else { throw .invalidTree("builder already finished") }
        guard openContent == nil else { throw .invalidTree("contents of another file still open") }
        guard records[Int(file.index)].type == .regular else { throw .notARegularFile }
        let misalignment = written % pageSize
        if misalignment != 0 {
            try sink.appendZeros(Int(pageSize - misalignment))
            written += pageSize - misalignment
        }
        openContent = (file.index, written)
    }

    public func appendContent(_ bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        guard openContent != nil else { throw .invalidTree("no file contents open") }
        if bytes.count == 0 { return }
        try sink.append(bytes)
        written += UInt64(bytes.count)
    }

    /// Appends `count` zero bytes to the open contents (holes of sparse files).
    public func appendZeroContent(_ count: UInt64) throws(FSImageError) {
        guard openContent != nil else { throw .invalidTree("no file contents open") }
        var left = count
        while left > 0 {
            let n = min(left, 1 << 30)
            try sink.appendZeros(Int(n))
            left -= n
        }
        written += count
    }

    /// Bytes appended to the open contents so far.
    public var openContentSize: UInt64 {
        guard let open = openContent else { return 0 }
        return written - open.start
    }

    public func endContent() throws(FSImageError) {
        guard let open = openContent else { throw .invalidTree("no file contents open") }
        openContent = nil
        let size = written - open.start
        records[Int(open.node)].size = size
        records[Int(open.node)].contentOffset = size == 0 ? 0 : open.start
        contentBytesWritten += size
    }

    // MARK: Node attributes

    public func type(of node: Node) -> FSImageFileType { records[Int(node.index)].type }

    public func attributes(of node: Node) -> FSImageAttributes { records[Int(node.index)].attributes }

    public func setAttributes(_ attributes: FSImageAttributes, of node: Node) {
        records[Int(node.index)].attributes = attributes
    }

    /// Regular file: content length; symlink: target length.
    public func size(of node: Node) -> UInt64 { records[Int(node.index)].size }

    public func symlinkTarget(of node: Node) -> [UInt8] { records[Int(node.index)].target }

    // MARK: The tree

    /// The entry `name` of `directory`, or nil.
    public func lookup(_ name: [UInt8], in directory: Node) -> Node? {
        let children = records[Int(directory.index)].children
        let (found, at) = FSImageBuilder.search(children, name)
        return found ? children[at].node : nil
    }

    /// The tag of entry `name` of `directory`, or nil if there is no such entry.
    public func tag(of name: [UInt8], in directory: Node) -> UInt32? {
        let children = records[Int(directory.index)].children
        let (found, at) = FSImageBuilder.search(children, name)
        return found ? children[at].tag : nil
    }

    /// Names `node` as `name` in `directory`, replacing an existing entry of that name (whose node
    /// is returned). A directory may be named only once: unlink it before linking it elsewhere.
    @discardableResult
    public func link(_ node: Node, as name: [UInt8], in directory: Node, tag: UInt32 = 0) throws(FSImageError) -> Node? {
        guard !finished else { throw .invalidTree("builder already finished") }
        let valid = name.withUnsafeBytes { fsImageIsValidName($0) }
        guard valid else { throw .invalidName }
        guard records[Int(directory.index)].type == .directory else { throw .notADirectory }
        let (found, at) = FSImageBuilder.search(records[Int(directory.index)].children, name)
        if found && records[Int(directory.index)].children[at].node == node {
            records[Int(directory.index)].children[at].tag = tag
            return nil
        }
        if records[Int(node.index)].type == .directory {
            guard records[Int(node.index)].parent == -1 else { throw .invalidTree("directory already linked") }
            records[Int(node.index)].parent = directory.index
        }
        let entry = Child(name: name, node: node, tag: tag)
        if found {
            let old = records[Int(directory.index)].children[at].node
            records[Int(directory.index)].children[at] = entry
            detach(old)
            return old
        }
        records[Int(directory.index)].children.insert(entry, at: at)
        return nil
    }

    /// Removes entry `name` from `directory`; returns the node it named, or nil if there was none.
    @discardableResult
    public func unlink(_ name: [UInt8], in directory: Node) -> Node? {
        let (found, at) = FSImageBuilder.search(records[Int(directory.index)].children, name)
        guard found else { return nil }
        let old = records[Int(directory.index)].children.remove(at: at).node
        detach(old)
        return old
    }

    /// The entries of `directory`, sorted by name.
    public func children(of directory: Node) -> [Child] { records[Int(directory.index)].children }

    /// Removes the entries of `directory` for which `shouldRemove` is true.
    public func removeChildren(of directory: Node, where shouldRemove: (Child) -> Bool) {
        var kept: [Child] = []
        for child in records[Int(directory.index)].children {
            if shouldRemove(child) { detach(child.node) } else { kept.append(child) }
        }
        records[Int(directory.index)].children = kept
    }

    func detach(_ node: Node) {
        if records[Int(node.index)].type == .directory { records[Int(node.index)].parent = -1 }
    }

    static func search(_ children: [Child], _ name: [UInt8]) -> (found: Bool, index: Int) {
        name.withUnsafeBytes { key in
            var low = 0, high = children.count
            while low < high {
                let mid = (low + high) / 2
                let c = children[mid].name.withUnsafeBytes { fsImageCompareNames($0, key) }
                if c == 0 { return (true, mid) }
                if c < 0 { low = mid + 1 } else { high = mid }
            }
            return (false, low)
        }
    }

    // MARK: Writing the tables

    /// Numbers the inodes reachable from the root (breadth first), writes the tables and the
    /// header. The builder cannot be used afterwards.
    public func finish() throws(FSImageError) -> FSImageSummary {
        guard !finished else { throw .invalidTree("builder already finished") }
        guard openContent == nil else { throw .invalidTree("file contents still open") }
        finished = true
        typealias L = FSImageLayout

        // Inode numbers in breadth-first order; directories in `order` list their entries contiguously.
        var numbers = [UInt32](repeating: 0, count: records.count)
        var linkCounts = [UInt32](repeating: 0, count: records.count)
        var order: [Int32] = [0]
        numbers[0] = L.rootInode
        var next = 0
        var direntCount: UInt64 = 0
        while next < order.count {
            let directory = Int(order[next])
            next += 1
            for child in records[directory].children {
                let c = Int(child.node.index)
                direntCount += 1
                if numbers[c] == 0 {
                    guard UInt64(order.count) < UInt64(UInt32.max) else { throw .tooLarge }
                    order.append(child.node.index)
                    numbers[c] = UInt32(order.count)
                } else if records[c].type == .directory {
                    throw .invalidTree("directory linked more than once")
                }
                if records[c].type == .directory { linkCounts[directory] += 1 } else { linkCounts[c] += 1 }
            }
        }
        let inodeCount = order.count

        // Tables are built in memory, then appended after the contents.
        let dataEnd = written
        var inodes = [UInt8](repeating: 0, count: inodeCount * Int(L.inodeSize))
        var dirents = [UInt8](repeating: 0, count: Int(direntCount) * Int(L.direntSize))
        var names: [UInt8] = []
        var direntIndex = 0
        var contentBytes: UInt64 = 0
        for (position, index) in order.enumerated() {
            let r = records[Int(index)]
            let at = position * Int(L.inodeSize)
            typealias I = L.Inode
            var size = r.size
            var location: UInt64 = 0
            var entryCount: UInt32 = 0
            var parent: UInt32 = 0
            var nlink = linkCounts[Int(index)]
            switch r.type {
            case .regular:
                location = r.contentOffset
                contentBytes += r.size
            case .symlink:
                location = UInt64(names.count)
                names.append(contentsOf: r.target)
            case .directory:
                size = L.directorySize
                nlink += 2
                location = UInt64(direntIndex)
                guard UInt64(r.children.count) <= UInt64(UInt32.max) else { throw .tooLarge }
                entryCount = UInt32(r.children.count)
                parent = numbers[Int(r.parent)]
                for child in r.children {
                    let d = direntIndex * Int(L.direntSize)
                    guard UInt64(names.count) <= UInt64(UInt32.max) else { throw .tooLarge }
                    dirents.putLE(numbers[Int(child.node.index)], at: d + L.Dirent.inode)
                    dirents.putLE(UInt32(names.count), at: d + L.Dirent.nameOffset)
                    dirents.putLE(UInt16(child.name.count), at: d + L.Dirent.nameLength)
                    dirents.putLE(records[Int(child.node.index)].type.directoryEntryType, at: d + L.Dirent.type)
                    names.append(contentsOf: child.name)
                    direntIndex += 1
                }
            default:
                break
            }
            inodes.putLE(r.type.modeBits | r.attributes.permissions, at: at + I.mode)
            inodes.putLE(r.attributes.uid, at: at + I.uid)
            inodes.putLE(r.attributes.gid, at: at + I.gid)
            inodes.putLE(nlink, at: at + I.nlink)
            inodes.putLE(size, at: at + I.size)
            inodes.putLE(r.attributes.mtimeSeconds, at: at + I.mtimeSeconds)
            inodes.putLE(r.attributes.mtimeNanoseconds, at: at + I.mtimeNanoseconds)
            inodes.putLE(parent, at: at + I.parent)
            inodes.putLE(location, at: at + I.location)
            inodes.putLE(entryCount, at: at + I.entryCount)
            inodes.putLE(r.rdevMajor, at: at + I.rdevMajor)
            inodes.putLE(r.rdevMinor, at: at + I.rdevMinor)
        }
        guard UInt64(names.count) <= UInt64(UInt32.max) else { throw .tooLarge }

        let padding = (8 - written % 8) % 8
        if padding != 0 { try sink.appendZeros(Int(padding)) }
        let inodeTableOffset = written + padding
        let direntTableOffset = inodeTableOffset + UInt64(inodes.count)
        let namesOffset = direntTableOffset + UInt64(dirents.count)
        let imageSize = namesOffset + UInt64(names.count)
        try appendToSink(inodes)
        try appendToSink(dirents)
        try appendToSink(names)
        written = imageSize

        var header = [UInt8](repeating: 0, count: Int(L.headerSize))
        let m = L.magic
        header[0] = m.0; header[1] = m.1; header[2] = m.2; header[3] = m.3
        header[4] = m.4; header[5] = m.5; header[6] = m.6; header[7] = m.7
        typealias H = L.Header
        header.putLE(L.version, at: H.version)
        header.putLE(UInt32(L.headerSize), at: H.headerSize)
        header.putLE(UInt32(pageSize), at: H.pageSize)
        header.putLE(UInt32(0), at: H.flags)
        header.putLE(imageSize, at: H.imageSize)
        header.putLE(UInt32(inodeCount), at: H.inodeCount)
        header.putLE(L.rootInode, at: H.rootInode)
        header.putLE(inodeTableOffset, at: H.inodeTableOffset)
        header.putLE(direntCount, at: H.direntCount)
        header.putLE(direntTableOffset, at: H.direntTableOffset)
        header.putLE(UInt64(names.count), at: H.namesSize)
        header.putLE(namesOffset, at: H.namesOffset)
        header.putLE(pageSize, at: H.dataOffset)
        header.putLE(dataEnd - pageSize, at: H.dataSize)
        header.putLE(contentBytes, at: H.contentBytes)
        try fsImageWithBytes(header) { (b) throws(FSImageError) in try sink.overwrite(at: 0, with: b) }

        return FSImageSummary(inodes: inodeCount, imageSize: imageSize, contentBytes: contentBytes,
                              unreachableContentBytes: contentBytesWritten - contentBytes)
    }

    func appendToSink(_ bytes: [UInt8]) throws(FSImageError) {
        try fsImageWithBytes(bytes) { (b) throws(FSImageError) in try sink.append(b) }
    }
}
