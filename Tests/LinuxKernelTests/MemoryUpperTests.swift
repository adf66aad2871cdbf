import FSImage
import Glibc
import Foundation
import XCTest
@testable import LinuxKernel
import PosixHost

/// An FSImage in a buffer that lives as long as the object.
final class TestImage {
    let bytes: UnsafeMutableRawBufferPointer
    let reader: FSImageReader

    init(_ build: (FSImageBuilder) throws -> Void) throws {
        let sink = FSImageMemorySink()
        let b = try FSImageBuilder(sink: sink, rootAttributes: FSImageAttributes(permissions: 0o755, mtimeSeconds: 1000))
        try build(b)
        _ = try b.finish()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: sink.bytes.count, alignment: 4096)
        sink.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        bytes = buffer
        reader = try FSImageReader(UnsafeRawBufferPointer(buffer))
    }

    /// /etc/hosts "image hosts\n" (0644), /etc/passwd (0640, 33:44), /etc/keep/old.conf,
    /// /bin/busybox (0755, 8192 bytes), /bin/sh -> busybox.
    static func small() throws -> TestImage {
        try TestImage { b in
            let etc = b.makeDirectory(FSImageAttributes(permissions: 0o755, mtimeSeconds: 1000))
            _ = try b.link(etc, as: Array("etc".utf8), in: b.root)
            _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o644, mtimeSeconds: 1000), contents: Array("image hosts\n".utf8)),
                           as: Array("hosts".utf8), in: etc)
            _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o640, uid: 33, gid: 44, mtimeSeconds: 2000),
                                                 contents: Array("root:x:0:0\n".utf8)), as: Array("passwd".utf8), in: etc)
            let keep = b.makeDirectory(FSImageAttributes(permissions: 0o750))
            _ = try b.link(keep, as: Array("keep".utf8), in: etc)
            _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o600), contents: Array("old\n".utf8)),
                           as: Array("old.conf".utf8), in: keep)
            let bin = b.makeDirectory(FSImageAttributes(permissions: 0o755))
            _ = try b.link(bin, as: Array("bin".utf8), in: b.root)
            _ = try b.link(try b.makeRegularFile(FSImageAttributes(permissions: 0o755), contents: [UInt8](repeating: 0x5a, count: 8192)),
                           as: Array("busybox".utf8), in: bin)
            _ = try b.link(b.makeSymlink(target: Array("busybox".utf8), FSImageAttributes(permissions: 0o777)), as: Array("sh".utf8), in: bin)
        }
    }

    /// A host directory tree (regular files, directories, symlinks) as an image.
    static func directory(_ path: String) throws -> TestImage {
        try TestImage { b in
            func add(_ url: URL, into parent: FSImageBuilder.Node) throws {
                let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
                for name in names {
                    let child = url.appendingPathComponent(name)
                    let attributes = try FileManager.default.attributesOfItem(atPath: child.path)
                    let permissions = UInt32((attributes[.posixPermissions] as? Int) ?? 0o644)
                    let node: FSImageBuilder.Node
                    switch attributes[.type] as? FileAttributeType {
                    case .typeDirectory?:
                        node = b.makeDirectory(FSImageAttributes(permissions: permissions))
                        try add(child, into: node)
                    case .typeSymbolicLink?:
                        let target = try FileManager.default.destinationOfSymbolicLink(atPath: child.path)
                        node = b.makeSymlink(target: Array(target.utf8), FSImageAttributes(permissions: 0o777))
                    case .typeRegular?:
                        node = try b.makeRegularFile(FSImageAttributes(permissions: permissions), contents: Array(try Data(contentsOf: child)))
                    default:
                        continue
                    }
                    _ = try b.link(node, as: Array(name.utf8), in: parent)
                }
            }
            try add(URL(fileURLWithPath: path), into: b.root)
        }
    }

    deinit { bytes.deallocate() }
}

/// The image below an in-memory upper layer, mounted as a kernel's root.
final class MemoryUpperFixture: OverlayAccess {
    let image: TestImage
    let host = PosixHost()
    let root: ContainerFileSystem
    let kernel: Kernel
    let task: Task!
    let overlay: OverlayFS!
    var memory: MemoryDirectoryHost { root.inMemoryUpper! }

    init(_ image: TestImage) {
        self.image = image
        root = ContainerFileSystem(image: image.reader, inMemoryUpperOver: host)
        kernel = Kernel(host: host)
        kernel.mountContainerRoot(root, at: "/")
        overlay = root.overlay
        task = kernel.createInitTask()
        task.process.addressSpace.insert(MemoryRegion(start: scratch, end: scratch + 0x10000, protection: [.read, .write]))
    }

    /// Scratch guest memory for system call arguments.
    let scratch: UInt64 = 0x1000_0000
    private var scratchUsed: UInt64 = 0

    /// openat(AT_FDCWD, path, flags, mode) from the init task, as the guest makes it: a descriptor or -errno.
    func openat(_ path: String, _ flags: Int32, mode: UInt32 = 0o644) -> Int64 {
        let bytes = Array(path.utf8) + [0]
        let at = scratch + scratchUsed
        scratchUsed += UInt64(bytes.count + 15) & ~15
        bytes.withUnsafeBytes { try! task.memory.write(at: at, from: $0) }
        let hart = task.hart
        hart.pc = 0x1000
        for (i, a) in [atFDCWD, at, UInt64(UInt32(bitPattern: flags)), UInt64(mode)].enumerated() { hart.setX(10 + i, a) }
        hart.setX(17, 56)
        kernel.handleSystemCall(task)
        return Int64(bitPattern: hart.x(10))
    }

    func list(_ s: String) throws -> [String] {
        try root.entries(s).map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    /// What the in-memory upper layer holds, as sorted relative paths (whiteouts included).
    func upperTree() throws -> [String] {
        var all: [String] = []
        func walk(_ prefix: String, _ rel: [UInt8]) throws {
            let fd = try memory.open(at: memory.rootDirectory, rel, flags: LinuxOpenFlags.directory | LinuxOpenFlags.noFollow, mode: 0)
            defer { memory.close(fd) }
            for e in try memory.readDirectory(fd) where e.name != [0x2e] && e.name != [0x2e, 0x2e] {
                let name = String(decoding: e.name, as: UTF8.self)
                let path = prefix.isEmpty ? name : prefix + "/" + name
                all.append(path)
                if e.type == 4 { try walk(path, Array(path.utf8)) }
            }
        }
        try walk("", [0x2e])
        return all.sorted()
    }
}

private func XCTAssertErrno(_ expected: Errno, _ body: @autoclosure () throws -> Any, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), message, file: file, line: line) { XCTAssertEqual($0 as? Errno, expected, message, file: file, line: line) }
}

/// The overlay over an image with a MemoryDirectoryHost as its writable layer.
final class MemoryUpperOverlayTests: XCTestCase {
    func testReadsImageFilesWithoutCopyingUp() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        XCTAssertEqual(try f.read("etc/hosts"), "image hosts\n")
        let passwd = try f.stat("etc/passwd")
        XCTAssertEqual(passwd.mode, FileMode.regular | 0o640)
        XCTAssertEqual(passwd.uid, 33)
        XCTAssertEqual(try f.list("/"), ["bin", "etc"])
        XCTAssertEqual(try f.list("bin"), ["busybox", "sh"])
        XCTAssertEqual(try f.root.readLink("/bin/sh"), Array("busybox".utf8))
        XCTAssertEqual(try f.upperTree(), [])
        let root = try f.stat("")
        XCTAssertTrue(root.isDirectory)
        XCTAssertEqual(root.uid, 0)
    }

    func testNewFileIsWrittenAndReadBack() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.write("etc/new.conf", "hello\n")
        XCTAssertEqual(try f.read("etc/new.conf"), "hello\n")
        XCTAssertEqual(try f.stat("etc/new.conf").size, 6)
        XCTAssertEqual(try f.stat("etc/new.conf").mode, FileMode.regular | 0o644)
        XCTAssertEqual(try f.stat("etc/new.conf").uid, 0)
        XCTAssertEqual(try f.list("etc"), ["hosts", "keep", "new.conf", "passwd"])
        XCTAssertEqual(try f.upperTree(), ["etc", "etc/new.conf"])
        XCTAssertEqual(f.root.readFile("/etc/new.conf"), Array("hello\n".utf8))
        // Appending through O_APPEND.
        try f.write("etc/new.conf", "more\n", flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.append)
        XCTAssertEqual(try f.read("etc/new.conf"), "hello\nmore\n")
    }

    func testModifyingAnImageFileCopiesItUp() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.write("etc/passwd", "new:x:1000:1000\n", flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.append)
        XCTAssertEqual(try f.read("etc/passwd"), "root:x:0:0\nnew:x:1000:1000\n")
        let st = try f.stat("etc/passwd")
        XCTAssertEqual(st.uid, 33, "the owner survives copy-up")
        XCTAssertEqual(st.mode & 0o7777, 0o640)
        XCTAssertEqual(st.modificationTime.seconds > 2000, true, "written now")
        XCTAssertEqual(try f.upperTree(), ["etc", "etc/passwd"])
        // The image is unchanged.
        XCTAssertEqual(String(decoding: try f.image.reader.contents(of: f.image.reader.inode(f.image.reader.resolve("etc/passwd")!)), as: UTF8.self),
                       "root:x:0:0\n")
    }

    func testDeletingAnImageFileLeavesAWhiteout() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.overlay.remove(MemoryUpperFixture.path("etc/hosts"), isDirectory: false)
        XCTAssertErrno(.ENOENT, try f.stat("etc/hosts"))
        XCTAssertEqual(try f.list("etc"), ["keep", "passwd"])
        XCTAssertEqual(try f.upperTree(), ["etc", "etc/.wh.hosts"])
        try f.write("etc/hosts", "mine\n")
        XCTAssertEqual(try f.read("etc/hosts"), "mine\n")
        XCTAssertEqual(try f.upperTree(), ["etc", "etc/hosts"])
    }

    func testMakeAndRemoveDirectories() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.overlay.makeDirectory(MemoryUpperFixture.path("data"), mode: 0o700)
        XCTAssertEqual(try f.stat("data").mode, FileMode.directory | 0o700)
        XCTAssertErrno(.EEXIST, try f.overlay.makeDirectory(MemoryUpperFixture.path("data"), mode: 0o755))
        try f.write("data/x", "x")
        XCTAssertErrno(.ENOTEMPTY, try f.overlay.remove(MemoryUpperFixture.path("data"), isDirectory: true))
        XCTAssertErrno(.EISDIR, try f.overlay.remove(MemoryUpperFixture.path("data"), isDirectory: false))
        XCTAssertErrno(.ENOTDIR, try f.overlay.remove(MemoryUpperFixture.path("data/x"), isDirectory: true))
        try f.overlay.remove(MemoryUpperFixture.path("data/x"), isDirectory: false)
        try f.overlay.remove(MemoryUpperFixture.path("data"), isDirectory: true)
        XCTAssertEqual(try f.list("/"), ["bin", "etc"])
        // An image directory emptied, removed and made again hides the image's contents.
        try f.overlay.remove(MemoryUpperFixture.path("etc/keep/old.conf"), isDirectory: false)
        try f.overlay.remove(MemoryUpperFixture.path("etc/keep"), isDirectory: true)
        try f.overlay.makeDirectory(MemoryUpperFixture.path("etc/keep"), mode: 0o755)
        XCTAssertEqual(try f.list("etc/keep"), [])
        XCTAssertEqual(try f.upperTree(), ["etc", "etc/keep", "etc/keep/.wh..wh..opq"])
    }

    func testRenameWithinAndAcrossDirectories() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.overlay.rename(MemoryUpperFixture.path("etc/hosts"), to: MemoryUpperFixture.path("etc/hosts.old"), flags: 0)
        XCTAssertEqual(try f.read("etc/hosts.old"), "image hosts\n")
        XCTAssertErrno(.ENOENT, try f.stat("etc/hosts"))
        try f.overlay.makeDirectory(MemoryUpperFixture.path("tmp"), mode: 0o1777)
        try f.overlay.rename(MemoryUpperFixture.path("etc/hosts.old"), to: MemoryUpperFixture.path("tmp/h"), flags: 0)
        XCTAssertEqual(try f.read("tmp/h"), "image hosts\n")
        XCTAssertEqual(try f.list("etc"), ["keep", "passwd"])
        // Replacing an existing file.
        try f.write("tmp/other", "other\n")
        try f.overlay.rename(MemoryUpperFixture.path("tmp/other"), to: MemoryUpperFixture.path("tmp/h"), flags: 0)
        XCTAssertEqual(try f.read("tmp/h"), "other\n")
        XCTAssertEqual(try f.list("tmp"), ["h"])
        // A directory made in the container moves (with its contents) into another directory.
        try f.overlay.makeDirectory(MemoryUpperFixture.path("tmp/d"), mode: 0o755)
        try f.write("tmp/d/inner", "in\n")
        try f.overlay.rename(MemoryUpperFixture.path("tmp/d"), to: MemoryUpperFixture.path("etc/d"), flags: 0)
        XCTAssertEqual(try f.read("etc/d/inner"), "in\n")
        XCTAssertEqual(try f.stat("tmp").linkCount, 2)
        // RENAME_NOREPLACE and RENAME_EXCHANGE go through to the memory layer.
        XCTAssertErrno(.EEXIST, try f.overlay.rename(MemoryUpperFixture.path("etc/d/inner"), to: MemoryUpperFixture.path("tmp/h"), flags: 1))
        try f.overlay.rename(MemoryUpperFixture.path("etc/d/inner"), to: MemoryUpperFixture.path("tmp/h"), flags: 2)
        XCTAssertEqual(try f.read("tmp/h"), "in\n")
        XCTAssertEqual(try f.read("etc/d/inner"), "other\n")
    }

    func testSymlinkAndReadLink() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.overlay.symlink(Array("../etc/hosts".utf8), at: MemoryUpperFixture.path("bin/hosts-link"))
        XCTAssertTrue(try f.stat("bin/hosts-link").isSymlink)
        XCTAssertEqual(try f.root.readLink("/bin/hosts-link"), Array("../etc/hosts".utf8))
        XCTAssertEqual(f.root.readFile("/bin/hosts-link"), Array("image hosts\n".utf8), "followed inside the tree")
        XCTAssertErrno(.EEXIST, try f.overlay.symlink(Array("x".utf8), at: MemoryUpperFixture.path("bin/hosts-link")))
    }

    func testChmodAndStat() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.overlay.setMode(MemoryUpperFixture.path("etc/hosts"), mode: 0o400)
        XCTAssertEqual(try f.stat("etc/hosts").mode, FileMode.regular | 0o400)
        try f.write("run.sh", "#!/bin/sh\n")
        try f.overlay.setMode(MemoryUpperFixture.path("run.sh"), mode: 0o755)
        XCTAssertEqual(try f.stat("run.sh").mode & 0o7777, 0o755)
        try f.overlay.setOwner(MemoryUpperFixture.path("run.sh"), uid: 1000, gid: 1000, followSymlinks: false)
        XCTAssertEqual(try f.stat("run.sh").uid, 1000)
        let d = try f.open("run.sh", LinuxOpenFlags.readOnly)
        defer { d.release() }
        try d.setMode(0o700)
        XCTAssertEqual(try d.stat().mode & 0o7777, 0o700)
        let times = Timespec(seconds: 12345, nanoseconds: 6)
        try f.overlay.setTimes(MemoryUpperFixture.path("run.sh"), access: times, modification: times, followSymlinks: false)
        XCTAssertEqual(try f.stat("run.sh").modificationTime, times)
    }

    func testUnlinkedFileStaysReadableWhileOpen() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        try f.write("scratch", "still here\n")
        let d = try f.open("scratch", LinuxOpenFlags.readWrite)
        defer { d.release() }
        try f.overlay.remove(MemoryUpperFixture.path("scratch"), isDirectory: false)
        XCTAssertErrno(.ENOENT, try f.stat("scratch"))
        XCTAssertEqual(try f.read(d), "still here\n")
        _ = try Array("more".utf8).withUnsafeBytes { try d.write(from: $0) }
        XCTAssertEqual(try d.stat().size, 15)
        XCTAssertEqual(try d.stat().linkCount, 0)
    }

    func testExclusiveCreateAndTruncation() throws {
        let f = MemoryUpperFixture(try TestImage.small())
        let flags = LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.exclusive
        XCTAssertGreaterThanOrEqual(f.openat("/lock", flags), 0)
        XCTAssertEqual(f.openat("/lock", flags), -Int64(Errno.EEXIST.rawValue))
        XCTAssertEqual(f.openat("/etc/hosts", flags), -Int64(Errno.EEXIST.rawValue), "an image file exists too")
        try f.write("lock", "1", flags: LinuxOpenFlags.writeOnly)
        // O_TRUNC of an image file: copied up empty.
        try f.write("etc/hosts", "", flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.truncate)
        XCTAssertEqual(try f.stat("etc/hosts").size, 0)
        // ftruncate grows with zeros and shrinks.
        let d = try f.open("lock", LinuxOpenFlags.readWrite)
        defer { d.release() }
        try d.truncate(length: 10000)
        XCTAssertEqual(try d.stat().size, 10000)
        var buffer = [UInt8](repeating: 0xff, count: 10000)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try d.read(into: $0, at: 0) }, 10000)
        XCTAssertEqual(buffer[0], UInt8(ascii: "1"))
        XCTAssertTrue(buffer[1...].allSatisfy { $0 == 0 })
        try d.truncate(length: 0)
        XCTAssertEqual(try f.read("lock"), "")
    }
}

/// MemoryDirectoryHost on its own, through the Host protocol.
final class MemoryDirectoryHostTests: XCTestCase {
    let base = PosixHost()

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private func write(_ h: MemoryDirectoryHost, _ fd: HostFD, _ s: String, at offset: Int64? = nil) throws -> Int {
        try bytes(s).withUnsafeBytes { b in
            if let offset { return try h.write(fd, from: b, at: offset) }
            return try h.write(fd, from: b)
        }
    }

    private func read(_ h: MemoryDirectoryHost, _ fd: HostFD, _ count: Int, at offset: Int64? = nil) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0xee, count: count)
        let n = try buffer.withUnsafeMutableBytes { b in
            if let offset { return try h.read(fd, into: b, at: offset) }
            return try h.read(fd, into: b)
        }
        return Array(buffer[0..<n])
    }

    func testDescriptorsAreTaggedAndOthersForwarded() throws {
        let h = MemoryDirectoryHost(base: base)
        XCTAssertTrue(MemoryDirectoryHost.isMemoryDescriptor(h.rootDirectory))
        let fd = try h.open(at: h.rootDirectory, bytes("f"), flags: LinuxOpenFlags.readWrite | LinuxOpenFlags.create, mode: 0o644)
        XCTAssertNotEqual(fd & MemoryDirectoryHost.descriptorTag, 0)
        // A base host descriptor (a pipe) is served by the base host.
        var pipeFDs: [Int32] = [0, 0]
        XCTAssertEqual(Glibc.pipe(&pipeFDs), 0)
        defer { Glibc.close(pipeFDs[0]); Glibc.close(pipeFDs[1]) }
        XCTAssertEqual(try write(h, pipeFDs[1], "through"), 7)
        XCTAssertEqual(try h.bytesAvailable(pipeFDs[0]), 7)
        XCTAssertEqual(try read(h, pipeFDs[0], 16), bytes("through"))
        XCTAssertEqual(try h.stat(pipeFDs[0]).fileType, FileMode.fifo)
        // Polling a mix: the memory file is ready at once, the empty pipe is not.
        var requests = [PollRequest(fd: fd, events: PollRequest.readable), PollRequest(fd: pipeFDs[0], events: PollRequest.readable)]
        XCTAssertEqual(requests.withUnsafeMutableBufferPointer { h.poll($0, timeout: 1_000_000_000) }, 1)
        XCTAssertEqual(requests[0].returnedEvents, PollRequest.readable)
        XCTAssertEqual(requests[1].returnedEvents, 0)
        h.close(fd)
        XCTAssertErrno(.EBADF, try h.stat(fd))
        XCTAssertErrno(.ENOTSOCK, try h.listen(h.rootDirectory, backlog: 1))
        XCTAssertFalse(h.isTerminal(h.rootDirectory))
    }

    func testSeekHolesAndLargeAppends() throws {
        let h = MemoryDirectoryHost(base: base)
        let fd = try h.open(at: h.rootDirectory, bytes("sparse"), flags: LinuxOpenFlags.readWrite | LinuxOpenFlags.create, mode: 0o600)
        defer { h.close(fd) }
        XCTAssertEqual(try h.seek(fd, offset: 100_000, whence: 0), 100_000)
        XCTAssertEqual(try write(h, fd, "end"), 3)
        XCTAssertEqual(try h.stat(fd).size, 100_003)
        XCTAssertEqual(try h.stat(fd).blocks, 8, "only the written page holds memory")
        XCTAssertEqual(try read(h, fd, 5, at: 50_000), [0, 0, 0, 0, 0])
        XCTAssertEqual(try read(h, fd, 10, at: 99_998), [0, 0] + bytes("end"))
        XCTAssertEqual(try h.seek(fd, offset: -3, whence: 2), 100_000)
        XCTAssertEqual(try h.seek(fd, offset: 1, whence: 1), 100_001)
        XCTAssertErrno(.EINVAL, try h.seek(fd, offset: -200_000, whence: 1))
        XCTAssertErrno(.ENXIO, try h.seek(fd, offset: 200_000, whence: 3))
        XCTAssertEqual(try h.seek(fd, offset: 5, whence: 4), 100_003)
        // 64 MiB appended in 64 KiB writes: linear, and read back intact.
        let big = try h.open(at: h.rootDirectory, bytes("big"), flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.append, mode: 0o600)
        var chunk = [UInt8](repeating: 0, count: 65536)
        let started = Date()
        for i in 0..<1024 {
            for j in stride(from: 0, to: chunk.count, by: 4096) { chunk[j] = UInt8(truncatingIfNeeded: i) }
            XCTAssertEqual(try chunk.withUnsafeBytes { try h.write(big, from: $0) }, 65536)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(try h.stat(big).size, 64 << 20)
        XCTAssertErrno(.EBADF, try read(h, big, 1), "opened write-only")
        h.close(big)
        let again = try h.open(at: h.rootDirectory, bytes("big"), flags: LinuxOpenFlags.readOnly, mode: 0)
        defer { h.close(again) }
        XCTAssertEqual(try read(h, again, 1, at: 1000 * 65536 + 8192), [UInt8(truncatingIfNeeded: 1000)])
    }

    func testOpenFlagsAndErrors() throws {
        let h = MemoryDirectoryHost(base: base)
        let root = h.rootDirectory
        XCTAssertErrno(.ENOENT, try h.open(at: root, bytes("missing"), flags: LinuxOpenFlags.readOnly, mode: 0))
        XCTAssertErrno(.ENOENT, try h.open(at: root, bytes("no/such"), flags: LinuxOpenFlags.readWrite | LinuxOpenFlags.create, mode: 0o644))
        let fd = try h.open(at: root, bytes("a"), flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.exclusive, mode: 0o640)
        XCTAssertEqual(try write(h, fd, "abc"), 3)
        XCTAssertErrno(.EBADF, try read(h, fd, 1))
        h.close(fd)
        XCTAssertErrno(.EEXIST, try h.open(at: root, bytes("a"), flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create | LinuxOpenFlags.exclusive, mode: 0))
        XCTAssertErrno(.ENOTDIR, try h.open(at: root, bytes("a"), flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.directory, mode: 0))
        XCTAssertErrno(.ENOTDIR, try h.stat(at: root, bytes("a/"), followSymlinks: false))
        XCTAssertErrno(.ENOTDIR, try h.open(at: root, bytes("a/b"), flags: LinuxOpenFlags.readOnly, mode: 0))
        try h.makeDirectory(at: root, bytes("d"), mode: 0o755)
        XCTAssertErrno(.EISDIR, try h.open(at: root, bytes("d"), flags: LinuxOpenFlags.writeOnly, mode: 0))
        XCTAssertErrno(.EISDIR, try h.open(at: root, bytes("d"), flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.create, mode: 0))
        try h.symlink(bytes("a"), at: root, bytes("d/../l"))
        XCTAssertErrno(.ELOOP, try h.open(at: root, bytes("l"), flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.noFollow, mode: 0))
        let viaLink = try h.open(at: root, bytes("l"), flags: LinuxOpenFlags.readOnly, mode: 0)
        XCTAssertEqual(try read(h, viaLink, 10), bytes("abc"))
        h.close(viaLink)
        XCTAssertTrue(try h.stat(at: root, bytes("l"), followSymlinks: false).isSymlink)
        XCTAssertTrue(try h.stat(at: root, bytes("l"), followSymlinks: true).isRegular)
        XCTAssertErrno(.EINVAL, try h.readLink(at: root, bytes("a")))
        // O_TRUNC empties; the mode of an existing file is left alone.
        let t = try h.open(at: root, bytes("a"), flags: LinuxOpenFlags.readWrite | LinuxOpenFlags.create | LinuxOpenFlags.truncate, mode: 0o777)
        XCTAssertEqual(try h.stat(t).size, 0)
        XCTAssertEqual(try h.stat(t).mode, FileMode.regular | 0o640)
        h.close(t)
        // Nothing escapes the tree.
        XCTAssertErrno(.EXDEV, try h.stat(at: root, bytes(".."), followSymlinks: false))
        XCTAssertErrno(.EXDEV, try h.stat(at: root, bytes("/etc"), followSymlinks: false))
        try h.symlink(bytes("/etc/passwd"), at: root, bytes("abs"))
        XCTAssertErrno(.EXDEV, try h.open(at: root, bytes("abs"), flags: LinuxOpenFlags.readOnly, mode: 0))
        try h.symlink(bytes("../.."), at: root, bytes("d/up"))
        XCTAssertErrno(.EXDEV, try h.stat(at: root, bytes("d/up/x"), followSymlinks: false))
        try h.symlink(bytes("loop"), at: root, bytes("loop"))
        XCTAssertErrno(.ELOOP, try h.stat(at: root, bytes("loop"), followSymlinks: true))
        // access(2) as root.
        XCTAssertNoThrow(try h.access(at: root, bytes("a"), mode: 6))
        XCTAssertErrno(.EACCES, try h.access(at: root, bytes("a"), mode: 1))
        XCTAssertNoThrow(try h.access(at: root, bytes("d"), mode: 1))
    }

    func testRemoveRenameAndLinkRules() throws {
        let h = MemoryDirectoryHost(base: base)
        let root = h.rootDirectory
        try h.makeDirectory(at: root, bytes("d"), mode: 0o755)
        try h.makeDirectory(at: root, bytes("d/sub"), mode: 0o755)
        XCTAssertEqual(try h.stat(at: root, bytes("d"), followSymlinks: false).linkCount, 3)
        let f = try h.open(at: root, bytes("d/f"), flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create, mode: 0o644)
        h.close(f)
        XCTAssertErrno(.ENOTEMPTY, try h.remove(at: root, bytes("d"), isDirectory: true))
        XCTAssertErrno(.EISDIR, try h.remove(at: root, bytes("d/sub"), isDirectory: false))
        XCTAssertErrno(.ENOTDIR, try h.remove(at: root, bytes("d/f"), isDirectory: true))
        XCTAssertErrno(.EINVAL, try h.remove(at: root, bytes("d/."), isDirectory: true))
        // A directory cannot move below itself; a directory and a file do not replace each other.
        XCTAssertErrno(.EINVAL, try h.rename(at: root, bytes("d"), to: root, bytes("d/sub/d"), flags: 0))
        XCTAssertErrno(.EISDIR, try h.rename(at: root, bytes("d/f"), to: root, bytes("d/sub"), flags: 0))
        XCTAssertErrno(.ENOTDIR, try h.rename(at: root, bytes("d/sub"), to: root, bytes("d/f"), flags: 0))
        XCTAssertErrno(.EINVAL, try h.rename(at: root, bytes("d/f"), to: root, bytes("g"), flags: 3))
        try h.makeDirectory(at: root, bytes("e"), mode: 0o755)
        try h.rename(at: root, bytes("d/sub"), to: root, bytes("e"), flags: 0) // over an empty directory
        XCTAssertEqual(try h.stat(at: root, bytes("d"), followSymlinks: false).linkCount, 2)
        XCTAssertErrno(.ENOENT, try h.stat(at: root, bytes("d/sub"), followSymlinks: false))
        // Hard links share the inode; rename between two names of one file does nothing.
        try h.link(at: root, bytes("d/f"), to: root, bytes("e/f2"))
        XCTAssertEqual(try h.stat(at: root, bytes("d/f"), followSymlinks: false).linkCount, 2)
        try h.rename(at: root, bytes("d/f"), to: root, bytes("e/f2"), flags: 0)
        XCTAssertNoThrow(try h.stat(at: root, bytes("d/f"), followSymlinks: false))
        XCTAssertErrno(.EPERM, try h.link(at: root, bytes("d"), to: root, bytes("d2")))
        XCTAssertErrno(.EEXIST, try h.link(at: root, bytes("d/f"), to: root, bytes("e/f2")))
        // Listing: ".", "..", then names in creation order with their types.
        let dir = try h.open(at: root, bytes("e"), flags: LinuxOpenFlags.readOnly | LinuxOpenFlags.directory, mode: 0)
        defer { h.close(dir) }
        let entries = try h.readDirectory(dir)
        XCTAssertEqual(entries.map { String(decoding: $0.name, as: UTF8.self) }, [".", "..", "f2"])
        XCTAssertEqual(entries[2].type, 8)
        XCTAssertEqual(entries[1].inode, try h.stat(root).inode)
        XCTAssertEqual(try h.fileSystemStat(dir).type, 0x01021994)
        // A removed directory lists nothing and takes no new entries.
        try h.remove(at: root, bytes("e/f2"), isDirectory: false)
        try h.remove(at: root, bytes("e"), isDirectory: true)
        XCTAssertEqual(try h.readDirectory(dir), [])
        XCTAssertErrno(.ENOENT, try h.open(at: dir, bytes("new"), flags: LinuxOpenFlags.writeOnly | LinuxOpenFlags.create, mode: 0o644))
    }
}

/// A busybox guest running on an image root with the in-memory upper layer.
final class MemoryUpperGuestTests: XCTestCase {
    func testShellWritesAndDeletesOnTheMemoryRoot() throws {
        let fixtures = ProcessInfo.processInfo.environment["SKIFF_FIXTURES"] ?? NSHomeDirectory() + "/.cache/skiff-fixtures"
        let rootfs = fixtures + "/rootfs/busybox"
        guard FileManager.default.fileExists(atPath: rootfs + "/usr/bin/busybox") else { throw XCTSkip("no busybox fixture at \(rootfs)") }
        let f = MemoryUpperFixture(try TestImage.directory(rootfs))
        let script = "echo hi > /f; cat /f > /out; rm /bin/ls; ls /bin/ls 2>> /out; echo status $? >> /out; "
            + "mkdir -p /a/b; echo deep > /a/b/c; mv /a/b/c /c; cat /c >> /out; ls /a/b >> /out; rmdir /a/b /a; "
            + "cp /etc/passwd /etc/passwd.new; mv /etc/passwd.new /etc/passwd; wc -l < /etc/passwd >> /out"
        try f.kernel.start(path: "/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH=/bin:/usr/bin"], workingDirectory: "/")
        XCTAssertEqual(f.kernel.run(), .exited(0))
        let out = String(decoding: f.root.readFile("/out") ?? [], as: UTF8.self)
        let passwdLines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: rootfs + "/etc/passwd")), as: UTF8.self)
            .split(separator: "\n").count
        XCTAssertEqual(out, "hi\nls: /bin/ls: No such file or directory\nstatus 1\ndeep\n\(passwdLines)\n")
        XCTAssertEqual(f.root.readFile("/f"), Array("hi\n".utf8))
        XCTAssertThrowsError(try f.root.stat("/bin/ls"))
        XCTAssertFalse(try f.list("bin").contains("ls"))
        XCTAssertThrowsError(try f.root.stat("/a"))
    }
}
