import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the members of a tar archive (any tar dialect libarchive knows; gzip, zstd, bzip2 or
/// xz compressed or not), for `skiff import`. Member data is streamed, never read whole.
final class TarReader {
    enum Kind: Equatable {
        case file
        case directory
        case symlink(String)
        case hardLink(String)
        case other
    }

    struct Member {
        var path: String
        var kind: Kind
        var size: Int64
    }

    let path: String
    private let archive: OpaquePointer

    init(path: String) throws(SkiffError) {
        guard let a = archive_read_new() else { throw SkiffError(.internalError, "libarchive: out of memory") }
        archive = a
        self.path = path
        archive_read_support_format_tar(a)
        archive_read_support_format_gnutar(a)
        archive_read_support_format_empty(a)
        archive_read_support_filter_all(a)
        if archive_read_open_filename(a, path, 1 << 20) != ARCHIVE_OK {
            // deinit frees the archive (every stored property is set, so it runs).
            let message = TarReader.message(a)
            throw SkiffError(POSIXFile.exists(path) ? .invalidData : .notFound, "cannot read \(path): \(message)")
        }
    }

    deinit { archive_read_free(archive) }

    static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown libarchive error"
    }

    /// The next member, or nil at the end. Unread data of the previous member is skipped.
    func next() throws(SkiffError) -> Member? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
            throw SkiffError(.invalidData, "\(path) is not a readable tar archive: \(TarReader.message(archive))")
        }
        let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let kind: Kind
        if let target = archive_entry_hardlink(entry) {
            kind = .hardLink(String(cString: target))
        } else {
            switch UInt32(archive_entry_filetype(entry)) & 0o170000 {
            case 0o100000: kind = .file
            case 0o040000: kind = .directory
            case 0o120000: kind = .symlink(archive_entry_symlink(entry).map { String(cString: $0) } ?? "")
            default: kind = .other
            }
        }
        return Member(path: name, kind: kind, size: Int64(archive_entry_size(entry)))
    }

    /// Streams the current member's data to `body` in blocks.
    func readData(_ body: (UnsafeRawBufferPointer) throws(SkiffError) -> Void) throws(SkiffError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = archive_read_data(archive, buffer.baseAddress, buffer.count)
            if n == 0 { return }
            if n < 0 {
                throw SkiffError(.invalidData, "\(path) is truncated or corrupt: \(TarReader.message(archive))")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

/// The compression of a layer file, from its first bytes.
enum Compression {
    case none, gzip, zstd, bzip2, xz

    init(sniffing path: String) throws(SkiffError) {
        let file = try InputFile(path)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 6, alignment: 1)
        defer { raw.deallocate() }
        let n = try file.read(into: raw)
        let h = Array(raw[0..<n])
        if h.starts(with: [0x1f, 0x8b]) { self = .gzip }
        else if h.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { self = .zstd }
        else if h.starts(with: [0x42, 0x5a, 0x68]) { self = .bzip2 }
        else if h.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { self = .xz }
        else { self = .none }
    }

    /// The OCI layer media type for a tar with this compression (bzip2/xz have none).
    var layerMediaType: String? {
        switch self {
        case .none: return MediaType.ociLayer
        case .gzip: return MediaType.ociLayerGzip
        case .zstd: return MediaType.ociLayerZstd
        case .bzip2, .xz: return nil
        }
    }
}

/// Streams a file's decompressed content (gzip, zstd, bzip2, xz or none) to `body` through libarchive.
func readDecompressed(_ path: String, _ body: (UnsafeRawBufferPointer) throws(SkiffError) -> Void) throws(SkiffError) {
    guard let a = archive_read_new() else { throw SkiffError(.internalError, "libarchive: out of memory") }
    defer { archive_read_free(a) }
    archive_read_support_format_raw(a)
    archive_read_support_filter_all(a)
    guard archive_read_open_filename(a, path, 1 << 20) == ARCHIVE_OK else {
        throw SkiffError(.invalidData, "cannot read \(path): \(TarReader.message(a))")
    }
    var entry: OpaquePointer?
    let status = archive_read_next_header(a, &entry)
    if status == ARCHIVE_EOF { return }
    guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
        throw SkiffError(.invalidData, "cannot decompress \(path): \(TarReader.message(a))")
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let n = archive_read_data(a, buffer.baseAddress, buffer.count)
        if n == 0 { return }
        if n < 0 { throw SkiffError(.invalidData, "\(path) is truncated or corrupt: \(TarReader.message(a))") }
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    }
}

/// The sha256 of a file's decompressed content (a layer's diff ID).
func decompressedDigest(of path: String) throws(SkiffError) -> Digest {
    var counter = DigestingCounter()
    try readDecompressed(path) { counter.update($0) }
    return counter.finalize()
}
