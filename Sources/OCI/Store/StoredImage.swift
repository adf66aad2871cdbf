/// An image in the local store, resolved: its record, manifest and configuration.
public struct StoredImage: Sendable {
    public let record: ImageRecord
    public let manifest: Manifest
    public let configBytes: [UInt8]
    public let config: ImageConfiguration

    public var digest: Digest { record.digest }
    public var name: String { record.name }
    public var layers: [Descriptor] { manifest.layers }
    public var platform: Platform { config.platform }

    /// Compressed size: manifest, config and layers as stored.
    public var size: Int64 { manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size } }

    /// Every blob the image needs in the store.
    var blobs: [Digest] { [record.digest, manifest.config.digest] + manifest.layers.map(\.digest) }
}

extension ImageStore {
    /// Loads the image a record points to, checking that manifest and config are present and intact.
    public func load(_ record: ImageRecord) throws(SkiffError) -> StoredImage {
        let what = "manifest of \(record.name)"
        let bytes = try readBlob(record.digest)
        guard case .manifest(let manifest) = try ManifestDocument.decode(bytes, mediaType: record.mediaType, what: what).0 else {
            throw SkiffError(.invalidData, "\(what) in the store is an index, not an image manifest")
        }
        let configBytes = try readBlob(manifest.config.digest)
        let config = try ImageConfiguration.decode(configBytes, of: manifest, what: "image config of \(record.name)")
        return StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config)
    }

    /// Finds a local image by reference (`busybox`, `host/x:1`, `name@sha256:…`) or by a prefix
    /// of its manifest digest (`3f2a9c0b1d2e`, `sha256:3f2a…`).
    public func image(_ input: String) throws(SkiffError) -> StoredImage {
        try load(record(matching: input))
    }

    /// The records `input` names (several when a digest prefix is shared by several tags).
    func recordsMatching(_ input: String) throws(SkiffError) -> [ImageRecord] {
        let all = try records()
        if let ref = try? ImageReference(parsing: input) {
            let exact = all.filter { $0.name == ref.description }
            if !exact.isEmpty { return exact }
            if let d = ref.digest {
                // `name@digest` also finds an image pulled by tag whose manifest or index is `d`.
                let byDigest = all.filter { r in
                    r.reference?.name == ref.name && (r.digest == d || r.indexDigest == d)
                }
                if !byDigest.isEmpty { return byDigest }
            }
        }
        var hex = input.lowercased()
        if hex.hasPrefix("sha256:") { hex.removeFirst("sha256:".count) }
        if hex.count >= 6, hex.allSatisfy(\.isHexDigit) {
            let byID = all.filter { $0.digest.encoded.hasPrefix(hex) }
            if Set(byID.map(\.digest)).count > 1 {
                throw SkiffError(.invalidArgument, "'\(input)' matches several images (\(byID.map(\.digest.short).joined(separator: ", "))); give more digits or a name")
            }
            if !byID.isEmpty { return byID }
        }
        _ = try ImageReference(parsing: input) // report a malformed reference as such
        throw SkiffError(.notFound, "no image '\(input)' in the local store (see skiff images; skiff pull \(input))")
    }

    func record(matching input: String) throws(SkiffError) -> ImageRecord {
        let matches = try recordsMatching(input)
        // Several names for one manifest: any of them describes the same image.
        return matches[0]
    }
}
