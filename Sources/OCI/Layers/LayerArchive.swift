// Reads one layer tarball through libarchive: ustar, pax and GNU tar (long names, sparse files),
// uncompressed or compressed with gzip or zstd (bzip2 and xz too, for plain root filesystem tars).

import CArchive
import ImageLayers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class LayerArchive: LayerEntrySource {
    // File type bits of archive_entry_filetype (the AE_IF* macros do not import into Swift).
    static let typeMask: UInt32 = 0o170000
    static let typeRegular: UInt32 = 0o100000
    static let typeDirectory: UInt32 = 0o040000
    static let typeSymlink: UInt32 = 0o120000
    static let typeCharacter: UInt32 = 0o020000
    static let typeBlock: UInt32 = 0o060000
    static let typeFifo: UInt32 = 0o010000

    let path: String
    private let archive: OpaquePointer

    init(path: String) throws(LayerError) {
        guard let archive = archive_read_new() else { throw LayerError("out of memory opening \(path)") }
        self.archive = archive
        self.path = path
        archive_read_support_format_tar(archive)
        archive_read_support_format_empty(archive)
        archive_read_support_filter_gzip(archive)
        archive_read_support_filter_zstd(archive)
        archive_read_support_filter_bzip2(archive)
        archive_read_support_filter_xz(archive)
        guard archive_read_open_filename(archive, path, 1 << 20) == ARCHIVE_OK else {
            // deinit frees the archive: every stored property is set, so it runs after a throw.
            throw LayerError("cannot read layer \(path): \(errorMessage())")
        }
    }

    deinit { archive_read_free(archive) }

    func errorMessage() -> String {
        if let s = archive_error_string(archive) { return String(cString: s) }
        return "unknown libarchive error"
    }

    /// The next entry, or nil at the end of the archive. Its data must be read (or skipped by
    /// asking for the next entry) before the entry after it.
    func nextEntry() throws(LayerError) -> LayerEntry? {
        var entryPointer: OpaquePointer?
        let status = archive_read_next_header(archive, &entryPointer)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry = entryPointer else {
            throw LayerError("layer \(path) is not a readable tar archive: \(errorMessage())")
        }
        let name = LayerArchive.bytes(archive_entry_pathname(entry)) ?? LayerArchive.bytes(archive_entry_pathname_utf8(entry))
        guard let name else { throw LayerError("layer \(path): an entry has no name") }
        let kind: LayerEntry.Kind
        if let target = LayerArchive.bytes(archive_entry_hardlink(entry)) ?? LayerArchive.bytes(archive_entry_hardlink_utf8(entry)) {
            kind = .hardLink(target: target)
        } else {
            switch UInt32(archive_entry_filetype(entry)) & LayerArchive.typeMask {
            case LayerArchive.typeRegular: kind = .regular
            case LayerArchive.typeDirectory: kind = .directory
            case LayerArchive.typeSymlink:
                let target = LayerArchive.bytes(archive_entry_symlink(entry)) ?? LayerArchive.bytes(archive_entry_symlink_utf8(entry))
                guard let target else { throw LayerError("layer \(path): symlink \(LayerPath.display(name)) has no target") }
                kind = .symlink(target: target)
            case LayerArchive.typeCharacter: kind = .characterDevice
            case LayerArchive.typeBlock: kind = .blockDevice
            case LayerArchive.typeFifo: kind = .fifo
            default:
                throw LayerError("layer \(path): entry \(LayerPath.display(name)) has an unsupported file type")
            }
        }
        return LayerEntry(
            path: name, kind: kind,
            permissions: UInt32(archive_entry_perm(entry)) & 0o7777,
            uid: Int64(archive_entry_uid(entry)), gid: Int64(archive_entry_gid(entry)),
            mtimeSeconds: Int64(archive_entry_mtime(entry)), mtimeNanoseconds: Int(archive_entry_mtime_nsec(entry)),
            size: Int64(archive_entry_size(entry)),
            rdevMajor: UInt32(truncatingIfNeeded: archive_entry_rdevmajor(entry)),
            rdevMinor: UInt32(truncatingIfNeeded: archive_entry_rdevminor(entry)))
    }

    /// Delivers the current entry's data in order as (offset, bytes) blocks; offsets jump over
    /// holes of sparse files. Returns the end offset of the last block.
    func readData(_ body: (Int64, UnsafeRawBufferPointer) throws(LayerError) -> Void) throws(LayerError) -> Int64 {
        var end: Int64 = 0
        while true {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(archive, &block, &size, &offset)
            if status == ARCHIVE_EOF { return end }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw LayerError("layer \(path) is truncated or corrupt: \(errorMessage())")
            }
            if size > 0, let block {
                try body(Int64(offset), UnsafeRawBufferPointer(start: block, count: size))
                end = Int64(offset) + Int64(size)
            }
        }
    }

    static func bytes(_ s: UnsafePointer<CChar>?) -> [UInt8]? {
        guard let s else { return nil }
        return Array(UnsafeRawBufferPointer(start: s, count: strlen(s)))
    }
}
