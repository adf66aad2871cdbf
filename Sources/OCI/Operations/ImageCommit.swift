import Foundation

/// What `skiff commit` records about the new layer and image.
public struct CommitDetails: Sendable {
    /// The new image's name.
    public var name: ImageReference
    /// history[].created_by, e.g. the container's command.
    public var createdBy: String
    public var comment: String?
    public var author: String?
    /// Replaces the base image's runtime settings (Cmd, Env, WorkingDir, User…); nil keeps them.
    public var config: ImageConfiguration.ContainerConfig?

    public init(name: ImageReference, createdBy: String) {
        self.name = name
        self.createdBy = createdBy
    }
}

extension ImageStore {
    /// `skiff commit`: a new image made of `base`'s layers and one more, the gzip-compressed tar
    /// at `layerPath` (an OCI layer changeset: whiteouts for deletions). The manifest and config
    /// are OCI documents (Docker layer media types become their OCI equivalents, same bytes), the
    /// config gets the new diff ID and a history entry. Nothing is tagged unless all of it is in
    /// the store.
    public func commit(base: StoredImage, layerPath: String, details: CommitDetails) throws(SkiffError) -> StoredImage {
        let gc = try gcLock(exclusive: false)
        defer { gc.unlock() }
        let transaction = BlobTransaction(store: self)
        defer { transaction.rollback() }

        var layer = try transaction.ingest(file: layerPath)
        layer.mediaType = MediaType.ociLayerGzip
        let diffID = try decompressedDigest(of: layerPath)

        let now = ImageRecord.now()
        var config = base.config
        config.created = now
        if let author = details.author { config.author = author }
        if let runtime = details.config { config.config = runtime }
        config.rootfs.diff_ids.append(diffID)
        config.history = (config.history ?? []) + [.init(created: now, created_by: details.createdBy, comment: details.comment)]
        let configBytes = try JSON.encode(config)
        let configDigest = try transaction.put(configBytes)

        let layers = base.layers.map { d -> Descriptor in
            var o = d
            o.mediaType = Self.ociLayerType(d.mediaType)
            return o
        } + [layer]
        let manifest = Manifest(mediaType: MediaType.ociManifest,
                                config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                layers: layers)
        let digest = try transaction.put(try JSON.encode(manifest))
        try transaction.commit()
        let record = ImageRecord(name: details.name.description, digest: digest, mediaType: MediaType.ociManifest,
                                 platform: config.platform)
        try tag(record)
        return StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config)
    }

    /// The OCI media type of a Docker layer (the bytes are the same).
    static func ociLayerType(_ type: String) -> String {
        switch type {
        case MediaType.dockerLayerGzip: return MediaType.ociLayerGzip
        case MediaType.dockerLayer: return MediaType.ociLayer
        case MediaType.dockerForeignLayerGzip: return MediaType.ociLayerNondistributableGzip
        default: return type
        }
    }
}
