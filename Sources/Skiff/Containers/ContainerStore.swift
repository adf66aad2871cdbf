import Foundation
import LinuxKernel
import OCI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Containers under `$SKIFF_HOME/containers/<id>/`:
///
///     config.json      the ContainerRecord (written atomically)
///     upper/           the writable layer: an OCI layer changeset (see OverlayFS)
///     attributes       owners and modes of upper files the host cannot hold ("inode uid gid mode")
///     log.json         stdout/stderr, one JSON object per chunk, as docker's json-file driver
///     hostname, hosts, resolv.conf   mounted over the image's /etc files
///
/// The skiff process running a container holds a flock on its directory (the run lock).
public final class ContainerStore: @unchecked Sendable {
    public let root: String

    public init(imageStore: ImageStore) throws(SkiffError) {
        root = imageStore.root + "/containers"
        // The image store's root exists: only this directory may be missing.
        if mkdir(root, 0o755) != 0 && errno != EEXIST {
            throw SkiffError(.io, "cannot create \(root): \(String(cString: strerror(errno)))")
        }
    }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func upperDirectory(_ id: String) -> String { directory(id) + "/upper" }
    public func logPath(_ id: String) -> String { directory(id) + "/log.json" }
    func configPath(_ id: String) -> String { directory(id) + "/config.json" }
    func attributesPath(_ id: String) -> String { directory(id) + "/attributes" }

    // MARK: Records

    public func all() -> [ContainerRecord] {
        (Self.entries(root) ?? []).compactMap { try? load($0) }.sorted { $0.created > $1.created }
    }

    /// `skiff check`: container directories without a record (a create or rm that was cut short:
    /// `all()` skips them) and records that cannot be read, with why.
    public func unlistedDirectories() -> [(id: String, why: String)] {
        (Self.entries(root) ?? []).sorted().compactMap { (id: String) -> (id: String, why: String)? in
            var st = stat()
            guard lstat(directory(id), &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { return nil }
            if access(configPath(id), F_OK) != 0 { return (id, "no config.json: its creation or removal was cut short") }
            do throws(SkiffError) { _ = try load(id); return nil } catch { return (id, error.message) }
        }
    }

    /// The names in a directory ("." and ".." left out); nil (errno set) if it cannot be read.
    static func entries(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func load(_ id: String) throws(SkiffError) -> ContainerRecord {
        guard let data = FileManager.default.contents(atPath: configPath(id)) else {
            throw SkiffError(.notFound, "no such container: \(id)")
        }
        if let tree = JSONReader.parse(Array(data)), let record = ContainerRecord(json: tree) { return record }
        do {
            return try JSONDecoder().decode(ContainerRecord.self, from: data)
        } catch {
            throw SkiffError(.invalidData, "container \(id): unreadable config.json (\(error.localizedDescription))")
        }
    }

    public func save(_ record: ContainerRecord) throws(SkiffError) {
        do {
            try Self.replaceFile(configPath(record.id), with: record.jsonBytes())
        } catch {
            throw SkiffError(.io, "cannot save container \(record.shortID): \(error.localizedDescription)")
        }
    }

    /// Finds a container by name, full id or unique id prefix (as docker does).
    public func find(_ key: String) throws(SkiffError) -> ContainerRecord {
        let all = all()
        if let byName = all.first(where: { $0.name == key || $0.id == key }) { return byName }
        let byPrefix = all.filter { $0.id.hasPrefix(key) }
        if byPrefix.count > 1 { throw SkiffError(.invalidArgument, "'\(key)' matches several containers; give more of the id") }
        if let one = byPrefix.first, !key.isEmpty { return one }
        throw SkiffError(.notFound, "no such container: \(key)")
    }

    /// Creates the directory of a new container (with an empty writable layer) and saves `record`.
    public func create(_ record: ContainerRecord) throws(SkiffError) {
        var record = record
        record.name = try makeDirectory(for: record)
        try save(record)
    }

    /// Creates the directory of a new container with an empty writable layer and reserves its
    /// name (a generated one when `record.name` is empty), which it returns. No record yet: until
    /// `save`, `all()` and `find` do not see the container.
    public func makeDirectory(for record: ContainerRecord) throws(SkiffError) -> String {
        guard mkdir(directory(record.id), 0o755) == 0 else {
            throw SkiffError(.io, "cannot create container \(record.shortID): \(String(cString: strerror(errno)))")
        }
        do throws(SkiffError) {
            guard mkdir(upperDirectory(record.id), 0o755) == 0 else {
                throw SkiffError(.io, "cannot create container \(record.shortID): \(String(cString: strerror(errno)))")
            }
            if record.name.isEmpty { return try reserveGeneratedName(for: record.id) }
            if try reserveName(record.name, for: record.id) { return record.name }
            throw SkiffError(.invalidArgument, "the container name \"\(record.name)\" is already in use; remove that container (skiff rm \(record.name)) or choose another --name")
        } catch {
            _ = Self.removeTree(directory(record.id))
            throw error
        }
    }

    /// Removes the container's directory, then its name.
    public func remove(_ record: ContainerRecord) throws(SkiffError) {
        try remove(record.id)
        releaseName(record.name, of: record.id)
    }

    /// Removes the container's directory (its name, if reserved, becomes stale: see ContainerNames).
    public func remove(_ id: String) throws(SkiffError) {
        let e = Self.removeTree(directory(id))
        if e != 0 && e != ENOENT {
            throw SkiffError(.io, "cannot remove container \(String(id.prefix(12))): \(String(cString: strerror(e)))")
        }
    }

    /// Removes a directory and everything below it without following symlinks; directories the
    /// container left without write or search permission for the host user are opened up first.
    /// Returns 0 or the errno of the first failure.
    static func removeTree(_ path: String) -> Int32 { removeTree(path: Array(path.utf8CString)) }

    /// `path` NUL-terminated, as bytes (`BytePath`: as Strings, names that are not UTF-8 named
    /// nothing, and the removal stopped at ENOENT, taken as done).
    private static func removeTree(path: [CChar]) -> Int32 {
        var st = stat()
        if lstat(path, &st) != 0 { return errno }
        if st.st_mode & S_IFMT != S_IFDIR { return unlink(path) == 0 ? 0 : errno }
        chmod(path, 0o700)
        guard let names = BytePath.entries(of: path) else { return errno }
        for name in names {
            let e = removeTree(path: BytePath.child(path, name))
            if e != 0 { return e }
        }
        return rmdir(path) == 0 ? 0 : errno
    }

    /// `skiff rm`: a running container is refused unless `force`, which kills the skiff process
    /// running it first (and waits for its run lock to be released).
    public func remove(_ record: ContainerRecord, force: Bool) throws(SkiffError) {
        if isRunning(record) {
            guard force, let pid = record.state.pid else {
                throw SkiffError(.invalidArgument, "cannot remove container \(record.name): it is running (use skiff rm -f to kill and remove it)")
            }
            _ = hostKill(pid, SIGKILL)
            var waited = 0
            while isRunning(record) {
                guard waited < 500 else { throw SkiffError(.io, "container \(record.name) (skiff process \(pid)) did not stop") }
                usleep(10_000)
                waited += 1
            }
        }
        try remove(record)
    }

    /// A new random 64-hex-digit id.
    public static func newID() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    // MARK: Running state

    /// Takes the container's run lock, a flock of its directory (no lock file: one file less to
    /// make and remove at every run); nil if another skiff process holds it (it is running).
    public func lock(_ id: String) -> Int32? {
        let fd = open(directory(id), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { return nil }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 { close(fd); return nil }
        return fd
    }

    /// Whether the container runs (or waits to be restarted by its skiff process).
    public func isRunning(_ record: ContainerRecord) -> Bool {
        guard record.state.status == .running || record.state.status == .restarting else { return false }
        guard let fd = lock(record.id) else { return true }
        close(fd)
        return false
    }

    /// The record with a stale "running" (its skiff process died) shown as exited.
    public func current(_ record: ContainerRecord) -> ContainerRecord {
        var r = record
        if (r.state.status == .running || r.state.status == .restarting) && !isRunning(r) {
            r.state.status = .exited
            r.state.exitCode = 137
            r.state.pid = nil
        }
        return r
    }

    /// Writes `data` to a new file beside `path` and renames it over `path`: readers see the old
    /// or the new contents, never a mix. Not synced to disk (Foundation's `.atomic` fsyncs, which
    /// costs more than starting the container); after a host crash a record may be older.
    static func replaceFile(_ path: String, with data: [UInt8]) throws {
        let temp = path + ".tmp-\(getpid())"
        do {
            try writeFile(temp, data)
        } catch {
            unlink(temp)
            throw error
        }
        if rename(temp, path) != 0 {
            let e = errno
            unlink(temp)
            throw SkiffError(.io, "cannot replace \(path): \(String(cString: strerror(e)))")
        }
    }

    /// Writes `data` into the file at `path` in place (created, or truncated first). For files
    /// only the container's own run reads, such as the generated /etc files.
    static func writeFile(_ path: String, _ data: [UInt8]) throws(SkiffError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SkiffError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var done = 0
        while done < data.count {
            let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw SkiffError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// The contents of a small file (at most 1 MiB), or nil if it cannot be opened.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    // MARK: Upper-layer attributes

    /// Owners and modes of upper files the host cannot hold, by host inode.
    public func loadAttributes(_ id: String) -> [UInt64: OverlayAttributes] {
        guard let bytes = Self.readFile(attributesPath(id)), let text = String(validating: bytes, as: UTF8.self) else { return [:] }
        var result: [UInt64: OverlayAttributes] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 4 || f.count == 6, let ino = UInt64(f[0]), let uid = UInt32(f[1]), let gid = UInt32(f[2]),
                  let mode = UInt32(f[3], radix: 8) else { continue }
            var record = OverlayAttributes(uid: uid, gid: gid, mode: mode)
            // A device node: its type (octal S_IFCHR/S_IFBLK) and st_rdev.
            if f.count == 6 {
                guard let type = UInt32(f[4], radix: 8), let rdev = UInt64(f[5]) else { continue }
                record.fileType = type
                record.rdev = rdev
            }
            result[ino] = record
        }
        return result
    }

    public func saveAttributes(_ id: String, _ entries: [UInt64: OverlayAttributes]) throws(SkiffError) {
        let text = entries.keys.sorted().map { k in
            let e = entries[k]!
            let device = e.fileType != 0 ? " \(String(e.fileType, radix: 8)) \(e.rdev)" : ""
            return "\(k) \(e.uid) \(e.gid) \(String(e.mode, radix: 8))\(device)\n"
        }.joined()
        do {
            try Self.replaceFile(attributesPath(id), with: Array(text.utf8))
        } catch {
            throw SkiffError(.io, "cannot save the file attributes of container \(String(id.prefix(12))): \(error.localizedDescription)")
        }
    }
}
