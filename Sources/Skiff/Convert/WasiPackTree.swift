import FSImage
import OCI

/// The pack: an image's tree in the form the WASI pack layer (wasm/pack/wasi_pack.c) reads from
/// its data segment, made from the image's filesystem image (FSImageReader). All numbers are
/// little-endian:
///
///     header   "SKPK", version 1, node count, metadata bytes (header to process), process
///              offset, process length                                               24 bytes
///     records  one per node, 32 bytes: parent record, WASI file type (3 directory, 4 regular
///              file, 7 symlink), name offset, name length, size, data offset (u32 each),
///              modification time (u64 nanoseconds)
///     names    the nodes' names
///     process  the counts of the Entrypoint's arguments after the program, of the Cmd's and of
///              the Env's entries (u32 each), then those strings, each ending in NUL
///     data     file contents (shared by hard links) and symlink targets
///
/// Record 0 is the root; records are breadth first, so the children of one directory are
/// consecutive and every parent comes before its children. Device nodes, FIFOs and sockets are
/// left out (WASI has no such files).
enum WasiPackTree {
    static let magic: UInt32 = 0x4b50_4b53  // "SKPK"

    /// The image's process as the pack carries it: `fixed` follow argv[0] always, `defaults`
    /// when the runtime gives no arguments, `environment` under the runtime's variables.
    struct Process {
        var fixed: [String] = []
        var defaults: [String] = []
        var environment: [String] = []

        var encoded: [UInt8] {
            var out: [UInt8] = []
            for v in [fixed.count, defaults.count, environment.count] { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
            for s in fixed + defaults + environment { out += Array(s.utf8) + [0] }
            return out
        }
    }

    static func build(_ reader: FSImageReader, process: Process) throws(SkiffError) -> [UInt8] {
        struct Node { var parent: UInt32; var name: [UInt8]; var inode: FSImageInode }
        do {
            var nodes = [Node(parent: 0, name: [], inode: try reader.inode(reader.rootInode))]
            var i = 0
            while i < nodes.count {
                let directory = nodes[i].inode
                if directory.type == .directory {
                    var entries: [FSImageDirectoryEntry] = []
                    try reader.readDirectory(directory, from: 2) { entries.append($0); return true }
                    for entry in entries where [.directory, .regular, .symlink].contains(entry.type) {
                        nodes.append(Node(parent: UInt32(i), name: Array(entry.name), inode: try reader.inode(entry.inode)))
                    }
                }
                i += 1
            }
            let namesBytes = nodes.reduce(0) { $0 + $1.name.count }
            let processBytes = process.encoded
            let metadata = 24 + 32 * nodes.count + namesBytes + processBytes.count
            var records: [UInt8] = [], names: [UInt8] = [], data: [UInt8] = []
            records.reserveCapacity(32 * nodes.count)
            var contentOffsets: [UInt32: UInt64] = [:]  // inode -> where its contents are
            func put32(_ v: UInt64, _ out: inout [UInt8]) throws(SkiffError) {
                guard v <= UInt64(UInt32.max) else { throw tooLarge() }
                withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 }
            }
            for node in nodes {
                let inode = node.inode
                var dataOffset: UInt64 = 0
                switch inode.type {
                case .regular where inode.size > 0:
                    if let known = contentOffsets[inode.number] {
                        dataOffset = known
                    } else {
                        dataOffset = UInt64(metadata + data.count)
                        data += try reader.contents(of: inode)
                        contentOffsets[inode.number] = dataOffset
                    }
                case .symlink:
                    dataOffset = UInt64(metadata + data.count)
                    data += try reader.readlink(inode)
                default:
                    break
                }
                try put32(UInt64(node.parent), &records)
                try put32(inode.type == .directory ? 3 : inode.type == .regular ? 4 : 7, &records)
                try put32(UInt64(24 + 32 * nodes.count + names.count), &records)
                try put32(UInt64(node.name.count), &records)
                try put32(inode.type == .directory ? 0 : inode.size, &records)
                try put32(dataOffset, &records)
                let nanoseconds = max(0, inode.mtimeSeconds) &* 1_000_000_000 &+ Int64(inode.mtimeNanoseconds)
                withUnsafeBytes(of: UInt64(nanoseconds).littleEndian) { records += $0 }
                names += node.name
            }
            var pack: [UInt8] = []
            pack.reserveCapacity(metadata + data.count)
            let header = [magic, 1, UInt32(nodes.count), UInt32(metadata), UInt32(24 + 32 * nodes.count + namesBytes), UInt32(processBytes.count)]
            for v in header { withUnsafeBytes(of: v.littleEndian) { pack += $0 } }
            pack += records
            pack += names
            pack += processBytes
            pack += data
            guard pack.count <= Int(UInt32.max) else { throw tooLarge() }
            return pack
        } catch let error as SkiffError {
            throw error
        } catch {
            throw SkiffError(.invalidData, "the image's filesystem cannot be read: \(error)")
        }
    }

    private static func tooLarge() -> SkiffError {
        SkiffError(.unsupported, "the image's files are too large to pack into one module (the format allows 4 GiB)")
    }
}
