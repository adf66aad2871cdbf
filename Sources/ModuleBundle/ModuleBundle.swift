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
//   56   128 B    the filesystem image's header
//   184  ...      the configuration (BundleConfiguration.encoded), zero padding to 8 bytes
//   ...           the image's tables: its bytes [tablesOffset, tablesOffset + tablesLength)
//
// Segments 1 ... contentSegmentCount hold the image's bytes [contentOffset, + contentLength) in
// order, contentSegmentSize bytes each.

/// The container's process as `skiff convert` resolved it (image config + convert's options).
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
    public static let fixedSize = 56
    public static let imageHeaderSize = 128
    /// Content segment size the converter uses: large enough to keep the segment count small,
    /// small enough for every runtime's limits on one segment.
    public static let defaultContentSegmentSize: UInt32 = 16 << 20

    public var contentSegmentSize: UInt32
    public var contentOffset: UInt64
    public var contentLength: UInt64
    public var tablesOffset: UInt64
    public var tablesLength: UInt64
    public var configurationLength: UInt32
    public var contentSegmentCount: UInt32

    public init(contentSegmentSize: UInt32, contentOffset: UInt64, contentLength: UInt64,
                tablesOffset: UInt64, tablesLength: UInt64, configurationLength: UInt32) {
        self.contentSegmentSize = contentSegmentSize
        self.contentOffset = contentOffset
        self.contentLength = contentLength
        self.tablesOffset = tablesOffset
        self.tablesLength = tablesLength
        self.configurationLength = configurationLength
        let size = UInt64(contentSegmentSize)
        self.contentSegmentCount = UInt32((contentLength + size - 1) / size)
    }

    /// Where the configuration starts in segment 0.
    public var configurationOffset: Int { Self.fixedSize + Self.imageHeaderSize }
    /// Where the tables start in segment 0 (8-byte aligned).
    public var tablesStart: Int { (configurationOffset + Int(configurationLength) + 7) & ~7 }
    /// Bytes of segment 0.
    public var segmentZeroSize: UInt64 { UInt64(tablesStart) + tablesLength }

    /// Bytes of content segment `index` (0-based).
    public func contentSegmentLength(_ index: Int) -> UInt64 {
        let start = UInt64(index) * UInt64(contentSegmentSize)
        return min(UInt64(contentSegmentSize), contentLength - start)
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
        guard contentSegmentSize > 0,
              UInt64(contentSegmentCount) == (contentLength + UInt64(contentSegmentSize) - 1) / UInt64(contentSegmentSize)
        else { throw .corrupt("content segments") }
        guard UInt64(configurationLength) <= UInt64(segment.count),
              segmentZeroSize == UInt64(segment.count) else { throw .corrupt("bundle size") }
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
