/// The outcome of resolving a guest path.
struct ResolvedPath {
    /// The canonical guest path (no ".", "..", or symlinks).
    var components: [[UInt8]]
    var mount: Mount
    /// The path inside `mount`.
    var relative: [[UInt8]]
    /// nil when the last component does not exist (its parent does).
    var stat: FileStat?
    /// A /proc/PID/fd/N link that was followed to an open file.
    var magic: FileDescription?
    /// The path ended in "/" (the file must be a directory).
    var trailingSlash: Bool
}

extension Kernel {
    static let maximumSymlinks = 40
    static let maximumPath = 4096
    static let maximumName = 255

    /// Resolves `path` for `task` the way Linux's namei does, but entirely inside the guest's
    /// tree: ".." at the root stays at the root and an absolute symlink restarts at the guest's
    /// root, so no path can name anything outside the mounts.
    /// - Parameters:
    ///   - directory: AT_FDCWD or a directory descriptor for relative paths.
    ///   - follow: follow a symlink in the last component.
    ///   - allowEmpty: AT_EMPTY_PATH — "" names `directory` itself.
    func resolve(_ task: Task, at directory: Int32 = AT_FDCWD, path: [UInt8], follow: Bool,
                 allowEmpty: Bool = false) throws(Errno) -> ResolvedPath {
        if path.count >= Kernel.maximumPath { throw .ENAMETOOLONG }
        if path.isEmpty && !allowEmpty { throw .ENOENT }
        var current: [[UInt8]]
        if Path.isAbsolute(path) {
            current = []
        } else if directory == AT_FDCWD {
            current = task.process.fs.workingDirectory
        } else {
            let d = try task.process.files.get(directory)
            if path.isEmpty {
                // AT_EMPTY_PATH: the descriptor itself, whatever it is.
                let (mount, relative) = mounts.lookup(d.location ?? [])
                return ResolvedPath(components: d.location ?? [], mount: mount, relative: relative,
                                    stat: try d.stat(), magic: d.location == nil ? d : nil, trailingSlash: false)
            }
            guard let location = d.location else { throw .ENOTDIR }
            guard try d.stat().isDirectory else { throw .ENOTDIR }
            current = location
        }
        let trailingSlash = path.last == Path.slash
        var pending = Array(Path.components(path).reversed())
        var currentStat: FileStat?
        var links = 0
        while let name = pending.popLast() {
            if name.count == 1 && name[0] == 0x2e { continue }
            if name.count == 2 && name[0] == 0x2e && name[1] == 0x2e {
                if !current.isEmpty { current.removeLast() }
                currentStat = nil
                continue
            }
            if name.count > Kernel.maximumName { throw .ENAMETOOLONG }
            let isLast = pending.isEmpty
            var candidate = current
            candidate.append(name)
            let (mount, relative) = mounts.lookup(candidate)
            let st: FileStat
            do {
                st = try mount.fileSystem.stat(relative, caller: task)
            } catch {
                if error == .ENOENT && isLast {
                    return ResolvedPath(components: candidate, mount: mount, relative: relative, stat: nil,
                                        magic: nil, trailingSlash: trailingSlash)
                }
                throw error
            }
            if st.isSymlink && (!isLast || follow || trailingSlash) {
                links += 1
                if links > Kernel.maximumSymlinks { throw .ELOOP }
                switch try mount.fileSystem.readLink(relative, caller: task) {
                case .path(let target):
                    if target.isEmpty { throw .ENOENT }
                    if Path.isAbsolute(target) { current = [] }
                    pending.append(contentsOf: Path.components(target).reversed())
                    currentStat = nil
                case .description(let d):
                    if isLast {
                        let loc = d.location ?? candidate
                        let (m, r) = mounts.lookup(loc)
                        return ResolvedPath(components: loc, mount: m, relative: r, stat: try d.stat(),
                                            magic: d, trailingSlash: trailingSlash)
                    }
                    guard let loc = d.location else { throw .ENOTDIR }
                    current = loc
                    currentStat = nil
                }
                continue
            }
            if !isLast && !st.isDirectory { throw .ENOTDIR }
            current = candidate
            currentStat = st
        }
        let (mount, relative) = mounts.lookup(current)
        let st: FileStat
        if let s = currentStat { st = s } else { st = try mount.fileSystem.stat(relative, caller: task) }
        if trailingSlash && !st.isDirectory && !st.isSymlink { throw .ENOTDIR }
        return ResolvedPath(components: current, mount: mount, relative: relative, stat: st, magic: nil,
                            trailingSlash: trailingSlash)
    }

    /// Resolves the parent of a path that names a new or removed entry (mkdir, unlink, rename…):
    /// the final component is not followed.
    func resolveEntry(_ task: Task, at directory: Int32, path: [UInt8]) throws(Errno) -> ResolvedPath {
        try resolve(task, at: directory, path: path, follow: false)
    }
}
