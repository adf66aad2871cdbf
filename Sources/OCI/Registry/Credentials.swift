import Foundation

/// A username and password (or token) for a registry.
public struct Credentials: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// Where Skiff finds registry credentials: first its own `$SKIFF_HOME/auth.json` (written by
/// `skiff login`, mode 0600), then docker's `config.json` (`$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json`). Both use docker's format: `{"auths": {"host": {"auth": base64("user:pass")}}}`.
/// Credential helpers (`credsStore`, `credHelpers`) are not consulted.
public struct CredentialStore: Sendable {
    public var skiffPath: String
    public var dockerPath: String?

    public init(skiffPath: String, dockerPath: String?) {
        self.skiffPath = skiffPath
        self.dockerPath = dockerPath
    }

    public init(store: ImageStore, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var docker: String?
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { docker = dir + "/config.json" }
        else if let home = environment["HOME"], !home.isEmpty { docker = home + "/.docker/config.json" }
        self.init(skiffPath: store.credentialsPath, dockerPath: docker)
    }

    struct ConfigFile: Codable {
        struct Entry: Codable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
        }
        var auths: [String: Entry]?
    }

    /// Credentials for `registry` (as written in references, e.g. `docker.io`, `localhost:5000`).
    public func lookup(registry: String) -> Credentials? {
        for path in [skiffPath] + (dockerPath.map { [$0] } ?? []) {
            if let c = try? lookup(registry: registry, in: path) { return c }
        }
        return nil
    }

    private func lookup(registry: String, in path: String) throws(SkiffError) -> Credentials? {
        guard POSIXFile.exists(path) else { return nil }
        let file = try JSON.decode(ConfigFile.self, from: try POSIXFile.readAll(path), what: path)
        let wanted = CredentialStore.normalize(registry)
        for (key, entry) in file.auths ?? [:] where CredentialStore.normalize(key) == wanted {
            if let auth = entry.auth, !auth.isEmpty {
                guard let data = Data(base64Encoded: auth), let text = String(data: data, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else {
                    throw SkiffError(.invalidData, "the credentials for \(key) in \(path) are not base64 of user:password")
                }
                return Credentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            }
            if let u = entry.username, let p = entry.password { return Credentials(username: u, password: p) }
        }
        return nil
    }

    /// Saves credentials for `registry` in Skiff's own file (mode 0600), keeping other entries.
    public func save(_ credentials: Credentials, registry: String) throws(SkiffError) {
        var file = ConfigFile(auths: [:])
        if POSIXFile.exists(skiffPath) {
            file = try JSON.decode(ConfigFile.self, from: try POSIXFile.readAll(skiffPath), what: skiffPath)
        }
        var auths = file.auths ?? [:]
        let key = CredentialStore.storageKey(registry)
        for k in auths.keys where CredentialStore.normalize(k) == CredentialStore.normalize(key) { auths[k] = nil }
        auths[key] = .init(auth: Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString())
        file.auths = auths
        try POSIXFile.writeAtomically(try JSON.encode(file, pretty: true), to: skiffPath, mode: 0o600)
    }

    /// Removes `registry` from Skiff's own file; false if it had no entry.
    public func remove(registry: String) throws(SkiffError) -> Bool {
        guard POSIXFile.exists(skiffPath) else { return false }
        var file = try JSON.decode(ConfigFile.self, from: try POSIXFile.readAll(skiffPath), what: skiffPath)
        let wanted = CredentialStore.normalize(registry)
        let before = file.auths?.count ?? 0
        file.auths = file.auths?.filter { CredentialStore.normalize($0.key) != wanted }
        guard (file.auths?.count ?? 0) != before else { return false }
        try POSIXFile.writeAtomically(try JSON.encode(file, pretty: true), to: skiffPath, mode: 0o600)
        return true
    }

    /// docker keys Docker Hub as `https://index.docker.io/v1/`; others by host[:port], sometimes
    /// with a scheme or path. All compare as a bare host[:port].
    static func normalize(_ key: String) -> String {
        var s = key.lowercased()
        for prefix in ["https://", "http://"] where s.hasPrefix(prefix) { s.removeFirst(prefix.count) }
        if let slash = s.firstIndex(of: "/") { s = String(s[..<slash]) }
        if ["index.docker.io", "registry-1.docker.io", "docker.io", "registry.hub.docker.com"].contains(s) { return "docker.io" }
        return s
    }

    static func storageKey(_ registry: String) -> String {
        normalize(registry) == "docker.io" ? "https://index.docker.io/v1/" : normalize(registry)
    }
}
