// Where the builder's bytes go: a file natively (OCI's layer flattener), memory in tests and wasm.

public protocol FSImageSink: AnyObject {
    /// Appends `bytes` at the end of what was written so far.
    func append(_ bytes: UnsafeRawBufferPointer) throws(FSImageError)
    /// Appends `count` zero bytes (padding; a file sink may leave a hole instead).
    func appendZeros(_ count: Int) throws(FSImageError)
    /// Overwrites bytes written earlier (the builder rewrites the header once, at the end).
    func overwrite(at offset: UInt64, with bytes: UnsafeRawBufferPointer) throws(FSImageError)
}

/// Collects an image in memory.
public final class FSImageMemorySink: FSImageSink {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func append(_ bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        self.bytes.append(contentsOf: bytes)
    }

    public func appendZeros(_ count: Int) throws(FSImageError) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    public func overwrite(at offset: UInt64, with bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        guard fsImageRangeFits(offset, UInt64(bytes.count), within: UInt64(self.bytes.count)) else {
            throw .invalidTree("overwrite past the end of the sink")
        }
        self.bytes.withUnsafeMutableBytes { dst in
            dst.baseAddress!.advanced(by: Int(offset)).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
    }
}
