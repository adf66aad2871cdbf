import AsyncHTTPClient
import NIOHTTP1

/// A manifest or index as fetched from a registry, checked against its digest.
struct FetchedManifest: Sendable {
    var bytes: [UInt8]
    var mediaType: String
    var digest: Digest
    var document: ManifestDocument
}

extension RegistryClient {
    static func pullScope(_ repository: String) -> String { "repository:\(repository):pull" }
    static func pushScope(_ repository: String) -> String { "repository:\(repository):pull,push" }

    /// Fetches the manifest or index `reference` (a tag or digest) names. The content must hash
    /// to the requested digest, or to the registry's Docker-Content-Digest for a tag.
    func fetchManifest(repository: String, reference: String, expected: Descriptor? = nil,
                       what: String) async throws -> FetchedManifest {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: MediaType.manifestAccept)
        let response = try await execute(Request(method: .GET, url: url("/v2/\(repository)/manifests/\(reference)"),
                                                 headers: headers, scopes: [Self.pullScope(repository)]))
        guard response.status.code == 200 else {
            if response.status.code == 404 {
                _ = try? await response.body.collect(upTo: 1 << 16)
                throw SkiffError(.notFound, "\(what) not found on \(registry) (no manifest \(reference) in \(repository))")
            }
            throw await failure(response, "the manifest request for \(what)")
        }
        let bytes = try await collect(response, limit: Int(Manifest.maxDocumentSize), what: "the manifest of \(what)")
        let digest = Digest.sha256(of: bytes)
        let wanted = expected?.digest ?? (try? Digest(parsing: reference))
        if let wanted {
            try wanted.requireSHA256()
            if wanted != digest {
                throw SkiffError(.digestMismatch, "the manifest of \(what) does not match its digest: expected \(wanted), the registry sent content hashing to \(digest)")
            }
        } else if let header = response.headers.first(name: "Docker-Content-Digest"),
                  let claimed = try? Digest(parsing: header), claimed.algorithm == "sha256", claimed != digest {
            throw SkiffError(.digestMismatch, "the manifest of \(what) does not match the registry's Docker-Content-Digest \(claimed) (content hashes to \(digest))")
        }
        if let expected, Int64(bytes.count) != expected.size {
            throw SkiffError(.digestMismatch, "the manifest of \(what) is \(bytes.count) bytes, its descriptor says \(expected.size)")
        }
        let declared = response.headers.first(name: "Content-Type") ?? expected?.mediaType
        let (document, mediaType) = try ManifestDocument.decode(bytes, mediaType: declared, what: "the manifest of \(what)")
        return FetchedManifest(bytes: bytes, mediaType: mediaType, digest: digest, document: document)
    }

    /// Uploads a manifest under `reference` (tag or digest); returns the digest the registry reports.
    func putManifest(repository: String, reference: String, bytes: [UInt8], mediaType: String) async throws -> Digest {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: mediaType)
        headers.add(name: "Content-Length", value: String(bytes.count))
        let payload = bytes
        let response = try await execute(Request(
            method: .PUT, url: url("/v2/\(repository)/manifests/\(reference)"), headers: headers,
            body: { .bytes(payload) }, scopes: [Self.pushScope(repository)]))
        guard response.status.code == 201 || response.status.code == 200 else {
            throw await failure(response, "the manifest upload to \(repository):\(reference)")
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        let digest = Digest.sha256(of: bytes)
        if let header = response.headers.first(name: "Docker-Content-Digest"), let claimed = try? Digest(parsing: header),
           claimed != digest {
            throw SkiffError(.digestMismatch, "\(registry) stored the manifest as \(claimed), but it hashes to \(digest)")
        }
        return digest
    }
}
