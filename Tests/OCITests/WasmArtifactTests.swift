import FSImage
import Foundation
@testable import OCI
import XCTest

/// The CNCF wasm OCI artifact read as an image: its config, its raw module layers as files.
final class WasmArtifactTests: XCTestCase {
    let module = try! Digest(parsing: "sha256:" + String(repeating: "a", count: 64))
    let other = try! Digest(parsing: "sha256:" + String(repeating: "b", count: 64))

    func manifest(_ layers: [Descriptor]) -> Manifest {
        Manifest(mediaType: MediaType.ociManifest,
                 config: Descriptor(mediaType: "application/vnd.wasm.config.v0+json", digest: other, size: 10), layers: layers)
    }

    func testConfigBecomesAnImageConfig() throws {
        var layer = Descriptor(mediaType: "application/wasm", digest: module, size: 8)
        layer.annotations = ["org.opencontainers.image.title": "app.wasm"]
        let m = manifest([layer])
        let bytes = Array(#"{"created":"2026-12-05T00:00:00Z","author":"a","architecture":"wasm","os":"wasip1","layerDigests":["\#(module)"]}"#.utf8)
        let config = try ImageConfiguration.decode(bytes, of: m, what: "test")
        XCTAssertEqual(config.platform, Platform(os: "wasip1", architecture: "wasm"))
        XCTAssertEqual(config.config?.Entrypoint, ["/app.wasm"])
        XCTAssertEqual(config.rootfs.diff_ids, [module])
        XCTAssertEqual(config.author, "a")
        try m.validateForImage("test")
    }

    func testNamesAndRefusals() throws {
        var hostile = Descriptor(mediaType: "application/wasm", digest: module, size: 8)
        hostile.annotations = ["org.opencontainers.image.title": "../../etc/passwd"]
        let second = Descriptor(mediaType: "application/vnd.w3c.wasm.module.v1+wasm", digest: other, size: 8)
        let tar = Descriptor(mediaType: MediaType.ociLayerGzip, digest: other, size: 8)
        XCTAssertEqual(WasmArtifact.moduleFileNames([tar, hostile, second]), [nil, "module.wasm", "module-2.wasm"])
        let lying = Array(#"{"architecture":"wasm","os":"wasip1","layerDigests":["\#(other)"]}"#.utf8)
        XCTAssertThrowsError(try ImageConfiguration.decode(lying, of: manifest([hostile]), what: "test")) {
            XCTAssertTrue(($0 as? SkiffError)?.message.contains("layerDigests") ?? false, "\($0)")
        }
        let plain = Array(#"{"architecture":"wasm","os":"wasip1"}"#.utf8)
        XCTAssertThrowsError(try ImageConfiguration.decode(plain, of: manifest([tar]), what: "test")) {
            XCTAssertTrue(($0 as? SkiffError)?.message.contains("no module layer") ?? false, "\($0)")
        }
    }

    func testRawModuleLayerIsOneFileAtTheRoot() throws {
        let s = try LayerScratch()
        let path = s.directory + "/layer-module"
        let bytes: [UInt8] = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0] + (0..<3_000_000).map { UInt8($0 % 251) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let base = try s.layer([.file("etc/motd", "hi\n")])
        try flatten([base, LayerBlob(path: path, mediaType: "application/wasm", moduleFileName: "app.wasm")], scratch: s) { r, tree in
            let node = try XCTUnwrap(tree["/app.wasm"])
            XCTAssertEqual(Array(try r.contents(of: node)), bytes)
            XCTAssertEqual(node.mode & 0o777, 0o755)
            XCTAssertNotNil(tree["/etc/motd"])
        }
    }
}
