import FSImage
import XCTest

final class FSImageRoundTripTests: XCTestCase {
    /// A small tree with every file type, special mode bits and a hard link.
    func makeSampleImage() throws -> [UInt8] {
        try buildImage { b in
            let etc = try b.addDirectory("etc", in: b.root, FSImageAttributes(permissions: 0o755, uid: 0, gid: 0, mtimeSeconds: 1_700_000_000, mtimeNanoseconds: 123_456_789))
            try b.addFile("passwd", in: etc, Array("root:x:0:0::/root:/bin/sh\n"), FSImageAttributes(permissions: 0o644, mtimeSeconds: 1_600_000_000, mtimeNanoseconds: 5))
            let tmp = try b.addDirectory("tmp", in: b.root, FSImageAttributes(permissions: 0o1777, uid: 0, gid: 0))
            _ = tmp
            let bin = try b.addDirectory("bin", in: b.root)
            let su = try b.addFile("su", in: bin, Array("ELF-su"), FSImageAttributes(permissions: 0o4755, uid: 0, gid: 0))
            try b.link(su, as: Array("su-hardlink"), in: bin)
            try b.link(su, as: Array("su-elsewhere"), in: etc)
            try b.addFile("wall", in: bin, Array("ELF-wall"), FSImageAttributes(permissions: 0o2755, uid: 0, gid: 5))
            try b.addFile("empty", in: bin, [], FSImageAttributes(permissions: 0o600, uid: 1000, gid: 1001, mtimeSeconds: -5))
            let sh = b.makeSymlink(target: Array("busybox"), FSImageAttributes(permissions: 0o777, uid: 1, gid: 2, mtimeSeconds: 42))
            try b.link(sh, as: Array("sh"), in: bin)
            let dev = try b.addDirectory("dev", in: b.root)
            try b.link(try b.makeSpecialFile(.characterDevice, major: 1, minor: 3, FSImageAttributes(permissions: 0o666)), as: Array("null"), in: dev)
            try b.link(try b.makeSpecialFile(.blockDevice, major: 8, minor: 1, FSImageAttributes(permissions: 0o660, gid: 6)), as: Array("sda1"), in: dev)
            try b.link(try b.makeSpecialFile(.fifo, FSImageAttributes(permissions: 0o600)), as: Array("initctl"), in: dev)
            try b.link(try b.makeSpecialFile(.socket, FSImageAttributes(permissions: 0o777)), as: Array("log"), in: dev)
        }.bytes
    }

    func testEveryTypeAndAttributeRoundTrips() throws {
        let image = try makeSampleImage()
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            try r.validate()
            let root = try r.inode(r.rootInode)
            XCTAssertEqual(root.type, .directory)
            XCTAssertEqual(root.parent, r.rootInode)
            XCTAssertEqual(root.mtimeSeconds, 1000)
            XCTAssertEqual(root.nlink, 2 + 4)

            let etc = try r.stat("/etc")
            XCTAssertEqual(etc.mode, 0o040755)
            XCTAssertEqual(etc.mtimeSeconds, 1_700_000_000)
            XCTAssertEqual(etc.mtimeNanoseconds, 123_456_789)
            XCTAssertEqual(etc.parent, r.rootInode)

            let passwd = try r.stat("etc/passwd")
            XCTAssertEqual(passwd.mode, 0o100644)
            XCTAssertEqual(passwd.size, 26)
            XCTAssertEqual(passwd.mtimeNanoseconds, 5)
            XCTAssertEqual(String(decoding: try r.contents(of: passwd), as: UTF8.self), "root:x:0:0::/root:/bin/sh\n")

            XCTAssertEqual(try r.stat("/tmp").mode, 0o041777)

            let su = try r.stat("/bin/su")
            XCTAssertEqual(su.mode, 0o104755)
            XCTAssertEqual(su.nlink, 3)
            XCTAssertEqual(try r.stat("/bin/su-hardlink").number, su.number)
            XCTAssertEqual(try r.stat("/etc/su-elsewhere").number, su.number)
            XCTAssertEqual(bytes(try r.contents(of: su)), Array("ELF-su"))

            let wall = try r.stat("/bin/wall")
            XCTAssertEqual(wall.mode, 0o102755)
            XCTAssertEqual(wall.gid, 5)
            XCTAssertEqual(wall.nlink, 1)

            let empty = try r.stat("/bin/empty")
            XCTAssertEqual(empty.size, 0)
            XCTAssertEqual(empty.uid, 1000)
            XCTAssertEqual(empty.gid, 1001)
            XCTAssertEqual(empty.mtimeSeconds, -5)
            XCTAssertEqual(try r.contents(of: empty).count, 0)

            let sh = try r.stat("/bin/sh")
            XCTAssertEqual(sh.type, .symlink)
            XCTAssertEqual(sh.mode, 0o120777)
            XCTAssertEqual(sh.size, 7)
            XCTAssertEqual([Int64(sh.uid), Int64(sh.gid), sh.mtimeSeconds], [1, 2, 42])
            XCTAssertEqual(bytes(try r.readlink(sh)), Array("busybox"))

            let null = try r.stat("/dev/null")
            XCTAssertEqual(null.mode, 0o020666)
            XCTAssertEqual([null.rdevMajor, null.rdevMinor], [1, 3])
            let sda1 = try r.stat("/dev/sda1")
            XCTAssertEqual(sda1.mode, 0o060660)
            XCTAssertEqual([sda1.rdevMajor, sda1.rdevMinor, sda1.gid], [8, 1, 6])
            XCTAssertEqual(try r.stat("/dev/initctl").mode, 0o010600)
            XCTAssertEqual(try r.stat("/dev/log").mode, 0o140777)

            XCTAssertNil(try r.resolve("/bin/missing"))
            XCTAssertNil(try r.resolve("/nope/deeper"))
            XCTAssertThrowsError(try r.resolve("/etc/passwd/x"))
            XCTAssertEqual(try r.resolve("/"), r.rootInode)
            XCTAssertEqual(try r.resolve("//etc//"), etc.number)
            XCTAssertEqual(try r.resolve("/etc/.."), r.rootInode)
            XCTAssertEqual(try r.resolve("/etc/./passwd"), passwd.number)
        }
    }

    func testDirectoryListingIsSortedWithDotEntriesAndTypes() throws {
        let image = try makeSampleImage()
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            XCTAssertEqual(try r.listing(try r.stat("/")), [".", "..", "bin", "dev", "etc", "tmp"])
            XCTAssertEqual(try r.listing(try r.stat("/bin")), [".", "..", "empty", "sh", "su", "su-hardlink", "wall"])
            var types: [String: FSImageFileType] = [:]
            try r.readDirectory(try r.stat("/dev"), from: 0) { e in
                types[String(decoding: e.name, as: UTF8.self)] = e.type
                return true
            }
            XCTAssertEqual(types, [".": .directory, "..": .directory, "initctl": .fifo, "log": .socket,
                                   "null": .characterDevice, "sda1": .blockDevice])
        }
    }

    func testReadDirectoryResumesFromCookies() throws {
        let image = try makeSampleImage()
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            let bin = try r.stat("/bin")
            // Take two entries per call, like a small getdents64 buffer, and resume from d_off.
            var cookie: UInt64 = 0
            var names: [String] = []
            var calls = 0
            while true {
                var taken = 0
                var last: UInt64? = nil
                try r.readDirectory(bin, from: cookie) { e in
                    if taken == 2 { return false }
                    taken += 1
                    names.append(String(decoding: e.name, as: UTF8.self))
                    last = e.nextCookie
                    return true
                }
                calls += 1
                guard let next = last else { break }
                cookie = next
            }
            XCTAssertEqual(names, [".", "..", "empty", "sh", "su", "su-hardlink", "wall"])
            XCTAssertEqual(calls, 5)
            // ".." of /bin is the root; "." is itself.
            var dotdot: UInt32 = 0
            try r.readDirectory(bin, from: 1) { e in dotdot = e.inode; return false }
            XCTAssertEqual(dotdot, r.rootInode)
            // A cookie past the end yields nothing.
            var any = false
            try r.readDirectory(bin, from: 1000) { _ in any = true; return true }
            XCTAssertFalse(any)
        }
    }

    func testFileContentsArePageAlignedAndReadAtOffsets() throws {
        var big = [UInt8](repeating: 0, count: 9 * 1024 * 1024 + 123)
        var x: UInt32 = 12345
        for i in big.indices { x = x &* 1103515245 &+ 12345; big[i] = UInt8(truncatingIfNeeded: x >> 16) }
        let (image, summary) = try buildImage { b in
            try b.addFile("small", in: b.root, Array("tiny"), FSImageAttributes(permissions: 0o644))
            // Streamed in uneven chunks, as a layer reader delivers it.
            let file = b.makeRegularFile(FSImageAttributes(permissions: 0o755))
            try b.beginContent(of: file)
            var at = 0
            var chunk = 1
            while at < big.count {
                let n = min(chunk, big.count - at)
                try big[at..<at + n].withUnsafeBytes { try b.appendContent($0) }
                at += n
                chunk = chunk * 3 + 7
            }
            try b.endContent()
            try b.link(file, as: Array("big"), in: b.root)
            try b.addFile("after", in: b.root, Array("x"), FSImageAttributes(permissions: 0o644))
        }
        XCTAssertEqual(summary.contentBytes, UInt64(big.count + 5))
        XCTAssertEqual(summary.unreachableContentBytes, 0)
        XCTAssertEqual(summary.imageSize, UInt64(image.count))
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            try r.validate()
            XCTAssertEqual(r.contentBytes, UInt64(big.count + 5))
            for name in ["small", "big", "after"] {
                let node = try r.stat(name)
                XCTAssertEqual(node.location % 4096, 0, name)
                XCTAssertGreaterThanOrEqual(node.location, 4096, name)
            }
            let file = try r.stat("big")
            XCTAssertEqual(file.size, UInt64(big.count))
            XCTAssertTrue(try r.contents(of: file).elementsEqual(big))
            var buf = [UInt8](repeating: 0, count: 10_000)
            for offset in [0, 1, 4095, 4096, 5_000_000, big.count - 10_000, big.count - 17] {
                let n = try buf.withUnsafeMutableBytes { try r.read(file, at: UInt64(offset), into: $0) }
                XCTAssertEqual(n, min(10_000, big.count - offset))
                XCTAssertEqual(Array(buf[0..<n]), Array(big[offset..<offset + n]), "offset \(offset)")
            }
            XCTAssertEqual(try buf.withUnsafeMutableBytes { try r.read(file, at: UInt64(big.count), into: $0) }, 0)
            XCTAssertEqual(try buf.withUnsafeMutableBytes { try r.read(file, at: UInt64.max, into: $0) }, 0)
            XCTAssertEqual(bytes(try r.contents(of: try r.stat("after"))), Array("x"))
        }
    }

    func testLargeDirectoryLookupIsExact() throws {
        // Names sorted bytewise: prefixes first, high bytes (UTF-8) after ASCII.
        var names = (0..<5000).map { "file-\($0)" }
        names += ["a", "ab", "abc", "Z", "é", "日本", "a b", "-", "~"]
        let (image, _) = try buildImage { b in
            let d = try b.addDirectory("d", in: b.root)
            for (i, name) in names.reversed().enumerated() {
                try b.addFile(name, in: d, Array("\(i)"), FSImageAttributes(permissions: 0o644))
            }
        }
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            try r.validate()
            let d = try r.stat("/d")
            XCTAssertEqual(d.entryCount, UInt32(names.count))
            for name in names {
                let n = try XCTUnwrap(try r.lookup(name, in: d), name)
                XCTAssertEqual(try r.inode(n).type, .regular)
            }
            for missing in ["file-5000", "aa", "", "file-", "Z ", "日"] {
                XCTAssertNil(try r.lookup(missing, in: d), missing)
            }
            let listed = try r.listing(d).dropFirst(2)
            XCTAssertEqual(Array(listed), names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        }
    }

    func testReplacingAndRemovingEntries() throws {
        let (image, summary) = try buildImage { b in
            let d = try b.addDirectory("d", in: b.root)
            let old = try b.addFile("f", in: d, Array("old contents"), FSImageAttributes(permissions: 0o644))
            try b.link(old, as: Array("keep"), in: d)
            let replaced = try b.addFile("f", in: d, Array("new"), FSImageAttributes(permissions: 0o600))
            XCTAssertNotEqual(replaced, old)
            try b.addFile("gone", in: d, Array("12345"), FSImageAttributes(permissions: 0o644))
            XCTAssertNotNil(b.unlink(Array("gone"), in: d))
            XCTAssertNil(b.unlink(Array("gone"), in: d))
            // A directory moves only after it is unlinked.
            let sub = try b.addDirectory("sub", in: d)
            XCTAssertThrowsError(try b.link(sub, as: Array("again"), in: b.root))
            b.unlink(Array("sub"), in: d)
            try b.link(sub, as: Array("moved"), in: b.root)
        }
        XCTAssertEqual(summary.contentBytes, 12 + 3)
        XCTAssertEqual(summary.unreachableContentBytes, 5)
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            try r.validate()
            XCTAssertEqual(bytes(try r.contents(of: try r.stat("/d/f"))), Array("new"))
            let keep = try r.stat("/d/keep")
            XCTAssertEqual(bytes(try r.contents(of: keep)), Array("old contents"))
            XCTAssertEqual(keep.nlink, 1)
            XCTAssertNil(try r.resolve("/d/gone"))
            XCTAssertNil(try r.resolve("/d/sub"))
            XCTAssertEqual(try r.stat("/moved").parent, r.rootInode)
            XCTAssertEqual(try r.stat("/d").nlink, 2)
        }
    }

    func testBuilderRejectsInvalidNamesAndMisuse() throws {
        let sink = FSImageMemorySink()
        let b = try FSImageBuilder(sink: sink)
        let f = b.makeRegularFile(FSImageAttributes(permissions: 0o644))
        for bad in ["", ".", "..", "a/b", "nul\u{0}x", String(repeating: "n", count: 256)] {
            XCTAssertThrowsError(try b.link(f, as: Array(bad), in: b.root), bad)
        }
        try b.link(f, as: Array(String(repeating: "n", count: 255)), in: b.root)
        XCTAssertThrowsError(try b.link(f, as: Array("x"), in: f)) // not a directory
        XCTAssertThrowsError(try b.makeSpecialFile(.regular, FSImageAttributes(permissions: 0)))
        XCTAssertThrowsError(try b.link(b.root, as: Array("loop"), in: b.root)) // root is linked already
        try b.beginContent(of: f)
        XCTAssertThrowsError(try b.beginContent(of: f))
        XCTAssertThrowsError(try b.finish())
    }

    func testEmptyImage() throws {
        let (image, summary) = try buildImage { _ in }
        XCTAssertEqual(summary.inodes, 1)
        try image.withUnsafeBytes { buffer in
            let r = try FSImageReader(buffer)
            try r.validate()
            XCTAssertEqual(r.inodeCount, 1)
            XCTAssertEqual(try r.listing(try r.inode(1)), [".", ".."])
        }
    }
}

final class FSImageCopyTests: XCTestCase {
    func testCopyTreeDropsUnreachableContentsAndKeepsEverythingElse() throws {
        let (original, summary) = try buildImage { b in
            let d = try b.addDirectory("d", in: b.root, FSImageAttributes(permissions: 0o2750, uid: 3, gid: 4, mtimeSeconds: 77, mtimeNanoseconds: 88))
            try b.addFile("replaced", in: d, [UInt8](repeating: 1, count: 100_000), FSImageAttributes(permissions: 0o644))
            try b.addFile("replaced", in: d, Array("small"), FSImageAttributes(permissions: 0o4711, uid: 5))
            let shared = try b.addFile("shared", in: b.root, Array("shared"), FSImageAttributes(permissions: 0o644))
            try b.link(shared, as: Array("shared2"), in: d)
            try b.link(b.makeSymlink(target: Array("d/replaced"), FSImageAttributes(permissions: 0o777, mtimeSeconds: 9)), as: Array("sym"), in: b.root)
            try b.link(try b.makeSpecialFile(.blockDevice, major: 7, minor: 9, FSImageAttributes(permissions: 0o660)), as: Array("loop"), in: d)
            try b.addDirectory("empty", in: d)
        }
        XCTAssertEqual(summary.unreachableContentBytes, 100_000)
        let copied = try original.withUnsafeBytes { buffer in
            try buildImage { b in try b.copyTree(from: try FSImageReader(buffer)) }
        }
        XCTAssertEqual(copied.summary.unreachableContentBytes, 0)
        XCTAssertLessThan(copied.bytes.count, original.count - 90_000)
        func describe(_ image: [UInt8]) throws -> [String] {
            try image.withUnsafeBytes { buffer in
                let r = try FSImageReader(buffer)
                try r.validate()
                var lines: [String] = []
                func visit(_ n: UInt32, _ path: String) throws {
                    let i = try r.inode(n)
                    var line = "\(path) \(String(i.mode, radix: 8)) \(i.uid) \(i.gid) \(i.nlink) \(i.size) \(i.mtimeSeconds).\(i.mtimeNanoseconds) \(i.rdevMajor):\(i.rdevMinor)"
                    if i.type == .regular { line += " " + String(decoding: try r.contents(of: i), as: UTF8.self) }
                    if i.type == .symlink { line += " -> " + String(decoding: try r.readlink(i), as: UTF8.self) }
                    lines.append(line)
                    if i.type == .directory {
                        for k in 0..<i.entryCount {
                            let e = try r.entry(at: k, in: i)
                            try visit(e.inode, path + "/" + String(decoding: e.name, as: UTF8.self))
                        }
                    }
                }
                try visit(r.rootInode, "")
                return lines
            }
        }
        XCTAssertEqual(try describe(copied.bytes), try describe(original))
        XCTAssertTrue(try describe(original).contains("/d/shared2 100644 0 0 2 6 0.0 0:0 shared"))
    }
}
