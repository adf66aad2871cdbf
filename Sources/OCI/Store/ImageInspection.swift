/// What `skiff inspect` prints for an image: identity, platform, the image config as stored
/// (every field, not just the ones Skiff models) and the layers.
public struct ImageInspection: Encodable, Sendable {
    public var name: String
    public var digest: Digest
    public var mediaType: String
    public var indexDigest: Digest?
    public var platform: Platform
    public var size: Int64
    public var pulled: String
    public var config: JSONValue
    public var layers: [Layer]
    /// The cached flattened root filesystem image, when built.
    public var rootFilesystem: String?

    public struct Layer: Encodable, Sendable {
        public var digest: Digest
        public var diffID: Digest?
        public var mediaType: String
        public var size: Int64
    }
}

extension ImageStore {
    public func inspect(_ image: StoredImage) throws(SkiffError) -> ImageInspection {
        let config = try JSON.decode(JSONValue.self, from: image.configBytes, what: "the image config of \(image.name)")
        let diffIDs = image.config.rootfs.diff_ids
        let layers = image.layers.enumerated().map { i, d in
            ImageInspection.Layer(digest: d.digest, diffID: i < diffIDs.count ? diffIDs[i] : nil, mediaType: d.mediaType, size: d.size)
        }
        let rootfs = rootFilesystemPath(manifest: image.digest)
        return ImageInspection(name: image.name, digest: image.digest, mediaType: image.record.mediaType,
                               indexDigest: image.record.indexDigest, platform: image.platform, size: image.size,
                               pulled: image.record.created, config: config, layers: layers,
                               rootFilesystem: POSIXFile.exists(rootfs) ? rootfs : nil)
    }

    /// Inspections as the pretty JSON array `skiff inspect` prints.
    public func inspectJSON(_ images: [StoredImage]) throws(SkiffError) -> String {
        var items: [ImageInspection] = []
        for image in images { items.append(try inspect(image)) }
        return String(decoding: try JSON.encode(items, pretty: true), as: UTF8.self)
    }
}
