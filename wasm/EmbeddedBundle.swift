#if !SKIFF_SINGLE_MODULE
import FSImage
import ModuleBundle
#endif

// A converted module's bundle (docs/convert.md), read from the module's own passive data
// segments through the functions of embedded_bundle.c, which `skiff convert` fills in. Only
// segment 0 (configuration, filesystem tables, block index) is copied into linear memory, once;
// file contents are copied from their segment when the guest reads them (memory.init), so memory
// follows what the guest touches, not the image's size. Compressed contents (`--compress`) are
// decompressed a block at a time into a small cache of recently used blocks.

@_extern(c, "skiff_bundle_segment_count")
func bundleSegmentCount() -> Int32
@_extern(c, "skiff_bundle_segment_size")
func bundleSegmentSize(_ index: Int32) -> Int32
@_extern(c, "skiff_bundle_segment_copy")
func bundleSegmentCopy(_ index: Int32, _ destination: UnsafeMutableRawPointer, _ offset: Int32, _ length: Int32)

final class EmbeddedBundle: FSImageContentSource {
    let layout: BundleLayout
    let configuration: BundleConfiguration
    /// Segment 0, in linear memory for as long as the module runs (the reader points into it).
    let segmentZero: UnsafeMutableRawBufferPointer
    private(set) var reader: FSImageReader!
    /// Compressed contents: where each block starts in the stream (blockCount + 1 offsets).
    private var blockOffsets: [UInt64] = []
    private var cache: BlockCache?

    enum Loaded {
        case none
        case bundle(EmbeddedBundle)
        case failure(String)
    }

    /// The module's bundle; `.none` for a plain core module (nothing embedded).
    static func load() -> Loaded {
        let count = bundleSegmentCount()
        if count == 0 { return .none }
        let size = Int(bundleSegmentSize(0))
        let segment = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        bundleSegmentCopy(0, segment.baseAddress!, 0, Int32(size))
        let zero = UnsafeMutableRawBufferPointer(rebasing: segment[0..<size])
        do throws(ModuleBundleError) {
            let layout = try BundleLayout(decoding: UnsafeRawBufferPointer(zero))
            guard Int(count) == 1 + Int(layout.contentSegmentCount) else { throw .corrupt("segment count") }
            for i in 0..<Int(layout.contentSegmentCount)
            where UInt64(bundleSegmentSize(Int32(1 + i))) != layout.contentSegmentLength(i) {
                throw .corrupt("content segment size")
            }
            let start = layout.configurationOffset
            let configuration = try BundleConfiguration(decoding: UnsafeRawBufferPointer(
                rebasing: zero[start..<start + Int(layout.configurationLength)]))
            let bundle = EmbeddedBundle(layout: layout, configuration: configuration, segmentZero: zero)
            bundle.blockOffsets = try layout.blockIndex(in: UnsafeRawBufferPointer(zero))
            if layout.blockSize != 0 { bundle.cache = BlockCache(blockSize: Int(layout.blockSize)) }
            let header = UnsafeRawBufferPointer(rebasing: zero[BundleLayout.fixedSize..<layout.configurationOffset])
            let tables = UnsafeRawBufferPointer(rebasing: zero[layout.tablesStart...])
            do throws(FSImageError) {
                bundle.reader = try FSImageReader(header: header, tables: tables, tablesOffset: layout.tablesOffset, contents: bundle)
            } catch {
                return .failure("the module's embedded filesystem image is corrupt: \(error.message)")
            }
            guard bundle.reader.dataOffset == layout.contentOffset, bundle.reader.dataSize == layout.contentLength else {
                return .failure("the module's embedded filesystem image does not match its content segments")
            }
            return .bundle(bundle)
        } catch {
            return .failure(error.message)
        }
    }

    private init(layout: BundleLayout, configuration: BundleConfiguration, segmentZero: UnsafeMutableRawBufferPointer) {
        self.layout = layout
        self.configuration = configuration
        self.segmentZero = segmentZero
    }

    /// Copies stream bytes at `offset` from the content segments (16 MiB each) into `buffer`.
    private func copyStream(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        let segmentSize = UInt64(layout.contentSegmentSize)
        var at = offset
        var done = 0
        while done < buffer.count {
            let segment = at / segmentSize
            let within = at % segmentSize
            let n = Int(min(UInt64(buffer.count - done), segmentSize - within))
            bundleSegmentCopy(Int32(1 + segment), buffer.baseAddress! + done, Int32(within), Int32(n))
            done += n
            at += UInt64(n)
        }
    }

    /// FSImageContentSource: the reader asks only for ranges inside the contents area (it
    /// checked every file's range against it).
    func readImage(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let relative = offset - layout.contentOffset
        guard let cache else {
            copyStream(at: relative, into: buffer)
            return true
        }
        let blockSize = UInt64(layout.blockSize)
        var at = relative
        var done = 0
        while done < buffer.count {
            let block = Int(at / blockSize)
            let within = Int(at % blockSize)
            let plain = cache.block(block, length: plainLength(block)) { (data) -> Bool in decompress(block, into: data) }
            let n = min(buffer.count - done, plain.count - within)
            if n <= 0 { return false } // a corrupt block: the read fails (EIO)
            (buffer.baseAddress! + done).copyMemory(from: plain.baseAddress! + within, byteCount: n)
            done += n
            at += UInt64(n)
        }
        return true
    }

    /// Fills `data` (the block's plain size) with block `index`; false when it is corrupt.
    private func decompress(_ index: Int, into data: UnsafeMutableRawBufferPointer) -> Bool {
        let start = blockOffsets[index], length = Int(blockOffsets[index + 1] - start)
        if length == data.count { // stored: compressing would not have made it smaller
            copyStream(at: start, into: data)
            return true
        }
        let compressed = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 16)
        defer { compressed.deallocate() }
        let input = UnsafeMutableRawBufferPointer(rebasing: compressed[0..<length])
        copyStream(at: start, into: input)
        do throws(InflateError) {
            return try Inflate.decompress(UnsafeRawBufferPointer(input), into: data) == data.count
        } catch {
            return false
        }
    }

    /// The plain size of block `index`.
    func plainLength(_ index: Int) -> Int {
        min(Int(layout.blockSize), Int(layout.contentLength - UInt64(index) * UInt64(layout.blockSize)))
    }
}

/// The most recently used decompressed blocks (a read of a file decompresses each block once,
/// and a program's pages are read a few at a time).
final class BlockCache {
    static let capacity = 64
    let blockSize: Int
    private var blocks: [Int] = []
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private var lengths: [Int] = []
    private var lastUse: [UInt64] = []
    private var clock: UInt64 = 0

    init(blockSize: Int) { self.blockSize = blockSize }

    deinit { for b in buffers { b.deallocate() } }

    /// Block `index`'s `length` bytes, decompressed by `fill` on a miss (empty if that failed).
    func block(_ index: Int, length: Int, fill: (UnsafeMutableRawBufferPointer) -> Bool) -> UnsafeRawBufferPointer {
        clock += 1
        if let slot = blocks.firstIndex(of: index) {
            lastUse[slot] = clock
            return UnsafeRawBufferPointer(rebasing: buffers[slot][0..<lengths[slot]])
        }
        var slot = 0
        if buffers.count < BlockCache.capacity {
            buffers.append(UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16))
            blocks.append(-1)
            lengths.append(0)
            lastUse.append(0)
            slot = buffers.count - 1
        } else {
            for i in 1..<lastUse.count where lastUse[i] < lastUse[slot] { slot = i }
        }
        lastUse[slot] = clock
        blocks[slot] = -1
        if fill(UnsafeMutableRawBufferPointer(rebasing: buffers[slot][0..<length])) {
            blocks[slot] = index
            lengths[slot] = length
            return UnsafeRawBufferPointer(rebasing: buffers[slot][0..<length])
        }
        return UnsafeRawBufferPointer(start: buffers[slot].baseAddress, count: 0)
    }
}
