// The content store: verified staging, atomic tag index, rmi and prune.

import Foundation
import XCTest
@testable import OCI

final class ContentStoreTests: StoreTestCase {
    override var scratchLabel: String { "oci-store" }

    func testDefaultLocation() {
        XCTAssertEqual(ImageStore.defaultRoot(environment: ["SKIFF_HOME": "/x/y", "HOME": "/h"]), "/x/y")
        XCTAssertEqual(ImageStore.defaultRoot(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]), "/d/skiff")
        XCTAssertEqual(ImageStore.defaultRoot(environment: ["HOME": "/h"]), "/h/.local/share/skiff")
    }

    func testBlobsEnterOnlyWhenVerified() throws {
        let bytes = Array("some content".utf8)
        let good = Digest.sha256(of: bytes)
        let transaction = BlobTransaction(store: store)
        let w = try transaction.writer()
        try w.write(bytes)
        XCTAssertThrowsError(try w.commit(expected: Descriptor(mediaType: "", digest: good, size: 99))) {
            XCTAssertTrue(($0 as! SkiffError).message.contains("truncated: got 12 of 99 bytes"))
        }
        let w2 = try transaction.writer()
        try w2.write(bytes)
        let wrong = Digest.sha256(of: Array("other".utf8))
        XCTAssertThrowsError(try w2.commit(expected: Descriptor(mediaType: "", digest: wrong, size: 12))) {
            XCTAssertEqual(($0 as! SkiffError).code, .digestMismatch)
        }
        XCTAssertEqual(store.contentsOnDisk, [])
        // Staged but not committed: invisible, and gone on rollback.
        try transaction.put(bytes, expected: good)
        XCTAssertFalse(store.hasBlob(good))
        transaction.rollback()
        XCTAssertEqual(store.contentsOnDisk, [])
        // Committed: present under its digest.
        XCTAssertEqual(try store.putBlob(bytes), good)
        XCTAssertEqual(try store.readBlob(good), bytes)
        XCTAssertEqual(store.contentsOnDisk, ["blobs/sha256/\(good.encoded)"])
        XCTAssertThrowsError(try store.putBlob(bytes, expected: wrong))
    }

    func testCorruptBlobInTheStoreIsDetectedOnRead() throws {
        let d = try store.putBlob(Array("{}".utf8))
        try Data("{ }".utf8).write(to: URL(fileURLWithPath: store.blobPath(d)))
        XCTAssertThrowsError(try store.readBlob(d)) {
            XCTAssertTrue(($0 as! SkiffError).message.contains("corrupt"))
        }
    }

    /// Two images sharing a layer, tagged under three names.
    func populate() throws -> (a: StoredImage, b: StoredImage, shared: Digest) {
        let tree = scratch.sub("t")
        try Data("shared".utf8).write(to: URL(fileURLWithPath: tree + "/f"))
        let shared = scratch.path + "/shared.tar"
        try makeTarLayer(of: tree, to: shared, compression: "")
        let tree2 = scratch.sub("t2")
        try Data("own".utf8).write(to: URL(fileURLWithPath: tree2 + "/g"))
        let own = scratch.path + "/own.tar.gz"
        try makeTarLayer(of: tree2, to: own)
        let layout = try LayoutWriter(scratch.sub("layout"))
        let a = try layout.image(layers: [(shared, MediaType.ociLayer)])
        let b = try layout.image(layers: [(shared, MediaType.ociLayer), (own, MediaType.ociLayerGzip)])
        try layout.add(a, tag: "a", name: "reg.example/a:1")
        try layout.add(b, tag: "b", name: "reg.example/b:1")
        let imported = try ImageImporter(store: store).importImages(from: layout.directory, name: nil)
        XCTAssertEqual(imported.count, 2)
        try store.tag(try store.image("reg.example/a:1"), as: try ImageReference(parsing: "alias/a:x"))
        return (try store.image("reg.example/a:1"), try store.image("reg.example/b:1"), a.layers[0].digest)
    }

    func testTagIndexAndLookup() throws {
        let (a, b, _) = try populate()
        XCTAssertEqual(try store.records().map(\.name), ["docker.io/alias/a:x", "reg.example/a:1", "reg.example/b:1"])
        XCTAssertEqual(try store.image("alias/a:x").digest, a.digest)
        XCTAssertEqual(try store.image(b.digest.description).digest, b.digest)
        XCTAssertThrowsError(try store.image("reg.example/c:1")) {
            XCTAssertTrue(($0 as! SkiffError).message.contains("no image 'reg.example/c:1' in the local store"))
        }
        let json = try store.inspectJSON([a])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        XCTAssertEqual(parsed[0]["digest"] as? String, a.digest.description)
        XCTAssertEqual((parsed[0]["platform"] as? [String: Any])?["architecture"] as? String, "riscv64")
        XCTAssertEqual(((parsed[0]["config"] as? [String: Any])?["config"] as? [String: Any])?["Cmd"] as? [String], ["/bin/sh"])
        XCTAssertEqual((parsed[0]["layers"] as? [[String: Any]])?.count, 1)
        // The index file is valid JSON written whole.
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.root + "/images.json"))) as! [String: Any]
        XCTAssertEqual((index["images"] as? [Any])?.count, 3)
    }

    func testRemoveImageKeepsWhatOthersUse() throws {
        let (a, b, shared) = try populate()
        // Removing one name of a: the other name still uses everything.
        var report = try store.removeImage("alias/a:x")
        XCTAssertEqual(report.untagged, ["docker.io/alias/a:x"])
        XCTAssertEqual(report.blobsRemoved, 0)
        // A fake cached root filesystem for a, to see it go with the last name.
        try Data("fs".utf8).write(to: URL(fileURLWithPath: store.rootFilesystemPath(manifest: a.digest)))
        report = try store.removeImage("reg.example/a:1")
        XCTAssertEqual(report.blobsRemoved, 2, "a's manifest and config; the shared layer stays for b")
        XCTAssertEqual(report.rootFilesystemsRemoved, 1)
        XCTAssertTrue(store.hasBlob(shared))
        XCTAssertFalse(store.hasBlob(a.digest))
        report = try store.removeImage(b.digest.short)
        XCTAssertEqual(report.blobsRemoved, 4)
        XCTAssertEqual(store.contentsOnDisk, [])
        XCTAssertEqual(try store.records().count, 0)
    }

    func testPruneRemovesUnreferencedBlobsAndLeftovers() throws {
        let (a, _, _) = try populate()
        let stray = try store.putBlob(Array("stray".utf8))
        try Data("partial download".utf8).write(to: URL(fileURLWithPath: store.root + "/tmp/blob-123-456"))
        try Data("fs".utf8).write(to: URL(fileURLWithPath: store.rootfsDirectory + "/" + String(repeating: "e", count: 64) + ".skfs"))
        try Data("fs".utf8).write(to: URL(fileURLWithPath: store.rootFilesystemPath(manifest: a.digest)))
        let report = try store.prune()
        XCTAssertEqual(report.blobsRemoved, 1)
        XCTAssertEqual(report.tempFilesRemoved, 1)
        XCTAssertEqual(report.rootFilesystemsRemoved, 1)
        XCTAssertFalse(store.hasBlob(stray))
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.rootFilesystemPath(manifest: a.digest)))
        XCTAssertEqual(try store.prune().blobsRemoved, 0)
        XCTAssertNoThrow(try store.image("reg.example/b:1"))
    }

    func testTerminalProgressDrawsLayersAndTotal() {
        final class Sink: @unchecked Sendable { var text = "" }
        let sink = Sink()
        let p = TerminalProgress(verb: "downloading") { sink.text += $0 }
        p.begin(id: "a", label: "aaaaaaaaaaaa", total: 2_000_000)
        p.begin(id: "b", label: "bbbbbbbbbbbb", total: 1000)
        p.finish(id: "b", status: "exists")
        p.update(id: "a", bytes: 1_000_000)
        p.finish(id: "a", status: "done")
        p.end()
        XCTAssertTrue(sink.text.contains("aaaaaaaaaaaa  downloading  0 B / 2.00 MB"), sink.text)
        XCTAssertTrue(sink.text.contains("bbbbbbbbbbbb  exists       1.00 kB"), sink.text)
        XCTAssertTrue(sink.text.contains("total         2.00 MB / 2.00 MB"), sink.text)
        XCTAssertTrue(sink.text.contains("\u{1B}[3A"), "redraws in place")
    }
}
