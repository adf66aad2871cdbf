// Opens a filesystem image file read-only by mapping it into memory; the reader works on the
// mapping in place (nothing is unpacked or copied).

import FSImage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class MappedFilesystemImage {
    public let path: String
    public let reader: FSImageReader
    private let mapping: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps `path` and checks its header; throws LayerError for a missing, unreadable, truncated
    /// or corrupt file.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LayerError("cannot open filesystem image \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LayerError("cannot stat \(path): \(String(cString: strerror(errno)))") }
        length = Int(info.st_size)
        if length > 0 {
            let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let p, p != MAP_FAILED else {
                throw LayerError("cannot map filesystem image \(path): \(String(cString: strerror(errno)))")
            }
            mapping = p
        } else {
            mapping = nil
        }
        do throws(FSImageError) {
            reader = try FSImageReader(UnsafeRawBufferPointer(start: mapping, count: length))
        } catch {
            if let mapping { munmap(mapping, length) }
            throw LayerError("\(path): \(error.message)")
        }
    }

    deinit {
        if let mapping { munmap(mapping, length) }
    }
}
