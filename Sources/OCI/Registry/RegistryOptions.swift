/// How Skiff talks to a registry.
public struct RegistryOptions: Sendable {
    /// Plain HTTP for this registry even off loopback (loopback registries always use HTTP).
    public var insecure = false
    /// Layers downloaded at once.
    public var maxConcurrentTransfers = 3
    /// Attempts per request on 5xx answers, 429 and dropped connections (with exponential backoff).
    public var maxAttempts = 5
    /// First backoff delay; doubled after each failed attempt.
    public var retryDelay: Duration = .milliseconds(200)
    /// Upload blobs in chunks of this many bytes (PATCH … PUT) instead of one PUT; nil picks
    /// monolithic uploads up to `monolithicLimit` and chunks of that size above it.
    public var uploadChunkSize: Int?
    public var monolithicLimit = 64 << 20
    /// Try cross-repository mounts when pushing a blob the registry already holds in another repository.
    public var crossRepositoryMount = true
    /// Explicit credentials (overrides the credential store), e.g. while `skiff login` checks them.
    public var credentials: Credentials?
    public var userAgent = "skiff/0.1"

    public init() {}
}
