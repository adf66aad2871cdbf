import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A client for one registry (OCI distribution API v2) on AsyncHTTPClient.
///
/// Every request goes through `execute`, which adds credentials, answers `401` challenges
/// (anonymous or credentialed bearer tokens from the challenge's realm, or basic auth), follows
/// redirects itself (dropping `Authorization` when a redirect leaves the registry's host, e.g. to
/// blob storage), and retries with exponential backoff on 5xx, 429 and dropped connections.
public final class RegistryClient: Sendable {
    /// The registry as written in references (`docker.io`, `localhost:5000`).
    public let registry: String
    /// `http(s)://api-host[:port]`.
    let baseURL: String
    let options: RegistryOptions
    let http: HTTPClient
    let auth: AuthSession
    let logger: Logger

    public init(registry: String, options: RegistryOptions = RegistryOptions(), credentials: CredentialStore? = nil,
                logger: Logger = Logger(label: "skiff.registry")) {
        self.registry = registry
        self.options = options
        self.logger = logger
        let apiHost = registry == ImageReference.defaultRegistry ? "registry-1.docker.io" : registry
        let plain = options.insecure || ImageReference.isLoopbackHost(registry)
        baseURL = (plain ? "http://" : "https://") + apiHost
        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        config.timeout = .init(connect: .seconds(30), read: .seconds(120))
        config.decompression = .disabled
        // A refused connection fails at once; `execute` retries with its own backoff.
        config.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        let creds = options.credentials ?? credentials?.lookup(registry: registry)
        auth = AuthSession(registry: registry, credentials: creds, logger: logger)
    }

    /// Closes connections; call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Requests

    struct Request: Sendable {
        var method: HTTPMethod
        var url: String
        var headers: HTTPHeaders = HTTPHeaders()
        /// Builds the body afresh for each attempt (retries, 307/308 redirects).
        var body: (@Sendable () throws -> HTTPClientRequest.Body)?
        var scopes: [String]
        /// Retry 5xx and dropped connections (false for requests that must not be repeated).
        var retry = true
    }

    func url(_ path: String) -> String { baseURL + path }

    /// Sends `request`, handling auth challenges, redirects and retries; returns the final
    /// response, whose body the caller must consume.
    func execute(_ request: Request) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await executeOnce(request)
                if request.retry, attempt < options.maxAttempts, isRetryable(response.status) {
                    let wait = backoff(attempt, retryAfter: response.headers.first(name: "Retry-After"))
                    logger.debug("\(request.method) \(request.url): \(response.status.code), retrying in \(wait)")
                    _ = try? await response.body.collect(upTo: 1 << 20)
                    try await Task.sleep(for: wait)
                    continue
                }
                return response
            } catch let error as SkiffError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                guard request.retry, attempt < options.maxAttempts, isRetryable(error) else {
                    throw SkiffError(.network, "\(request.method) \(hostOf(request.url)): \(describe(error)) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))", underlying: error)
                }
                let wait = backoff(attempt, retryAfter: nil)
                logger.debug("\(request.method) \(request.url): \(describe(error)), retrying in \(wait)")
                try await Task.sleep(for: wait)
            }
        }
    }

    /// One attempt: authentication and redirects, no retries.
    private func executeOnce(_ request: Request) async throws -> HTTPClientResponse {
        var url = request.url
        var method = request.method
        var withBody = request.body != nil
        var answeredChallenge = false
        var onRegistryHost = true
        for _ in 0..<10 {
            var r = HTTPClientRequest(url: url)
            r.method = method
            r.headers = request.headers
            r.headers.replaceOrAdd(name: "User-Agent", value: options.userAgent)
            if onRegistryHost, let header = try await auth.authorization(for: request.scopes, using: self) {
                r.headers.replaceOrAdd(name: "Authorization", value: header)
            }
            if withBody, let body = request.body { r.body = try body() }
            if request.body != nil && !withBody { r.headers.remove(name: "Content-Length"); r.headers.remove(name: "Content-Type") }
            logger.trace("\(method) \(url)")
            let response = try await http.execute(r, timeout: .hours(6), logger: nil)
            let code = response.status.code
            if code == 401 && onRegistryHost && !answeredChallenge {
                let challenges = response.headers["WWW-Authenticate"].flatMap(AuthChallenge.parse)
                _ = try? await response.body.collect(upTo: 1 << 20)
                try await auth.answer(challenges, scopes: request.scopes, using: self)
                answeredChallenge = true
                continue
            }
            if [301, 302, 303, 307, 308].contains(code), let location = response.headers.first(name: "Location") {
                _ = try? await response.body.collect(upTo: 1 << 20)
                let next = resolve(location, against: url)
                if hostOf(next) != hostOf(baseURL) {
                    onRegistryHost = false  // never send registry credentials to blob storage
                }
                if code == 303 || ((code == 301 || code == 302) && method == .POST) {
                    method = .GET
                    withBody = false
                }
                logger.debug("\(code) redirect to \(hostOf(next))")
                url = next
                continue
            }
            return response
        }
        throw SkiffError(.registry, "\(request.method) \(request.url): too many redirects")
    }

    private func isRetryable(_ status: HTTPResponseStatus) -> Bool {
        status.code == 429 || status.code == 500 || status.code == 502 || status.code == 503 || status.code == 504
    }

    /// Dropped and refused connections, timeouts and resets are worth another attempt; malformed
    /// URLs, TLS failures (a certificate will not fix itself) and cancellation are not.
    private func isRetryable(_ error: any Error) -> Bool {
        if let e = error as? HTTPClientError {
            return ![HTTPClientError.invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown, .cancelled,
                     .redirectLimitReached, .bodyLengthMismatch].contains(e) && !"\(e)".contains("unsupportedScheme")
        }
        let type = "\(type(of: error))"
        return !(type.contains("SSL") || type.contains("TLS") || type.contains("Certificate"))
    }

    func backoff(_ attempt: Int, retryAfter: String?) -> Duration {
        if let s = retryAfter, let secs = Int(s), secs >= 0 { return .seconds(min(secs, 30)) }
        let base = options.retryDelay * (1 << min(attempt - 1, 6))
        return base + .milliseconds(Int.random(in: 0...50))
    }

    // MARK: Helpers for callers

    /// Reads a whole (small) response body.
    func collect(_ response: HTTPClientResponse, limit: Int, what: String) async throws -> [UInt8] {
        do {
            var buffer = try await response.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let e as NIOTooManyBytesError {
            throw SkiffError(.invalidData, "\(what) is larger than \(limit) bytes", underlying: e)
        } catch {
            throw SkiffError(.network, "reading \(what): \(describe(error))", underlying: error)
        }
    }

    /// Reads and returns a small body (an error document), so the connection can be reused.
    /// A body may be read only once.
    func drain(_ response: HTTPClientResponse) async -> [UInt8] {
        (try? await response.body.collect(upTo: 64 << 10)).map { Array($0.readableBytesView) } ?? []
    }

    /// The error for an unexpected answer, with the registry's own error message when it sent one
    /// (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}`).
    func failure(_ response: HTTPClientResponse, body drained: [UInt8]? = nil, _ what: String) async -> SkiffError {
        var body = drained ?? []
        if drained == nil { body = await drain(response) }
        struct Errors: Decodable { struct E: Decodable { var code: String?; var message: String? }; var errors: [E]? }
        var detail = ""
        if let e = try? JSONDecoder().decode(Errors.self, from: Data(body)), let first = e.errors?.first {
            detail = ": " + [first.code, first.message].compactMap { $0 }.joined(separator: " ")
        }
        let status = "\(response.status.code) \(response.status.reasonPhrase)"
        switch response.status.code {
        case 401:
            if await !auth.hasCredentials {
                return SkiffError(.unauthorized, "\(registry) requires a login for \(what) (\(status)\(detail)): run skiff login \(registry)")
            }
            return SkiffError(.unauthorized, "\(registry) refused \(what) (\(status)\(detail)); check the credentials (skiff login \(registry))")
        case 403: return SkiffError(.denied, "\(registry) denied \(what) (\(status)\(detail))")
        case 404: return SkiffError(.notFound, "\(what) not found on \(registry) (\(status)\(detail))")
        default: return SkiffError(.registry, "\(registry) answered \(status) to \(what)\(detail)")
        }
    }
}

func hostOf(_ url: String) -> String {
    guard let c = URLComponents(string: url), let host = c.host else { return url }
    let h = host.contains(":") ? "[\(host)]" : host
    return c.port.map { "\(h):\($0)" } ?? h
}

/// Resolves a `Location` header (absolute, host-relative or path-relative) against `base`.
func resolve(_ location: String, against base: String) -> String {
    if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
    return URL(string: location, relativeTo: URL(string: base))?.absoluteString ?? location
}

func describe(_ error: any Error) -> String {
    if let e = error as? SkiffError { return e.message }
    if let e = error as? HTTPClientError { return "\(e)" }
    return "\(error)"
}
