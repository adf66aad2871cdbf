import Foundation

/// What a container's writable layer holds, as its size cap counts it (LinuxKernel's
/// WritableLayerQuota): the lengths of its regular files, a hard-linked file once.
enum WritableLayerUsage {
    static func bytes(in directory: String) -> UInt64 {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total: UInt64 = 0
        var seen = Set<UInt64>()
        while let name = walker.nextObject() as? String {
            var st = stat()
            guard lstat(directory + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            if st.st_nlink > 1 && !seen.insert(UInt64(st.st_ino)).inserted { continue }
            total &+= UInt64(max(0, st.st_size))
        }
        return total
    }
}
