import Foundation
import XCTest
@testable import LinuxKernel

/// Guest paths resolve inside the root: "..", absolute symlinks and symlinks climbing out never
/// reach the host's files.
final class PathConfinementTests: XCTestCase {
    func components(_ r: ResolvedPath) -> String { String(decoding: Path.absolute(r.components), as: UTF8.self) }

    func testDotDotAtRootStaysAtRoot() throws {
        let f = try KernelFixture()
        try f.mkdir("etc")
        let r = try f.kernel.resolve(f.task, path: Array("/../../../etc".utf8), follow: true)
        XCTAssertEqual(components(r), "/etc")
        XCTAssertEqual(r.stat?.isDirectory, true)
    }

    func testRelativeSymlinkClimbingOutIsClampedAtRoot() throws {
        let f = try KernelFixture()
        try f.mkdir("a/b")
        try f.write("etc/hostname", "guest\n")
        try f.symlink("a/b/escape", to: "../../../../../../etc")
        let r = try f.kernel.resolve(f.task, path: Array("/a/b/escape/hostname".utf8), follow: true)
        XCTAssertEqual(components(r), "/etc/hostname")
        // Reading it gives the guest's file, not the host's /etc/hostname.
        let fd = f.call(56, atFDCWD, f.place("/a/b/escape/hostname"), 0, 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let buf = f.buffer(64)
        XCTAssertEqual(f.call(63, UInt64(fd), buf, 64), 6)
        XCTAssertEqual(String(decoding: f.read(buf, 6), as: UTF8.self), "guest\n")
    }

    func testAbsoluteSymlinkRestartsAtGuestRoot() throws {
        let f = try KernelFixture()
        try f.mkdir("usr/lib")
        try f.mkdir("etc")
        try f.symlink("lib", to: "/usr/lib")
        try f.symlink("usr/lib/passwd-link", to: "/etc/passwd")
        let r = try f.kernel.resolve(f.task, path: Array("/lib".utf8), follow: true)
        XCTAssertEqual(components(r), "/usr/lib")
        // /etc/passwd does not exist in the guest root: following the link must not find the host's.
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/etc/passwd"))
        let r2 = try f.kernel.resolve(f.task, path: Array("/lib/passwd-link".utf8), follow: true)
        XCTAssertNil(r2.stat)
        XCTAssertEqual(components(r2), "/etc/passwd")
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/lib/passwd-link"), 0, 0), f.errno(.ENOENT))
    }

    func testSymlinkToHostAbsolutePathCannotCreateOutside() throws {
        let f = try KernelFixture()
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try f.symlink("trap", to: outside.path + "/created")
        // O_CREAT through the link resolves inside the root, where that directory does not exist.
        let fd = f.call(56, atFDCWD, f.place("/trap"), UInt64(LinuxOpenFlags.create | LinuxOpenFlags.writeOnly), 0o644)
        XCTAssertEqual(fd, f.errno(.ENOENT))
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside.path + "/created"))
        // A relative link climbing out creates at the guest root instead.
        try f.symlink("climb", to: "../../../../../created-by-guest")
        XCTAssertGreaterThanOrEqual(f.call(56, atFDCWD, f.place("/climb"), UInt64(LinuxOpenFlags.create | LinuxOpenFlags.writeOnly), 0o644), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("created-by-guest").path))
    }

    func testSymlinkLoopIsELOOP() throws {
        let f = try KernelFixture()
        try f.symlink("loop", to: "loop")
        try f.symlink("ping", to: "pong")
        try f.symlink("pong", to: "ping")
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/loop"), 0, 0), f.errno(.ELOOP))
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/ping/x"), 0, 0), f.errno(.ELOOP))
    }

    func testNoFollowOnFinalSymlink() throws {
        let f = try KernelFixture()
        try f.write("target", "x")
        try f.symlink("link", to: "target")
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/link"), UInt64(LinuxOpenFlags.noFollow), 0), f.errno(.ELOOP))
        let buf = f.buffer(32)
        XCTAssertEqual(f.call(78, atFDCWD, f.place("/link"), buf, 32), 6)
        XCTAssertEqual(String(decoding: f.read(buf, 6), as: UTF8.self), "target")
    }

    func testNotADirectoryAndNameTooLong() throws {
        let f = try KernelFixture()
        try f.write("file", "x")
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/file/inside"), 0, 0), f.errno(.ENOTDIR))
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/file/"), 0, 0), f.errno(.ENOTDIR))
        let long = "/" + String(repeating: "n", count: 256)
        XCTAssertEqual(f.call(56, atFDCWD, f.place(long), 0, 0), f.errno(.ENAMETOOLONG))
    }

    func testWorkingDirectoryAndDirectoryDescriptors() throws {
        let f = try KernelFixture()
        try f.write("srv/data/item", "42")
        XCTAssertEqual(f.call(49, f.place("/srv/../srv/data")), 0)         // chdir
        let buf = f.buffer(64)
        XCTAssertEqual(f.call(17, buf, 64), 10)                            // getcwd "/srv/data\0"
        XCTAssertEqual(String(decoding: f.read(buf, 9), as: UTF8.self), "/srv/data")
        let dirfd = f.call(56, atFDCWD, f.place("/srv"), UInt64(LinuxOpenFlags.directory), 0)
        XCTAssertGreaterThanOrEqual(dirfd, 0)
        XCTAssertGreaterThanOrEqual(f.call(56, UInt64(dirfd), f.place("data/item"), 0, 0), 0)
        // ".." from the directory descriptor climbs to the guest root and no further.
        XCTAssertGreaterThanOrEqual(f.call(56, UInt64(dirfd), f.place("../../../srv/data/item"), 0, 0), 0)
        // A relative path from a descriptor that is not a directory.
        let filefd = f.call(56, atFDCWD, f.place("/srv/data/item"), 0, 0)
        XCTAssertEqual(f.call(56, UInt64(filefd), f.place("x"), 0, 0), f.errno(.ENOTDIR))
    }

    func testProcSelfLinks() throws {
        let f = try KernelFixture()
        try f.write("file", "x")
        let fd = f.call(56, atFDCWD, f.place("/file"), 0, 0)
        let buf = f.buffer(64)
        let n = f.call(78, atFDCWD, f.place("/proc/self/fd/\(fd)"), buf, 64)
        XCTAssertEqual(String(decoding: f.read(buf, Int(n)), as: UTF8.self), "/file")
        // Opening the magic link opens the same file again.
        XCTAssertGreaterThanOrEqual(f.call(56, atFDCWD, f.place("/dev/fd/\(fd)"), 0, 0), 0)
    }

    func testReadOnlyRootRefusesWrites() throws {
        let f = try KernelFixture(readOnly: true)
        try f.write("existing", "x")
        let create = UInt64(LinuxOpenFlags.create | LinuxOpenFlags.writeOnly)
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/new"), create, 0o644), f.errno(.EROFS))
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/existing"), UInt64(LinuxOpenFlags.readWrite), 0), f.errno(.EROFS))
        XCTAssertEqual(f.call(34, atFDCWD, f.place("/dir"), 0o755), f.errno(.EROFS))
        XCTAssertGreaterThanOrEqual(f.call(56, atFDCWD, f.place("/existing"), 0, 0), 0)
    }
}
