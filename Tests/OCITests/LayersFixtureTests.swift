// Flattens the fixture root filesystems (scripts/fixtures.sh) from tarballs made by GNU tar and
// compares the image with the directory, entry by entry: type, mode, owner, mtime (ns), size,
// contents, symlink targets, device numbers and hard-link identity.

import FSImage
import Foundation
@testable import OCI
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class LayersFixtureTests: XCTestCase {
    var fixtures: String {
        ProcessInfo.processInfo.environment["SKIFF_FIXTURES"] ?? NSHomeDirectory() + "/.cache/skiff-fixtures"
    }

    func testBusyboxRootMatchesItsDirectory() throws {
        try compareFixture("busybox", compression: "--gzip", mediaType: "application/vnd.oci.image.layer.v1.tar+gzip")
    }

    func testDebianRootMatchesItsDirectory() throws {
        try compareFixture("debian", compression: "--zstd", mediaType: "application/vnd.oci.image.layer.v1.tar+zstd")
    }

    func compareFixture(_ name: String, compression: String, mediaType: String) throws {
        let fixture = fixtures + "/rootfs/" + name
        guard FileManager.default.fileExists(atPath: fixture + "/.complete") else {
            return XCTFail("fixture \(fixture) missing: run scripts/fixtures.sh")
        }
        let s = try LayerScratch()
        // A private copy, so that others using the shared fixture cannot change it mid-test.
        let root = s.directory + "/root-" + name
        try run(["cp", "-a", fixture, root])
        let tarPath = s.directory + "/layer-\(name).tar"
        try run(["tar", "--format=pax", compression, "-C", root, "-cf", tarPath, "."])

        let stats = try flatten([LayerBlob(path: tarPath, mediaType: mediaType)], scratch: s) { r, tree in
            let host = try hostTree(root)
            XCTAssertEqual(Set(host.keys).subtracting(tree.keys).sorted(), [], "missing from the image")
            XCTAssertEqual(Set(tree.keys).subtracting(host.keys).sorted(), [], "not in the directory")
            var hostGroups: [UInt64: Set<String>] = [:]
            var imageGroups: [UInt32: Set<String>] = [:]
            for (path, h) in host {
                guard let n = tree[path] else { continue }
                let full = path == "/" ? root : root + path
                XCTAssertEqual(String(n.mode, radix: 8), String(h.st_mode, radix: 8), "mode \(path)")
                XCTAssertEqual(n.uid, h.st_uid, "uid \(path)")
                XCTAssertEqual(n.gid, h.st_gid, "gid \(path)")
                XCTAssertEqual(n.mtimeSeconds, Int64(h.st_mtim.tv_sec), "mtime \(path)")
                XCTAssertEqual(Int(n.mtimeNanoseconds), h.st_mtim.tv_nsec, "mtime ns \(path)")
                switch n.type {
                case .regular:
                    XCTAssertEqual(n.size, UInt64(h.st_size), "size \(path)")
                    XCTAssertEqual(n.nlink, UInt32(h.st_nlink), "nlink \(path)")
                    let data = try Data(contentsOf: URL(fileURLWithPath: full))
                    let same = try data.withUnsafeBytes { d in
                        let c = try r.contents(of: n)
                        return c.count == d.count && (c.count == 0 || memcmp(c.baseAddress!, d.baseAddress!, c.count) == 0)
                    }
                    XCTAssertTrue(same, "contents \(path)")
                    hostGroups[UInt64(h.st_ino), default: []].insert(path)
                    imageGroups[n.number, default: []].insert(path)
                case .symlink:
                    XCTAssertEqual(try r.target(n), try FileManager.default.destinationOfSymbolicLink(atPath: full), "target \(path)")
                case .characterDevice, .blockDevice:
                    XCTAssertEqual(n.rdevMajor, UInt32(truncatingIfNeeded: ((h.st_rdev >> 8) & 0xfff) | ((h.st_rdev >> 32) & ~0xfff)), "rdev \(path)")
                    XCTAssertEqual(n.rdevMinor, UInt32(truncatingIfNeeded: (h.st_rdev & 0xff) | ((h.st_rdev >> 12) & ~0xff)), "rdev \(path)")
                default:
                    break
                }
            }
            XCTAssertEqual(Set(hostGroups.values), Set(imageGroups.values), "hard-link groups differ")
        }
        XCTAssertEqual(stats.entries, try hostTree(root).count - hardLinkExtras(root))
    }

    func run(_ command: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(command.joined(separator: " ")) failed")
    }

    /// Every path under `root` ("/" for root itself) with its lstat.
    func hostTree(_ root: String) throws -> [String: stat] {
        var result: [String: stat] = [:]
        func visit(_ path: String) throws {
            let full = path == "/" ? root : root + path
            var st = stat()
            guard lstat(full, &st) == 0 else { throw LayerTestError(description: "lstat \(full)") }
            result[path] = st
            guard st.st_mode & S_IFMT == S_IFDIR else { return }
            for name in try FileManager.default.contentsOfDirectory(atPath: full) {
                try visit(path == "/" ? "/" + name : path + "/" + name)
            }
        }
        try visit("/")
        return result
    }

    /// Paths that are extra names of an already counted inode.
    func hardLinkExtras(_ root: String) throws -> Int {
        var seen = Set<UInt64>()
        var extras = 0
        for st in try hostTree(root).values where st.st_mode & S_IFMT != S_IFDIR {
            if !seen.insert(UInt64(st.st_ino)).inserted { extras += 1 }
        }
        return extras
    }
}
