import NIOCore

/// A range of a file as an async sequence of buffers, for streaming uploads without loading the
/// file. Each iteration opens the file afresh, so a retried request re-reads it from the start.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let offset: Int64
    let length: Int64
    var chunkSize = 1 << 20
    var progress: (@Sendable (Int64) -> Void)?

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var file: InputFile?
        var sent: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            if sent >= chunks.length { return nil }
            if file == nil {
                let f = try InputFile(chunks.path)
                try f.seek(to: chunks.offset)
                file = f
            }
            let want = Int(Swift.min(Int64(chunks.chunkSize), chunks.length - sent))
            var buffer = ByteBufferAllocator().buffer(capacity: want)
            let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
                try file!.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
            }
            if n == 0 {
                throw SkiffError(.io, "\(chunks.path) ended \(chunks.length - sent) bytes early (was it changed while uploading?)")
            }
            sent += Int64(n)
            chunks.progress?(sent)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}
