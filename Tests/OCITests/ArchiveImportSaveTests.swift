// skiff save (OCI layout tar) and skiff import (OCI layout, docker save tar, root filesystem tar),
// checked against skopeo as the independent reader, and against bad archives.

import Foundation
import XCTest
@testable import OCI

final class ArchiveImportSaveTests: StoreTestCase {
    override var scratchLabel: String { "oci-archive" }

    func busyboxLayer(compression: String = "--gzip") throws -> String {
        let path = scratch.path + "/busybox.tar" + (compression == "--gzip" ? ".gz" : compression == "--zstd" ? ".zst" : "")
        try makeTarLayer(of: try fixtureRoot("busybox"), to: path, compression: compression)
        return path
    }

    func expectImportFailure(_ path: String, name: String?, _ code: SkiffError.Code, _ fragment: String,
                             platform: Platform = .linuxRISCV64, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ImageImporter(store: store, platform: platform)
            .importImages(from: path, name: try name.map(ImageReference.init(parsing:))), file: file, line: line) { error in
            guard let e = error as? SkiffError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.code, code, e.message, file: file, line: line)
            XCTAssertTrue(e.message.contains(fragment), e.message, file: file, line: line)
        }
        XCTAssertEqual(store.contentsOnDisk, [], "nothing may be left in the store", file: file, line: line)
    }

    func testSaveWritesAnOCIArchiveSkopeoReadsAndImportRestores() throws {
        let skopeo = try requireTool("skopeo", package: "skopeo")
        let layout = try LayoutWriter(scratch.sub("layout"))
        let image = try layout.image(layers: [(try busyboxLayer(), MediaType.ociLayerGzip)])
        try layout.add(image, tag: "v1")
        let stored = try ImageImporter(store: store).importImages(from: layout.directory, name: try ImageReference(parsing: "example.org/bb:v1"))[0]

        let archive = scratch.path + "/saved.tar"
        try store.save([stored], to: archive)
        let inspect = try runTool(skopeo, ["inspect", "oci-archive:\(archive)"]).stdout
        XCTAssertTrue(inspect.contains(image.manifestDigest.description), inspect)
        XCTAssertTrue(inspect.contains("\"Architecture\": \"riscv64\""), inspect)
        let copied = scratch.path + "/copied"
        try runTool(skopeo, ["copy", "oci-archive:\(archive)", "oci:\(copied):x"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(copied)/blobs/sha256/\(image.layers[0].digest.encoded)"))
        XCTAssertEqual((try FileManager.default.contentsOfDirectory(atPath: scratch.path)).filter { $0.hasSuffix(".tmp") }, [])

        // Into a fresh store: the archive carries its own name.
        let other = try ImageStore(root: scratch.sub("home2"))
        let restored = try ImageImporter(store: other).importImages(from: archive, name: nil)
        XCTAssertEqual(restored.map(\.name), ["example.org/bb:v1"])
        XCTAssertEqual(restored[0].digest, image.manifestDigest)
        XCTAssertEqual(other.contentsOnDisk.filter { $0.hasPrefix("tmp/") }, [])
    }

    func testDockerSaveArchiveImports() throws {
        // The layout docker save writes: manifest.json, <config>.json, <id>/layer.tar (uncompressed),
        // with a second image whose layer is a symlink to the first one's (older docker versions).
        let dir = scratch.sub("docker-save")
        let layer = try busyboxLayer(compression: "")
        try FileManager.default.createDirectory(atPath: dir + "/aaaa", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: layer, toPath: dir + "/aaaa/layer.tar")
        try FileManager.default.createDirectory(atPath: dir + "/bbbb", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/bbbb/layer.tar", withDestinationPath: "../aaaa/layer.tar")
        let diffID = Digest.sha256(of: Array(try Data(contentsOf: URL(fileURLWithPath: layer))))
        let config = try JSON.encode(ImageConfiguration(platform: .linuxRISCV64, config: .init(Cmd: ["/bin/sh"]), diffIDs: [diffID]))
        let configName = Digest.sha256(of: config).encoded + ".json"
        try Data(config).write(to: URL(fileURLWithPath: dir + "/" + configName))
        let manifest = #"[{"Config":"\#(configName)","RepoTags":["busybox:saved","example.org/team/bb:1"],"Layers":["aaaa/layer.tar"]},"# +
                       #"{"Config":"\#(configName)","RepoTags":["linked:1"],"Layers":["bbbb/layer.tar"]}]"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        let tarball = scratch.path + "/docker-save.tar"
        try runTool(try requireTool("tar", package: "tar"), ["-C", dir, "-cf", tarball, "."])

        let imported = try ImageImporter(store: store).importImages(from: tarball, name: nil)
        XCTAssertEqual(Set(imported.map(\.name)), ["docker.io/library/busybox:saved", "example.org/team/bb:1", "docker.io/library/linked:1"])
        XCTAssertEqual(Set(imported.map(\.digest)).count, 1, "same config and layer: same manifest")
        XCTAssertEqual(imported[0].layers.map(\.digest), [diffID])
        XCTAssertEqual(imported[0].layers[0].mediaType, MediaType.ociLayer)
        XCTAssertEqual(store.contentsOnDisk.filter { $0.hasPrefix("tmp/") }, [])

        // A layer that does not hash to the config's diff ID is refused.
        let badConfig = try JSON.encode(ImageConfiguration(platform: .linuxRISCV64, config: nil,
                                                           diffIDs: [Digest.sha256(of: [UInt8]("x".utf8))]))
        try Data(badConfig).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        try Data(#"[{"Config":"bad.json","RepoTags":["bad:1"],"Layers":["aaaa/layer.tar"]}]"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        let badTarball = scratch.path + "/bad-save.tar"
        try runTool(try requireTool("tar", package: "tar"), ["-C", dir, "-cf", badTarball, "."])
        let fresh = try ImageStore(root: scratch.sub("home3"))
        store = fresh
        expectImportFailure(badTarball, name: nil, .digestMismatch, "but the config lists its diff ID")
    }

    func testRootFilesystemTarBecomesAOneLayerImage() throws {
        let gz = try busyboxLayer()
        expectImportFailure(gz, name: nil, .invalidArgument, "carries no image name")
        let image = try ImageImporter(store: store).importImages(from: gz, name: try ImageReference(parsing: "mine:1"))[0]
        XCTAssertEqual(image.layers.count, 1)
        XCTAssertEqual(image.layers[0].mediaType, MediaType.ociLayerGzip)
        XCTAssertEqual(image.layers[0].digest, Digest.sha256(of: Array(try Data(contentsOf: URL(fileURLWithPath: gz)))))
        XCTAssertEqual(image.config.rootfs.diff_ids, [try decompressedDigest(of: gz)])
        XCTAssertEqual(image.platform, .linuxRISCV64)

        // bzip2 has no OCI media type: the tar is stored uncompressed.
        let plain = try busyboxLayer(compression: "")
        try runTool(try requireTool("bzip2", package: "bzip2"), ["-k", plain])
        let bz = try ImageImporter(store: store, platform: try Platform(parsing: "linux/arm64"))
            .importImages(from: plain + ".bz2", name: try ImageReference(parsing: "mine:bz"))[0]
        XCTAssertEqual(bz.layers[0].mediaType, MediaType.ociLayer)
        XCTAssertEqual(bz.layers[0].digest, Digest.sha256(of: Array(try Data(contentsOf: URL(fileURLWithPath: plain)))))
        XCTAssertEqual(bz.platform.description, "linux/arm64")
    }

    func testNotATarIsRefused() throws {
        let junk = scratch.path + "/junk.bin"
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }).write(to: URL(fileURLWithPath: junk))
        expectImportFailure(junk, name: "x:1", .invalidData, "is not an image archive or a root filesystem tar")
        expectImportFailure(scratch.path + "/absent.tar", name: "x:1", .notFound, "does not exist")
    }

    func testLayoutWithACorruptBlobLeavesNothingBehind() throws {
        let layout = try LayoutWriter(scratch.sub("layout"))
        let image = try layout.image(layers: [(try busyboxLayer(), MediaType.ociLayerGzip)])
        try layout.add(image, tag: "v1", name: "example.org/bb:v1")
        let blob = "\(layout.directory)/blobs/sha256/\(image.layers[0].digest.encoded)"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: blob)))
        bytes[100] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: blob))
        expectImportFailure(layout.directory, name: nil, .digestMismatch, "does not match its digest")
        // The same as a tar.
        let tarball = scratch.path + "/layout.tar"
        try runTool(try requireTool("tar", package: "tar"), ["-C", layout.directory, "-cf", tarball, "."])
        expectImportFailure(tarball, name: nil, .digestMismatch, "does not match its digest")
    }

    func testLayoutMissingAPlatformOrABlob() throws {
        let layer = try busyboxLayer()
        let layout = try LayoutWriter(scratch.sub("layout"))
        let amd = try layout.image(layers: [(layer, MediaType.ociLayerGzip)], platform: Platform(os: "linux", architecture: "amd64"))
        try layout.addIndex([amd], tag: "multi")
        expectImportFailure(layout.directory, name: "x:1", .notFound, "has no linux/riscv64 variant (available: linux/amd64)")
        try FileManager.default.removeItem(atPath: "\(layout.directory)/blobs/sha256/\(amd.layers[0].digest.encoded)")
        expectImportFailure(layout.directory, name: "x:1", .notFound, "is missing the layer",
                            platform: Platform(os: "linux", architecture: "amd64"))
    }

    func testHostileMemberNamesCannotEscape() throws {
        // A tar whose members climb out with "..": refused before anything is written.
        let dir = scratch.sub("hostile")
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/oci-layout"))
        try Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8).write(to: URL(fileURLWithPath: dir + "/index.json"))
        try Data("evil".utf8).write(to: URL(fileURLWithPath: dir + "/evil"))
        let tarball = scratch.path + "/hostile.tar"
        try runTool(try requireTool("tar", package: "tar"),
                    ["-C", dir, "-cf", tarball, "--transform", "s,^evil$,../../../escaped,", "--show-transformed-names",
                     "-P", "oci-layout", "index.json", "evil"])
        let listing = try runTool(try requireTool("tar", package: "tar"), ["-tf", tarball, "-P"]).stdout
        XCTAssertTrue(listing.contains("../../../escaped"), listing)
        expectImportFailure(tarball, name: nil, .invalidData, "points outside the archive")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.root + "/escaped"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/escaped"))
    }
}
