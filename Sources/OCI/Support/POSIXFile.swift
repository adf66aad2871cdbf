#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

func currentErrno() -> Int32 { errno }

// Unqualified wrappers (usable inside types whose methods shadow the libc names, on any libc).
private func sysRename(_ a: String, _ b: String) -> Int32 { rename(a, b) }
private func sysWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
private func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, p, n) }
private func sysClose(_ fd: Int32) -> Int32 { close(fd) }

func errnoDescription(_ e: Int32) -> String { String(cString: strerror(e)) }

/// Small POSIX file helpers for the store: explicit fds, fsync before rename, no partial files.
enum POSIXFile {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        return Double(st.st_mtimespec.tv_sec) + Double(st.st_mtimespec.tv_nsec) / 1e9
        #else
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        #endif
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SkiffError) {
        if isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw posixError("create directory", path) }
    }

    static func remove(_ path: String) { unlink(path) }

    /// `rm -rf`, without following symlinks.
    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? listDirectory(path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    static func listDirectory(_ path: String) throws(SkiffError) -> [String] {
        guard let dir = opendir(path) else { throw posixError("list", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func rename(_ from: String, _ to: String) throws(SkiffError) {
        if sysRename(from, to) != 0 { throw posixError("rename \(from) to", to) }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    static func readAll(_ path: String, limit: Int = 64 << 20) throws(SkiffError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw SkiffError(e == ENOENT ? .notFound : .io, "cannot read \(path): \(errnoDescription(e))")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw posixError("read", path) }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > limit { throw SkiffError(.invalidData, "\(path) is larger than \(limit) bytes") }
        }
        return out
    }

    /// Writes `bytes` to a temporary file next to `path`, fsyncs it and renames it over `path`:
    /// readers see the old or the new content, never a mix.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(SkiffError) {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = "\(dir)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let out = try OutputFile(creating: tmp, mode: mode)
        do {
            try out.write(bytes)
            try out.sync()
            try out.close()
            try rename(tmp, path)
        } catch {
            out.closeQuietly()
            unlink(tmp)
            throw error
        }
        syncDirectory(dir)
    }
}

/// A file opened for writing through a raw descriptor (no buffering: callers write large chunks).
public final class OutputFile {
    public let path: String
    public private(set) var fd: Int32

    public init(creating path: String, mode: mode_t = 0o644, exclusive: Bool = true) throws(SkiffError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        fd = open(path, flags, mode)
        if fd < 0 { throw posixError("create", path) }
        // The umask must not weaken or widen an explicitly requested mode (e.g. 0600 credentials).
        fchmod(fd, mode)
    }

    public func write(_ buffer: UnsafeRawBufferPointer) throws(SkiffError) {
        var offset = 0
        while offset < buffer.count {
            let n = sysWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw posixError("write", path)
            }
            offset += n
        }
    }

    public func write(_ bytes: [UInt8]) throws(SkiffError) {
        var failure: SkiffError?
        bytes.withUnsafeBytes { raw in
            do throws(SkiffError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func truncate(to length: Int64) throws(SkiffError) {
        if ftruncate(fd, off_t(length)) != 0 { throw posixError("truncate", path) }
        if lseek(fd, off_t(length), SEEK_SET) < 0 { throw posixError("seek in", path) }
    }

    public func sync() throws(SkiffError) {
        if fsync(fd) != 0 { throw posixError("flush", path) }
    }

    public func close() throws(SkiffError) {
        guard fd >= 0 else { return }
        let r = sysClose(fd)
        fd = -1
        if r != 0 { throw posixError("close", path) }
    }

    public func closeQuietly() {
        if fd >= 0 { _ = sysClose(fd); fd = -1 }
    }

    deinit { closeQuietly() }
}

/// A file opened for reading in chunks.
final class InputFile {
    let path: String
    private(set) var fd: Int32

    init(_ path: String) throws(SkiffError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            throw SkiffError(e == ENOENT ? .notFound : .io, "cannot open \(path): \(errnoDescription(e))")
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SkiffError) -> Int {
        while true {
            let n = sysRead(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw posixError("read", path) }
        }
    }

    func seek(to offset: Int64) throws(SkiffError) {
        if lseek(fd, off_t(offset), SEEK_SET) < 0 { throw posixError("seek in", path) }
    }

    func close() {
        if fd >= 0 { _ = sysClose(fd); fd = -1 }
    }

    deinit { close() }
}

/// An advisory lock on a file (flock), held until `unlock` or deinit. Exclusive locks serialise
/// read-modify-write of the tag index and garbage collection between concurrent skiff processes;
/// pulls and imports hold a shared lock so a concurrent prune cannot collect their fresh blobs.
final class FileLock: @unchecked Sendable {
    private var fd: Int32

    init(path: String, shared: Bool = false) throws(SkiffError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw posixError("open lock file", path) }
        while flock(fd, shared ? LOCK_SH : LOCK_EX) != 0 {
            if errno != EINTR { let e = errno; _ = sysClose(fd); throw posixError("lock", path, errno: e) }
        }
    }

    func unlock() {
        if fd >= 0 { flock(fd, LOCK_UN); _ = sysClose(fd); fd = -1 }
    }

    deinit { unlock() }
}
