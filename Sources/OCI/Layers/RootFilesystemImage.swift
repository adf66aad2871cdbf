// Public entry point of layer unpacking: an image's layers, in order, become one read-only
// filesystem image file (format: docs/fs-image-format.md, reader: module FSImage).

import FSImage
@_exported import ImageLayers

/// One layer of an image: a tar archive (plain, gzip or zstd) on disk and its OCI media type,
/// or a raw wasm module (a wasm artifact's layer) and the file name it has at the root.
public struct LayerBlob: Sendable, Hashable {
    public var path: String
    public var mediaType: String
    public var moduleFileName: String?
    public init(path: String, mediaType: String, moduleFileName: String? = nil) {
        self.path = path
        self.mediaType = mediaType
        self.moduleFileName = moduleFileName
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

/// Layer media types this unpacker accepts. The compression is detected from the data itself
/// (gzip, zstd or none), so a mislabelled layer still unpacks. An empty media type stands for a
/// plain root filesystem tarball (`skiff import`).
public let supportedLayerMediaTypes: Set<String> = [
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/x-tar",
    "",
]

/// Applies `layers` in order (whiteouts, opaque directories, hard links, symlinks, device nodes
/// recorded) and writes the resulting tree as one filesystem image at `outputPath`, atomically:
/// on error nothing is left at `outputPath` or beside it, and an existing file there is kept.
///
/// Hostile entries are confined or rejected: a leading "/" is stripped, a name or hard link
/// target whose ".." climbs above the root is rejected, symlinks are resolved inside the tree
/// (never on the host), a hard link to a missing path or a directory is rejected.
@discardableResult
public func buildRootFilesystemImage(layers: [LayerBlob], to outputPath: String) throws -> RootFilesystemStats {
    let clock = ContinuousClock()
    let start = clock.now
    for layer in layers where !supportedLayerMediaTypes.contains(layer.mediaType) && layer.moduleFileName == nil {
        throw LayerError("unsupported layer media type '\(layer.mediaType)' for \(layer.path) (expected a tar layer: plain, gzip or zstd)")
    }
    let sink = try ImageFileSink(destination: outputPath)
    do {
        let builder = try FSImageBuilder(sink: sink)
        let flattener = LayerFlattener(builder: builder)
        for (index, layer) in layers.enumerated() {
            let archive: any LayerEntrySource
            if let name = layer.moduleFileName { archive = try RawModuleLayer(path: layer.path, fileName: name) }
            else { archive = try LayerArchive(path: layer.path) }
            try flattener.apply(archive, number: UInt32(index + 1),
                                name: "\(index + 1) of \(layers.count) (\(layer.path))")
        }
        var summary = try builder.finish()
        if summary.unreachableContentBytes > max(16 << 20, summary.contentBytes / 8) {
            // Later layers replaced or deleted much of what earlier ones wrote: copy the live tree.
            try sink.flush()
            summary = try compactImage(at: sink.temporaryPath, into: outputPath)
            sink.discard()
        } else {
            try sink.commit()
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return RootFilesystemStats(entries: summary.inodes, bytes: summary.contentBytes,
                                   imageBytes: summary.imageSize, seconds: seconds)
    } catch let error as FSImageError {
        sink.discard()
        throw LayerError("building the filesystem image \(outputPath) failed: \(error.message)")
    } catch {
        sink.discard()
        throw error
    }
}

/// Rewrites the image at `source` without its unreachable contents, atomically into `destination`.
func compactImage(at source: String, into destination: String) throws -> FSImageSummary {
    let image = try MappedFilesystemImage(path: source)
    let sink = try ImageFileSink(destination: destination)
    do {
        let builder = try FSImageBuilder(sink: sink)
        try builder.copyTree(from: image.reader)
        let summary = try builder.finish()
        try sink.commit()
        return summary
    } catch {
        sink.discard()
        throw error
    }
}
