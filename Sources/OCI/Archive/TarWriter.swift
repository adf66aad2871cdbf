import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an uncompressed POSIX (pax) tar archive, for `skiff save`; path "-" is standard output.
final class TarWriter {
    let path: String
    private let archive: OpaquePointer
    private var closed = false

    init(path: String) throws(SkiffError) {
        guard let a = archive_write_new() else { throw SkiffError(.internalError, "libarchive: out of memory") }
        archive = a
        self.path = path
        archive_write_set_format_pax_restricted(a)
        archive_write_set_bytes_in_last_block(a, 1)
        let opened = path == "-" ? archive_write_open_fd(a, 1) : archive_write_open_filename(a, path)
        if opened != ARCHIVE_OK {
            // deinit frees the archive (every stored property is set, so it runs).
            closed = true
            let message = TarReader.message(a)
            throw SkiffError(.io, "cannot write \(path): \(message)")
        }
    }

    deinit {
        if !closed { archive_write_close(archive) }
        archive_write_free(archive)
    }

    private func header(_ name: String, type: UInt32, mode: UInt32, size: Int64) throws(SkiffError) {
        guard let e = archive_entry_new() else { throw SkiffError(.internalError, "libarchive: out of memory") }
        defer { archive_entry_free(e) }
        archive_entry_set_pathname(e, name)
        archive_entry_set_filetype(e, type)
        archive_entry_set_perm(e, mode_t(mode))
        archive_entry_set_size(e, la_int64_t(size))
        archive_entry_set_mtime(e, 0, 0)
        if archive_write_header(archive, e) != ARCHIVE_OK { throw failure() }
    }

    private func failure() -> SkiffError {
        SkiffError(.io, "cannot write \(path): \(TarReader.message(archive))")
    }

    func addDirectory(_ name: String) throws(SkiffError) {
        try header(name, type: 0o040000, mode: 0o755, size: 0)
    }

    func addFile(_ name: String, bytes: [UInt8]) throws(SkiffError) {
        try header(name, type: 0o100000, mode: 0o644, size: Int64(bytes.count))
        let n = bytes.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        if n != bytes.count { throw failure() }
    }

    /// Adds the file at `source` (exactly `size` bytes) as `name`, streaming it.
    func addFile(_ name: String, from source: String, size: Int64) throws(SkiffError) {
        try header(name, type: 0o100000, mode: 0o644, size: size)
        let file = try InputFile(source)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var left = size
        while left > 0 {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), left))]))
            if n == 0 { throw SkiffError(.io, "\(source) is shorter than \(size) bytes") }
            if archive_write_data(archive, buffer.baseAddress, n) != n { throw failure() }
            left -= Int64(n)
        }
    }

    func close() throws(SkiffError) {
        closed = true
        if archive_write_close(archive) != ARCHIVE_OK { throw failure() }
    }
}
