// Registries for the tests: Debian's docker-registry (CNCF Distribution) on 127.0.0.1 with a
// filesystem root, open, behind htpasswd, or behind the token server in tests/oci; and a scripted
// misbehaving registry (tests/oci/fake_registry.py) for bad-input cases.

import Foundation
@testable import OCI

/// A real registry: `docker-registry serve config.yml`.
final class TestRegistry {
    enum Auth {
        case none
        case htpasswd(user: String, password: String)
        case token(TokenServer)
    }

    let port: Int
    let server: BackgroundProcess
    var host: String { "127.0.0.1:\(port)" }

    init(in scratch: Scratch, auth: Auth = .none) throws {
        let exe = try requireTool("docker-registry", package: "docker-registry")
        port = try freePort()
        let dir = scratch.sub("registry-\(port)")
        var authSection = ""
        switch auth {
        case .none:
            break
        case .htpasswd(let user, let password):
            let htpasswd = try requireTool("htpasswd", package: "apache2-utils")
            let line = try runTool(htpasswd, ["-Bbn", user, password]).stdout
            try line.write(toFile: dir + "/htpasswd", atomically: true, encoding: .utf8)
            authSection = "auth:\n  htpasswd:\n    realm: skiff-test\n    path: \(dir)/htpasswd\n"
        case .token(let tokens):
            authSection = """
                auth:
                  token:
                    realm: http://127.0.0.1:\(tokens.port)/token
                    service: \(tokens.service)
                    issuer: \(tokens.issuer)
                    rootcertbundle: \(tokens.certificatePath)

                """
        }
        let config = """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(dir)/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
            \(authSection)
            """
        try config.write(toFile: dir + "/config.yml", atomically: true, encoding: .utf8)
        server = try BackgroundProcess(exe, ["serve", dir + "/config.yml"], logPath: dir + "/log")
        try waitForPort(port, process: server)
    }

    func stop() { server.stop() }
}

/// tests/oci/token_server.py: issues RS256 tokens the registry trusts (its certificate is the
/// registry's rootcertbundle). Users get what they ask for; anonymous requests get pull only.
final class TokenServer {
    let port: Int
    let server: BackgroundProcess
    let certificatePath: String
    let logPath: String
    let service = "skiff-test-registry"
    let issuer = "skiff-test-issuer"

    init(in scratch: Scratch, users: [String: String], anonymousPull: Bool) throws {
        let openssl = try requireTool("openssl", package: "openssl")
        let python = try requireTool("python3", package: "python3")
        let dir = scratch.sub("tokens")
        certificatePath = dir + "/cert.pem"
        try runTool(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem",
                              "-out", certificatePath, "-subj", "/CN=skiff-test-token", "-days", "2"])
        port = try freePort()
        logPath = dir + "/requests.jsonl"
        var args = [repositoryRoot + "/tests/oci/token_server.py", "--port", String(port), "--key", dir + "/key.pem",
                    "--cert", certificatePath, "--issuer", issuer, "--service", service, "--log", logPath]
        for (u, p) in users { args += ["--user", "\(u):\(p)"] }
        if anonymousPull { args.append("--anonymous-pull") }
        server = try BackgroundProcess(python, args, logPath: dir + "/server.log")
        try waitForPort(port, process: server)
    }

    /// The token requests so far: status, user, scope.
    var requests: [[String: Any]] { readJSONLines(logPath) }
}

/// tests/oci/fake_registry.py with scripted answers.
final class FakeRegistry {
    struct Response {
        var status = 200
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        /// Send the full Content-Length but only this many body bytes, then close.
        var truncate: Int?
        /// Answer `Range: bytes=N-` with 206 and the rest of the body.
        var ranges = false
        /// Send this many body bytes, then nothing for a minute.
        var stall: Int?

        var json: [String: Any] {
            var r: [String: Any] = ["status": status, "headers": headers, "body_b64": Data(body).base64EncodedString(), "ranges": ranges]
            if let truncate { r["truncate"] = truncate }
            if let stall { r["stall"] = stall }
            return r
        }
    }

    let port: Int
    let server: BackgroundProcess
    let logPath: String
    var host: String { "127.0.0.1:\(port)" }

    /// `routes`: "GET /v2/x/manifests/latest" -> answers in order (the last repeats).
    init(in scratch: Scratch, routes: [String: [Response]], basicAuth: String? = nil) throws {
        let python = try requireTool("python3", package: "python3")
        port = try freePort()
        let dir = scratch.sub("fake-\(port)")
        let routesPath = dir + "/routes.json"
        let json = routes.mapValues { $0.map(\.json) }
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: routesPath))
        logPath = dir + "/requests.jsonl"
        var args = [repositoryRoot + "/tests/oci/fake_registry.py", "--port", String(port), "--routes", routesPath, "--log", logPath]
        if let basicAuth { args += ["--basic", basicAuth] }
        server = try BackgroundProcess(python, args, logPath: dir + "/server.log")
        try waitForPort(port, process: server)
    }

    /// The requests so far: method, path, headers.
    var requests: [[String: Any]] { readJSONLines(logPath) }
}

func readJSONLines(_ path: String) -> [[String: Any]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
}

/// A small valid image: config, one layer (a real tar), manifest.
struct SmallImage {
    var layer: [UInt8]
    var layerDescriptor: Descriptor
    var config: [UInt8]
    var configDescriptor: Descriptor
    var manifest: [UInt8]
    var digest: Digest
}

func makeSmallImage(in scratch: Scratch, platform: Platform = .linuxRISCV64) throws -> SmallImage {
    let tree = scratch.sub("tree")
    // Incompressible content, so the gzip layer is large enough to cut in the middle.
    var state: UInt64 = 0x9E3779B97F4A7C15
    let noise = (0..<200_000).map { _ -> UInt8 in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
    try Data(noise).write(to: URL(fileURLWithPath: tree + "/file"))
    let tarPath = scratch.path + "/layer.tar.gz"
    try makeTarLayer(of: tree, to: tarPath)
    let layer = Array(try Data(contentsOf: URL(fileURLWithPath: tarPath)))
    let layerD = Descriptor(mediaType: MediaType.ociLayerGzip, digest: Digest.sha256(of: layer), size: Int64(layer.count))
    let config = try JSON.encode(ImageConfiguration(platform: platform, config: nil, diffIDs: [try decompressedDigest(of: tarPath)]))
    let configD = Descriptor(mediaType: MediaType.ociConfig, digest: Digest.sha256(of: config), size: Int64(config.count))
    let manifest = try JSON.encode(Manifest(mediaType: MediaType.ociManifest, config: configD, layers: [layerD]))
    return SmallImage(layer: layer, layerDescriptor: layerD, config: config, configDescriptor: configD,
                      manifest: manifest, digest: Digest.sha256(of: manifest))
}

func fakeRegistryRoutes(_ image: SmallImage, repo: String = "x", layer: [FakeRegistry.Response]? = nil,
                        manifest: [FakeRegistry.Response]? = nil) -> [String: [FakeRegistry.Response]] {
    [
        "GET /v2/\(repo)/manifests/latest": manifest ?? [FakeRegistry.Response(headers: ["Content-Type": MediaType.ociManifest], body: image.manifest)],
        "GET /v2/\(repo)/blobs/\(image.configDescriptor.digest)": [FakeRegistry.Response(body: image.config)],
        "GET /v2/\(repo)/blobs/\(image.layerDescriptor.digest)": layer ?? [FakeRegistry.Response(body: image.layer)],
    ]
}
