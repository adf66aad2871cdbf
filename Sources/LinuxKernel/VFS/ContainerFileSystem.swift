#if !SKIFF_SINGLE_MODULE
import FSImage
#endif

/// A container's root file system: its image's filesystem image below, its writable host
/// directory above (see OverlayFS). A kernel mounts it as `/`; outside a running kernel it is
/// read to export the merged tree, to look users up in /etc/passwd, and so on. Paths are
/// absolute or relative to the root; "." and ".." are not interpreted, and only `readFile`
/// follows symlinks (inside the tree).
public final class ContainerFileSystem {
    let overlay: OverlayFS

    /// `image`'s buffer must stay mapped while this object (or a kernel it is mounted in) lives.
    public init(image: FSImageReader, host: Host, upper: HostFD, attributes: OverlayAttributeTable, readOnly: Bool) {
        let lower = ImageFS(reader: image, device: 0x40)
        overlay = OverlayFS(lower: lower, host: host, upper: upper, attributes: attributes, device: 0x41, readOnly: readOnly)
    }

    static func components(_ path: String) -> [[UInt8]] { Path.components(Array(path.utf8)) }

    /// Caps the writable layer at `limit` bytes, `used` of which its regular files hold already
    /// (see WritableLayerQuota).
    public func limitWritableLayer(to limit: UInt64, used: UInt64) {
        overlay.quota = WritableLayerQuota(limit: limit, used: used)
    }

    // Every path-taking call has a byte form: a guest's names need not be UTF-8, and a String
    // would carry such a name as U+FFFD, naming nothing.

    /// lstat of a merged entry, as the guest would see it.
    public func stat(_ path: String) throws(Errno) -> FileStat { try stat(Array(path.utf8)) }
    public func stat(_ path: [UInt8]) throws(Errno) -> FileStat { try overlay.stat(Path.components(path)) }

    /// The names in a merged directory ("." and ".." not included).
    public func entries(_ path: String) throws(Errno) -> [[UInt8]] { try entries(Array(path.utf8)) }
    public func entries(_ path: [UInt8]) throws(Errno) -> [[UInt8]] {
        let p = Path.components(path)
        let loc = try overlay.locate(p)
        guard loc.isDirectory else { throw .ENOTDIR }
        return try overlay.listing(p, loc).map { $0.name }
    }

    public func readLink(_ path: String) throws(Errno) -> [UInt8] { try readLink(Array(path.utf8)) }
    public func readLink(_ path: [UInt8]) throws(Errno) -> [UInt8] { try readLink(Path.components(path)) }

    func readLink(_ p: [[UInt8]]) throws(Errno) -> [UInt8] {
        let loc = try overlay.locate(p)
        if loc.upper != nil { return try overlay.host.readLink(at: overlay.upperRoot, OverlayFS.relative(p)) }
        guard let l = loc.lower, l.type == .symlink else { throw .EINVAL }
        return try overlay.lower.linkTarget(l)
    }

    /// Streams a regular file's contents to `body` in chunks.
    public func read(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(Errno) {
        try read(Array(path.utf8), body)
    }
    public func read(_ path: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws(Errno) {
        try read(Path.components(path), body)
    }

    func read(_ p: [[UInt8]], _ body: (UnsafeRawBufferPointer) -> Void) throws(Errno) {
        let loc = try overlay.locate(p)
        if loc.upper == nil {
            guard let l = loc.lower, l.type == .regular else { throw .EINVAL }
            try overlay.lower.forEachChunk(of: l) { chunk throws(Errno) in body(chunk) }
            return
        }
        let host = overlay.host
        let fd = try host.open(at: overlay.upperRoot, OverlayFS.relative(p),
                               flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0)
        defer { host.close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try host.read(fd, into: buffer)
            if n == 0 { break }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Resolves `path` component by component inside the tree as the kernel's resolver does:
    /// `.` skipped, `..` never above the root, symlinks followed (ELOOP after 40 of them). `visit`
    /// sees every other component with its status (nil when it does not exist) and whether it is
    /// the last, and may create it. Returns the canonical components.
    private func walk(_ path: String,
                      _ visit: (_ candidate: [[UInt8]], _ status: FileStat?, _ isLast: Bool) throws(Errno) -> Void) throws(Errno) -> [[UInt8]] {
        var pending = Array(Self.components(path).reversed())
        var current: [[UInt8]] = []
        var hops = 0
        while let name = pending.popLast() {
            if name == [0x2e] { continue }
            if name == [0x2e, 0x2e] { if !current.isEmpty { current.removeLast() }; continue }
            let candidate = current + [name]
            var status: FileStat?
            do throws(Errno) {
                status = try overlay.stat(candidate)
            } catch {
                guard error == .ENOENT else { throw error }
            }
            if let status, status.isSymlink {
                hops += 1
                if hops > 40 { throw .ELOOP }
                let target = try readLink(candidate)
                if Path.isAbsolute(target) { current = [] }
                pending.append(contentsOf: Path.components(target).reversed())
                continue
            }
            try visit(candidate, status, pending.isEmpty)
            current = candidate
        }
        return current
    }

    /// The contents of a file (at most `limit` bytes), following symlinks inside the tree, or nil
    /// if there is no such regular file.
    public func readFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let found: [[UInt8]]
        do throws(Errno) {
            found = try walk(path) { _, status, _ throws(Errno) in if status == nil { throw .ENOENT } }
        } catch {
            return nil
        }
        guard let st = try? overlay.stat(found), st.isRegular else { return nil }
        var out: [UInt8] = []
        do throws(Errno) {
            try read(found) { chunk in
                if out.count < limit { out.append(contentsOf: chunk.prefix(limit - out.count)) }
            }
        } catch {
            return nil
        }
        return out
    }

    /// Makes `path` exist for a mount (a directory, or an empty file when `directory` is false),
    /// creating missing parents as root-owned 0755 directories in the writable layer, and returns
    /// its canonical form: symlinks on the way are followed inside the tree (as docker resolves
    /// mount targets in the container's root), so the kernel's mount table sees the path its
    /// resolver will produce.
    public func prepareMountPoint(_ path: String, directory: Bool) throws(Errno) -> String {
        let found = try walk(path) { candidate, status, isLast throws(Errno) in
            if let status {
                if !isLast && !status.isDirectory { throw .ENOTDIR }
                if isLast && directory != status.isDirectory { throw directory ? .ENOTDIR : .EISDIR }
            } else if isLast && !directory {
                let d = try overlay.openCreating(candidate)
                d.retain()
                d.release()
            } else {
                try overlay.makeDirectory(candidate, mode: 0o755)
            }
        }
        return String(decoding: Path.absolute(found), as: UTF8.self)
    }

    // MARK: Copying in and out (`skiff cp`)

    /// `path` resolved inside the tree as the kernel's resolver does (symlinks followed, the last
    /// one only with `followLast`; `..` never above the root): its canonical absolute form, and
    /// its status (nil when only the last component is missing).
    public func resolve(_ path: String, followLast: Bool = true) throws(Errno) -> (path: String, status: FileStat?) {
        var names = Self.components(path)
        var last: [UInt8]?
        if !followLast, let l = names.last, l != [0x2e], l != [0x2e, 0x2e] { last = names.removeLast() }
        var found = try walk(String(decoding: Path.absolute(names), as: UTF8.self)) { _, status, isLast throws(Errno) in
            if status == nil && (!isLast || last != nil) { throw .ENOENT }
        }
        if let last { found.append(last) }
        var status: FileStat?
        do throws(Errno) { status = try overlay.stat(found) } catch {
            guard error == .ENOENT else { throw error }
        }
        if let status, !status.isDirectory, last == nil, path.hasSuffix("/") { throw .ENOTDIR }
        return (String(decoding: Path.absolute(found), as: UTF8.self), status)
    }

    /// A new directory at canonical `path` (its parent exists), owned by root.
    public func makeDirectory(_ path: String, mode: UInt32) throws(Errno) { try makeDirectory(Array(path.utf8), mode: mode) }
    public func makeDirectory(_ path: [UInt8], mode: UInt32) throws(Errno) {
        try overlay.makeDirectory(Path.components(path), mode: mode & 0o7777)
    }

    /// A symlink at canonical `path` (nothing there yet).
    public func makeSymlink(_ path: String, target: [UInt8]) throws(Errno) { try makeSymlink(Array(path.utf8), target: target) }
    public func makeSymlink(_ path: [UInt8], target: [UInt8]) throws(Errno) {
        try overlay.symlink(target, at: Path.components(path))
    }

    /// A root-owned regular file at canonical `path` (replacing a file there), opened for
    /// writing: a host descriptor of its writable-layer file, for the caller to fill and close.
    public func createFile(_ path: String, mode: UInt32) throws(Errno) -> HostFD { try createFile(Array(path.utf8), mode: mode) }
    public func createFile(_ path: [UInt8], mode: UInt32) throws(Errno) -> HostFD {
        let p = Path.components(path)
        if let st = try? overlay.stat(p) {
            if st.isDirectory { throw .EISDIR }
            try overlay.remove(p, isDirectory: false)
        }
        let d = try overlay.openCreating(p)
        d.retain()
        d.release()
        let fd = try overlay.host.open(at: overlay.upperRoot, OverlayFS.relative(p),
                                       flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.noFollow | LinuxOpenFlags.closeOnExec, mode: 0)
        if mode & 0o7777 != 0o644 {
            do throws(Errno) { try overlay.setMode(p, mode: mode & 0o7777) } catch { overlay.host.close(fd); throw error }
        }
        return fd
    }
}
