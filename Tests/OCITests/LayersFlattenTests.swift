// Layer flattening: multi-layer changesets (whiteouts, opaque directories, replacements),
// hard links, long names, compressions, and every attribute kept exactly.

import FSImage
import Foundation
@testable import OCI
import XCTest

final class LayersFlattenTests: XCTestCase {
    func testUpperLayerDeletesAndReplacesFilesOfTheLowerOne() throws {
        let s = try LayerScratch()
        let lower = try s.layer([
            .dir("etc"),
            .file("etc/passwd", "root:x:0:0\n"),
            .file("etc/hosts", "127.0.0.1 localhost\n"),
            .dir("bin"),
            .file("bin/sh", "old shell", mode: 0o755),
            .dir("usr"), .dir("usr/lib"),
            .file("usr/lib/old.so", "old library"),
            .dir("var"), .dir("var/cache"),
            .file("var/cache/x", "cached"),
            .dir("opt", mode: 0o700),
            .file("opt/tool", "tool"),
        ])
        let upper = try s.layer([
            .dir("etc"),
            .file("etc/.wh.hosts", ""),
            .file("etc/passwd", "root:x:0:0\nuser:x:1000:1000\n", mode: 0o600, uid: 0, gid: 42, mtime: 1_800_000_000),
            .file("bin/.wh.sh", ""),
            .symlink("bin/sh", "busybox"),
            .file(".wh.var", ""),
            .file("usr/lib/new.so", "new library"),
            .file(".wh.never-existed", ""),
            .file("ghost/.wh.x", ""),
            .file("opt", "opt is a file now"),
        ])
        try flatten([lower, upper], scratch: s) { r, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/etc", "/etc/passwd", "/bin", "/bin/sh", "/usr", "/usr/lib",
                                            "/usr/lib/old.so", "/usr/lib/new.so", "/opt"])
            let passwd = try XCTUnwrap(tree["/etc/passwd"])
            XCTAssertEqual(try r.contentsString(passwd), "root:x:0:0\nuser:x:1000:1000\n")
            XCTAssertEqual(passwd.mode, 0o100600)
            XCTAssertEqual(passwd.gid, 42)
            XCTAssertEqual(passwd.mtimeSeconds, 1_800_000_000)
            let sh = try XCTUnwrap(tree["/bin/sh"])
            XCTAssertEqual(sh.type, .symlink)
            XCTAssertEqual(try r.target(sh), "busybox")
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/usr/lib/old.so"])), "old library")
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/usr/lib/new.so"])), "new library")
            let opt = try XCTUnwrap(tree["/opt"])
            XCTAssertEqual(opt.type, .regular)
            XCTAssertEqual(try r.contentsString(opt), "opt is a file now")
        }
    }

    func testOpaqueDirectoryHidesOnlyLowerLayers() throws {
        let s = try LayerScratch()
        let lower = try s.layer([
            .dir("d"), .file("d/a", "a"), .dir("d/sub"), .file("d/sub/b", "b"), .file("d/sub/c", "c"),
            .dir("d/lowerdir"), .file("d/lowerdir/deep", "deep"),
            .dir("keep"), .file("keep/x", "x"),
        ])
        // The marker comes after some of this layer's own entries and before others.
        let upper = try s.layer([
            .dir("d", mode: 0o700, mtime: 1_750_000_000),
            .file("d/early", "written before the marker"),
            .file("d/.wh..wh..opq", ""),
            .file("d/late", "written after the marker"),
            .file("d/sub/c2", "c2"),
        ])
        try flatten([lower, upper], scratch: s) { r, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/d", "/d/early", "/d/late", "/d/sub", "/d/sub/c2", "/keep", "/keep/x"])
            let d = try XCTUnwrap(tree["/d"])
            XCTAssertEqual(d.mode, 0o040700)
            XCTAssertEqual(d.mtimeSeconds, 1_750_000_000)
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/d/early"])), "written before the marker")
        }
        // An opaque marker in a directory no lower layer has creates it empty.
        let s2 = try LayerScratch()
        let only = try s2.layer([.dir("fresh"), .file("fresh/.wh..wh..opq", "")])
        try flatten([only], scratch: s2) { _, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/fresh"])
        }
    }

    func testWhiteoutOfADirectoryKeepsThisLayersEntriesInIt() throws {
        let s = try LayerScratch()
        let lower = try s.layer([.dir("d"), .file("d/old", "old"), .dir("d/sub"), .file("d/sub/old", "old")])
        // This layer writes d/new first, then deletes the lower d: only d/new remains.
        let upper = try s.layer([.file("d/new", "new"), .file(".wh.d", "")])
        try flatten([lower, upper], scratch: s) { _, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/d", "/d/new"])
        }
    }

    func testHardLinksKeepIdentityAcrossLayers() throws {
        let s = try LayerScratch()
        let lower = try s.layer([
            .dir("bin"), .dir("sbin"),
            .file("bin/busybox", "BUSYBOX", mode: 0o4755),
            .hardLink("bin/ls", "bin/busybox"),
            .hardLink("bin/cat", "/bin/busybox"),
            .hardLink("sbin/init", "./bin/../bin/busybox"),
            .symlink("bin/sym", "busybox"),
            .hardLink("bin/sym2", "bin/sym"),
        ])
        try flatten([lower], scratch: s) { r, tree in
            let bb = try XCTUnwrap(tree["/bin/busybox"])
            XCTAssertEqual(bb.nlink, 4)
            XCTAssertEqual(bb.mode, 0o104755)
            for p in ["/bin/ls", "/bin/cat", "/sbin/init"] { XCTAssertEqual(tree[p]?.number, bb.number, p) }
            XCTAssertEqual(tree["/bin/sym2"]?.number, tree["/bin/sym"]?.number)
            XCTAssertEqual(tree["/bin/sym"]?.nlink, 2)
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/sbin/init"])), "BUSYBOX")
        }
        let upper = try s.layer([
            .file("bin/ls", "NEW LS", mode: 0o755),
            .dir("usr"), .dir("usr/bin"),
            .hardLink("usr/bin/env", "bin/busybox"),
        ])
        try flatten([lower, upper], scratch: s) { r, tree in
            let bb = try XCTUnwrap(tree["/bin/busybox"])
            XCTAssertEqual(bb.nlink, 4) // busybox, cat, init, env
            XCTAssertEqual(tree["/usr/bin/env"]?.number, bb.number)
            let ls = try XCTUnwrap(tree["/bin/ls"])
            XCTAssertNotEqual(ls.number, bb.number)
            XCTAssertEqual(ls.nlink, 1)
            XCTAssertEqual(try r.contentsString(ls), "NEW LS")
            XCTAssertEqual(try r.contentsString(bb), "BUSYBOX")
        }
    }

    func testLongNamesInPaxAndGNUFormats() throws {
        let component = String(repeating: "n", count: 200)
        let deep = "a/\(component)/\(component)/file-with-a-long-name-\(String(repeating: "x", count: 120))"
        let target = "/" + [String](repeating: component, count: 3).joined(separator: "/")
        for format in [TarFormat.pax, .gnu] {
            let s = try LayerScratch()
            let layer = try s.layer([
                .file(deep, "deep contents"),
                .symlink("long-symlink", target),
                .hardLink("long-hardlink", deep),
                .file("日本語/é.txt", "unicode"),
            ], format: format)
            try flatten([layer], scratch: s) { r, tree in
                let file = try XCTUnwrap(tree["/" + deep], "\(format)")
                XCTAssertEqual(try r.contentsString(file), "deep contents")
                XCTAssertEqual(file.nlink, 2)
                XCTAssertEqual(tree["/long-hardlink"]?.number, file.number)
                XCTAssertEqual(try r.target(try XCTUnwrap(tree["/long-symlink"])), target)
                XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/日本語/é.txt"])), "unicode")
                // Implicit parent directories: root-owned 0755.
                XCTAssertEqual(tree["/a"]?.mode, 0o040755)
            }
        }
    }

    func testPlainGzipAndZstdGiveTheSameTree() throws {
        let entries: [TarEntry] = [
            .dir("etc"), .file("etc/motd", String(repeating: "compress me ", count: 10_000)),
            .symlink("link", "etc/motd"), .hardLink("etc/motd2", "etc/motd"),
        ]
        var trees: [[String: String]] = []
        for (compression, mediaType) in [(TarCompression.none, "application/vnd.oci.image.layer.v1.tar"),
                                         (.gzip, "application/vnd.oci.image.layer.v1.tar+gzip"),
                                         (.zstd, "application/vnd.oci.image.layer.v1.tar+zstd"),
                                         (.gzip, "application/vnd.docker.image.rootfs.diff.tar.gzip"),
                                         // Mislabelled: the compression is detected from the data.
                                         (.zstd, "application/vnd.oci.image.layer.v1.tar+gzip")] {
            let s = try LayerScratch()
            let layer = try s.layer(entries, compression: compression, mediaType: mediaType)
            try flatten([layer], scratch: s) { r, tree in
                var summary: [String: String] = [:]
                for (path, node) in tree {
                    let data = node.type == .regular ? "\(try r.contents(of: node).count)" : ""
                    summary[path] = "\(node.mode) \(node.nlink) \(node.size) \(data)"
                }
                trees.append(summary)
            }
        }
        XCTAssertEqual(trees.count, 5)
        for t in trees.dropFirst() { XCTAssertEqual(t, trees[0]) }
        XCTAssertEqual(trees[0]["/etc/motd"], "\(0o100644) 2 120000 120000")
    }

    func testUnsupportedMediaTypeIsRejected() throws {
        let s = try LayerScratch()
        let layer = try s.layer([.file("x", "x")], mediaType: "application/vnd.wasm.content.layer.v1+wasm")
        try assertRejected([layer], scratch: s, mentioning: "unsupported layer media type 'application/vnd.wasm.content.layer.v1+wasm'")
    }

    func testEveryAttributeIsKeptExactly() throws {
        let s = try LayerScratch()
        let layer = try s.layer([
            .dir("./", mode: 0o750, uid: 0, gid: 0, mtime: 1_234_567_890),
            .dir("tmp", mode: 0o1777),
            .file("setuid", "u", mode: 0o4755, uid: 0, gid: 0),
            .file("setgid", "g", mode: 0o2711, uid: 12, gid: 34),
            .file("nobody", "n", mode: 0o400, uid: 65534, gid: 65534),
            .file("bigids", "b", mode: 0o640, uid: 3_000_000_000, gid: 4_000_000_000),
            .file("nanos", "t", mtime: 1_600_000_000, nanoseconds: 987_654_321),
            .file("old", "o", mtime: -86_400),
            .file("empty", ""),
            TarEntry(path: "dev/null", kind: .characterDevice(1, 3), mode: 0o666),
            TarEntry(path: "dev/sda", kind: .blockDevice(8, 0), mode: 0o660, gid: 6),
            TarEntry(path: "dev/big", kind: .characterDevice(4095, 1_048_575), mode: 0o600),
            TarEntry(path: "run/fifo", kind: .fifo, mode: 0o620),
        ])
        try flatten([layer], scratch: s) { r, tree in
            func check(_ path: String, mode: UInt32, uid: UInt32 = 0, gid: UInt32 = 0, size: UInt64? = nil,
                       line: UInt = #line) {
                guard let n = tree[path] else { return XCTFail("\(path) missing", line: line) }
                XCTAssertEqual(String(n.mode, radix: 8), String(mode, radix: 8), path, line: line)
                XCTAssertEqual(n.uid, uid, path, line: line)
                XCTAssertEqual(n.gid, gid, path, line: line)
                if let size { XCTAssertEqual(n.size, size, path, line: line) }
            }
            check("/", mode: 0o040750)
            XCTAssertEqual(tree["/"]?.mtimeSeconds, 1_234_567_890)
            check("/tmp", mode: 0o041777)
            check("/setuid", mode: 0o104755, size: 1)
            check("/setgid", mode: 0o102711, uid: 12, gid: 34)
            check("/nobody", mode: 0o100400, uid: 65534, gid: 65534)
            check("/bigids", mode: 0o100640, uid: 3_000_000_000, gid: 4_000_000_000)
            XCTAssertEqual(tree["/nanos"]?.mtimeSeconds, 1_600_000_000)
            XCTAssertEqual(tree["/nanos"]?.mtimeNanoseconds, 987_654_321)
            XCTAssertEqual(tree["/old"]?.mtimeSeconds, -86_400)
            check("/empty", mode: 0o100644, size: 0)
            check("/dev/null", mode: 0o020666)
            XCTAssertEqual(tree["/dev/null"].map { [$0.rdevMajor, $0.rdevMinor] }, [1, 3])
            check("/dev/sda", mode: 0o060660, gid: 6)
            XCTAssertEqual(tree["/dev/sda"].map { [$0.rdevMajor, $0.rdevMinor] }, [8, 0])
            XCTAssertEqual(tree["/dev/big"].map { [$0.rdevMajor, $0.rdevMinor] }, [4095, 1_048_575])
            check("/run/fifo", mode: 0o010620)
            XCTAssertEqual(Set(tree.keys), ["/", "/tmp", "/setuid", "/setgid", "/nobody", "/bigids", "/nanos", "/old",
                                            "/empty", "/dev", "/dev/null", "/dev/sda", "/dev/big", "/run", "/run/fifo"])
            _ = r
        }
    }

    func testEmptyLayersAndNoLayers() throws {
        let s = try LayerScratch()
        let empty = try s.layer([])
        let stats = try flatten([empty, empty], scratch: s) { _, tree in XCTAssertEqual(Set(tree.keys), ["/"]) }
        XCTAssertEqual(stats.entries, 1)
        let s2 = try LayerScratch()
        try flatten([], scratch: s2) { _, tree in XCTAssertEqual(Set(tree.keys), ["/"]) }
        // A zero-byte layer file is an empty layer too.
        let s3 = try LayerScratch()
        let path = s3.directory + "/layer-empty"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        try flatten([LayerBlob(path: path, mediaType: "")], scratch: s3) { _, tree in XCTAssertEqual(Set(tree.keys), ["/"]) }
    }

    /// A file larger than 4 GiB (sparse, so the test stays small on disk): 64-bit sizes and
    /// offsets all the way through, and the holes stay holes in the image file.
    func testSparseFileLargerThan4GiB() throws {
        let s = try LayerScratch()
        let root = s.directory + "/src"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let path = root + "/huge"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        let marker: UInt64 = (4 << 30) + 12345
        try handle.seek(toOffset: marker)
        try handle.write(contentsOf: Data("beyond 4 GiB".utf8))
        try handle.truncate(atOffset: 5 << 30)
        try handle.close()
        let tarPath = s.directory + "/layer-huge.tar"
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "--sparse", "--format=pax", "-C", root, "-cf", tarPath, "huge"]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        let stats = try flatten([LayerBlob(path: tarPath, mediaType: "")], scratch: s) { r, tree in
            let file = try XCTUnwrap(tree["/huge"])
            XCTAssertEqual(file.size, 5 << 30)
            var buffer = [UInt8](repeating: 0xAA, count: 32)
            let n = try buffer.withUnsafeMutableBytes { try r.read(file, at: marker - 4, into: $0) }
            XCTAssertEqual(n, 32)
            XCTAssertEqual(Array(buffer[0..<4]), [0, 0, 0, 0])
            XCTAssertEqual(Array(buffer[4..<16]), Array("beyond 4 GiB".utf8))
            XCTAssertEqual(Array(buffer[16...]), [UInt8](repeating: 0, count: 16))
        }
        XCTAssertEqual(stats.bytes, 5 << 30)
        var st = stat()
        XCTAssertEqual(lstat(s.imagePath, &st), 0)
        XCTAssertLessThan(Int(st.st_blocks) * 512, 64 << 20, "holes were written out as zeros")
    }

    /// Interoperability with GNU tar itself, including a sparse file and its holes.
    func testGNUTarArchiveWithSparseFile() throws {
        let s = try LayerScratch()
        let root = s.directory + "/src"
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        let sparse = root + "/sub/sparse"
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: { _ = FileManager.default.createFile(atPath: sparse, contents: nil); return sparse }()))
        try handle.seek(toOffset: 3 << 20)
        try handle.write(contentsOf: Data("middle".utf8))
        try handle.truncate(atOffset: 8 << 20)
        try handle.close()
        try Data("plain".utf8).write(to: URL(fileURLWithPath: root + "/plain"))
        for format in ["gnu", "pax"] {
            let tarPath = s.directory + "/layer-\(format).tar.gz"
            let tar = Process()
            tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            tar.arguments = ["tar", "--sparse", "--format=\(format)", "-C", root, "-czf", tarPath, "."]
            try tar.run()
            tar.waitUntilExit()
            XCTAssertEqual(tar.terminationStatus, 0)
            try flatten([LayerBlob(path: tarPath, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip")], scratch: s) { r, tree in
                let file = try XCTUnwrap(tree["/sub/sparse"], format)
                XCTAssertEqual(file.size, 8 << 20)
                let bytes = try r.contents(of: file)
                XCTAssertEqual(Array(bytes[(3 << 20)..<(3 << 20) + 6]), Array("middle".utf8))
                XCTAssertTrue(bytes[0..<(3 << 20)].allSatisfy { $0 == 0 })
                XCTAssertTrue(bytes[((3 << 20) + 6)...].allSatisfy { $0 == 0 })
                XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/plain"])), "plain")
            }
            try FileManager.default.removeItem(atPath: tarPath)
        }
    }
}

final class LayersCompactionTests: XCTestCase {
    func testContentsDeletedByUpperLayersDoNotStayInTheImage() throws {
        let s = try LayerScratch()
        let big = String(repeating: "0123456789abcdef", count: 2 << 20) // 32 MiB
        let lower = try s.layer([.dir("data"), .file("data/big", big), .file("data/small", "small"),
                                 .hardLink("data/small-link", "data/small")], compression: .gzip)
        let upper = try s.layer([.file("data/.wh.big", ""), .file("new", "new")])
        let stats = try flatten([lower, upper], scratch: s) { r, tree in
            XCTAssertEqual(Set(tree.keys), ["/", "/data", "/data/small", "/data/small-link", "/new"])
            XCTAssertEqual(tree["/data/small"]?.number, tree["/data/small-link"]?.number)
            XCTAssertEqual(try r.contentsString(try XCTUnwrap(tree["/data/small"])), "small")
        }
        XCTAssertLessThan(stats.imageBytes, 1 << 20, "deleted contents left in the image")
        XCTAssertEqual(stats.bytes, 8)
        XCTAssertEqual(try s.leftovers(), ["rootfs.img"])
    }
}
