/// An image reference as docker understands it: `busybox` is `docker.io/library/busybox:latest`,
/// `riscv64/alpine:3.21` is on docker.io, `localhost:5000/x/y@sha256:…` names a local registry
/// (a first component with a `.` or `:`, or `localhost`, is a registry host).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry as written in references (`docker.io`, `localhost:5000`, `[::1]:5000`).
    public var registry: String
    /// The repository path inside the registry (`library/busybox`).
    public var repository: String
    public var tag: String?
    public var digest: Digest?

    public static let defaultRegistry = "docker.io"
    public static let defaultTag = "latest"

    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    public init(parsing input: String) throws(SkiffError) {
        func bad(_ why: String) -> SkiffError {
            SkiffError(.invalidArgument, "invalid image reference '\(input)': \(why)")
        }
        var rest = input
        if rest.isEmpty { throw bad("it is empty") }
        if rest.count > 4096 { throw bad("it is too long") }

        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do { digest = try Digest(parsing: String(rest[rest.index(after: at)...])) }
            catch { throw bad(error.message) }
            rest = String(rest[..<at])
        }
        // A tag is a ':' after the last '/' (a ':' before it belongs to a host:port).
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            tag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        if let tag, !isValidTag(tag) {
            throw bad("tag '\(tag)' must be 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'")
        }

        var registry = ImageReference.defaultRegistry
        var path = rest
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: { $0.isUppercase }) {
                registry = String(first)
                path = String(rest[rest.index(after: slash)...])
            }
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = ImageReference.defaultRegistry }
        if !isValidRegistry(registry) { throw bad("registry '\(registry)' is not a valid host[:port]") }
        if registry == ImageReference.defaultRegistry && !path.contains("/") { path = "library/" + path }
        if path.isEmpty { throw bad("the repository name is empty") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if !isValidPathComponent(Substring(component)) {
                throw bad("repository component '\(component)' must be lowercase letters and digits, separated by '.', '_', '__' or '-'")
            }
        }
        if registry.count + 1 + path.count > 255 { throw bad("the name is longer than 255 characters") }
        if tag == nil && digest == nil { tag = ImageReference.defaultTag }
        self.init(registry: registry, repository: path, tag: tag, digest: digest)
    }

    /// The full name without tag or digest: `docker.io/library/busybox`.
    public var name: String { "\(registry)/\(repository)" }

    /// `docker.io/library/busybox:latest`, `host/x@sha256:…`, `host/x:1@sha256:…`.
    public var description: String {
        var s = name
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest.description }
        return s
    }

    /// The short form docker prints: `busybox:latest`, `riscv64/alpine:3.21`, full names elsewhere.
    public var familiar: String {
        var s = name
        if registry == ImageReference.defaultRegistry {
            s = repository.hasPrefix("library/") && repository.split(separator: "/").count == 2
                ? String(repository.dropFirst("library/".count)) : repository
        }
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest.description }
        return s
    }

    /// What to ask the registry for: the digest when there is one, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? ImageReference.defaultTag }

    /// The same repository with another tag (and no digest).
    public func withTag(_ tag: String) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: nil)
    }

    /// The host the registry API is served from (docker.io's API lives on registry-1.docker.io).
    public var apiHost: String { registry == ImageReference.defaultRegistry ? "registry-1.docker.io" : registry }

    /// Registries on loopback are spoken to over plain HTTP, as docker does.
    public var isLoopback: Bool { ImageReference.isLoopbackHost(registry) }

    static func isLoopbackHost(_ hostPort: String) -> Bool {
        let host = hostOnly(hostPort)
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `host` of `host:port`, `[v6]:port` or `host`.
    static func hostOnly(_ hostPort: String) -> String {
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            return String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
        }
        if let colon = hostPort.lastIndex(of: ":") { return String(hostPort[..<colon]) }
        return hostPort
    }
}

private func isAlnumLower(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
private func isValidPathComponent(_ s: Substring) -> Bool {
    let b = Array(s.utf8)
    guard let first = b.first, let last = b.last, isAlnumLower(first), isAlnumLower(last) else { return false }
    var i = 0
    while i < b.count {
        if isAlnumLower(b[i]) { i += 1; continue }
        // a separator run: ".", "_", "__" or "-+"
        var j = i
        if b[i] == 0x2e { j += 1 }
        else if b[i] == 0x5f { j += 1; if j < b.count && b[j] == 0x5f { j += 1 } }
        else if b[i] == 0x2d { while j < b.count && b[j] == 0x2d { j += 1 } }
        else { return false }
        if j >= b.count || !isAlnumLower(b[j]) { return false }
        i = j
    }
    return true
}

/// `[\w][\w.-]{0,127}`
private func isValidTag(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard (1...128).contains(b.count) else { return false }
    func word(_ c: UInt8) -> Bool { isAlnumLower(c) || (c >= 0x41 && c <= 0x5a) || c == 0x5f }
    return word(b[0]) && b.dropFirst().allSatisfy { word($0) || $0 == 0x2e || $0 == 0x2d }
}

/// `host[:port]` where host is a DNS name, an IPv4 address or a bracketed IPv6 address.
private func isValidRegistry(_ s: String) -> Bool {
    var host = Substring(s)
    if s.hasPrefix("[") {
        guard let close = s.firstIndex(of: "]") else { return false }
        let inner = s[s.index(after: s.startIndex)..<close]
        guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        let after = s[s.index(after: close)...]
        if after.isEmpty { return true }
        guard after.first == ":" else { return false }
        let port = after.dropFirst()
        return !port.isEmpty && port.count <= 5 && port.allSatisfy(\.isNumber)
    }
    if let colon = s.lastIndex(of: ":") {
        let port = s[s.index(after: colon)...]
        guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isNumber) else { return false }
        host = s[..<colon]
    }
    guard !host.isEmpty else { return false }
    return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
        !label.isEmpty && label.first != "-" && label.last != "-"
            && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
