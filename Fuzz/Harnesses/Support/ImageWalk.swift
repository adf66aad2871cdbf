@testable import FSImage

/// Reads everything reachable in an image as the kernel would (entries by index, by cookie and
/// by name, file contents whole and at an offset, symlink targets); errors propagate. Stops after
/// `limit` inodes so that cyclic corrupt images end. Returns the inodes visited.
func walkImage(_ reader: FSImageReader, limit: Int = 20_000) throws(FSImageError) -> Int {
    var visited = 0
    var queue = [reader.rootInode]
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 8)
    defer { scratch.deallocate() }
    while let number = queue.popLast(), visited < limit {
        let node = try reader.inode(number)
        visited += 1
        switch node.type {
        case .directory:
            try reader.readDirectory(node, from: 0) { entry in
                if entry.nextCookie > 2 { queue.append(entry.inode) }  // not . or ..
                return queue.count < limit
            }
            var i: UInt32 = 0
            while i < node.entryCount && i < 4096 {
                let e = try reader.entry(at: i, in: node)
                _ = try reader.lookup(e.name, in: node)
                i += 1
            }
        case .regular:
            if reader.hasContentsInMemory {
                var sum: UInt8 = 0
                for b in try reader.contents(of: node) { sum &+= b }
                _ = sum
            }
            _ = try reader.read(node, at: node.size / 2, into: scratch)
        case .symlink:
            _ = try reader.readlink(node).count
        default:
            break
        }
    }
    return visited
}
