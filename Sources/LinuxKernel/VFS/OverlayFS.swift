#if !SKIFF_SINGLE_MODULE
import FSImage
#endif

/// A container's root file system: the image (an ImageFS, read-only) as the lower layer and a
/// host directory as the writable upper layer, merged the way Linux overlayfs merges them:
/// - a name in the upper layer hides the image's, except that a directory over a directory is
///   merged (unless marked opaque);
/// - opening for writing, truncating, chmod, chown, utimes, linking or renaming an image file
///   first copies it up (contents, mode, owner, mtime); a directory is copied up alone (empty) when
///   something is created in it;
/// - deleting an image file leaves a whiteout; removing a directory and creating it again makes the
///   new one opaque.
/// As overlayfs without `redirect_dir`, renaming a directory that has image contents fails with
/// EXDEV (`mv` then copies and deletes), and copy-up breaks hard links between image files
/// (as overlayfs without `index`). Names starting with `.wh.` cannot be created (EPERM): the
/// upper layer uses them for whiteouts, as OCI layers do.
/// The upper directory is reached only through `host` with paths relative to `upperRoot` that the
/// resolver freed of symlinks and "..", with O_NOFOLLOW (the same confinement as HostDirectoryFS).
final class OverlayFS: FileSystem {
    let lower: ImageFS
    let host: Host
    let upperRoot: HostFD
    let attributes: OverlayAttributeTable
    let deviceID: UInt64
    let root = UpperNode(.directory)
    /// The cap on the upper layer's size, when the container has one (set before it runs).
    var quota: WritableLayerQuota?

    init(lower: ImageFS, host: Host, upper: HostFD, attributes: OverlayAttributeTable, device: UInt64, readOnly: Bool) {
        self.lower = lower
        self.host = host
        self.upperRoot = upper
        self.attributes = attributes
        self.deviceID = makeDevice(0, device)
        super.init(readOnly: readOnly)
    }

    override var device: UInt64 { deviceID }

    static func relative(_ path: [[UInt8]]) -> [UInt8] { HostDirectoryFS.relative(path) }

    // MARK: The merged view

    /// What is at a path: the upper entry, the visible image entry, or both (a merged directory).
    struct Location {
        var upper: UpperNode?
        var lower: FSImageInode?
        var isDirectory: Bool { upper.map { $0.kind == .directory } ?? (lower?.type == .directory) }
    }

    /// The merged entry at `path`; ENOENT if there is none.
    func locate(_ path: [[UInt8]]) throws(Errno) -> Location {
        var here = Location(upper: root, lower: root.opaque ? nil : try lower.inode(number: lower.reader.rootInode))
        for (depth, name) in path.enumerated() {
            guard here.isDirectory else { throw .ENOTDIR }
            var upper: UpperNode?
            if let u = here.upper {
                try load(u, Array(path[0..<depth]))
                upper = u.children[name]
            }
            var image: FSImageInode?
            if let l = here.lower, l.type == .directory, let n = try lower.lookup(name, in: l) {
                image = try lower.inode(number: n)
            }
            if let u = upper {
                switch u.kind {
                case .whiteout: upper = nil; image = nil
                case .file: image = nil
                case .directory:
                    try load(u, Array(path[0...depth])) // learns whether it is opaque
                    if u.opaque || image?.type != .directory { image = nil }
                }
            }
            if upper == nil && image == nil { throw .ENOENT }
            here = Location(upper: upper, lower: image)
        }
        return here
    }

    /// Reads an upper directory's names into its node.
    func load(_ node: UpperNode, _ path: [[UInt8]]) throws(Errno) {
        if node.loaded { return }
        let fd = try host.open(at: upperRoot, Self.relative(path),
                               flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.directory | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0)
        defer { host.close(fd) }
        var whiteouts: [[UInt8]] = []
        for e in try host.readDirectory(fd) {
            if e.name == [0x2e] || e.name == [0x2e, 0x2e] { continue }
            if e.name == Whiteout.opaqueMarker { node.opaque = true; continue }
            if Whiteout.isReserved(e.name) { whiteouts.append(Array(e.name[Whiteout.prefix.count...])); continue }
            var type = e.type
            if type == 0 { type = FileMode.directoryEntryType((try host.stat(at: fd, e.name, followSymlinks: false)).mode) }
            node.children[e.name] = UpperNode(type == 4 ? .directory : .file)
        }
        for name in whiteouts {
            if let existing = node.children[name] {
                // NAME and .wh.NAME together (as an OCI layer may have them): NAME replaces the image's.
                existing.opaque = true
            } else {
                node.children[name] = UpperNode(.whiteout)
            }
        }
        node.loaded = true
    }

    /// The upper directory node at `path`, which must be an upper directory.
    func upperDirectory(_ path: [[UInt8]]) throws(Errno) -> UpperNode {
        let loc = try locate(path)
        guard let u = loc.upper, u.kind == .directory else { throw .ENOENT }
        try load(u, path)
        return u
    }

    /// The image inode at `path` ignoring the upper layer (nil if the image has none).
    func imageEntry(_ path: [[UInt8]]) -> FSImageInode? { try? lower.inode(path) }

    // MARK: Attributes

    /// Upper host inodes are moved out of the image's range (image inodes are 32-bit).
    func guestInode(_ hostInode: UInt64) -> UInt64 { (1 << 48) | (hostInode & ((1 << 48) - 1)) }

    /// An upper file's host metadata as the guest sees it.
    func present(upper st: FileStat, lower image: FSImageInode?) -> FileStat {
        var s = st
        if let a = attributes.entries[st.inode] {
            s.uid = a.uid
            s.gid = a.gid
            if !st.isSymlink { s.mode = st.fileType | a.mode }
            if a.fileType != 0 && st.isRegular {
                s.mode = a.fileType | a.mode
                s.rdev = a.rdev
                s.size = 0
                s.blocks = 0
            }
        } else {
            if s.uid == host.userID { s.uid = 0 }
            if s.gid == host.groupID { s.gid = 0 }
        }
        if let image, st.isDirectory {
            // A merged directory keeps the image's inode number; its link count is unknown (as overlayfs reports).
            s.inode = UInt64(image.number)
            s.linkCount = 1
        } else {
            s.inode = guestInode(st.inode)
        }
        s.device = deviceID
        return s
    }

    func present(lower st: FileStat) -> FileStat {
        var s = st
        s.device = deviceID
        return s
    }

    private func stat(_ loc: Location, _ path: [[UInt8]]) throws(Errno) -> FileStat {
        if loc.upper != nil {
            return present(upper: try host.stat(at: upperRoot, Self.relative(path), followSymlinks: false), lower: loc.lower)
        }
        return present(lower: lower.fileStat(loc.lower!))
    }

    // MARK: Copy-up

    /// Makes sure `path` exists in the upper layer (copying the image's entry up: a directory
    /// alone, a file with its contents) and returns its node.
    @discardableResult
    func copyUp(_ path: [[UInt8]]) throws(Errno) -> UpperNode {
        if readOnly { throw .EROFS }
        let loc = try locate(path)
        if let u = loc.upper { return u }
        guard let image = loc.lower, let name = path.last else { throw .ENOENT }
        let parent = try copyUp(Array(path.dropLast()))
        try load(parent, Array(path.dropLast()))
        let rel = Self.relative(path)
        let permissions = image.mode & 0o7777
        let node: UpperNode
        switch image.type {
        case .directory:
            try host.makeDirectory(at: upperRoot, rel, mode: OverlayAttributeTable.hostMode(permissions, isDirectory: true))
            node = UpperNode(.directory, loaded: true)
        case .regular:
            try copyContents(of: image, to: rel)
            node = UpperNode(.file)
        case .symlink:
            try host.symlink(try lower.linkTarget(image), at: upperRoot, rel)
            node = UpperNode(.file)
        case .fifo:
            try host.makeNode(at: upperRoot, rel, mode: FileMode.fifo | OverlayAttributeTable.hostMode(permissions, isDirectory: false), device: 0)
            node = UpperNode(.file)
        case .characterDevice, .blockDevice:
            try makeDeviceRecord(rel, type: image.type == .characterDevice ? FileMode.characterDevice : FileMode.blockDevice,
                                 permissions: permissions, rdev: lower.fileStat(image).rdev, uid: image.uid, gid: image.gid)
            node = UpperNode(.file)
        default:
            // Sockets cannot be made without binding one.
            throw .EPERM
        }
        do throws(Errno) {
            let st = try host.stat(at: upperRoot, rel, followSymlinks: false)
            if image.type != .symlink {
                try host.setMode(at: upperRoot, rel, mode: OverlayAttributeTable.hostMode(permissions, isDirectory: image.type == .directory))
            }
            if image.type != .characterDevice && image.type != .blockDevice {
                attributes.set(st.inode, uid: image.uid, gid: image.gid, mode: permissions,
                               isDirectory: image.type == .directory, isSymlink: image.type == .symlink)
            }
            let mtime = Timespec(seconds: image.mtimeSeconds, nanoseconds: Int64(image.mtimeNanoseconds))
            try host.setTimes(at: upperRoot, rel, access: mtime, modification: mtime, followSymlinks: false)
        } catch {
            try? host.remove(at: upperRoot, rel, isDirectory: image.type == .directory)
            throw error
        }
        parent.children[name] = node
        return node
    }

    /// A device node in the upper layer: an empty host file and the record of what it is.
    private func makeDeviceRecord(_ rel: [UInt8], type: UInt32, permissions: UInt32, rdev: UInt64, uid: UInt32, gid: UInt32) throws(Errno) {
        let fd = try host.open(at: upperRoot, rel, flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.exclusive
                               | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0o600)
        let st: FileStat
        do { st = try host.stat(fd) } catch { host.close(fd); try? host.remove(at: upperRoot, rel, isDirectory: false); throw error }
        host.close(fd)
        attributes.setDevice(st.inode, uid: uid, gid: gid, mode: permissions, type: type, rdev: rdev)
    }

    private func copyContents(of image: FSImageInode, to rel: [UInt8]) throws(Errno) {
        try quota?.reserve(image.size)
        let fd = try host.open(at: upperRoot, rel, flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.exclusive
                               | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0o600)
        do throws(Errno) {
            try lower.forEachChunk(of: image) { (data) throws(Errno) in
                var done = 0
                while done < data.count {
                    let n = try host.write(fd, from: UnsafeRawBufferPointer(rebasing: data[done..<min(data.count, done + (1 << 20))]))
                    if n <= 0 { throw .EIO }
                    done += n
                }
            }
        } catch {
            host.close(fd)
            try? host.remove(at: upperRoot, rel, isDirectory: false)
            throw error
        }
        host.close(fd)
    }

    /// Prepares `path` (which does not exist in the merged view) for a new entry: copies its parent
    /// up and removes a whiteout standing for the name. Returns the parent's node and whether the
    /// name was whited out (a new directory there must then hide the image's).
    private func prepareNewEntry(_ path: [[UInt8]]) throws(Errno) -> (UpperNode, Bool) {
        if readOnly { throw .EROFS }
        guard let name = path.last else { throw .EEXIST }
        if Whiteout.isReserved(name) { throw .EPERM }
        let parentPath = Array(path.dropLast())
        let parent = try copyUp(parentPath)
        guard parent.kind == .directory else { throw .ENOTDIR }
        try load(parent, parentPath)
        var whitedOut = false
        if parent.children[name]?.kind == .whiteout {
            try host.remove(at: upperRoot, Self.relative(parentPath + [Whiteout.name(for: name)]), isDirectory: false)
            parent.children[name] = nil
            whitedOut = true
        }
        return (parent, whitedOut)
    }

    /// Hides the image's entry at `path` (after the upper one, if any, was removed).
    private func whiteOut(_ path: [[UInt8]], in parent: UpperNode) throws(Errno) {
        guard let name = path.last else { return }
        let marker = Array(path.dropLast()) + [Whiteout.name(for: name)]
        let fd = try host.open(at: upperRoot, Self.relative(marker), flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create
                               | LinuxOpenFlags.truncate | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0o600)
        host.close(fd)
        parent.children[name] = UpperNode(.whiteout)
    }

    private func makeOpaque(_ path: [[UInt8]], _ node: UpperNode) throws(Errno) {
        if node.opaque { return }
        let fd = try host.open(at: upperRoot, Self.relative(path + [Whiteout.opaqueMarker]), flags: LinuxOpenFlags.writeOnly
                               | LinuxOpenFlags.create | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0o600)
        host.close(fd)
        node.opaque = true
    }

    /// Removes an upper directory's whiteouts and opaque marker so the host can remove or replace
    /// it (the merged directory was checked to be empty).
    private func clearMarkers(_ path: [[UInt8]], _ node: UpperNode) throws(Errno) {
        try load(node, path)
        for (name, child) in node.children where child.kind == .whiteout {
            try host.remove(at: upperRoot, Self.relative(path + [Whiteout.name(for: name)]), isDirectory: false)
            node.children[name] = nil
        }
        if node.opaque {
            try host.remove(at: upperRoot, Self.relative(path + [Whiteout.opaqueMarker]), isDirectory: false)
            node.opaque = false
        }
    }

    /// The merged directory's entries ("." and ".." not included).
    func listing(_ path: [[UInt8]], _ loc: Location) throws(Errno) -> [DirectoryEntry] {
        var result: [DirectoryEntry] = []
        var upperNames: [[UInt8]: UpperNode] = [:]
        if let u = loc.upper {
            try load(u, path)
            upperNames = u.children
            let fd = try host.open(at: upperRoot, Self.relative(path), flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.directory
                                   | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0)
            defer { host.close(fd) }
            for e in try host.readDirectory(fd) {
                guard let node = u.children[e.name], node.kind != .whiteout else { continue }
                var inode = guestInode(e.inode)
                if node.kind == .directory && !node.opaque, let l = loc.lower,
                   let n = try lower.lookup(e.name, in: l), (try lower.inode(number: n)).type == .directory {
                    inode = UInt64(n)
                }
                var type = e.type
                if let a = attributes.entries[e.inode], a.fileType != 0 { type = FileMode.directoryEntryType(a.fileType) }
                result.append(DirectoryEntry(name: e.name, inode: inode, type: type))
            }
        }
        if let l = loc.lower {
            for e in try lower.names(in: l) where upperNames[e.name] == nil { result.append(e) }
        }
        return result
    }

    // MARK: FileSystem

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat { try stat(path) }

    func stat(_ path: [[UInt8]]) throws(Errno) -> FileStat { try stat(try locate(path), path) }

    override func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget {
        let loc = try locate(path)
        if loc.upper != nil { return .path(try host.readLink(at: upperRoot, Self.relative(path))) }
        guard let l = loc.lower, l.type == .symlink else { throw .EINVAL }
        return .path(try lower.linkTarget(l))
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        if flags & LinuxOpenFlags.temporaryFile == LinuxOpenFlags.temporaryFile { throw .EOPNOTSUPP }
        let loc: Location
        do throws(Errno) {
            loc = try locate(path)
        } catch {
            guard error == .ENOENT, flags & LinuxOpenFlags.create != 0 else { throw error }
            return try create(path, flags: flags, mode: mode, guestPath: guestPath)
        }
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: try stat(loc, path))
        }
        if loc.isDirectory {
            let st = try stat(loc, path)
            var entries = [DirectoryEntry(name: [0x2e], inode: st.inode, type: 4)]
            let parentInode = path.isEmpty ? st.inode : (try stat(Array(path.dropLast()))).inode
            entries.append(DirectoryEntry(name: [0x2e, 0x2e], inode: parentInode, type: 4))
            entries += try listing(path, loc)
            let d = SyntheticDirectory(entries: entries, components: guestPath, stat: st, fileSystem: self, flags: flags)
            return OverlayFile(d, overlay: self, relative: path, lower: loc.lower)
        }
        let writes = flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly || flags & LinuxOpenFlags.truncate != 0
        if loc.upper == nil && !writes {
            let d = try lower.openInode(loc.lower!, flags: flags, guestPath: guestPath, fileSystem: self)
            return OverlayFile(d, overlay: self, relative: path, lower: loc.lower)
        }
        if writes && readOnly { throw .EROFS }
        if loc.upper == nil { try copyUp(path) }
        let d = try openUpper(path, flags: flags & ~(LinuxOpenFlags.create | LinuxOpenFlags.exclusive), mode: 0, guestPath: guestPath, lower: nil)
        return OverlayFile(d, overlay: self, relative: path, lower: nil)
    }

    /// Creates a regular file in the upper layer (the merged view has nothing at `path`).
    private func create(_ path: [[UInt8]], flags: Int32, mode: UInt32, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        let (parent, _) = try prepareNewEntry(path)
        let d = try openUpper(path, flags: flags, mode: OverlayAttributeTable.hostMode(mode, isDirectory: false), guestPath: guestPath, lower: nil)
        parent.children[path.last!] = UpperNode(.file)
        let st = try host.stat(d.fd)
        attributes.set(st.inode, uid: 0, gid: 0, mode: mode, isDirectory: false)
        return OverlayFile(d, overlay: self, relative: path, lower: nil)
    }

    /// An empty root-owned 0644 file at `path` (a mount point for a file), opened for writing.
    func openCreating(_ path: [[UInt8]]) throws(Errno) -> FileDescription {
        try create(path, flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.exclusive, mode: 0o644, guestPath: path)
    }

    private func openUpper(_ path: [[UInt8]], flags: Int32, mode: UInt32, guestPath: [[UInt8]], lower: FSImageInode?) throws(Errno) -> HostFile {
        let hostFlags = (flags & ~(LinuxOpenFlags.noControllingTerminal | LinuxOpenFlags.async))
            | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec
        let fd = try host.open(at: upperRoot, Self.relative(path), flags: hostFlags, mode: mode)
        let st: FileStat
        do { st = try host.stat(fd) } catch { host.close(fd); throw error }
        return HostFile(host: host, fd: fd, flags: flags & ~LinuxOpenFlags.closeOnExec, path: Path.absolute(guestPath),
                        components: guestPath, stat: st, fileSystem: self)
    }

    override func makeDirectory(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        if (try? locate(path)) != nil { throw .EEXIST }
        let (parent, whitedOut) = try prepareNewEntry(path)
        let rel = Self.relative(path)
        try host.makeDirectory(at: upperRoot, rel, mode: OverlayAttributeTable.hostMode(mode, isDirectory: true))
        let node = UpperNode(.directory, loaded: true)
        parent.children[path.last!] = node
        attributes.set(try host.stat(at: upperRoot, rel, followSymlinks: false).inode, uid: 0, gid: 0, mode: mode, isDirectory: true)
        if whitedOut { try makeOpaque(path, node) }
    }

    override func remove(_ path: [[UInt8]], isDirectory: Bool) throws(Errno) {
        if readOnly { throw .EROFS }
        guard let name = path.last else { throw .EBUSY }
        let loc = try locate(path)
        if isDirectory != loc.isDirectory { throw isDirectory ? .ENOTDIR : .EISDIR }
        if isDirectory, !(try listing(path, loc)).isEmpty { throw .ENOTEMPTY }
        let parentPath = Array(path.dropLast())
        let parent = try copyUp(parentPath)
        try load(parent, parentPath)
        if let u = loc.upper {
            let rel = Self.relative(path)
            if isDirectory { try clearMarkers(path, u) }
            let st = try host.stat(at: upperRoot, rel, followSymlinks: false)
            try host.remove(at: upperRoot, rel, isDirectory: isDirectory)
            if st.isDirectory || st.linkCount <= 1 { attributes.forget(st.inode) }
            if st.isRegular && st.linkCount <= 1 { quota?.released(UInt64(clamping: st.size)) }
            parent.children[name] = nil
        }
        if imageHas(path) { try whiteOut(path, in: parent) }
    }

    /// Whether the image has an entry at `path` that the upper layer must keep hidden.
    private func imageHas(_ path: [[UInt8]]) -> Bool { imageEntry(path) != nil }

    override func rename(_ from: [[UInt8]], to: [[UInt8]], flags: UInt32) throws(Errno) {
        if readOnly { throw .EROFS }
        guard let fromName = from.last, let toName = to.last else { throw .EBUSY }
        if from == to { return }
        if Whiteout.isReserved(toName) { throw .EPERM }
        let source = try locate(from)
        let target: Location? = try? locate(to)
        let exchange = flags & 2 != 0
        if source.isDirectory && source.lower != nil { throw .EXDEV }
        if exchange {
            guard let t = target else { throw .ENOENT }
            if t.isDirectory && t.lower != nil { throw .EXDEV }
        }
        if let t = target, t.isDirectory, !exchange, source.isDirectory {
            if !(try listing(to, t)).isEmpty { throw .ENOTEMPTY }
        }
        if source.upper != nil, target?.upper != nil,
           (try host.stat(at: upperRoot, Self.relative(from), followSymlinks: false)).inode
            == (try host.stat(at: upperRoot, Self.relative(to), followSymlinks: false)).inode {
            return // two names of one file: rename does nothing, as on Linux
        }
        let sourceHadImage = imageHas(from)
        let targetHadImage = imageHas(to)
        let sourceNode = try copyUp(from)
        let toParentPath = Array(to.dropLast())
        let fromParentPath = Array(from.dropLast())
        var targetNode: UpperNode?
        if exchange { targetNode = try copyUp(to) }
        let (toParent, _) = target == nil ? try prepareNewEntry(to) : (try copyUp(toParentPath), false)
        try load(toParent, toParentPath)
        let fromParent = try upperDirectory(fromParentPath)
        var replaced: FileStat?
        if !exchange, let t = target, let tu = t.upper {
            if t.isDirectory { try clearMarkers(to, tu) }
            replaced = try host.stat(at: upperRoot, Self.relative(to), followSymlinks: false)
        }
        try host.rename(at: upperRoot, Self.relative(from), to: upperRoot, Self.relative(to), flags: flags & 3)
        if let r = replaced, r.isDirectory || r.linkCount <= 1 { attributes.forget(r.inode) }
        if let r = replaced, r.isRegular && r.linkCount <= 1 { quota?.released(UInt64(clamping: r.size)) }
        toParent.children[toName] = sourceNode
        if exchange {
            fromParent.children[fromName] = targetNode
        } else {
            fromParent.children[fromName] = nil
            if sourceHadImage { try whiteOut(from, in: fromParent) }
        }
        // A directory moved over a place where the image has an entry must hide it.
        if sourceNode.kind == .directory && targetHadImage { try makeOpaque(to, sourceNode) }
        if exchange, let t = targetNode, t.kind == .directory, sourceHadImage { try makeOpaque(from, t) }
    }

    override func link(_ from: [[UInt8]], to: [[UInt8]]) throws(Errno) {
        if readOnly { throw .EROFS }
        if (try? locate(to)) != nil { throw .EEXIST }
        let source = try locate(from)
        if source.isDirectory { throw .EPERM }
        try copyUp(from)
        let (parent, _) = try prepareNewEntry(to)
        try host.link(at: upperRoot, Self.relative(from), to: upperRoot, Self.relative(to))
        parent.children[to.last!] = UpperNode(.file)
    }

    override func symlink(_ target: [UInt8], at path: [[UInt8]]) throws(Errno) {
        if (try? locate(path)) != nil { throw .EEXIST }
        let (parent, _) = try prepareNewEntry(path)
        try host.symlink(target, at: upperRoot, Self.relative(path))
        parent.children[path.last!] = UpperNode(.file)
    }

    override func makeNode(_ path: [[UInt8]], mode: UInt32, device: UInt64) throws(Errno) {
        if (try? locate(path)) != nil { throw .EEXIST }
        let (parent, _) = try prepareNewEntry(path)
        let rel = Self.relative(path)
        let type = mode & FileMode.typeMask
        let permissions = mode & 0o7777
        if type == FileMode.fifo {
            try host.makeNode(at: upperRoot, rel, mode: FileMode.fifo | OverlayAttributeTable.hostMode(permissions, isDirectory: false), device: 0)
            attributes.set(try host.stat(at: upperRoot, rel, followSymlinks: false).inode, uid: 0, gid: 0, mode: permissions, isDirectory: false)
        } else {
            try makeDeviceRecord(rel, type: type, permissions: permissions, rdev: device, uid: 0, gid: 0)
        }
        parent.children[path.last!] = UpperNode(.file)
    }

    /// A socket node's host file, held open (O_PATH) while its socket lives: as on Linux, a node
    /// bound at the same path after an unlink gets another inode (the host cannot reuse this one).
    override func pinNode(_ path: [[UInt8]]) -> PinnedNode? { PinnedNode.open(host, at: upperRoot, Self.relative(path)) }

    override func setMode(_ path: [[UInt8]], mode: UInt32) throws(Errno) {
        try copyUp(path)
        let rel = Self.relative(path)
        let st = try host.stat(at: upperRoot, rel, followSymlinks: false)
        if st.isSymlink { throw .EOPNOTSUPP }
        try host.setMode(at: upperRoot, rel, mode: OverlayAttributeTable.hostMode(mode, isDirectory: st.isDirectory))
        let current = present(upper: st, lower: nil)
        attributes.set(st.inode, uid: current.uid, gid: current.gid, mode: mode, isDirectory: st.isDirectory)
    }

    override func setOwner(_ path: [[UInt8]], uid: UInt32, gid: UInt32, followSymlinks: Bool) throws(Errno) {
        try copyUp(path)
        let st = try host.stat(at: upperRoot, Self.relative(path), followSymlinks: false)
        setOwner(st, uid: uid, gid: gid)
    }

    /// Records a new owner for an upper file (the host file stays the Skiff user's).
    func setOwner(_ st: FileStat, uid: UInt32, gid: UInt32) {
        let current = present(upper: st, lower: nil)
        var mode = current.mode & 0o7777
        // chown clears setuid/setgid of non-directories, as Linux does.
        if !st.isDirectory && (uid != UInt32.max || gid != UInt32.max) { mode &= ~UInt32(0o6000) }
        attributes.set(st.inode, uid: uid == UInt32.max ? current.uid : uid, gid: gid == UInt32.max ? current.gid : gid,
                       mode: mode, isDirectory: st.isDirectory, isSymlink: st.isSymlink)
    }

    override func setTimes(_ path: [[UInt8]], access: Timespec, modification: Timespec, followSymlinks: Bool) throws(Errno) {
        try copyUp(path)
        try host.setTimes(at: upperRoot, Self.relative(path), access: access, modification: modification, followSymlinks: false)
    }

    override func access(_ path: [[UInt8]], mode: Int32, caller: Task) throws(Errno) {
        if mode & 2 != 0 && readOnly { throw .EROFS }
        let st = try stat(path, caller: caller)
        if mode & 1 != 0 && !st.isDirectory && st.mode & 0o111 == 0 { throw .EACCES }
    }

    override func fileSystemStat(_ path: [[UInt8]]) throws(Errno) -> FileSystemStat {
        var s = try host.fileSystemStat(upperRoot)
        s.type = 0x794c7630 // OVERLAYFS_SUPER_MAGIC
        if let quota, s.blockSize > 0 {
            // df shows the cap: its size, and what is left of it (or of the host's disk, if less).
            let size = UInt64(s.blockSize)
            s.blocks = quota.limit / size
            s.freeBlocks = min(s.freeBlocks, quota.available / size)
            s.availableBlocks = min(s.availableBlocks, quota.available / size)
        }
        if readOnly { s.flags |= 1 }
        return s
    }
}
