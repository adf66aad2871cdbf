import Foundation

/// What a container's writable layer holds, as its size cap counts it (LinuxKernel's
/// WritableLayerQuota): the lengths of its regular files, a hard-linked file once. Walked by byte
/// paths: names a guest made need not be UTF-8.
enum WritableLayerUsage {
    static func bytes(in directory: String) -> UInt64 {
        var seen = Set<UInt64>()
        return bytes(in: Array(directory.utf8CString), seen: &seen)
    }

    /// `path` NUL-terminated.
    private static func bytes(in path: [CChar], seen: inout Set<UInt64>) -> UInt64 {
        guard let dir = opendir(path) else { return 0 }
        defer { closedir(dir) }
        var total: UInt64 = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.bindMemory(to: CChar.self).prefix { $0 != 0 })
            }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            let child = path.dropLast() + [0x2f] + name + [0]
            var st = stat()
            guard lstat(child, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                total &+= bytes(in: Array(child), seen: &seen)
            } else if st.st_mode & S_IFMT == S_IFREG {
                if st.st_nlink > 1 && !seen.insert(UInt64(st.st_ino)).inserted { continue }
                total &+= UInt64(max(0, st.st_size))
            }
        }
        return total
    }
}
