// What a module made by `skiff convert` carries besides Skiff's core: the container's process
// configuration and its root filesystem image, as passive data segments (docs/convert.md).
// Portable (the converter writes it natively, the module reads it as Embedded Swift for wasm32):
// no Foundation, typed throws.
//
// Bundle segment 0, little-endian:
//
//   0    8 bytes  magic "SKIFFBDL"
//   8    u32      version (1)
//   12   u32      contentSegmentSize: bytes of each content segment (the last may be shorter)
//   16   u64      contentOffset: image offset of the first content byte (the image's dataOffset)
//   24   u64      contentLength: bytes of file contents (the image's dataSize)
//   32   u64      tablesOffset: image offset where the tables start (to the image's end)
//   40   u64      tablesLength
//   48   u32      configurationLength
//   52   u32      contentSegmentCount
//   56   u32      blockSize: 0 when the contents are stored as they are; else every blockSize
//                 bytes of them (the last block may be shorter) are one raw DEFLATE stream, or
//                 the bytes themselves when compressing would not make them smaller
//   60   u32      reserved (0)
//   64   u64      streamLength: bytes the content segments hold (contentLength when stored)
//   72   128 B    the filesystem image's header
//   200  ...      the configuration (BundleConfiguration.encoded), zero padding to 8 bytes
//   ...           with blockSize != 0: blockCount + 1 u64 offsets into the stream (block i is
//                 the bytes [offset i, offset i+1))
//   ...           the image's tables: its bytes [tablesOffset, tablesOffset + tablesLength)
//
// Segments 1 ... contentSegmentCount hold the stream in order, contentSegmentSize bytes each.

public struct BundleConfiguration: Equatable {
    public var entrypoint: [String] = []
    public var command: [String] = []
    /// KEY=VALUE entries, PATH and HOME included.
    public var environment: [String] = []
    public var workingDirectory = "/"
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var groups: [UInt32] = []
    /// os/arch[/variant] of the image.
    public var platform = ""
    /// The image's name as the user gave it (shown in messages).
    public var imageName = ""

    public init() {}

    public var encoded: [UInt8] {
        var w = BundleWriter()
        w.u32(uid)
        w.u32(gid)
        w.u32(UInt32(groups.count))
        for g in groups { w.u32(g) }
        w.strings(entrypoint)
        w.strings(command)
        w.strings(environment)
        w.string(workingDirectory)
        w.string(platform)
        w.string(imageName)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(ModuleBundleError) {
        var r = BundleReader(bytes)
        uid = try r.u32()
        gid = try r.u32()
        let count = try r.u32()
        guard count <= 65536 else { throw .corrupt("group count") }
        for _ in 0..<count { groups.append(try r.u32()) }
        entrypoint = try r.strings()
        command = try r.strings()
        environment = try r.strings()
        workingDirectory = try r.string()
        platform = try r.string()
        imageName = try r.string()
    }
}

public enum ModuleBundleError: Error {
    case corrupt(StaticString)

    public var message: String {
        switch self {
        case .corrupt(let why): return "the module's embedded image is corrupt: " + why.description
        }
    }
}

/// The fixed part of bundle segment 0.
public struct BundleLayout {
    public static let magic: [UInt8] = Array("SKIFFBDL".utf8)
    public static let version: UInt32 = 1
    public static let fixedSize = 72
    public static let imageHeaderSize = 128
    /// Content segment size the converter uses: large enough to keep the segment count small,
    /// small enough for every runtime's limits on one segment.
    public static let defaultContentSegmentSize: UInt32 = 16 << 20
    /// Compression block size (`--compress`): a read decompresses at most this much per block.
    public static let defaultBlockSize: UInt32 = 64 << 10

    public var contentSegmentSize: UInt32
    public var contentOffset: UInt64
    public var contentLength: UInt64
    public var tablesOffset: UInt64
    public var tablesLength: UInt64
    public var configurationLength: UInt32
    public var contentSegmentCount: UInt32
    public var blockSize: UInt32
    public var streamLength: UInt64

    /// `blockSize` 0 stores the contents as they are (`streamLength` is then `contentLength`).
    public init(contentSegmentSize: UInt32, contentOffset: UInt64, contentLength: UInt64,
                tablesOffset: UInt64, tablesLength: UInt64, configurationLength: UInt32,
                blockSize: UInt32 = 0, streamLength: UInt64? = nil) {
        self.contentSegmentSize = contentSegmentSize
        self.contentOffset = contentOffset
        self.contentLength = contentLength
        self.tablesOffset = tablesOffset
        self.tablesLength = tablesLength
        self.configurationLength = configurationLength
        self.blockSize = blockSize
        self.streamLength = streamLength ?? contentLength
        let size = UInt64(contentSegmentSize)
        self.contentSegmentCount = UInt32((self.streamLength + size - 1) / size)
    }

    /// Where the configuration starts in segment 0.
    public var configurationOffset: Int { Self.fixedSize + Self.imageHeaderSize }
    /// Compressed contents: how many blocks.
    public var blockCount: Int { blockSize == 0 ? 0 : Int((contentLength + UInt64(blockSize) - 1) / UInt64(blockSize)) }
    /// Where the block index starts in segment 0 (8-byte aligned); it is empty when stored.
    public var blockIndexStart: Int { (configurationOffset + Int(configurationLength) + 7) & ~7 }
    public var blockIndexLength: Int { blockSize == 0 ? 0 : (blockCount + 1) * 8 }
    /// Where the tables start in segment 0.
    public var tablesStart: Int { blockIndexStart + blockIndexLength }
    /// Bytes of segment 0.
    public var segmentZeroSize: UInt64 { UInt64(tablesStart) + tablesLength }

    /// Bytes of content segment `index` (0-based).
    public func contentSegmentLength(_ index: Int) -> UInt64 {
        let start = UInt64(index) * UInt64(contentSegmentSize)
        return min(UInt64(contentSegmentSize), streamLength - start)
    }

    /// The fixed part, encoded.
    public var encoded: [UInt8] {
        var w = BundleWriter()
        w.bytes += Self.magic
        w.u32(Self.version)
        w.u32(contentSegmentSize)
        w.u64(contentOffset)
        w.u64(contentLength)
        w.u64(tablesOffset)
        w.u64(tablesLength)
        w.u32(configurationLength)
        w.u32(contentSegmentCount)
        w.u32(blockSize)
        w.u32(0)
        w.u64(streamLength)
        return w.bytes
    }

    /// Reads and checks the fixed part of segment 0 (`segment` is all of it).
    public init(decoding segment: UnsafeRawBufferPointer) throws(ModuleBundleError) {
        guard segment.count >= Self.fixedSize + Self.imageHeaderSize else { throw .corrupt("bundle too short") }
        for i in 0..<8 where segment[i] != Self.magic[i] { throw .corrupt("bundle magic") }
        var r = BundleReader(segment)
        r.at = 8
        guard try r.u32() == Self.version else { throw .corrupt("bundle version") }
        contentSegmentSize = try r.u32()
        contentOffset = try r.u64()
        contentLength = try r.u64()
        tablesOffset = try r.u64()
        tablesLength = try r.u64()
        configurationLength = try r.u32()
        contentSegmentCount = try r.u32()
        blockSize = try r.u32()
        _ = try r.u32()
        streamLength = try r.u64()
        guard contentSegmentSize > 0,
              UInt64(contentSegmentCount) == (streamLength + UInt64(contentSegmentSize) - 1) / UInt64(contentSegmentSize)
        else { throw .corrupt("content segments") }
        guard blockSize != 0 || streamLength == contentLength else { throw .corrupt("stream length") }
        guard UInt64(configurationLength) <= UInt64(segment.count), contentLength <= UInt64(Int.max) / 2,
              UInt64(blockIndexLength) <= UInt64(segment.count), segmentZeroSize == UInt64(segment.count)
        else { throw .corrupt("bundle size") }
    }

    /// The block index as segment 0 holds it.
    public static func encodeBlockIndex(_ offsets: [UInt64]) -> [UInt8] {
        var w = BundleWriter()
        for o in offsets { w.u64(o) }
        return w.bytes
    }

    /// The block index of a compressed bundle, checked: offsets that never go back and end at
    /// `streamLength`, no block longer than its contents (a stored block is exactly as long).
    public func blockIndex(in segment: UnsafeRawBufferPointer) throws(ModuleBundleError) -> [UInt64] {
        guard blockSize != 0 else { return [] }
        var r = BundleReader(segment)
        r.at = blockIndexStart
        var offsets: [UInt64] = []
        offsets.reserveCapacity(blockCount + 1)
        for _ in 0...blockCount { offsets.append(try r.u64()) }
        guard offsets.first == 0, offsets.last == streamLength else { throw .corrupt("block index") }
        for i in 0..<blockCount {
            let plain = min(UInt64(blockSize), contentLength - UInt64(i) * UInt64(blockSize))
            guard offsets[i] <= offsets[i + 1], offsets[i + 1] - offsets[i] <= plain else { throw .corrupt("block index") }
        }
        return offsets
    }
}

/// Appends little-endian fields.
struct BundleWriter {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func string(_ s: String) {
        let b = Array(s.utf8)
        u32(UInt32(b.count))
        bytes += b
    }
    mutating func strings(_ list: [String]) {
        u32(UInt32(list.count))
        for s in list { string(s) }
    }
}

/// Reads little-endian fields, every one checked against the end.
struct BundleReader {
    let buffer: UnsafeRawBufferPointer
    var at = 0
    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    mutating func take(_ n: Int) throws(ModuleBundleError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= buffer.count - at else { throw .corrupt("configuration truncated") }
        defer { at += n }
        return UnsafeRawBufferPointer(rebasing: buffer[at..<at + n])
    }
    mutating func u32() throws(ModuleBundleError) -> UInt32 {
        let b = try take(4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(b[i]) << (8 * UInt32(i)) }
        return v
    }
    mutating func u64() throws(ModuleBundleError) -> UInt64 {
        let b = try take(8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[i]) << (8 * UInt64(i)) }
        return v
    }
    mutating func string() throws(ModuleBundleError) -> String {
        let n = try u32()
        guard n <= UInt32(buffer.count) else { throw .corrupt("string length") }
        return String(decoding: try take(Int(n)), as: UTF8.self)
    }
    mutating func strings() throws(ModuleBundleError) -> [String] {
        let n = try u32()
        guard n <= UInt32(buffer.count) / 4 else { throw .corrupt("list length") }
        var list: [String] = []
        for _ in 0..<n { list.append(try string()) }
        return list
    }
}
