/// An image manifest (OCI image manifest or Docker v2 schema 2): a config and an ordered list of layers.
public struct Manifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// Throws unless Skiff can unpack this image: known config and layer media types (tar layers,
    /// or raw wasm modules as the CNCF wasm artifact has them), no foreign layers that would have
    /// to be fetched from elsewhere.
    func validateForImage(_ what: String) throws(SkiffError) {
        if schemaVersion != 2 {
            throw SkiffError(.unsupported, "\(what) has schemaVersion \(schemaVersion); Skiff reads schema version 2")
        }
        if !MediaType.configs.contains(config.mediaType) && !MediaType.wasmConfigs.contains(config.mediaType) {
            throw SkiffError(.unsupported, "\(what) is not a container image: its config has media type '\(config.mediaType)'")
        }
        try config.requireSize(atMost: Manifest.maxDocumentSize, what: "image config")
        for layer in layers {
            guard MediaType.layers.contains(layer.mediaType) || MediaType.wasmLayers.contains(layer.mediaType) else {
                throw SkiffError(.unsupported, "\(what) has a layer of unsupported media type '\(layer.mediaType)' (\(layer.digest))")
            }
            if let urls = layer.urls, !urls.isEmpty {
                throw SkiffError(.unsupported, "\(what) has a foreign layer \(layer.digest) that must be fetched from \(urls[0]); Skiff does not fetch foreign layers")
            }
            try layer.requireSize(atMost: Int64(1) << 40, what: "layer")
            try layer.digest.requireSHA256()
        }
        try config.digest.requireSHA256()
    }

    /// Manifests, indexes and configs are read whole; nothing legitimate comes near this.
    public static let maxDocumentSize: Int64 = 8 << 20
}

/// An image index (OCI image index or Docker manifest list): one manifest per platform.
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The image manifests of the index (attestations and other artifacts left out).
    var imageManifests: [Descriptor] {
        manifests.filter { d in
            MediaType.manifests.contains(d.mediaType) || MediaType.indexes.contains(d.mediaType)
        }.filter { d in
            // BuildKit attestation manifests carry platform unknown/unknown.
            d.platform?.os != "unknown" && d.annotations?["vnd.docker.reference.type"] != "attestation-manifest"
        }
    }

    /// The manifest for `platform` (nil: the host default, else another platform Skiff runs,
    /// else a WASI image), or an error that lists the platforms the index has.
    func select(_ platform: Platform?, what: String) throws(SkiffError) -> Descriptor {
        let candidates = imageManifests
        guard let platform else {
            for wanted in [Platform.hostDefault] + Platform.runnable {
                if let d = candidates.first(where: { $0.platform.map { wanted.matches($0) } ?? false }) { return d }
            }
            if let wasi = candidates.first(where: { $0.platform?.isWASI ?? false }) { return wasi }
            let available = uniqued(candidates.compactMap { $0.platform?.description })
            let list = available.isEmpty ? "none declared" : available.joined(separator: ", ")
            throw SkiffError(.notFound, "\(what) has no platform Skiff runs (available: \(list)); Skiff runs \(Platform.runnable.map(\.description).joined(separator: ", ")) and WASI images")
        }
        if let exact = candidates.first(where: { $0.platform.map { platform.matches($0) } ?? false }) {
            return exact
        }
        // The default platform takes the index's WASI image when there is no riscv64 one.
        if let wasi = candidates.first(where: { $0.platform.map { platform.accepts($0) } ?? false }) {
            return wasi
        }
        let available = candidates.compactMap { $0.platform?.description }
        let list = available.isEmpty ? "none declared" : uniqued(available).joined(separator: ", ")
        throw SkiffError(.notFound, "\(what) has no \(platform) variant (available: \(list)); choose one with --platform")
    }
}

/// Order-preserving de-duplication.
func uniqued(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}

/// A manifest document as fetched: its bytes, its media type and what they decode to.
public enum ManifestDocument: Sendable {
    case manifest(Manifest)
    case index(ImageIndex)

    /// Decodes `bytes` according to `mediaType` (from Content-Type or the descriptor); when that
    /// is missing or generic, the document's own `mediaType` field decides.
    static func decode(_ bytes: [UInt8], mediaType declared: String?, what: String) throws(SkiffError) -> (ManifestDocument, String) {
        let probe = try JSON.decode(ManifestProbe.self, from: bytes, what: what, quickly: ManifestProbe.init(json:))
        var type = declared.map(MediaType.essence) ?? ""
        if type.isEmpty || type == "application/json" || type == "application/octet-stream" || type == "text/plain" {
            if let t = probe.mediaType { type = t }
            else if probe.manifests != nil { type = MediaType.ociIndex }
            else if probe.config != nil { type = MediaType.ociManifest }
        }
        if probe.schemaVersion == 1 || type == MediaType.dockerSchema1 || type == MediaType.dockerSchema1Signed {
            throw SkiffError(.unsupported, "\(what) uses Docker image manifest schema 1, which is deprecated and unsupported; push the image again with a current client")
        }
        if let inner = probe.mediaType, inner != type {
            throw SkiffError(.invalidData, "\(what) declares media type '\(inner)' but was served as '\(type)'")
        }
        if MediaType.manifests.contains(type) {
            return (.manifest(try JSON.decode(Manifest.self, from: bytes, what: what, quickly: Manifest.init(json:))), type)
        }
        if MediaType.indexes.contains(type) {
            return (.index(try JSON.decode(ImageIndex.self, from: bytes, what: what)), type)
        }
        throw SkiffError(.unsupported, "\(what) has unknown media type '\(type)'; Skiff reads \(MediaType.ociManifest), \(MediaType.ociIndex), \(MediaType.dockerManifest) and \(MediaType.dockerManifestList)")
    }
}

/// The fields that tell a manifest from an index.
private struct ManifestProbe: Decodable {
    var mediaType: String?
    var schemaVersion: Int?
    var manifests: [JSONValue]?
    var config: JSONValue?

    init?(json: JSONValue) {
        guard let f = JSONFields(json),
              let mediaType = f.optional("mediaType", JSONRead.string),
              let schemaVersion = f.optional("schemaVersion", JSONRead.int),
              let manifests = f.optional("manifests", { JSONRead.array($0) { $0 } }),
              let config = f.optional("config", { $0 }) else { return nil }
        self.mediaType = mediaType
        self.schemaVersion = schemaVersion
        self.manifests = manifests
        self.config = config
    }
}
