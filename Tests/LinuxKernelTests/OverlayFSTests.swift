import FSImage
import Foundation
import XCTest
@testable import LinuxKernel
import PosixHost

/// What the overlay tests do through a fixture's overlay as its init task: stat, open, read and
/// write files by path.
protocol OverlayAccess {
    var overlay: OverlayFS! { get }
    var task: Task! { get }
}

extension OverlayAccess {
    static func path(_ s: String) -> [[UInt8]] { s.split(separator: "/").map { Array($0.utf8) } }

    func stat(_ s: String) throws -> FileStat { try overlay.stat(Self.path(s), caller: task) }

    func open(_ s: String, _ flags: Int32, mode: UInt32 = 0o644) throws -> FileDescription {
        let d = try overlay.open(Self.path(s), flags: flags, mode: mode, caller: task, guestPath: Self.path(s))
        d.retain()
        return d
    }

    func read(_ d: FileDescription) throws -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try d.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func read(_ s: String) throws -> String {
        let d = try open(s, LinuxOpenFlags.readOnly)
        defer { d.release() }
        return try read(d)
    }

    func write(_ s: String, _ text: String, flags: Int32 = LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.truncate) throws {
        let d = try open(s, flags)
        defer { d.release() }
        _ = try Array(text.utf8).withUnsafeBytes { try d.write(from: $0) }
    }
}

/// An overlay over an in-memory image:
///   /etc (0755)         hosts "image hosts\n" (0644, mtime 1000)   passwd (0640, uid 33 gid 44)
///   /etc/keep           (a directory holding old.conf)
///   /bin/sh -> busybox  /bin/busybox (0755, 8192 bytes)   /bin/ln1 and /bin/ln2 (hard links)
/// with a fresh upper directory on the host.
final class OverlayFixture: OverlayAccess {
    let upperURL: URL
    let host = PosixHost()
    let imageBytes: UnsafeMutableRawBufferPointer
    let reader: FSImageReader
    let attributes = OverlayAttributeTable()
    var kernel: Kernel!
    var task: Task!
    var overlay: OverlayFS!
    var upperFD: HostFD = -1

    init() throws {
        let sink = FSImageMemorySink()
        let b = try FSImageBuilder(sink: sink, rootAttributes: FSImageAttributes(permissions: 0o755, mtimeSeconds: 1000))
        let etc = b.makeDirectory(FSImageAttributes(permissions: 0o755, mtimeSeconds: 1000))
        _ = try b.link(etc, as: Array("etc".utf8), in: b.root)
        _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o644, mtimeSeconds: 1000), contents: Array("image hosts\n".utf8)),
                       as: Array("hosts".utf8), in: etc)
        _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o640, uid: 33, gid: 44, mtimeSeconds: 2000),
                                             contents: Array("root:x:0:0\n".utf8)), as: Array("passwd".utf8), in: etc)
        let keep = b.makeDirectory(FSImageAttributes(permissions: 0o750, uid: 5, gid: 6, mtimeSeconds: 1500))
        _ = try b.link(keep, as: Array("keep".utf8), in: etc)
        _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o600), contents: Array("old\n".utf8)),
                       as: Array("old.conf".utf8), in: keep)
        let bin = b.makeDirectory(FSImageAttributes(permissions: 0o755))
        _ = try b.link(bin, as: Array("bin".utf8), in: b.root)
        _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o755), contents: [UInt8](repeating: 0x5a, count: 8192)),
                       as: Array("busybox".utf8), in: bin)
        _ = try b.link(b.makeSymlink(target: Array("busybox".utf8), FSImageAttributes(permissions: 0o777)), as: Array("sh".utf8), in: bin)
        let shared = try b.makeRegularFile(FSImageAttributes(permissions: 0o644), contents: Array("shared\n".utf8))
        _ = try b.link(shared, as: Array("ln1".utf8), in: bin)
        _ = try b.link(shared, as: Array("ln2".utf8), in: bin)
        _ = try b.finish()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: sink.bytes.count, alignment: 4096)
        sink.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        imageBytes = buffer
        reader = try FSImageReader(UnsafeRawBufferPointer(buffer))
        upperURL = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-overlay-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: upperURL, withIntermediateDirectories: true)
        try remount()
    }

    /// A fresh kernel over the same image and upper directory (a container started again).
    func remount(readOnly: Bool = false) throws {
        if upperFD >= 0 { host.close(upperFD) }
        upperFD = try PosixHost.openDirectory(upperURL.path)
        kernel = Kernel(host: host)
        let root = ContainerFileSystem(image: reader, host: host, upper: upperFD, attributes: attributes, readOnly: readOnly)
        kernel.mountContainerRoot(root, at: "/")
        overlay = root.overlay
        task = kernel.createInitTask()
    }

    deinit {
        host.close(upperFD)
        try? FileManager.default.removeItem(at: upperURL)
        imageBytes.deallocate()
    }

    /// Names a directory lists, without "." and "..", sorted.
    func list(_ s: String) throws -> [String] {
        let d = try open(s, LinuxOpenFlags.readOnly | LinuxOpenFlags.directory)
        defer { d.release() }
        var names: [String] = []
        while true {
            let batch = try d.readDirectory()
            if batch.isEmpty { break }
            names += batch.map { String(decoding: $0.name, as: UTF8.self) }
            d.directoryPosition += batch.count
        }
        return names.filter { $0 != "." && $0 != ".." }.sorted()
    }

    /// What the upper directory holds on the host, as sorted relative paths.
    func upperTree() -> [String] {
        let e = FileManager.default.enumerator(atPath: upperURL.path)
        var all: [String] = []
        while let p = e?.nextObject() as? String { all.append(p) }
        return all.sorted()
    }

    func hostContents(_ relative: String) -> String? {
        try? String(contentsOf: upperURL.appendingPathComponent(relative), encoding: .utf8)
    }
}

final class OverlayFSTests: XCTestCase {
    func testImageEntriesShowExactMetadata() throws {
        let f = try OverlayFixture()
        let passwd = try f.stat("etc/passwd")
        XCTAssertEqual(passwd.mode, FileMode.regular | 0o640)
        XCTAssertEqual(passwd.uid, 33)
        XCTAssertEqual(passwd.gid, 44)
        XCTAssertEqual(passwd.size, 11)
        XCTAssertEqual(passwd.modificationTime.seconds, 2000)
        XCTAssertEqual(try f.stat("bin/ln1").linkCount, 2)
        XCTAssertEqual(try f.stat("bin/ln1").inode, try f.stat("bin/ln2").inode)
        XCTAssertTrue(try f.stat("bin/sh").isSymlink)
        guard case .path(let target) = try f.overlay.readLink(OverlayFixture.path("bin/sh"), caller: f.task) else { return XCTFail() }
        XCTAssertEqual(target, Array("busybox".utf8))
        XCTAssertEqual(try f.read("etc/hosts"), "image hosts\n")
        XCTAssertEqual(f.upperTree(), [], "reading copies nothing up")
    }

    func testWriteCopiesUpAndKeepsAttributes() throws {
        let f = try OverlayFixture()
        try f.write("etc/passwd", "new:x:1000:1000\n", flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.append)
        XCTAssertEqual(try f.read("etc/passwd"), "root:x:0:0\nnew:x:1000:1000\n")
        XCTAssertEqual(f.hostContents("etc/passwd"), "root:x:0:0\nnew:x:1000:1000\n")
        XCTAssertEqual(f.upperTree(), ["etc", "etc/passwd"], "only the file and its parent are copied up")
        let st = try f.stat("etc/passwd")
        XCTAssertEqual(st.uid, 33, "the owner survives copy-up")
        XCTAssertEqual(st.gid, 44)
        XCTAssertEqual(st.mode & 0o7777, 0o640)
        // The image itself is unchanged.
        XCTAssertEqual(String(decoding: try f.reader.contents(of: f.reader.inode(f.reader.resolve("etc/passwd")!)), as: UTF8.self), "root:x:0:0\n")
        // The copied-up parent keeps the image's directory attributes and still merges.
        XCTAssertEqual(try f.list("etc"), ["hosts", "keep", "passwd"])
    }

    func testOpenForReadingThenChmodCopiesUp() throws {
        let f = try OverlayFixture()
        let d = try f.open("etc/hosts", LinuxOpenFlags.readOnly)
        defer { d.release() }
        try d.setMode(0o444)
        XCTAssertEqual(try f.stat("etc/hosts").mode & 0o7777, 0o444)
        XCTAssertEqual(try d.stat().mode & 0o7777, 0o444)
        // The host keeps owner read/write so the guest's root can still write; the record holds 0444.
        let hostMode = try FileManager.default.attributesOfItem(atPath: f.upperURL.appendingPathComponent("etc/hosts").path)[.posixPermissions] as? Int
        XCTAssertEqual(hostMode, 0o644)
        try f.write("etc/hosts", "changed\n")
        XCTAssertEqual(try f.read("etc/hosts"), "changed\n")
    }

    func testDeleteLeavesWhiteoutAndRecreateRemovesIt() throws {
        let f = try OverlayFixture()
        try f.overlay.remove(OverlayFixture.path("etc/hosts"), isDirectory: false)
        XCTAssertThrowsError(try f.stat("etc/hosts")) { XCTAssertEqual($0 as? Errno, .ENOENT) }
        XCTAssertEqual(try f.list("etc"), ["keep", "passwd"])
        XCTAssertEqual(f.upperTree(), ["etc", "etc/.wh.hosts"])
        // A container started again sees the deletion.
        try f.remount()
        XCTAssertThrowsError(try f.stat("etc/hosts"))
        try f.write("etc/hosts", "mine\n")
        XCTAssertEqual(f.upperTree(), ["etc", "etc/hosts"])
        XCTAssertEqual(try f.read("etc/hosts"), "mine\n")
        XCTAssertEqual(try f.list("etc"), ["hosts", "keep", "passwd"])
    }

    func testRemovedDirectoryMadeAgainIsOpaque() throws {
        let f = try OverlayFixture()
        XCTAssertThrowsError(try f.overlay.remove(OverlayFixture.path("etc/keep"), isDirectory: true)) { XCTAssertEqual($0 as? Errno, .ENOTEMPTY) }
        try f.overlay.remove(OverlayFixture.path("etc/keep/old.conf"), isDirectory: false)
        XCTAssertEqual(try f.list("etc/keep"), [])
        try f.overlay.remove(OverlayFixture.path("etc/keep"), isDirectory: true)
        XCTAssertEqual(f.upperTree(), ["etc", "etc/.wh.keep"])
        try f.overlay.makeDirectory(OverlayFixture.path("etc/keep"), mode: 0o755)
        XCTAssertEqual(f.upperTree(), ["etc", "etc/keep", "etc/keep/.wh..wh..opq"])
        XCTAssertEqual(try f.list("etc/keep"), [], "the image's old.conf stays hidden")
        try f.remount()
        XCTAssertEqual(try f.list("etc/keep"), [])
        XCTAssertThrowsError(try f.stat("etc/keep/old.conf"))
        XCTAssertEqual(try f.stat("etc/keep").uid, 0)
    }

    func testReaddirMergesLayers() throws {
        let f = try OverlayFixture()
        try f.write("bin/new", "#!/bin/sh\n")
        try f.overlay.makeDirectory(OverlayFixture.path("etc/new.d"), mode: 0o755)
        try f.overlay.remove(OverlayFixture.path("bin/ln2"), isDirectory: false)
        XCTAssertEqual(try f.list("bin"), ["busybox", "ln1", "new", "sh"])
        XCTAssertEqual(try f.list("etc"), ["hosts", "keep", "new.d", "passwd"])
        XCTAssertEqual(try f.list(""), ["bin", "etc"], "whiteouts and markers never show")
        // A merged directory reports the image's inode number, in stat and in its listing.
        let bin = try f.stat("bin")
        XCTAssertEqual(bin.inode, UInt64(try f.reader.resolve("bin")!))
        let root = try f.open("", LinuxOpenFlags.readOnly | LinuxOpenFlags.directory)
        defer { root.release() }
        XCTAssertEqual(try root.readDirectory().first { $0.name == Array("bin".utf8) }?.inode, bin.inode)
    }

    func testRenameAcrossLayers() throws {
        let f = try OverlayFixture()
        // A file from the image: copied up, renamed, a whiteout left behind.
        try f.overlay.rename(OverlayFixture.path("etc/hosts"), to: OverlayFixture.path("etc/hosts.old"), flags: 0)
        XCTAssertEqual(try f.read("etc/hosts.old"), "image hosts\n")
        XCTAssertThrowsError(try f.stat("etc/hosts"))
        XCTAssertEqual(f.upperTree(), ["etc", "etc/.wh.hosts", "etc/hosts.old"])
        // A directory with image contents: EXDEV, as overlayfs without redirect_dir.
        XCTAssertThrowsError(try f.overlay.rename(OverlayFixture.path("etc/keep"), to: OverlayFixture.path("keep2"), flags: 0)) {
            XCTAssertEqual($0 as? Errno, .EXDEV)
        }
        // A directory made in the container moves freely, even over an emptied image directory.
        try f.overlay.makeDirectory(OverlayFixture.path("fresh"), mode: 0o755)
        try f.write("fresh/a", "a\n")
        try f.overlay.remove(OverlayFixture.path("etc/keep/old.conf"), isDirectory: false)
        try f.overlay.rename(OverlayFixture.path("fresh"), to: OverlayFixture.path("etc/keep"), flags: 0)
        XCTAssertEqual(try f.list("etc/keep"), ["a"])
        XCTAssertThrowsError(try f.stat("fresh"))
        try f.remount()
        XCTAssertEqual(try f.list("etc/keep"), ["a"], "the moved directory hides the image's")
    }

    func testHardLinkToImageFileCopiesUp() throws {
        let f = try OverlayFixture()
        try f.overlay.link(OverlayFixture.path("etc/hosts"), to: OverlayFixture.path("etc/hosts2"))
        XCTAssertEqual(try f.stat("etc/hosts").linkCount, 2)
        XCTAssertEqual(try f.stat("etc/hosts").inode, try f.stat("etc/hosts2").inode)
        XCTAssertNotEqual(try f.stat("etc/hosts").inode, try f.stat("etc/passwd").inode)
        try f.write("etc/hosts2", "both\n")
        XCTAssertEqual(try f.read("etc/hosts"), "both\n")
        // Copy-up breaks the image's own hard links (overlayfs without index).
        try f.write("bin/ln1", "one\n")
        XCTAssertEqual(try f.read("bin/ln2"), "shared\n")
    }

    func testOwnershipRecordedWithoutHostChown() throws {
        let f = try OverlayFixture()
        try f.write("etc/owned", "x")
        try f.overlay.setOwner(OverlayFixture.path("etc/owned"), uid: 1000, gid: 1001, followSymlinks: false)
        XCTAssertEqual(try f.stat("etc/owned").uid, 1000)
        XCTAssertEqual(try f.stat("etc/owned").gid, 1001)
        try f.overlay.rename(OverlayFixture.path("etc/owned"), to: OverlayFixture.path("etc/owned2"), flags: 0)
        XCTAssertEqual(try f.stat("etc/owned2").uid, 1000, "the record follows the file")
        XCTAssertTrue(f.attributes.changed)
    }

    func testReadOnlyOverlayRefusesWrites() throws {
        let f = try OverlayFixture()
        try f.write("etc/hosts", "before\n")
        try f.remount(readOnly: true)
        XCTAssertEqual(try f.read("etc/hosts"), "before\n")
        XCTAssertThrowsError(try f.write("etc/hosts", "no")) { XCTAssertEqual($0 as? Errno, .EROFS) }
        XCTAssertThrowsError(try f.write("etc/new", "no")) { XCTAssertEqual($0 as? Errno, .EROFS) }
        XCTAssertThrowsError(try f.overlay.remove(OverlayFixture.path("etc/passwd"), isDirectory: false)) { XCTAssertEqual($0 as? Errno, .EROFS) }
    }

    func testWhiteoutNamesCannotBeCreated() throws {
        let f = try OverlayFixture()
        XCTAssertThrowsError(try f.write("etc/.wh.hosts", "x")) { XCTAssertEqual($0 as? Errno, .EPERM) }
        XCTAssertEqual(try f.read("etc/hosts"), "image hosts\n")
    }
}
