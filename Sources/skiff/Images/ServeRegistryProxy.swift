import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import OCI

/// `skiff serve --registry-proxy`: the page's pulls (`?image=`, web/skiff-pull.js) reach
/// registries that send no CORS headers (Docker Hub, ghcr.io) through the server that serves the
/// page, at `/.skiff/registry/REGISTRY/v2/NAME/{manifests,blobs}/REFERENCE`. Skiff's own registry
/// client makes the request (tokens, credentials stored by `skiff login`, redirects to blob
/// storage, retries); the body is streamed to the page as the page reads it. Only manifest and
/// blob reads of well-formed names are forwarded; the page checks digests itself.
final class ServeRegistryProxy: Sendable {
    static let prefix = "/.skiff/registry/"
    private let clients = NIOLockedValueBox<[String: RegistryClient]>([:])
    /// Credentials `skiff login` stored (and docker's), as `skiff pull` uses them.
    private let credentials: CredentialStore

    init(credentials: CredentialStore) {
        self.credentials = credentials
    }

    /// `registry`'s client, made once and kept for the server's life.
    private func client(_ registry: String) -> RegistryClient {
        clients.withLockedValue { all in
            if let c = all[registry] { return c }
            let c = RegistryClient(registry: registry, credentials: credentials)
            all[registry] = c
            return c
        }
    }

    /// The parts of a proxied path, or nil when it is not one this proxy forwards.
    static func parse(_ uri: String) -> (registry: String, repository: String, kind: String, reference: String)? {
        guard uri.hasPrefix(prefix) else { return nil }
        let path = uri.dropFirst(prefix.count).split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5, parts[1] == "v2", let kind = parts.dropLast().last, kind == "manifests" || kind == "blobs" else { return nil }
        let registry = parts[0], reference = parts[parts.count - 1]
        let repository = parts[2..<(parts.count - 2)].joined(separator: "/")
        let registryCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        let nameCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-/")
        let referenceCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:")
        guard !registry.isEmpty, registry.unicodeScalars.allSatisfy(registryCharacters.contains),
              !repository.isEmpty, repository.unicodeScalars.allSatisfy(nameCharacters.contains),
              !repository.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !reference.isEmpty, reference.count <= 128 + 7, reference.unicodeScalars.allSatisfy(referenceCharacters.contains) else { return nil }
        return (registry, repository, kind, reference)
    }

    /// Answers `head` on `channel` (the request has been read whole); `done` runs after the
    /// response's end was written.
    func respond(_ head: HTTPRequestHead, on channel: Channel, done: @escaping @Sendable () -> Void) {
        guard let target = Self.parse(head.uri) else {
            return Self.send(channel, head, .notFound, "skiff serve --registry-proxy forwards only /.skiff/registry/REGISTRY/v2/NAME/{manifests,blobs}/REFERENCE\n", done)
        }
        let client = client(target.registry)
        let accept = head.headers.first(name: "Accept")
        Task {
            var started = false
            do {
                let response = try await client.proxiedRequest(repository: target.repository, kind: target.kind, reference: target.reference,
                                                               accept: accept, head: head.method == .HEAD)
                var headers = HTTPHeaders()
                for name in ["Content-Type", "Content-Length", "Docker-Content-Digest"] {
                    if let value = response.headers.first(name: name) { headers.add(name: name, value: value) }
                }
                headers.add(name: "Cache-Control", value: "no-store")
                headers.add(name: "X-Content-Type-Options", value: "nosniff")
                started = true
                try await channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))).get()
                for try await buffer in response.body where head.method != .HEAD {
                    // Waiting for each write: the registry is read only as fast as the page takes it.
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer))).get()
                }
                try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
                done()
            } catch {
                if started { try? await channel.close() } else {
                    Self.send(channel, head, .badGateway, "\(target.registry): \(error)\n", done)
                }
            }
        }
    }

    static func send(_ channel: Channel, _ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ body: String,
                     _ done: @escaping @Sendable () -> Void) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: status, headers: headers)), promise: nil)
        if head.method != .HEAD { channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(string: body))), promise: nil) }
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in done() }
    }
}
