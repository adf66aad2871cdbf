import AsyncHTTPClient
import NIOHTTP1

extension RegistryClient {
    /// A GET (or HEAD) of a manifest or blob of `repository` as a browser page's pull makes it
    /// (`skiff serve --registry-proxy`, web/skiff-pull.js), with this client's authentication
    /// (anonymous or stored credentials), redirects to blob storage and retries. `kind` is
    /// "manifests" or "blobs"; the caller streams the response's body and checks nothing: the
    /// page verifies digests itself.
    public func proxiedRequest(repository: String, kind: String, reference: String, accept: String?,
                               head: Bool = false) async throws -> HTTPClientResponse {
        var headers = HTTPHeaders()
        if let accept { headers.add(name: "Accept", value: accept) }
        return try await execute(Request(method: head ? .HEAD : .GET, url: url("/v2/\(repository)/\(kind)/\(reference)"),
                                         headers: headers, scopes: [Self.pullScope(repository)]))
    }
}
