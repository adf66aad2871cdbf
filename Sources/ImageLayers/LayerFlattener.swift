// Applies layers, in order, to one in-memory tree held by an FSImageBuilder, following the OCI
// image spec's changeset rules: entries add or replace paths, `.wh.NAME` hides NAME of lower
// layers, `.wh..wh..opq` hides everything lower layers put in its directory. Paths resolve
// inside the tree only (symlinks included), so no entry can reach outside the image.

#if !SKIFF_SINGLE_MODULE
import FSImage
#endif

public final class LayerFlattener {
    static let whiteoutPrefix = Array(".wh.".utf8)
    static let opaqueMarker = Array(".wh..wh..opq".utf8)
    static let maxSymlinkHops = 40

    let builder: FSImageBuilder
    /// 1-based number of the layer being applied; every entry it writes is tagged with it.
    private(set) var layer: UInt32 = 0
    private var layerName = ""

    public init(builder: FSImageBuilder) {
        self.builder = builder
    }

    /// Applies every entry of `archive` as layer number `number` (1-based, increasing).
    public func apply(_ archive: some LayerEntrySource, number: UInt32, name: String) throws(LayerError) {
        layer = number
        layerName = name
        while let entry = try archive.nextEntry() {
            try apply(entry, from: archive)
        }
    }

    func fail(_ entry: [UInt8], _ why: String) -> LayerError {
        LayerError("layer \(layerName): entry '\(LayerPath.display(entry))' \(why)")
    }

    func apply(_ entry: LayerEntry, from archive: some LayerEntrySource) throws(LayerError) {
        guard let components = LayerPath.components(entry.path) else {
            throw fail(entry.path, "escapes the image root with '..'")
        }
        guard let name = components.last else {
            // "./" or "/": the root directory's own attributes.
            guard entry.kind == .directory else { throw fail(entry.path, "would replace the root directory") }
            builder.setAttributes(try attributes(of: entry), of: builder.root)
            return
        }
        for component in components where component.count > 255 {
            throw fail(entry.path, "has a component longer than 255 bytes")
        }
        let isWhiteout = name.starts(with: LayerFlattener.whiteoutPrefix)
        if isWhiteout && name != LayerFlattener.opaqueMarker {
            let hidden = name.dropFirst(LayerFlattener.whiteoutPrefix.count)
            guard !hidden.isEmpty, !hidden.elementsEqual([LayerPath.dot]), !hidden.elementsEqual([LayerPath.dot, LayerPath.dot]) else {
                throw fail(entry.path, "is a whiteout of an invalid name")
            }
        }
        var stack = [builder.root]
        var hops = 0
        guard try walk(components.dropLast(), stack: &stack, create: !isWhiteout, hops: &hops, entry: entry) else {
            return // a whiteout in a directory no lower layer has: nothing to hide
        }
        let directory = stack[stack.count - 1]

        if isWhiteout {
            if name == LayerFlattener.opaqueMarker {
                for child in builder.children(of: directory) { hideLowerContent(child.name, in: directory) }
                return
            }
            let hidden = Array(name.dropFirst(LayerFlattener.whiteoutPrefix.count))
            // A whiteout of a path no lower layer has is fine (as in containerd).
            hideLowerContent(hidden, in: directory)
            return
        }

        let existing = builder.lookup(name, in: directory)
        let attributes = try attributes(of: entry)
        let node: FSImageBuilder.Node
        switch entry.kind {
        case .directory:
            if let existing, builder.type(of: existing) == .directory {
                // An existing directory keeps its entries and takes the new attributes.
                builder.setAttributes(attributes, of: existing)
                node = existing
            } else {
                node = builder.makeDirectory(attributes)
            }
        case .regular:
            node = builder.makeRegularFile(attributes)
            try copyContents(of: entry, from: archive, into: node)
        case .symlink(let target):
            node = builder.makeSymlink(target: target, attributes)
        case .hardLink(let target):
            node = try hardLinkTarget(target, of: entry)
        case .characterDevice, .blockDevice, .fifo:
            let type: FSImageFileType = entry.kind == .fifo ? .fifo : entry.kind == .blockDevice ? .blockDevice : .characterDevice
            let (major, minor) = type == .fifo ? (0, 0) : (entry.rdevMajor, entry.rdevMinor)
            node = try added(entry) { () throws(FSImageError) in try builder.makeSpecialFile(type, major: major, minor: minor, attributes) }
        }
        _ = try added(entry) { () throws(FSImageError) in try builder.link(node, as: name, in: directory, tag: layer) }
    }

    /// `body`'s result; its FSImageError becomes the entry's LayerError.
    func added<T>(_ entry: LayerEntry, _ body: () throws(FSImageError) -> T) throws(LayerError) -> T {
        do throws(FSImageError) { return try body() } catch { throw fail(entry.path, "cannot be added: \(error.message)") }
    }

    func attributes(of entry: LayerEntry) throws(LayerError) -> FSImageAttributes {
        guard entry.uid >= 0 && entry.uid <= Int64(UInt32.max), entry.gid >= 0 && entry.gid <= Int64(UInt32.max) else {
            throw fail(entry.path, "has an owner outside 0...\(UInt32.max)")
        }
        return FSImageAttributes(
            permissions: entry.permissions, uid: UInt32(entry.uid), gid: UInt32(entry.gid),
            mtimeSeconds: entry.mtimeSeconds,
            mtimeNanoseconds: UInt32(clamping: max(0, min(entry.mtimeNanoseconds, 999_999_999))))
    }

    /// Streams the entry's data into the image (holes of sparse files as zeros).
    func copyContents(of entry: LayerEntry, from archive: some LayerEntrySource, into node: FSImageBuilder.Node) throws(LayerError) {
        let builder = self.builder
        let written = { (error: FSImageError) -> LayerError in
            self.fail(entry.path, "could not be written to the image: \(error.message)")
        }
        do throws(FSImageError) { try builder.beginContent(of: node) } catch { throw written(error) }
        var position: Int64 = 0
        _ = try archive.readData { (offset, block) throws(LayerError) in
            do throws(FSImageError) {
                if offset > position { try builder.appendZeroContent(UInt64(offset - position)) }
                try builder.appendContent(block)
            } catch { throw written(error) }
            position = offset + Int64(block.count)
        }
        do throws(FSImageError) {
            if entry.size > position { try builder.appendZeroContent(UInt64(entry.size - position)) }
            try builder.endContent()
        } catch { throw written(error) }
    }

    /// The node a hard link entry names: an existing non-directory of the tree, found without
    /// following a symlink in the last component (link(2) does not either).
    func hardLinkTarget(_ target: [UInt8], of entry: LayerEntry) throws(LayerError) -> FSImageBuilder.Node {
        guard let components = LayerPath.components(target), let last = components.last else {
            throw fail(entry.path, "is a hard link to '\(LayerPath.display(target))', outside the image root")
        }
        var stack = [builder.root]
        var hops = 0
        guard try walk(components.dropLast(), stack: &stack, create: false, hops: &hops, entry: entry),
              let node = builder.lookup(last, in: stack[stack.count - 1]) else {
            throw fail(entry.path, "is a hard link to '\(LayerPath.display(target))', which does not exist")
        }
        guard builder.type(of: node) != .directory else {
            throw fail(entry.path, "is a hard link to directory '\(LayerPath.display(target))'")
        }
        return node
    }

    /// Walks `components` down from the top of `stack` (the chain of directories from the root),
    /// following symlinks within the tree: an absolute target restarts at the image root and
    /// ".." stops at it, as in a chroot. Missing directories are created when `create` (tagged
    /// with this layer); otherwise the walk returns false at the first missing one.
    func walk(_ components: some Collection<[UInt8]>, stack: inout [FSImageBuilder.Node], create: Bool,
              hops: inout Int, entry: LayerEntry) throws(LayerError) -> Bool {
        for component in components {
            if component.isEmpty || component == [LayerPath.dot] { continue }
            if component == [LayerPath.dot, LayerPath.dot] {
                if stack.count > 1 { stack.removeLast() }
                continue
            }
            let directory = stack[stack.count - 1]
            guard let child = builder.lookup(component, in: directory) else {
                guard create else { return false }
                guard component.count <= 255 else { throw fail(entry.path, "resolves through a name longer than 255 bytes") }
                let made = builder.makeDirectory(FSImageAttributes(
                    permissions: 0o755, mtimeSeconds: entry.mtimeSeconds))
                _ = try added(entry) { () throws(FSImageError) in try builder.link(made, as: component, in: directory, tag: layer) }
                stack.append(made)
                continue
            }
            switch builder.type(of: child) {
            case .directory:
                stack.append(child)
            case .symlink:
                hops += 1
                guard hops <= LayerFlattener.maxSymlinkHops else {
                    throw fail(entry.path, "resolves through too many levels of symbolic links")
                }
                let target = builder.symlinkTarget(of: child)
                if target.first == LayerPath.slash { stack.removeSubrange(1...) }
                let parts = target.split(separator: LayerPath.slash, omittingEmptySubsequences: true).map { Array($0) }
                guard try walk(parts, stack: &stack, create: create, hops: &hops, entry: entry) else { return false }
            default:
                throw fail(entry.path, "lies under '\(LayerPath.display(component))', which is not a directory")
            }
        }
        return true
    }

    /// Hides what layers below the current one put at `name` in `directory`: entries of lower
    /// layers go, and inside directories only entries this layer wrote stay (with the
    /// directories holding them). Whiteouts never touch the current layer's own entries.
    func hideLowerContent(_ name: [UInt8], in directory: FSImageBuilder.Node) {
        guard let node = builder.lookup(name, in: directory), let tag = builder.tag(of: name, in: directory) else { return }
        if builder.type(of: node) == .directory {
            for child in builder.children(of: node) { hideLowerContent(child.name, in: node) }
            if tag < layer && builder.children(of: node).isEmpty { builder.unlink(name, in: directory) }
        } else if tag < layer {
            builder.unlink(name, in: directory)
        }
    }
}
