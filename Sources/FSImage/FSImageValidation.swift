// Deep consistency check of a filesystem image: the whole tree, not just what is read.

extension FSImageReader {
    /// Checks every invariant of docs/fs-image-format.md: each inode reachable, each directory
    /// named once with a matching parent, names valid and sorted, entry types matching inodes,
    /// link counts right, all data in bounds. O(inodes + entries).
    public func validate() throws(FSImageError) {
        let root = try inode(rootInode)
        guard root.parent == rootInode else { throw .corrupt("root's parent is not itself") }
        var references = [UInt32](repeating: 0, count: Int(inodeCount) + 1)
        var subdirectories = [UInt32](repeating: 0, count: Int(inodeCount) + 1)
        references[Int(rootInode)] = 1
        var queue: [UInt32] = [rootInode]
        var next = 0
        while next < queue.count {
            let directory = try inode(queue[next])
            next += 1
            var previous = UnsafeRawBufferPointer(start: nil, count: 0)
            var index: UInt32 = 0
            while index < directory.entryCount {
                let e = try entry(at: index, in: directory)
                index += 1
                guard fsImageIsValidName(e.name) else { throw .corrupt("invalid entry name") }
                if index > 1 && fsImageCompareNames(previous, e.name) >= 0 { throw .corrupt("entries not sorted") }
                previous = e.name
                let child = try inode(e.inode)
                guard child.type == e.type else { throw .corrupt("entry type differs from its inode") }
                if child.type == .directory {
                    guard references[Int(child.number)] == 0 else { throw .corrupt("directory named more than once") }
                    guard child.parent == directory.number else { throw .corrupt("directory parent mismatch") }
                    references[Int(child.number)] = 1
                    subdirectories[Int(directory.number)] += 1
                    queue.append(child.number)
                } else {
                    references[Int(child.number)] += 1
                }
            }
        }
        var number: UInt32 = 1
        var totalContent: UInt64 = 0
        while number <= inodeCount {
            let node = try inode(number)
            let count = references[Int(number)]
            guard count > 0 else { throw .corrupt("unreachable inode") }
            if node.type == .directory {
                guard node.nlink == 2 + subdirectories[Int(number)] else { throw .corrupt("directory link count") }
            } else {
                guard node.nlink == count else { throw .corrupt("link count differs from entries") }
            }
            if node.type == .regular && node.size > 0 {
                _ = try contents(of: node)
                totalContent &+= node.size
            }
            number += 1
        }
        guard totalContent == contentBytes else { throw .corrupt("content byte count") }
    }
}
