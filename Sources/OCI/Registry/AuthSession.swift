import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1

/// What a registry asked for on its last challenge, and the bearer tokens obtained for it
/// (cached per set of scopes until they expire).
actor AuthSession {
    let registry: String
    let credentials: Credentials?
    let logger: Logger
    private var basic = false
    private var bearer: AuthChallenge?
    private var tokens: [String: (token: String, expires: ContinuousClock.Instant)] = [:]

    init(registry: String, credentials: Credentials?, logger: Logger) {
        self.registry = registry
        self.credentials = credentials
        self.logger = logger
    }

    var hasCredentials: Bool { credentials != nil }

    /// The Authorization header for a request needing `scopes`, once the registry has said how it
    /// authenticates (fetching a token for new scopes without waiting for another 401).
    func authorization(for scopes: [String], using client: RegistryClient) async throws -> String? {
        if basic, let credentials { return credentials.basicAuthorization }
        guard let challenge = bearer else { return nil }
        return "Bearer " + (try await token(challenge, scopes: scopes, using: client))
    }

    /// Handles a 401: remembers the scheme and obtains a token; throws a clear error when the
    /// registry wants credentials Skiff does not have.
    func answer(_ challenges: [AuthChallenge], scopes: [String], using client: RegistryClient) async throws {
        if let b = challenges.first(where: { $0.scheme == "bearer" }) {
            var wanted = scopes
            if let s = b.scope { for part in s.split(separator: " ").map(String.init) where !wanted.contains(part) { wanted.append(part) } }
            bearer = b
            tokens[wanted.joined(separator: " ")] = nil
            _ = try await token(b, scopes: wanted, using: client)
            return
        }
        if challenges.contains(where: { $0.scheme == "basic" }) {
            guard credentials != nil else {
                throw SkiffError(.unauthorized, "\(registry) requires a login: run skiff login \(registry)")
            }
            // Requests in flight may all answer the same challenge; a request refused even with
            // the credentials comes back to its caller as a 401 (see `failure`).
            basic = true
            return
        }
        if challenges.isEmpty {
            throw SkiffError(.unauthorized, "\(registry) answered 401 Unauthorized without saying how to authenticate")
        }
        throw SkiffError(.unsupported, "\(registry) asks for authentication scheme '\(challenges[0].scheme)', which Skiff does not support (it handles Bearer and Basic)")
    }

    /// A bearer token for `scopes`, from the cache or the challenge's realm (token server). Sends
    /// the credentials as basic auth when there are some; anonymous otherwise.
    private func token(_ challenge: AuthChallenge, scopes: [String], using client: RegistryClient) async throws -> String {
        let key = scopes.joined(separator: " ")
        if let cached = tokens[key], cached.expires > .now { return cached.token }
        guard let realm = challenge.realm, var components = URLComponents(string: realm),
              components.scheme == "https" || components.scheme == "http" else {
            throw SkiffError(.registry, "\(registry) sent a bearer challenge without a usable realm (\(challenge.realm ?? "none"))")
        }
        var query = components.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        for scope in scopes { query.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = query.isEmpty ? nil : query
        // `+` is legal in a query but token servers read it as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else {
            throw SkiffError(.registry, "\(registry) sent an unusable token realm \(realm)")
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: client.options.userAgent)
        if let credentials { request.headers.add(name: "Authorization", value: credentials.basicAuthorization) }
        logger.debug("fetching a token from \(hostOf(url)) for \(key)\(credentials.map { " as " + $0.username } ?? " anonymously")")
        var response: HTTPClientResponse?
        for attempt in 1...client.options.maxAttempts {
            do {
                let r = try await client.http.execute(request, timeout: .seconds(60))
                if r.status.code >= 500 && attempt < client.options.maxAttempts {
                    _ = try? await r.body.collect(upTo: 1 << 20)
                    try await Task.sleep(for: client.backoff(attempt, retryAfter: nil))
                    continue
                }
                response = r
                break
            } catch {
                if attempt == client.options.maxAttempts {
                    throw SkiffError(.network, "cannot reach the token server \(hostOf(url)) of \(registry): \(describe(error))", underlying: error)
                }
                try await Task.sleep(for: client.backoff(attempt, retryAfter: nil))
            }
        }
        guard let response else { throw SkiffError(.network, "no answer from the token server \(hostOf(url))") }
        let body = try await client.collect(response, limit: 1 << 20, what: "token response")
        switch response.status.code {
        case 200:
            break
        case 401, 403:
            if let credentials {
                throw SkiffError(.unauthorized, "\(registry) rejected the credentials of \(credentials.username) (token server answered \(response.status.code)); run skiff login \(registry)")
            }
            throw SkiffError(.unauthorized, "\(registry) requires a login for \(key): run skiff login \(registry)")
        default:
            throw SkiffError(.registry, "the token server of \(registry) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String?; var expires_in: Int? }
        let decoded = try JSON.decode(TokenResponse.self, from: body, what: "the token server's answer")
        guard let token = decoded.token ?? decoded.access_token, !token.isEmpty else {
            throw SkiffError(.registry, "the token server of \(registry) sent no token")
        }
        // Tokens live at least 60 s by the spec; renew a little early.
        let lifetime = max(decoded.expires_in ?? 60, 60) - 10
        tokens[key] = (token, .now + .seconds(lifetime))
        return token
    }
}
