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
        var total: UInt64 = 0
        for name in BytePath.entries(of: path) ?? [] {
            let child = BytePath.child(path, name)
            var st = stat()
            guard lstat(child, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                total &+= bytes(in: child, seen: &seen)
            } else if st.st_mode & S_IFMT == S_IFREG {
                if st.st_nlink > 1 && !seen.insert(UInt64(st.st_ino)).inserted { continue }
                total &+= UInt64(max(0, st.st_size))
            }
        }
        return total
    }
}
