// Writes a filesystem image to a temporary file beside its destination and renames it into
// place only when complete, so the destination never holds a half-written image.

import FSImage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ImageFileSink: FSImageSink {
    let destination: String
    let temporaryPath: String
    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    /// Bytes appended so far (the file's logical size once flushed).
    private(set) var size: UInt64 = 0

    init(destination: String) throws {
        self.destination = destination
        var suffix: UInt64 = 0
        withUnsafeMutableBytes(of: &suffix) { arc4random_buf($0.baseAddress!, $0.count) }
        temporaryPath = destination + ".tmp-\(getpid())-\(String(suffix, radix: 36))"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LayerError("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
    }

    deinit {
        buffer.deallocate()
        discard()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        if bytes.count > buffer.count - buffered {
            try flush()
            if bytes.count >= buffer.count {
                try writeFully(bytes)
                size += UInt64(bytes.count)
                return
            }
        }
        if bytes.count > 0 {
            (buffer.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered += bytes.count
            size += UInt64(bytes.count)
        }
    }

    func appendZeros(_ count: Int) throws(FSImageError) {
        if count >= buffer.count {
            // Large runs of zeros (holes of sparse files) become holes in the image file too.
            try flush()
            guard lseek(fd, off_t(count), SEEK_CUR) >= 0 else { throw .sinkFailed(errno) }
            size += UInt64(count)
            guard ftruncate(fd, off_t(size)) == 0 else { throw .sinkFailed(errno) }
            return
        }
        if count > buffer.count - buffered { try flush() }
        (buffer.baseAddress! + buffered).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        buffered += count
        size += UInt64(count)
    }

    func overwrite(at offset: UInt64, with bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        try flush()
        try writeFully(bytes, at: offset)
    }

    func flush() throws(FSImageError) {
        if buffered == 0 { return }
        try writeFully(UnsafeRawBufferPointer(start: buffer.baseAddress, count: buffered))
        buffered = 0
    }

    /// Writes all of `bytes` at the file position, or at `offset` when given.
    private func writeFully(_ bytes: UnsafeRawBufferPointer, at offset: UInt64? = nil) throws(FSImageError) {
        var done = 0
        while done < bytes.count {
            let n = if let offset {
                pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            } else {
                write(fd, bytes.baseAddress! + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .sinkFailed(errno)
            }
            done += n
        }
    }

    /// Flushes, closes and renames the temporary file onto the destination.
    func commit() throws {
        do throws(FSImageError) { try flush() } catch { throw LayerError("writing \(temporaryPath) failed: \(error.message)") }
        let result = close(fd)
        fd = -1
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw LayerError("writing \(temporaryPath) failed: \(message)")
        }
        guard rename(temporaryPath, destination) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw LayerError("cannot move the filesystem image into place at \(destination): \(message)")
        }
    }

    /// Removes the temporary file (nothing is left behind after an error).
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
            unlink(temporaryPath)
        }
    }
}
