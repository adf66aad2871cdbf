// Parsing of image references, platforms, digests and auth challenges: docker's rules.

import XCTest
@testable import OCI

final class ImageReferenceTests: XCTestCase {
    func parse(_ s: String) throws -> ImageReference { try ImageReference(parsing: s) }

    func testDockerHubShortNames() throws {
        XCTAssertEqual(try parse("busybox").description, "docker.io/library/busybox:latest")
        XCTAssertEqual(try parse("busybox:1.36").description, "docker.io/library/busybox:1.36")
        XCTAssertEqual(try parse("riscv64/alpine:3.21").description, "docker.io/riscv64/alpine:3.21")
        XCTAssertEqual(try parse("docker.io/busybox").description, "docker.io/library/busybox:latest")
        XCTAssertEqual(try parse("index.docker.io/library/busybox").description, "docker.io/library/busybox:latest")
        XCTAssertEqual(try parse("busybox").apiHost, "registry-1.docker.io")
        XCTAssertEqual(try parse("docker.io/library/busybox:latest").familiar, "busybox:latest")
        XCTAssertEqual(try parse("riscv64/alpine:3.21").familiar, "riscv64/alpine:3.21")
    }

    func testRegistryHostDetection() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let r = try parse("localhost:5000/x/y@\(digest)")
        XCTAssertEqual(r.registry, "localhost:5000")
        XCTAssertEqual(r.repository, "x/y")
        XCTAssertNil(r.tag)
        XCTAssertEqual(r.digest?.description, digest)
        XCTAssertEqual(r.manifestReference, digest)
        XCTAssertTrue(r.isLoopback)
        XCTAssertEqual(try parse("localhost/x").registry, "localhost")
        XCTAssertEqual(try parse("ghcr.io/org/img:v1").registry, "ghcr.io")
        XCTAssertEqual(try parse("127.0.0.1:5000/img").registry, "127.0.0.1:5000")
        XCTAssertTrue(try parse("127.0.0.1:5000/img").isLoopback)
        XCTAssertEqual(try parse("[::1]:5000/img:2").registry, "[::1]:5000")
        XCTAssertTrue(try parse("[::1]:5000/img:2").isLoopback)
        XCTAssertFalse(try parse("registry.example.com/img").isLoopback)
        // A first component without '.', ':' or "localhost" is a Docker Hub namespace.
        XCTAssertEqual(try parse("myorg/img").registry, "docker.io")
        // Tag and digest together: both kept, the digest is what is fetched.
        let both = try parse("localhost:5000/x:1@\(digest)")
        XCTAssertEqual(both.tag, "1")
        XCTAssertEqual(both.manifestReference, digest)
        XCTAssertEqual(both.description, "localhost:5000/x:1@\(digest)")
        // A port, not a tag.
        XCTAssertEqual(try parse("host:5000/img").tag, "latest")
    }

    func testInvalidReferencesAreRejectedWithReasons() {
        for (input, fragment) in [("", "empty"), ("UPPER", "lowercase"), ("a//b", "component"), ("img:", "tag"),
                                  ("img:-bad", "tag"), ("img@sha256:abc", "64"), ("img@md5:00", "unsupported"),
                                  ("x/-y", "component"), ("bad host:1/x", "not a valid"), ("a..b/c", "not a valid")] {
            XCTAssertThrowsError(try parse(input), input) { error in
                let e = error as! SkiffError
                XCTAssertTrue(e.message.contains(fragment), "\(input): \(e.message)")
                XCTAssertTrue(e.code == .invalidArgument || e.code == .unsupported)
            }
        }
    }

    func testPlatforms() throws {
        XCTAssertEqual(try Platform(parsing: "linux/riscv64"), .linuxRISCV64)
        XCTAssertEqual(try Platform(parsing: "linux/arm64/v8").description, "linux/arm64/v8")
        XCTAssertEqual(try Platform(parsing: "linux/x86_64").description, "linux/amd64")
        XCTAssertEqual(try Platform(parsing: "linux/aarch64").description, "linux/arm64")
        XCTAssertEqual(try Platform(parsing: "linux/armhf").description, "linux/arm/v7")
        XCTAssertThrowsError(try Platform(parsing: "riscv64"))
        XCTAssertThrowsError(try Platform(parsing: "linux/riscv64/x/y"))
        XCTAssertThrowsError(try Platform(parsing: "linux/"))
        // arm64 with and without v8 match; a named variant must match.
        XCTAssertTrue(try Platform(parsing: "linux/arm64").matches(Platform(os: "linux", architecture: "arm64", variant: "v8")))
        XCTAssertTrue(try Platform(parsing: "linux/arm64/v8").matches(Platform(os: "linux", architecture: "arm64")))
        XCTAssertFalse(try Platform(parsing: "linux/arm/v7").matches(Platform(os: "linux", architecture: "arm", variant: "v6")))
        XCTAssertTrue(try Platform(parsing: "linux/arm").matches(Platform(os: "linux", architecture: "arm", variant: "v6")))
        XCTAssertFalse(Platform.linuxRISCV64.matches(Platform(os: "linux", architecture: "amd64")))
        // WASI: wasi/wasm and wasip1/wasm are one platform; the default platform accepts it too,
        // an explicit other platform does not.
        XCTAssertTrue(try Platform(parsing: "wasi/wasm").matches(Platform.wasip1))
        XCTAssertFalse(Platform.linuxRISCV64.matches(Platform.wasip1))
        XCTAssertTrue(Platform.linuxRISCV64.accepts(Platform(os: "wasi", architecture: "wasm")))
        XCTAssertFalse(Platform(os: "linux", architecture: "amd64").accepts(Platform.wasip1))
        XCTAssertFalse(Platform.wasip1.accepts(Platform.linuxRISCV64))
    }

    func testIndexSelectionListsAvailablePlatforms() throws {
        let d = Digest.sha256(of: [UInt8]("x".utf8))
        let index = ImageIndex(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: d, size: 1, platform: Platform(os: "linux", architecture: "amd64")),
            Descriptor(mediaType: MediaType.ociManifest, digest: d, size: 1, platform: Platform(os: "linux", architecture: "arm64", variant: "v8")),
            Descriptor(mediaType: MediaType.ociManifest, digest: d, size: 1, platform: Platform(os: "unknown", architecture: "unknown")),
        ])
        XCTAssertThrowsError(try index.select(.linuxRISCV64, what: "busybox")) { error in
            XCTAssertEqual((error as! SkiffError).message,
                           "busybox has no linux/riscv64 variant (available: linux/amd64, linux/arm64/v8); choose one with --platform")
        }
        XCTAssertEqual(try index.select(Platform(parsing: "linux/arm64"), what: "x").platform?.variant, "v8")
        // No platform asked for: one Skiff runs (amd64 here), else an error listing what there is.
        XCTAssertEqual(try index.select(nil, what: "x").platform, .linuxAMD64)
        let armOnly = ImageIndex(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: d, size: 1, platform: Platform(os: "linux", architecture: "arm64", variant: "v8")),
        ])
        XCTAssertThrowsError(try armOnly.select(nil, what: "busybox")) { error in
            XCTAssertEqual((error as! SkiffError).message,
                           "busybox has no platform Skiff runs (available: linux/arm64/v8); Skiff runs linux/amd64, linux/riscv64 and WASI images")
        }
        XCTAssertTrue(Platform.takes(.linuxAMD64, for: nil))
        XCTAssertTrue(Platform.takes(.wasip1, for: nil))
        XCTAssertFalse(Platform.takes(Platform(os: "linux", architecture: "arm64"), for: nil))
        XCTAssertFalse(Platform.takes(.linuxRISCV64, for: .linuxAMD64))
    }

    func testDigests() throws {
        let hex = String(repeating: "0f", count: 32)
        XCTAssertEqual(try Digest(parsing: "sha256:\(hex)").short, "0f0f0f0f0f0f")
        XCTAssertThrowsError(try Digest(parsing: "sha256:\(hex.uppercased())"))
        XCTAssertThrowsError(try Digest(parsing: hex))
        XCTAssertEqual(Digest.sha256(of: [UInt8]("abc".utf8)).encoded,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testAuthChallenges() {
        let c = AuthChallenge.parse(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#)
        XCTAssertEqual(c.count, 1)
        XCTAssertEqual(c[0].scheme, "bearer")
        XCTAssertEqual(c[0].realm, "https://auth.docker.io/token")
        XCTAssertEqual(c[0].service, "registry.docker.io")
        XCTAssertEqual(c[0].scope, "repository:library/busybox:pull")
        let two = AuthChallenge.parse(#"Basic realm="Registry Realm", Bearer realm="http://x/t",error="insufficient_scope""#)
        XCTAssertEqual(two.map(\.scheme), ["basic", "bearer"])
        XCTAssertEqual(two[0].realm, "Registry Realm")
        XCTAssertEqual(two[1].parameters["error"], "insufficient_scope")
        XCTAssertEqual(AuthChallenge.parse(#"Basic realm="a \"quoted\" realm""#)[0].realm, #"a "quoted" realm"#)
    }

    func testCredentialLookupInDockerAndSkiffFiles() throws {
        let scratch = try Scratch("creds")
        let docker = scratch.sub("docker") + "/config.json"
        let auth = { (s: String) in Data(s.utf8).base64EncodedString() }
        try Data("""
            {"auths": {"https://index.docker.io/v1/": {"auth": "\(auth("hubuser:hubpass"))"},
                       "127.0.0.1:5000": {"auth": "\(auth("local:pa:ss"))"},
                       "https://registry.example.com/v2/": {"auth": "\(auth("ex:1"))"}},
             "credsStore": "desktop"}
            """.utf8).write(to: URL(fileURLWithPath: docker))
        let store = CredentialStore(skiffPath: scratch.path + "/auth.json", dockerPath: docker)
        XCTAssertEqual(store.lookup(registry: "docker.io"), Credentials(username: "hubuser", password: "hubpass"))
        XCTAssertEqual(store.lookup(registry: "127.0.0.1:5000"), Credentials(username: "local", password: "pa:ss"))
        XCTAssertEqual(store.lookup(registry: "registry.example.com")?.username, "ex")
        XCTAssertNil(store.lookup(registry: "127.0.0.1:5001"))
        // skiff login's own file wins, and is private to the user.
        try store.save(Credentials(username: "mine", password: "pw"), registry: "127.0.0.1:5000")
        XCTAssertEqual(store.lookup(registry: "127.0.0.1:5000"), Credentials(username: "mine", password: "pw"))
        let mode = try FileManager.default.attributesOfItem(atPath: store.skiffPath)[.posixPermissions] as! Int
        XCTAssertEqual(mode, 0o600)
        try store.save(Credentials(username: "hub2", password: "x"), registry: "docker.io")
        let saved = try String(contentsOfFile: store.skiffPath, encoding: .utf8)
        XCTAssertTrue(saved.contains("https://index.docker.io/v1/"), saved)
        XCTAssertTrue(try store.remove(registry: "127.0.0.1:5000"))
        XCTAssertEqual(store.lookup(registry: "127.0.0.1:5000")?.username, "local")
    }

    func testManifestDocumentMediaTypes() throws {
        let schema1 = Array(#"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#.utf8)
        XCTAssertThrowsError(try ManifestDocument.decode(schema1, mediaType: MediaType.dockerSchema1Signed, what: "m")) {
            XCTAssertEqual(($0 as! SkiffError).code, .unsupported)
        }
        let odd = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.example.thing+json"}"#.utf8)
        XCTAssertThrowsError(try ManifestDocument.decode(odd, mediaType: "application/vnd.example.thing+json", what: "m")) {
            XCTAssertTrue(($0 as! SkiffError).message.contains("unknown media type 'application/vnd.example.thing+json'"))
        }
        let index = Array(#"{"schemaVersion":2,"manifests":[]}"#.utf8)
        guard case .index = try ManifestDocument.decode(index, mediaType: "application/json", what: "m").0 else {
            return XCTFail("an untyped document with manifests is an index")
        }
    }

    func testByteFormatting() {
        XCTAssertEqual(formatBytes(17), "17 B")
        XCTAssertEqual(formatBytes(1_090_000), "1.09 MB")
        XCTAssertEqual(formatBytes(532_000), "532 kB")
    }
}
