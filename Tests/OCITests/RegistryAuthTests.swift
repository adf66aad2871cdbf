// Authentication against real registries: htpasswd (basic auth) and the bearer-token flow with
// the token server in tests/oci in front of docker-registry configured for token auth.

import Foundation
import XCTest
@testable import OCI

final class RegistryAuthTests: StoreTestCase {
    override var scratchLabel: String { "oci-auth" }

    /// A one-layer busybox image in the store, to push.
    func localImage() throws -> StoredImage {
        let base = scratch.path + "/base.tar.gz"
        try makeTarLayer(of: try fixtureRoot("busybox"), to: base)
        let layout = try LayoutWriter(scratch.sub("layout"))
        try layout.add(try layout.image(layers: [(base, MediaType.ociLayerGzip)]), tag: "v1")
        return try ImageImporter(store: store).importImages(from: layout.directory, name: try ImageReference(parsing: "local/bb:v1"))[0]
    }

    func push(_ image: StoredImage, to ref: String, credentials: Credentials?) async throws -> PushResult {
        try await ImagePusher(store: store, options: testRegistryOptions(credentials: credentials),
                              credentials: isolatedCredentials(scratch)).push(image, to: try ImageReference(parsing: ref))
    }

    func pull(_ ref: String, credentials: CredentialStore? = nil) async throws -> PullResult {
        try await ImagePuller(store: store, options: testRegistryOptions(),
                              credentials: credentials ?? isolatedCredentials(scratch)).pull(try ImageReference(parsing: ref))
    }

    func expectError(_ code: SkiffError.Code, containing fragment: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected \(code) error containing '\(fragment)'")
        } catch let e as SkiffError {
            XCTAssertEqual(e.code, code, e.message)
            XCTAssertTrue(e.message.contains(fragment), e.message)
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    func testHtpasswdRegistryNeedsBasicAuthFromLoginOrDockerConfig() async throws {
        let registry = try TestRegistry(in: scratch, auth: .htpasswd(user: "alice", password: "s3cret"))
        defer { registry.stop() }
        let image = try localImage()
        let ref = "\(registry.host)/private/bb:v1"

        await expectError(.unauthorized, containing: "requires a login") {
            _ = try await self.push(image, to: ref, credentials: nil)
        }
        await expectError(.unauthorized, containing: "check the credentials") {
            _ = try await self.push(image, to: ref, credentials: Credentials(username: "alice", password: "wrong"))
        }
        let pushed = try await push(image, to: ref, credentials: Credentials(username: "alice", password: "s3cret"))
        XCTAssertEqual(pushed.uploaded, 2)

        // skiff login checks the credentials before saving them.
        await expectError(.unauthorized, containing: "refused the login of alice") {
            try await verifyLogin(Credentials(username: "alice", password: "nope"), registry: registry.host, options: testRegistryOptions())
        }
        try await verifyLogin(Credentials(username: "alice", password: "s3cret"), registry: registry.host, options: testRegistryOptions())

        // Pull with credentials found in a docker config.json (base64 "auth").
        _ = try store.removeImage("local/bb:v1")
        await expectError(.unauthorized, containing: "requires a login") { _ = try await self.pull(ref) }
        let dockerConfig = scratch.sub("docker") + "/config.json"
        try Data(#"{"auths":{"\#(registry.host)":{"auth":"\#(Data("alice:s3cret".utf8).base64EncodedString())"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: dockerConfig))
        let pulled = try await pull(ref)
        XCTAssertEqual(pulled.image.digest, image.digest)
    }

    func testBearerTokenFlowAnonymousPullAndCredentialedPush() async throws {
        let tokens = try TokenServer(in: scratch, users: ["alice": "pw-alice"], anonymousPull: true)
        defer { tokens.server.stop() }
        let registry = try TestRegistry(in: scratch, auth: .token(tokens))
        defer { registry.stop() }
        let image = try localImage()
        let ref = "\(registry.host)/team/bb:v1"

        // Anonymous tokens carry pull only: the push is refused with a hint to log in.
        await expectError(.unauthorized, containing: "requires a login") {
            _ = try await self.push(image, to: ref, credentials: nil)
        }
        let pushed = try await push(image, to: ref, credentials: Credentials(username: "alice", password: "pw-alice"))
        XCTAssertEqual(pushed.uploaded, 2)
        let asAlice = tokens.requests.filter { ($0["user"] as? String) == "alice" && ($0["status"] as? Int) == 200 }
        XCTAssertTrue(asAlice.contains { ($0["scope"] as? [String]) == ["repository:team/bb:pull,push"] }, "\(tokens.requests)")
        XCTAssertTrue(asAlice.allSatisfy { ($0["service"] as? [String]) == [tokens.service] })

        // Wrong password: the token server refuses, and the error says so.
        await expectError(.unauthorized, containing: "rejected the credentials of alice") {
            _ = try await self.push(image, to: "\(registry.host)/team/other:v1", credentials: Credentials(username: "alice", password: "bad"))
        }

        // An anonymous pull gets a pull-scoped token and verifies everything.
        _ = try store.removeImage("local/bb:v1")
        let pulled = try await pull(ref)
        XCTAssertEqual(pulled.image.digest, image.digest)
        let anonymous = tokens.requests.filter { $0["user"] is NSNull && ($0["status"] as? Int) == 200 }
        XCTAssertTrue(anonymous.contains { ($0["scope"] as? [String]) == ["repository:team/bb:pull"] }, "\(tokens.requests)")

        // skiff login against a token registry: the token server checks the password.
        try await verifyLogin(Credentials(username: "alice", password: "pw-alice"), registry: registry.host, options: testRegistryOptions())
        await expectError(.unauthorized, containing: "rejected") {
            try await verifyLogin(Credentials(username: "alice", password: "bad"), registry: registry.host, options: testRegistryOptions())
        }
    }

    func testTokenRegistryWithoutAnonymousAccessAsksForLogin() async throws {
        let tokens = try TokenServer(in: scratch, users: ["bob": "pw"], anonymousPull: false)
        defer { tokens.server.stop() }
        let registry = try TestRegistry(in: scratch, auth: .token(tokens))
        defer { registry.stop() }
        await expectError(.unauthorized, containing: "requires a login") {
            _ = try await self.pull("\(registry.host)/team/bb:v1")
        }
        XCTAssertEqual(try store.records().count, 0)
    }
}
