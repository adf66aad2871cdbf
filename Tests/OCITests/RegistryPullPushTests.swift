// Pull and push against a real registry (Debian's docker-registry), with skopeo as the
// independent client on the other side.

import FSImage
import Foundation
import XCTest
@testable import OCI

final class RegistryPullPushTests: XCTestCase {
    var scratch: Scratch!
    var registry: TestRegistry!
    var store: ImageStore!
    var skopeo: String!

    override func setUpWithError() throws {
        scratch = try Scratch("oci-registry")
        registry = try TestRegistry(in: scratch)
        store = try ImageStore(root: scratch.sub("home"))
        skopeo = try requireTool("skopeo", package: "skopeo")
    }

    override func tearDown() {
        registry?.stop()
        registry = nil
        store = nil
        scratch = nil
    }

    func puller() -> ImagePuller {
        ImagePuller(store: store, options: testRegistryOptions(), credentials: isolatedCredentials(scratch))
    }

    func pusher(chunkSize: Int? = nil) -> ImagePusher {
        var o = testRegistryOptions()
        o.uploadChunkSize = chunkSize
        return ImagePusher(store: store, options: o, credentials: isolatedCredentials(scratch))
    }

    /// An OCI layout with the busybox fixture as the lower layer and a small upper layer that
    /// deletes and replaces files of it.
    func busyboxLayout() throws -> (dir: String, image: LayoutImage) {
        let base = scratch.path + "/base.tar.gz"
        try makeTarLayer(of: try fixtureRoot("busybox"), to: base)
        let upperTree = scratch.sub("upper-tree")
        try makeUpperLayerTree(in: upperTree)
        let upper = scratch.path + "/upper.tar.zst"
        try makeTarLayer(of: upperTree, to: upper, compression: "--zstd")
        let layout = try LayoutWriter(scratch.sub("layout"))
        let image = try layout.image(layers: [(base, MediaType.ociLayerGzip), (upper, MediaType.ociLayerZstd)])
        try layout.add(image, tag: "v1")
        return (layout.directory, image)
    }

    func skopeoPush(_ layout: String, tag: String, to ref: String, all: Bool = false) throws {
        try runTool(skopeo, ["copy"] + (all ? ["--all"] : []) + ["--dest-tls-verify=false", "oci:\(layout):\(tag)", "docker://\(ref)"])
    }

    func testImagePushedBySkopeoPullsWithEveryBlobVerified() async throws {
        let (layout, image) = try busyboxLayout()
        try skopeoPush(layout, tag: "v1", to: "\(registry.host)/test/busybox:v1")

        let ref = try ImageReference(parsing: "\(registry.host)/test/busybox:v1")
        let result = try await puller().pull(ref)
        XCTAssertEqual(result.image.digest, image.manifestDigest)
        XCTAssertEqual(result.layersDownloaded, 2)
        XCTAssertEqual(result.bytesDownloaded, image.layers.reduce(0) { $0 + $1.size })
        XCTAssertEqual(result.image.config.config?.Cmd, ["/bin/sh"])
        XCTAssertEqual(result.image.config.config?.Labels?["org.skiff.test"], "yes")
        XCTAssertEqual(result.image.platform, .linuxRISCV64)
        // The stored layers are byte-identical to what skopeo pushed.
        for layer in image.layers {
            let stored = try Data(contentsOf: URL(fileURLWithPath: store.blobPath(layer.digest)))
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(layer.digest.encoded)"))
            XCTAssertEqual(stored, original)
        }
        // Tagged, resolvable by name, digest and digest prefix.
        XCTAssertEqual(try store.records().map(\.name), [ref.description])
        XCTAssertEqual(try store.image("\(registry.host)/test/busybox:v1").digest, image.manifestDigest)
        XCTAssertEqual(try store.image("\(registry.host)/test/busybox@\(image.manifestDigest)").digest, image.manifestDigest)
        XCTAssertEqual(try store.image(image.manifestDigest.short).digest, image.manifestDigest)
        XCTAssertEqual(store.contentsOnDisk.filter { $0.hasPrefix("tmp/") }, [])

        // A second pull downloads nothing.
        let again = try await puller().pull(ref)
        XCTAssertEqual(again.layersDownloaded, 0)

        // Pull by digest.
        let byDigest = try ImageReference(parsing: "\(registry.host)/test/busybox@\(image.manifestDigest)")
        let r3 = try await puller().pull(byDigest)
        XCTAssertEqual(r3.image.digest, image.manifestDigest)
    }

    func testPulledImageFlattensToTheTreeItsLayersDescribe() async throws {
        let (layout, _) = try busyboxLayout()
        try skopeoPush(layout, tag: "v1", to: "\(registry.host)/test/flat:v1")
        let pulled = try await puller().pull(try ImageReference(parsing: "\(registry.host)/test/flat:v1"))
        let path = try store.rootFilesystem(for: pulled.image)
        XCTAssertEqual(path, store.rootFilesystemPath(manifest: pulled.image.digest))

        // What the two layers mean, applied with the file system: the busybox root, minus
        // bin/cat (whiteout), with bin/echo replaced by a script and etc/motd added.
        let expected = scratch.path + "/expected"
        try runTool("/bin/cp", ["-a", try fixtureRoot("busybox"), expected])
        try FileManager.default.removeItem(atPath: expected + "/bin/cat")
        try FileManager.default.removeItem(atPath: expected + "/bin/echo")
        try Data("#!/bin/sh\necho replaced\n".utf8).write(to: URL(fileURLWithPath: expected + "/bin/echo"))
        try Data("hello from the upper layer\n".utf8).write(to: URL(fileURLWithPath: expected + "/etc/motd"))

        let image = try MappedFilesystemImage(path: path)
        let tree = try imageTree(image.reader)
        var host: [String: [FileAttributeKey: Any]] = [:]
        let fm = FileManager.default
        for relative in try fm.subpathsOfDirectory(atPath: expected) {
            host["/" + relative] = try fm.attributesOfItem(atPath: expected + "/" + relative)
        }
        XCTAssertEqual(Set(tree.keys).subtracting(["/"]), Set(host.keys))
        XCTAssertNil(tree["/bin/cat"], "the whiteout removed bin/cat")
        XCTAssertEqual(try image.reader.contentsString(tree["/bin/echo"]!), "#!/bin/sh\necho replaced\n")
        for (p, attributes) in host {
            guard let node = tree[p] else { continue }
            switch attributes[.type] as? FileAttributeType {
            case .typeRegular?:
                XCTAssertEqual(node.type, .regular, p)
                XCTAssertEqual(node.permissions, UInt32(attributes[.posixPermissions] as! Int), p)
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: expected + p)))
                XCTAssertEqual(Array(try image.reader.contents(of: node)), bytes, p)
            case .typeSymbolicLink?:
                XCTAssertEqual(node.type, .symlink, p)
                XCTAssertEqual(try image.reader.target(node), try fm.destinationOfSymbolicLink(atPath: expected + p), p)
            case .typeDirectory?:
                XCTAssertEqual(node.type, .directory, p)
            default:
                XCTFail("unexpected file type at \(p)")
            }
        }

        // Built once: a second request reuses the cached file; rmi removes it.
        let before = try fm.attributesOfItem(atPath: path)[.modificationDate] as! Date
        XCTAssertEqual(try store.rootFilesystem(for: try store.image("\(registry.host)/test/flat:v1")), path)
        XCTAssertEqual(try fm.attributesOfItem(atPath: path)[.modificationDate] as! Date, before)
        let report = try store.removeImage("\(registry.host)/test/flat:v1")
        XCTAssertEqual(report.rootFilesystemsRemoved, 1)
        XCTAssertEqual(store.contentsOnDisk, [])
    }

    func testMultiPlatformIndexSelectsThePlatformAndListsOthersWhenMissing() async throws {
        let base = scratch.path + "/base.tar.gz"
        try makeTarLayer(of: try fixtureRoot("busybox"), to: base)
        let layout = try LayoutWriter(scratch.sub("multi"))
        let riscv = try layout.image(layers: [(base, MediaType.ociLayerGzip)])
        let amd = try layout.image(layers: [(base, MediaType.ociLayerGzip)], platform: Platform(os: "linux", architecture: "amd64"),
                                   cmd: ["/bin/amd64"])
        let indexDigest = try layout.addIndex([amd, riscv], tag: "multi")
        try skopeoPush(layout.directory, tag: "multi", to: "\(registry.host)/test/multi:1", all: true)
        let ref = try ImageReference(parsing: "\(registry.host)/test/multi:1")

        // No platform asked for: the host default's entry (amd64 here unless the host is riscv64).
        let pulled = try await puller().pull(ref)
        XCTAssertEqual(pulled.image.digest, Platform.hostDefault == .linuxRISCV64 ? riscv.manifestDigest : amd.manifestDigest)
        XCTAssertEqual(pulled.image.record.indexDigest, indexDigest)
        XCTAssertTrue(store.hasBlob(indexDigest))

        let riscvPull = try await puller().pull(ref, platform: .linuxRISCV64)
        XCTAssertEqual(riscvPull.image.digest, riscv.manifestDigest)

        let amdPull = try await puller().pull(ref, platform: Platform(parsing: "linux/amd64"))
        XCTAssertEqual(amdPull.image.config.config?.Cmd, ["/bin/amd64"])

        let before = store.contentsOnDisk
        do {
            _ = try await puller().pull(ref, platform: Platform(parsing: "linux/arm64"))
            XCTFail("pulling a missing platform must fail")
        } catch let e as SkiffError {
            XCTAssertEqual(e.code, .notFound)
            XCTAssertTrue(e.message.contains("no linux/arm64 variant (available: linux/amd64, linux/riscv64)"), e.message)
        }
        XCTAssertEqual(store.contentsOnDisk, before)
    }

    func testImagePushedBySkiffCopiesBackWithSkopeo() async throws {
        let (layout, image) = try busyboxLayout()
        let imported = try ImageImporter(store: store).importImages(from: layout, name: try ImageReference(parsing: "local/busybox:v1"))
        XCTAssertEqual(imported.map(\.digest), [image.manifestDigest])

        for (repo, chunk) in [("pushed/mono", nil), ("pushed/chunked", 100_000)] as [(String, Int?)] {
            let dest = try ImageReference(parsing: "\(registry.host)/\(repo):v1")
            let result = try await pusher(chunkSize: chunk).push(imported[0], to: dest)
            XCTAssertEqual(result.digest, image.manifestDigest)
            XCTAssertEqual(result.uploaded, 3, repo) // config and two layers
            // skopeo copies it back, verifying every digest itself.
            let back = scratch.path + "/back-" + repo.replacingOccurrences(of: "/", with: "-")
            try runTool(skopeo, ["copy", "--src-tls-verify=false", "docker://\(dest)", "oci:\(back):v1"])
            for layer in image.layers {
                let copied = try Data(contentsOf: URL(fileURLWithPath: "\(back)/blobs/sha256/\(layer.digest.encoded)"))
                XCTAssertEqual(Digest.sha256(of: Array(copied)), layer.digest)
            }
            let inspect = try runTool(skopeo, ["inspect", "--tls-verify=false", "docker://\(dest)"]).stdout
            XCTAssertTrue(inspect.contains("\"Architecture\": \"riscv64\""), inspect)
            XCTAssertTrue(inspect.contains(image.manifestDigest.description), inspect)
        }

        // Pushing again finds every blob present (HEAD) and uploads nothing.
        let again = try await pusher().push(imported[0], to: try ImageReference(parsing: "\(registry.host)/pushed/mono:v2"))
        XCTAssertEqual(again.existing, 3)
        XCTAssertEqual(again.uploaded, 0)
    }

    func testPushToAnotherRepositoryOfTheSameRegistryMountsBlobs() async throws {
        let (layout, _) = try busyboxLayout()
        try skopeoPush(layout, tag: "v1", to: "\(registry.host)/source/bb:v1")
        let pulled = try await puller().pull(try ImageReference(parsing: "\(registry.host)/source/bb:v1"))
        let result = try await pusher().push(pulled.image, to: try ImageReference(parsing: "\(registry.host)/target/bb:v1"))
        XCTAssertEqual(result.mounted, 3)
        XCTAssertEqual(result.uploaded, 0)
        try runTool(skopeo, ["inspect", "--tls-verify=false", "docker://\(registry.host)/target/bb:v1"])
    }

    func testMissingTagAndRepositoryGiveClearErrors() async throws {
        do {
            _ = try await puller().pull(try ImageReference(parsing: "\(registry.host)/nothing/here:v1"))
            XCTFail("expected notFound")
        } catch let e as SkiffError {
            XCTAssertEqual(e.code, .notFound)
            XCTAssertTrue(e.message.contains("not found"), e.message)
        }
        XCTAssertEqual(try store.records().count, 0)
    }

    func testUnreachableRegistryFailsAfterRetries() async throws {
        let port = try freePort()
        var o = testRegistryOptions()
        o.maxAttempts = 2
        let p = ImagePuller(store: store, options: o, credentials: isolatedCredentials(scratch))
        do {
            _ = try await p.pull(try ImageReference(parsing: "127.0.0.1:\(port)/x:1"))
            XCTFail("expected a network error")
        } catch let e as SkiffError {
            XCTAssertEqual(e.code, .network)
            XCTAssertTrue(e.message.contains("after 2 attempts"), e.message)
        }
    }
}
