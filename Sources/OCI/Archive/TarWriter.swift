import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One member of a tar archive being written: what `TarWriter.add` needs to know.
public struct TarMember: Sendable {
    public enum Kind: Sendable { case regular, directory, symlink, hardLink, characterDevice, blockDevice, fifo }
    /// The member's name as bytes: a guest's file names need not be UTF-8.
    public var path: [UInt8]
    public var kind: Kind
    /// Permission bits (and setuid/setgid/sticky).
    public var mode: UInt32
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var modificationTime: (seconds: Int64, nanoseconds: Int) = (0, 0)
    /// Regular files: the number of bytes `write` will supply.
    public var size: Int64 = 0
    /// Symlinks: the target; hard links: the name of the member it links to (bytes, as `path`).
    public var link: [UInt8]?
    /// Devices: major and minor numbers.
    public var device: (major: UInt32, minor: UInt32) = (0, 0)

    public init(path: [UInt8], kind: Kind, mode: UInt32) {
        self.path = path
        self.kind = kind
        self.mode = mode
    }

    public init(name: String, kind: Kind, mode: UInt32) {
        self.init(path: Array(name.utf8), kind: kind, mode: mode)
    }

    public var name: String {
        get { String(decoding: path, as: UTF8.self) }
        set { path = Array(newValue.utf8) }
    }

    public var linkTarget: String? {
        get { link.map { String(decoding: $0, as: UTF8.self) } }
        set { link = newValue.map { Array($0.utf8) } }
    }
}

/// Writes a POSIX (pax) tar archive through libarchive, uncompressed or gzip-compressed: `skiff
/// save` (an OCI layout), `skiff export` (a container's files), `skiff commit` (a layer). Path "-"
/// is standard output.
public final class TarWriter {
    let path: String
    private let archive: OpaquePointer
    private var closed = false

    public init(path: String, gzip: Bool = false) throws(SkiffError) {
        guard let a = archive_write_new() else { throw SkiffError(.internalError, "libarchive: out of memory") }
        archive = a
        self.path = path
        archive_write_set_format_pax_restricted(a)
        if gzip {
            archive_write_add_filter_gzip(a)
            // No name or time in the gzip header: the same tree gives the same blob.
            archive_write_set_filter_option(a, "gzip", "timestamp", nil)
        }
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

    /// Writes the header of `member`; a regular file's contents follow through `write`.
    public func add(_ member: TarMember) throws(SkiffError) {
        guard let e = archive_entry_new() else { throw SkiffError(.internalError, "libarchive: out of memory") }
        defer { archive_entry_free(e) }
        Self.withCString(member.path) { archive_entry_set_pathname(e, $0) }
        let type: UInt32
        switch member.kind {
        case .regular: type = 0o100000
        case .directory: type = 0o040000
        case .symlink: type = 0o120000
        case .hardLink: type = 0o100000
        case .characterDevice: type = 0o020000
        case .blockDevice: type = 0o060000
        case .fifo: type = 0o010000
        }
        archive_entry_set_filetype(e, type)
        archive_entry_set_perm(e, mode_t(member.mode & 0o7777))
        archive_entry_set_uid(e, la_int64_t(member.uid))
        archive_entry_set_gid(e, la_int64_t(member.gid))
        archive_entry_set_mtime(e, time_t(member.modificationTime.seconds), member.modificationTime.nanoseconds)
        switch member.kind {
        case .regular: archive_entry_set_size(e, la_int64_t(member.size))
        case .symlink: Self.withCString(member.link ?? []) { archive_entry_set_symlink(e, $0) }
        case .hardLink:
            Self.withCString(member.link ?? []) { archive_entry_set_hardlink(e, $0) }
            archive_entry_set_size(e, 0)
        case .characterDevice, .blockDevice:
            archive_entry_set_rdevmajor(e, dev_t(member.device.major))
            archive_entry_set_rdevminor(e, dev_t(member.device.minor))
        case .directory, .fifo: break
        }
        // ARCHIVE_WARN: a name is not UTF-8, and the pax header says its names are binary
        // (hdrcharset=BINARY); the member is written. (The other warning, a file type tar
        // cannot hold, does not arise: every kind above is one it holds.)
        let status = archive_write_header(archive, e)
        if status != ARCHIVE_OK && status != ARCHIVE_WARN { throw failure() }
    }

    /// `bytes` NUL-terminated, as libarchive takes names (the bytes as they are: pax headers
    /// mark names that are not UTF-8 as binary).
    private static func withCString(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> Void) {
        (bytes + [0]).withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { body($0) }
        }
    }

    /// Writes the next part of the current regular file's contents.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SkiffError) {
        guard bytes.count > 0 else { return }
        if archive_write_data(archive, bytes.baseAddress, bytes.count) != bytes.count { throw failure() }
    }

    private func failure() -> SkiffError {
        SkiffError(.io, "cannot write \(path): \(TarReader.message(archive))")
    }

    func addDirectory(_ name: String) throws(SkiffError) {
        try add(TarMember(name: name, kind: .directory, mode: 0o755))
    }

    func addFile(_ name: String, bytes: [UInt8]) throws(SkiffError) {
        var member = TarMember(name: name, kind: .regular, mode: 0o644)
        member.size = Int64(bytes.count)
        try add(member)
        let written = bytes.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        if written != bytes.count { throw failure() }
    }

    /// Adds the file at `source` (exactly `size` bytes) as `name`, streaming it.
    func addFile(_ name: String, from source: String, size: Int64) throws(SkiffError) {
        var member = TarMember(name: name, kind: .regular, mode: 0o644)
        member.size = size
        try add(member)
        try copyContents(of: source, size: size)
    }

    /// Streams exactly `size` bytes of `source` as the current member's contents.
    func copyContents(of source: String, size: Int64) throws(SkiffError) {
        let file = try InputFile(source)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var left = size
        while left > 0 {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), left))]))
            if n == 0 { throw SkiffError(.io, "\(source) is shorter than \(size) bytes") }
            try write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            left -= Int64(n)
        }
    }

    public func close() throws(SkiffError) {
        closed = true
        if archive_write_close(archive) != ARCHIVE_OK { throw failure() }
    }
}
