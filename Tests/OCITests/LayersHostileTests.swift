// Hostile and broken layers: every escape attempt is confined to the image tree or rejected
// with a clear error, nothing is written on the host, and nothing half-written is left behind.

import FSImage
import Foundation
@testable import OCI
import XCTest

final class LayersHostileTests: XCTestCase {
    func testDotDotEscapesAreRejected() throws {
        for name in ["../escape", "a/../../escape", "./../../../../etc/passwd", "a/b/../../../x"] {
            let s = try LayerScratch()
            try assertRejected([try s.layer([.file(name, "pwned")])], scratch: s, mentioning: "escapes the image root")
        }
        // ".." that stays inside the tree is just a path.
        let s = try LayerScratch()
        try flatten([try s.layer([.file("a/b/../c", "fine")])], scratch: s) { r, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/a", "/a/c"])
        }
    }

    func testAbsolutePathsAreStrippedToTheImageRoot() throws {
        let s = try LayerScratch()
        let layer = try s.layer([.dir("/etc"), .file("/etc/absolute", "inside"), .file("//double//slash", "x")])
        try flatten([layer], scratch: s) { r, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/etc", "/etc/absolute", "/double", "/double/slash"])
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/etc/absolute"])), "inside")
        }
    }

    func testFileWrittenThroughASymlinkStaysInsideTheTree() throws {
        let s = try LayerScratch()
        let hostTarget = s.directory + "/host-target"
        try FileManager.default.createDirectory(atPath: hostTarget, withIntermediateDirectories: true)
        let climbs = String(repeating: "../", count: 20)
        let layer = try s.layer([
            .symlink("relative", climbs + hostTarget.dropFirst()),   // ../../..(far above the root)/tmp/...
            .file("relative/pwned", "relative"),
            .symlink("absolute", hostTarget),
            .file("absolute/pwned2", "absolute"),
            .dir("etc"),
            .symlink("etc/up", "../../../../etc"),
            .file("etc/up/written-via-up", "up"),
        ])
        try flatten([layer], scratch: s) { r, tree in
            // Both symlinks resolve inside the image: ".." stops at its root, "/" is its root.
            let inside = hostTarget + "/pwned"
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree[inside], "expected \(inside) inside the image")), "relative")
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree[hostTarget + "/pwned2"])), "absolute")
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/etc/written-via-up"])), "up")
            XCTAssertEqual(tree["/relative"]?.type, .symlink)
            XCTAssertEqual(tree["/absolute"]?.type, .symlink)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: hostTarget), [], "a file was written on the host")
    }

    func testUpperLayerFileReplacesASymlinkInsteadOfWritingThroughIt() throws {
        let s = try LayerScratch()
        let lower = try s.layer([.dir("etc"), .file("etc/passwd", "original"), .symlink("x", "/etc/passwd")])
        let upper = try s.layer([.file("x", "replacement")])
        try flatten([lower, upper], scratch: s) { r, tree in
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/etc/passwd"])), "original")
            let x = try XCTUnwrap(tree["/x"])
            XCTAssertEqual(x.type, .regular)
            XCTAssertEqual(try r.contentsString(x), "replacement")
        }
    }

    func testHardLinkOutsideTheTreeIsRejected() throws {
        for target in ["../../etc/passwd", "a/../../../etc/shadow", ".."] {
            let s = try LayerScratch()
            try assertRejected([try s.layer([.hardLink("h", target)])], scratch: s, mentioning: "outside the image root")
        }
    }

    func testHardLinkToMissingTargetOrDirectoryIsRejected() throws {
        let s = try LayerScratch()
        try assertRejected([try s.layer([.hardLink("h", "nowhere/file")])], scratch: s, mentioning: "which does not exist")
        let s2 = try LayerScratch()
        try assertRejected([try s2.layer([.dir("d"), .hardLink("h", "d")])], scratch: s2, mentioning: "hard link to directory 'd'")
        // A hard link whose target was whited out by the same image is missing too.
        let s3 = try LayerScratch()
        let lower = try s3.layer([.file("f", "f")])
        let upper = try s3.layer([.file(".wh.f", ""), .hardLink("g", "f")])
        try assertRejected([lower, upper], scratch: s3, mentioning: "which does not exist")
        // Through a symlink that points out of the tree: resolved inside, still missing.
        let s4 = try LayerScratch()
        try assertRejected([try s4.layer([.symlink("l", "/../../.."), .hardLink("h", "l/etc/passwd")])],
                           scratch: s4, mentioning: "which does not exist")
    }

    func testSymlinkLoopsAndFilesUsedAsDirectoriesAreRejected() throws {
        let s = try LayerScratch()
        try assertRejected([try s.layer([.symlink("a", "b"), .symlink("b", "a"), .file("a/x", "x")])],
                           scratch: s, mentioning: "too many levels of symbolic links")
        let s2 = try LayerScratch()
        try assertRejected([try s2.layer([.file("f", "file"), .file("f/x", "x")])], scratch: s2, mentioning: "which is not a directory")
        let s3 = try LayerScratch()
        try assertRejected([try s3.layer([.file(String(repeating: "n", count: 256), "x")])],
                           scratch: s3, mentioning: "longer than 255 bytes")
        let s4 = try LayerScratch()
        try assertRejected([try s4.layer([.file("d/.wh..", "")])], scratch: s4, mentioning: "whiteout of an invalid name")
        let s5 = try LayerScratch()
        try assertRejected([try s5.layer([.file(".", "the root as a file")])], scratch: s5, mentioning: "would replace the root directory")
    }

    func testCorruptAndTruncatedLayersFailWithoutLeftovers() throws {
        let s = try LayerScratch()
        let good = try s.layer([.file("big", String(repeating: "0123456789", count: 50_000))], compression: .gzip)
        let data = try Data(contentsOf: URL(fileURLWithPath: good.path))
        let truncated = s.directory + "/layer-truncated.tar.gz"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        try assertRejected([LayerBlob(path: truncated, mediaType: good.mediaType)], scratch: s, mentioning: "truncated or corrupt")

        let garbage = s.directory + "/layer-garbage"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }).write(to: URL(fileURLWithPath: garbage))
        try assertRejected([LayerBlob(path: garbage, mediaType: "")], scratch: s, mentioning: "Unrecognized archive format")

        try assertRejected([LayerBlob(path: s.directory + "/layer-missing", mediaType: "")], scratch: s, mentioning: "cannot read layer")
    }

    func testExistingImageSurvivesAFailedRebuild() throws {
        let s = try LayerScratch()
        let good = try s.layer([.file("kept", "kept")])
        try flatten([good], scratch: s)
        let before = try Data(contentsOf: URL(fileURLWithPath: s.imagePath))
        let bad = try s.layer([.file("../bad", "bad")])
        XCTAssertThrowsError(try buildRootFilesystemImage(layers: [good, bad], to: s.imagePath))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.imagePath)), before)
        XCTAssertEqual(try s.leftovers(), ["rootfs.img"])
    }

    func testUnwritableDestinationFailsClearly() throws {
        let s = try LayerScratch()
        let layer = try s.layer([.file("x", "x")])
        XCTAssertThrowsError(try buildRootFilesystemImage(layers: [layer], to: s.directory + "/no/such/dir/rootfs.img")) { error in
            XCTAssertTrue("\(error)".contains("cannot create"), "\(error)")
        }
    }
}
