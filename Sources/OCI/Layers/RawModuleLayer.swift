// A layer that is one raw file, not a tar: a WebAssembly module of a wasm artifact
// (`application/wasm`), seen by the flattener as a tar with that one file at the root.

import ImageLayers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class RawModuleLayer: LayerEntrySource {
    private let path: String
    private let fileName: String
    private let descriptor: Int32
    private let size: Int64
    private var delivered = false

    init(path: String, fileName: String) throws(LayerError) {
        self.path = path
        self.fileName = fileName
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LayerError("cannot read layer \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(descriptor, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw LayerError("cannot read layer \(path): \(reason)")
        }
        size = Int64(st.st_size)
    }

    deinit { close(descriptor) }

    func nextEntry() throws(LayerError) -> LayerEntry? {
        if delivered { return nil }
        delivered = true
        return LayerEntry(path: Array(fileName.utf8), kind: .regular, permissions: 0o755, uid: 0, gid: 0,
                          mtimeSeconds: 0, mtimeNanoseconds: 0, size: size)
    }

    func readData(_ body: (Int64, UnsafeRawBufferPointer) throws(LayerError) -> Void) throws(LayerError) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < size {
            let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason: String = n < 0 ? String(cString: strerror(errno)) : "it ended early"
                throw LayerError("cannot read layer \(path): " + reason)
            }
            var failure: LayerError?
            buffer.withUnsafeBytes { raw in
                do throws(LayerError) { try body(offset, UnsafeRawBufferPointer(rebasing: raw[0..<n])) } catch { failure = error }
            }
            if let failure { throw failure }
            offset += Int64(n)
        }
        return offset
    }
}
