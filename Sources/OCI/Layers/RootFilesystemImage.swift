// Public entry point of layer unpacking: an image's layers, in order, become one read-only
// filesystem image file (format: docs/fs-image-format.md, reader: module FSImage).

/// One layer of an image: a tar archive (plain, gzip or zstd) on disk and its OCI media type.
public struct LayerBlob: Sendable, Hashable {
    public var path: String
    public var mediaType: String
    public init(path: String, mediaType: String) {
        self.path = path
        self.mediaType = mediaType
    }
}

/// What `buildRootFilesystemImage` produced.
public struct RootFilesystemStats: Sendable, Hashable {
    /// Inodes in the image (directories, files, symlinks, devices; hard links count once).
    public var entries: Int
    /// Bytes of regular-file content in the image.
    public var bytes: UInt64
    /// Size of the image file written.
    public var imageBytes: UInt64
    /// Wall time taken, in seconds.
    public var seconds: Double
    public init(entries: Int, bytes: UInt64, imageBytes: UInt64, seconds: Double) {
        self.entries = entries
        self.bytes = bytes
        self.imageBytes = imageBytes
        self.seconds = seconds
    }
}

/// Why a root filesystem image could not be built. `description` is meant for a person.
public struct LayerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Applies `layers` in order (whiteouts, opaque directories, hard links, symlinks, device nodes
/// recorded) and writes the resulting tree as one filesystem image at `outputPath`, atomically:
/// on error nothing is left at `outputPath` or beside it.
public func buildRootFilesystemImage(layers: [LayerBlob], to outputPath: String) throws -> RootFilesystemStats {
    throw LayerError("layer unpacking is not implemented yet")
}
