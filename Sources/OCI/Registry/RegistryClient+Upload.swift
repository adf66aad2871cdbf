import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// How a blob reached the registry during a push.
public enum BlobUploadResult: Sendable, Equatable {
    case alreadyPresent
    case mounted(from: String)
    case uploaded(chunks: Int)
}

extension RegistryClient {
    /// Whether the registry already has `digest` in `repository` (HEAD).
    func blobExists(repository: String, _ digest: Digest, scopes: [String]? = nil) async throws -> Bool {
        let response = try await execute(Request(method: .HEAD, url: url("/v2/\(repository)/blobs/\(digest)"),
                                                 scopes: scopes ?? [Self.pullScope(repository)]))
        let body = await drain(response)
        switch response.status.code {
        case 200: return true
        case 404: return false
        default: throw await failure(response, body: body, "the existence check of blob \(digest) in \(repository)")
        }
    }

    /// Pushes the stored blob `descriptor` to `repository`: skipped when present, mounted from
    /// `mountFrom` (another repository on the same registry) when it has it, else uploaded in one
    /// PUT or in PATCH chunks followed by a PUT.
    func pushBlob(repository: String, _ descriptor: Descriptor, from path: String, mountFrom: String?,
                  progress: @escaping @Sendable (Int64) -> Void = { _ in }) async throws -> BlobUploadResult {
        let scopes = [Self.pushScope(repository)] + (mountFrom.map { [Self.pullScope($0)] } ?? [])
        if try await blobExists(repository: repository, descriptor.digest, scopes: scopes) {
            progress(descriptor.size)
            return .alreadyPresent
        }
        var start = "/v2/\(repository)/blobs/uploads/"
        if let mountFrom, options.crossRepositoryMount {
            start += "?mount=\(descriptor.digest)&from=\(mountFrom.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? mountFrom)"
        }
        let response = try await execute(Request(method: .POST, url: url(start), headers: ["Content-Length": "0"], scopes: scopes))
        let body = await drain(response)
        if response.status.code == 201, mountFrom != nil {
            progress(descriptor.size)
            return .mounted(from: mountFrom!)
        }
        guard response.status.code == 202, let location = response.headers.first(name: "Location") else {
            throw await failure(response, body: body, "starting the upload of blob \(descriptor.digest) to \(repository)")
        }
        var session = resolve(location, against: url(start))
        let chunkSize = options.uploadChunkSize ?? (descriptor.size > Int64(options.monolithicLimit) ? options.monolithicLimit : nil)
        var chunks = 0
        if let chunkSize, chunkSize > 0 {
            var offset: Int64 = 0
            while offset < descriptor.size {
                let length = min(Int64(chunkSize), descriptor.size - offset)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/octet-stream")
                headers.add(name: "Content-Length", value: String(length))
                headers.add(name: "Content-Range", value: "\(offset)-\(offset + length - 1)")
                let base = offset
                let stream = FileChunks(path: path, offset: offset, length: length, progress: { progress(base + $0) })
                let r = try await execute(Request(method: .PATCH, url: session, headers: headers,
                                                  body: { .stream(stream, length: .known(length)) },
                                                  scopes: [Self.pushScope(repository)], retry: false))
                let body = await drain(r)
                guard r.status.code == 202, let next = r.headers.first(name: "Location") else {
                    throw await failure(r, body: body, "chunk \(chunks + 1) of blob \(descriptor.digest) to \(repository)")
                }
                session = resolve(next, against: session)
                offset += length
                chunks += 1
            }
            let r = try await execute(Request(method: .PUT, url: appendQuery(session, "digest", descriptor.digest.description),
                                              headers: ["Content-Length": "0"], scopes: [Self.pushScope(repository)], retry: false))
            let body = await drain(r)
            guard r.status.code == 201 else { throw await failure(r, body: body, "completing the upload of blob \(descriptor.digest)") }
        } else {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/octet-stream")
            headers.add(name: "Content-Length", value: String(descriptor.size))
            let stream = FileChunks(path: path, offset: 0, length: descriptor.size, progress: progress)
            let size = descriptor.size
            let r = try await execute(Request(method: .PUT, url: appendQuery(session, "digest", descriptor.digest.description),
                                              headers: headers, body: { .stream(stream, length: .known(size)) },
                                              scopes: [Self.pushScope(repository)], retry: false))
            let body = await drain(r)
            guard r.status.code == 201 else { throw await failure(r, body: body, "the upload of blob \(descriptor.digest) to \(repository)") }
            chunks = 1
        }
        return .uploaded(chunks: chunks)
    }
}

/// Adds `name=value` to a URL that may already carry a query (upload locations often do).
func appendQuery(_ url: String, _ name: String, _ value: String) -> String {
    let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    return url + (url.contains("?") ? "&" : "?") + name + "=" + encoded
}
