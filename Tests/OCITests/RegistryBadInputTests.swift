// A misbehaving registry (tests/oci/fake_registry.py): every bad answer gives a clear error and
// leaves nothing in the store; transient failures are retried, dropped downloads resumed.

import Foundation
import XCTest
@testable import OCI

final class RegistryBadInputTests: StoreTestCase {
    override var scratchLabel: String { "oci-bad" }

    typealias R = FakeRegistry.Response

    func makeImage(platform: Platform = .linuxRISCV64) throws -> SmallImage {
        try makeSmallImage(in: scratch, platform: platform)
    }

    func routes(_ image: SmallImage, repo: String = "x", layer: [R]? = nil, manifest: [R]? = nil) -> [String: [R]] {
        fakeRegistryRoutes(image, repo: repo, layer: layer, manifest: manifest)
    }

    func pull(_ fake: FakeRegistry, credentials: Credentials? = nil) async throws -> PullResult {
        try await ImagePuller(store: store, options: testRegistryOptions(credentials: credentials),
                              credentials: isolatedCredentials(scratch)).pull(try ImageReference(parsing: "\(fake.host)/x:latest"))
    }

    /// The pull fails with `code`, a message containing `fragment`, and an untouched store.
    func expectFailure(_ fake: FakeRegistry, _ code: SkiffError.Code, _ fragment: String,
                       file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await pull(fake)
            XCTFail("the pull should fail", file: file, line: line)
        } catch let e as SkiffError {
            XCTAssertEqual(e.code, code, e.message, file: file, line: line)
            XCTAssertTrue(e.message.contains(fragment), e.message, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        XCTAssertEqual(store.contentsOnDisk, [], "nothing may be left in the store", file: file, line: line)
        XCTAssertEqual(try store.records().count, 0, file: file, line: line)
    }

    func testBlobWhoseContentDoesNotMatchItsDigest() async throws {
        let image = try makeImage()
        var corrupt = image.layer
        corrupt[corrupt.count / 2] ^= 0xff
        let fake = try FakeRegistry(in: scratch, routes: routes(image, layer: [R(body: corrupt)]))
        await expectFailure(fake, .digestMismatch, "layer \(image.layerDescriptor.digest) does not match its digest")
    }

    func testBlobLongerThanDeclared() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image, layer: [R(body: image.layer + [1, 2, 3])]))
        await expectFailure(fake, .digestMismatch, "longer than its declared")
    }

    func testTruncatedDownloadFailsAfterRetriesWithNothingLeft() async throws {
        let image = try makeImage()
        // Every answer drops the connection after 1000 bytes (a resumed range gets the same).
        let fake = try FakeRegistry(in: scratch, routes: routes(image, layer: [R(body: image.layer, truncate: 50_000)]))
        await expectFailure(fake, .network, "kept failing")
        let gets = fake.requests.filter { ($0["path"] as? String)?.contains(image.layerDescriptor.digest.encoded) == true }
        XCTAssertEqual(gets.count, 4, "one attempt and three retries")
    }

    func testDroppedDownloadResumesWithARangeRequest() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image, layer: [
            R(body: image.layer, truncate: 70_000),
            R(body: image.layer, ranges: true),
        ]))
        let result = try await pull(fake)
        XCTAssertEqual(result.image.digest, image.digest)
        let gets = fake.requests.filter { ($0["path"] as? String)?.contains(image.layerDescriptor.digest.encoded) == true }
        XCTAssertEqual(gets.count, 2)
        let range = (gets[1]["headers"] as? [String: String])?["Range"] ?? ""
        let offset = Int(range.dropFirst("bytes=".count).dropLast()) ?? -1
        XCTAssertTrue(range.hasPrefix("bytes=") && offset > 0 && offset <= 70_000, "resumed with \(range)")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: store.blobPath(image.layerDescriptor.digest)))), image.layer)
    }

    func testRangeIgnoredByTheServerRestartsTheDownload() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image, layer: [
            R(body: image.layer, truncate: 70_000),
            R(body: image.layer),
        ]))
        let result = try await pull(fake)
        XCTAssertEqual(result.image.digest, image.digest)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: store.blobPath(image.layerDescriptor.digest)))), image.layer)
    }

    func testServerErrorsAreRetriedWithBackoff() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image,
            layer: [R(status: 503), R(status: 502), R(body: image.layer)],
            manifest: [R(status: 500), R(headers: ["Content-Type": MediaType.ociManifest], body: image.manifest)]))
        let result = try await pull(fake)
        XCTAssertEqual(result.image.digest, image.digest)
        XCTAssertEqual(fake.requests.filter { ($0["path"] as? String)?.contains("/manifests/") == true }.count, 2)
    }

    func testPersistentServerErrorIsReported() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image, layer: [R(status: 503)]))
        await expectFailure(fake, .registry, "503")
    }

    func testManifestOfUnknownMediaType() async throws {
        let image = try makeImage()
        let odd = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.example.widget+json","widgets":[]}"#.utf8)
        let fake = try FakeRegistry(in: scratch, routes: routes(image, manifest: [
            R(headers: ["Content-Type": "application/vnd.example.widget+json"], body: odd)]))
        await expectFailure(fake, .unsupported, "unknown media type 'application/vnd.example.widget+json'")
    }

    func testLayerOfUnknownMediaType() async throws {
        var image = try makeImage()
        var d = image.layerDescriptor
        d.mediaType = "application/vnd.example.blob"
        image.manifest = try JSON.encode(Manifest(mediaType: MediaType.ociManifest, config: image.configDescriptor, layers: [d]))
        let fake = try FakeRegistry(in: scratch, routes: routes(image))
        await expectFailure(fake, .unsupported, "unsupported media type 'application/vnd.example.blob'")
    }

    func testManifestThatDoesNotMatchTheRegistrysDigest() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image, manifest: [
            R(headers: ["Content-Type": MediaType.ociManifest, "Docker-Content-Digest": "sha256:" + String(repeating: "1", count: 64)],
              body: image.manifest)]))
        await expectFailure(fake, .digestMismatch, "Docker-Content-Digest")
    }

    func testIndexWithoutTheRequestedPlatformListsWhatItHas() async throws {
        // Neither linux/amd64 nor linux/riscv64 (both run since issue 12): nothing to pick.
        let image = try makeImage(platform: Platform(os: "linux", architecture: "arm64"))
        let index = try JSON.encode(ImageIndex(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: image.digest, size: Int64(image.manifest.count),
                       platform: Platform(os: "linux", architecture: "arm64")),
            Descriptor(mediaType: MediaType.ociManifest, digest: image.digest, size: Int64(image.manifest.count),
                       platform: Platform(os: "linux", architecture: "arm", variant: "v7")),
        ]))
        let fake = try FakeRegistry(in: scratch, routes: routes(image, manifest: [R(headers: ["Content-Type": MediaType.ociIndex], body: index)]))
        await expectFailure(fake, .notFound, "has no platform Skiff runs (available: linux/arm64, linux/arm/v7)")
    }

    func testSingleManifestOfAnotherPlatformIsRefused() async throws {
        let image = try makeImage(platform: Platform(os: "linux", architecture: "arm64"))
        let fake = try FakeRegistry(in: scratch, routes: routes(image))
        await expectFailure(fake, .notFound, "is a linux/arm64 image, not one Skiff runs")
    }

    func testRedirectToBlobStorageDropsTheRegistryCredentials() async throws {
        let image = try makeImage()
        let storage = try FakeRegistry(in: scratch, routes: ["GET /storage/layer": [R(body: image.layer)]])
        var r = routes(image)
        // "localhost" is another host than "127.0.0.1" as far as credentials go.
        r["GET /v2/x/blobs/\(image.layerDescriptor.digest)"] = [R(status: 307, headers: ["Location": "http://localhost:\(storage.port)/storage/layer"])]
        let fake = try FakeRegistry(in: scratch, routes: r, basicAuth: "user:pw")
        let result = try await pull(fake, credentials: Credentials(username: "user", password: "pw"))
        XCTAssertEqual(result.image.digest, image.digest)
        let registryAuth = fake.requests.compactMap { ($0["headers"] as? [String: String])?["Authorization"] }
        XCTAssertTrue(registryAuth.contains("Basic " + Data("user:pw".utf8).base64EncodedString()))
        let storageRequests = storage.requests
        XCTAssertEqual(storageRequests.count, 1)
        XCTAssertNil((storageRequests[0]["headers"] as? [String: String])?["Authorization"], "\(storageRequests)")
    }

    func testBasicAuthWithoutCredentialsAsksForLogin() async throws {
        let image = try makeImage()
        let fake = try FakeRegistry(in: scratch, routes: routes(image), basicAuth: "user:pw")
        await expectFailure(fake, .unauthorized, "requires a login: run skiff login \(fake.host)")
    }
}
