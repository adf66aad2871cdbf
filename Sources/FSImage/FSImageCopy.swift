// Copies a whole image tree into a builder: used to compact an image whose build left
// unreachable file contents behind (files that later layers replaced or deleted).

extension FSImageBuilder {
    /// Adds every entry of `reader`'s tree to this builder's root (which takes the source root's
    /// attributes), copying file contents; hard links stay shared.
    public func copyTree(from reader: FSImageReader) throws(FSImageError) {
        var copies = [Int32](repeating: -1, count: Int(reader.inodeCount) + 1)
        let sourceRoot = try reader.inode(reader.rootInode)
        setAttributes(FSImageBuilder.attributes(of: sourceRoot), of: root)
        copies[Int(sourceRoot.number)] = root.index
        var queue: [(FSImageInode, Node)] = [(sourceRoot, root)]
        var next = 0
        while next < queue.count {
            let (directory, target) = queue[next]
            next += 1
            var index: UInt32 = 0
            while index < directory.entryCount {
                let entry = try reader.entry(at: index, in: directory)
                index += 1
                let existing = copies[Int(entry.inode)]
                let node: Node
                if existing >= 0 {
                    node = Node(index: existing)
                } else {
                    let source = try reader.inode(entry.inode)
                    let attributes = FSImageBuilder.attributes(of: source)
                    switch source.type {
                    case .directory:
                        node = makeDirectory(attributes)
                        queue.append((source, node))
                    case .regular:
                        node = try makeRegularFile(attributes, contents: try reader.contents(of: source))
                    case .symlink:
                        node = makeSymlink(target: Array(try reader.readlink(source)), attributes)
                    default:
                        node = try makeSpecialFile(source.type, major: source.rdevMajor, minor: source.rdevMinor, attributes)
                    }
                    copies[Int(entry.inode)] = node.index
                }
                try link(node, as: Array(entry.name), in: target)
            }
        }
    }

    static func attributes(of inode: FSImageInode) -> FSImageAttributes {
        FSImageAttributes(permissions: inode.permissions, uid: inode.uid, gid: inode.gid,
                          mtimeSeconds: inode.mtimeSeconds, mtimeNanoseconds: inode.mtimeNanoseconds)
    }
}
