import Logging

/// Checks `credentials` against `registry` the way `docker login` does: a request to `/v2/`
/// that must succeed once the registry's challenge (basic, or a bearer token fetched with the
/// credentials) is answered. Throws `unauthorized` when the registry rejects them.
public func verifyLogin(_ credentials: Credentials, registry: String, options: RegistryOptions = RegistryOptions(),
                        logger: Logger = Logger(label: "skiff.login")) async throws {
    var options = options
    options.credentials = credentials
    let client = RegistryClient(registry: registry, options: options, credentials: nil, logger: logger)
    do {
        let response = try await client.execute(.init(method: .GET, url: client.url("/v2/"), scopes: []))
        if response.status.code != 200 {
            throw await client.failure(response, "the login of \(credentials.username)")
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        await client.shutdown()
    } catch {
        await client.shutdown()
        throw error
    }
}
