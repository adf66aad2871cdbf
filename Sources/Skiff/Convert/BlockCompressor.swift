import CZlib
import Dispatch
import ModuleBundle
import OCI

/// `skiff convert --compress`: the filesystem image's contents cut into blocks of
/// `BundleLayout.defaultBlockSize`, each compressed on its own as a raw DEFLATE stream (so the
/// module can decompress just the blocks a read touches), or kept as it is when compressing
/// would not make it smaller. Blocks are compressed on all cores.
struct BlockCompressor {
    let blockSize: Int
    let level: Int32

    init(blockSize: Int = Int(BundleLayout.defaultBlockSize), level: Int32 = 2) {
        self.blockSize = blockSize
        self.level = level
    }

    struct Output {
        /// The blocks one after another.
        var stream: [UInt8]
        /// Where each block starts in `stream`, and its end (blockCount + 1 offsets).
        var offsets: [UInt64]
    }

    /// Results written by index from the worker threads (each index by one thread only).
    private final class Results: @unchecked Sendable {
        var blocks: [[UInt8]]
        var failed = false
        init(_ count: Int) { blocks = [[UInt8]](repeating: [], count: count) }
    }

    /// Sizes written by index from the worker threads (each index by one thread only).
    private final class Sizes: @unchecked Sendable {
        var plain: [Int], packed: [Int]
        init(_ count: Int) { (plain, packed) = ([Int](repeating: 0, count: count), [Int](repeating: 0, count: count)) }
    }

    func compress(_ contents: UnsafeRawBufferPointer) throws(SkiffError) -> Output {
        let count = (contents.count + blockSize - 1) / blockSize
        let results = Results(count)
        let base = contents.baseAddress, total = contents.count, blockSize = self.blockSize, level = self.level
        nonisolated(unsafe) let input = base
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let start = i * blockSize
            let plain = UnsafeRawBufferPointer(start: input.map { $0 + start }, count: min(blockSize, total - start))
            if let packed = Self.deflate(plain, level: level), packed.count < plain.count {
                results.blocks[i] = packed
            } else {
                results.blocks[i] = Array(plain)
            }
        }
        var stream: [UInt8] = []
        stream.reserveCapacity(results.blocks.reduce(0) { $0 + $1.count })
        var offsets: [UInt64] = [0]
        for b in results.blocks {
            stream += b
            offsets.append(UInt64(stream.count))
        }
        return Output(stream: stream, offsets: offsets)
    }

    /// The bytes of every `every`-th block and what they compress to (a block that does not
    /// shrink counts as itself), compressed on all cores: an estimate of the whole's ratio.
    func sampleSizes(_ contents: UnsafeRawBufferPointer, every: Int) -> (plain: Int, packed: Int) {
        let count = (contents.count + blockSize * every - 1) / (blockSize * every)
        let sizes = Sizes(count)
        let base = contents.baseAddress, total = contents.count, blockSize = self.blockSize, level = self.level
        nonisolated(unsafe) let input = base
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let start = i * blockSize * every
            let plain = UnsafeRawBufferPointer(start: input.map { $0 + start }, count: min(blockSize, total - start))
            sizes.plain[i] = plain.count
            sizes.packed[i] = min(Self.deflate(plain, level: level)?.count ?? plain.count, plain.count)
        }
        return (sizes.plain.reduce(0, +), sizes.packed.reduce(0, +))
    }

    /// One raw DEFLATE stream (no zlib header: window bits -15) of `plain`, or nil.
    static func deflate(_ plain: UnsafeRawBufferPointer, level: Int32) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(plain.count))) + 16)
        let status: Int32 = out.withUnsafeMutableBytes { o in
            stream.next_in = UnsafeMutablePointer(mutating: plain.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(plain.count)
            stream.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(o.count)
            return CZlib.deflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else { return nil }
        out.removeSubrange(Int(stream.total_out)...)
        return out
    }
}
