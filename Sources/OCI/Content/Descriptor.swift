/// An OCI content descriptor: what a manifest or index says about a piece of content.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    public var artifactType: String?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil,
                platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    /// Throws unless the size is plausible: a negative size is malformed, and Skiff refuses
    /// anything above `limit` (guarding memory for documents read whole).
    func requireSize(atMost limit: Int64, what: String) throws(SkiffError) {
        if size < 0 { throw SkiffError(.invalidData, "\(what) \(digest) has a negative size") }
        if size > limit { throw SkiffError(.invalidData, "\(what) \(digest) is \(size) bytes, more than Skiff accepts (\(limit))") }
    }
}
