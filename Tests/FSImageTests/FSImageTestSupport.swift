import FSImage
import XCTest

/// Helpers shared by the FSImage tests.
extension Array where Element == UInt8 {
    init(_ string: String) { self = Array(string.utf8) }
}

func bytes(_ buffer: UnsafeRawBufferPointer) -> [UInt8] { Array(buffer) }

/// Builds an image in memory with `body` shaping the tree.
func buildImage(_ body: (FSImageBuilder) throws -> Void) throws -> (bytes: [UInt8], summary: FSImageSummary) {
    let sink = FSImageMemorySink()
    let builder = try FSImageBuilder(sink: sink, rootAttributes: FSImageAttributes(permissions: 0o755, mtimeSeconds: 1000))
    try body(builder)
    let summary = try builder.finish()
    return (sink.bytes, summary)
}

extension FSImageBuilder {
    @discardableResult
    func addFile(_ name: String, in dir: Node, _ contents: [UInt8], _ attributes: FSImageAttributes) throws -> Node {
        let node = try contents.withUnsafeBytes { try makeRegularFile(attributes, contents: $0) }
        try link(node, as: Array(name), in: dir)
        return node
    }

    @discardableResult
    func addDirectory(_ name: String, in dir: Node, _ attributes: FSImageAttributes = FSImageAttributes(permissions: 0o755)) throws -> Node {
        let node = makeDirectory(attributes)
        try link(node, as: Array(name), in: dir)
        return node
    }
}

extension FSImageReader {
    /// The inode at `path`, failing the test if it is missing.
    func stat(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> FSImageInode {
        guard let number = try resolve(path) else {
            XCTFail("\(path) missing", file: file, line: line)
            throw FSImageError.noSuchInode(0)
        }
        return try inode(number)
    }

    /// Names of a directory's entries through readDirectory, "." and ".." included.
    func listing(_ directory: FSImageInode) throws -> [String] {
        var names: [String] = []
        try readDirectory(directory, from: 0) { entry in
            names.append(String(decoding: entry.name, as: UTF8.self))
            return true
        }
        return names
    }

    /// Reads everything reachable (entries, contents, symlink targets), as a consumer would;
    /// returns the number of entries visited. Stops at `limit` to survive cycles in corrupt images.
    @discardableResult
    func walkEverything(limit: Int = 100_000) throws -> Int {
        var visited = 0
        var queue = [rootInode]
        var scratch = [UInt8](repeating: 0, count: 4096)
        while let number = queue.popLast(), visited < limit {
            let node = try inode(number)
            visited += 1
            switch node.type {
            case .directory:
                var children: [UInt32] = []
                try readDirectory(node, from: 2) { entry in children.append(entry.inode); return true }
                for i in 0..<node.entryCount {
                    let e = try entry(at: i, in: node)
                    _ = try lookup(e.name, in: node)
                }
                queue.append(contentsOf: children)
            case .regular:
                let all = try contents(of: node)
                var sum = 0
                for b in all { sum &+= Int(b) }
                _ = try scratch.withUnsafeMutableBytes { try read(node, at: node.size / 2, into: $0) }
                _ = sum
            case .symlink:
                _ = try readlink(node).count
            default:
                break
            }
        }
        return visited
    }
}
