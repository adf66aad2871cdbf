import Foundation

/// One entry of the tag index: a name and the platform-specific image manifest it points to.
public struct ImageRecord: Codable, Hashable, Sendable {
    /// The full reference (`docker.io/library/busybox:latest`, `host/x@sha256:…`).
    public var name: String
    /// The image manifest (one platform).
    public var digest: Digest
    public var mediaType: String
    public var platform: Platform
    /// The index the manifest was selected from, when there was one.
    public var indexDigest: Digest?
    /// When the image entered the store (ISO 8601).
    public var created: String
    /// `registry/repository` the blobs were pulled from (kept by `tag`), so a push to another
    /// repository of that registry can mount them instead of uploading.
    public var source: String?

    public init(name: String, digest: Digest, mediaType: String, platform: Platform, indexDigest: Digest? = nil,
                created: String = ImageRecord.now(), source: String? = nil) {
        self.name = name
        self.digest = digest
        self.mediaType = mediaType
        self.platform = platform
        self.indexDigest = indexDigest
        self.created = created
        self.source = source
    }

    public static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    public var reference: ImageReference? { try? ImageReference(parsing: name) }
}

/// The tag index file, `images.json`.
struct TagIndexFile: Codable {
    var version: Int = 1
    var images: [ImageRecord] = []
}

extension ImageStore {
    /// The tagged images, sorted by name.
    public func records() throws(SkiffError) -> [ImageRecord] {
        guard POSIXFile.exists(indexPath) else { return [] }
        let bytes = try POSIXFile.readAll(indexPath)
        let file = try JSON.decode(TagIndexFile.self, from: bytes, what: "the image index \(indexPath)",
                                   quickly: TagIndexFile.init(json:))
        if file.version != 1 {
            throw SkiffError(.unsupported, "the image index \(indexPath) has version \(file.version); this Skiff reads version 1")
        }
        return file.images.sorted { $0.name < $1.name }
    }

    /// Read-modify-write of the tag index under the index lock; the new index replaces the old
    /// one atomically.
    @discardableResult
    func updateRecords<R>(_ body: (inout [ImageRecord]) throws(SkiffError) -> R) throws(SkiffError) -> R {
        let lock = try indexLock()
        defer { lock.unlock() }
        var images = try records()
        let result = try body(&images)
        let file = TagIndexFile(images: images.sorted { $0.name < $1.name })
        try POSIXFile.writeAtomically(try JSON.encode(file, pretty: true), to: indexPath)
        return result
    }

    /// Points `record.name` at `record.digest`, replacing an earlier entry of that name.
    func tag(_ record: ImageRecord) throws(SkiffError) {
        try updateRecords { images in
            images.removeAll { $0.name == record.name }
            images.append(record)
        }
    }
}

extension ImageStore {
    /// `skiff tag`: gives a stored image another name (the manifest is shared, nothing is copied).
    public func tag(_ image: StoredImage, as name: ImageReference) throws(SkiffError) {
        if let d = name.digest, d != image.digest, d != image.record.indexDigest {
            throw SkiffError(.invalidArgument, "cannot name \(image.name) \(name): its digest is \(image.digest)")
        }
        var record = image.record
        record.name = name.description
        record.created = ImageRecord.now()
        try tag(record)
    }
}
