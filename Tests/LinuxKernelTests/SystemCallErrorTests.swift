import XCTest
@testable import LinuxKernel

/// Error paths of file and descriptor system calls return Linux's errno.
final class SystemCallErrorTests: XCTestCase {
    func testDescriptorErrors() throws {
        let f = try KernelFixture()
        try f.write("file", "hello")
        XCTAssertEqual(f.call(57, 99), f.errno(.EBADF), "close of a closed descriptor")
        XCTAssertEqual(f.call(63, 99, f.buffer(8), 8), f.errno(.EBADF))
        let ro = f.call(56, atFDCWD, f.place("/file"), 0, 0)
        XCTAssertEqual(f.call(64, UInt64(ro), f.place("x"), 1), f.errno(.EBADF), "write to a read-only descriptor")
        XCTAssertEqual(f.call(63, UInt64(ro), 0xdead_0000, 4), f.errno(.EFAULT), "bad buffer")
        XCTAssertEqual(f.call(24, UInt64(ro), UInt64(ro), 0), f.errno(.EINVAL), "dup3 onto itself")
        XCTAssertEqual(f.call(25, UInt64(ro), 1), 0, "F_GETFD")
        XCTAssertEqual(f.call(25, UInt64(ro), 2, 1), 0, "F_SETFD FD_CLOEXEC")
        XCTAssertEqual(f.call(25, UInt64(ro), 1), 1)
        XCTAssertEqual(f.call(62, UInt64(ro), 0, 7), f.errno(.EINVAL), "lseek whence")
        XCTAssertEqual(f.call(29, UInt64(ro), 0x5401, f.buffer(64)), f.errno(.ENOTTY), "TCGETS on a file")
    }

    /// Setting the time needs CAP_SYS_TIME, which a container does not have: EPERM after
    /// Linux's own checks. (Not differential: qemu run as root would set the host's clock.)
    func testSettingTheClockIsRefused() throws {
        let f = try KernelFixture()
        let time = f.buffer(16)
        XCTAssertEqual(f.call(112, 0, time), f.errno(.EPERM), "clock_settime(CLOCK_REALTIME)")
        XCTAssertEqual(f.call(112, 0, 0xdead_0000), f.errno(.EFAULT), "the time is read first")
        XCTAssertEqual(f.call(112, 1, time), f.errno(.EINVAL), "CLOCK_MONOTONIC cannot be set")
        XCTAssertEqual(f.call(112, 2, time), f.errno(.EPERM), "a CPU-time clock")
        XCTAssertEqual(f.call(112, 99, time), f.errno(.EINVAL), "no such clock")
        XCTAssertEqual(f.call(170, time, 0), f.errno(.EPERM), "settimeofday")
        XCTAssertEqual(f.call(170, 0xdead_0000, 0), f.errno(.EFAULT))
    }

    func testFileAndDirectoryErrors() throws {
        let f = try KernelFixture()
        try f.write("dir/file", "x")
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/nope"), 0, 0), f.errno(.ENOENT))
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/dir"), 1, 0), f.errno(.EISDIR))
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/dir/file"), UInt64(0o300), 0o644), f.errno(.EEXIST), "O_CREAT|O_EXCL")
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/dir/file"), UInt64(LinuxOpenFlags.directory), 0), f.errno(.ENOTDIR))
        XCTAssertEqual(f.call(34, atFDCWD, f.place("/dir"), 0o755), f.errno(.EEXIST), "mkdir")
        XCTAssertEqual(f.call(35, atFDCWD, f.place("/dir"), 0), f.errno(.EISDIR), "unlink of a directory")
        XCTAssertEqual(f.call(35, atFDCWD, f.place("/dir"), 0x200), f.errno(.ENOTEMPTY), "rmdir of a non-empty one")
        XCTAssertEqual(f.call(35, atFDCWD, f.place("/dir/file"), 0x200), f.errno(.ENOTDIR), "rmdir of a file")
        XCTAssertEqual(f.call(35, atFDCWD, f.place("/"), 0x200), f.errno(.EBUSY), "rmdir of the root")
        XCTAssertEqual(f.call(276, atFDCWD, f.place("/dir"), atFDCWD, f.place("/dir/sub"), 0), f.errno(.EINVAL), "into itself")
        XCTAssertEqual(f.call(276, atFDCWD, f.place("/dir/file"), atFDCWD, f.place("/proc/x"), 0), f.errno(.EXDEV))
        XCTAssertEqual(f.call(49, f.place("/dir/file")), f.errno(.ENOTDIR), "chdir to a file")
        XCTAssertEqual(f.call(17, f.buffer(1), 1), f.errno(.ERANGE), "getcwd into a small buffer")
        // And the successful paths leave the host tree as expected.
        XCTAssertEqual(f.call(276, atFDCWD, f.place("/dir/file"), atFDCWD, f.place("/moved"), 0), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("moved").path))
        XCTAssertEqual(f.call(35, atFDCWD, f.place("/dir"), 0x200), 0)
    }

    func testUnknownSystemCallIsENOSYS() throws {
        let f = try KernelFixture()
        XCTAssertEqual(f.call(425), f.errno(.ENOSYS), "io_uring_setup")
        XCTAssertEqual(f.call(9999), f.errno(.ENOSYS))
    }

    func testPipeRoundTripAndEOF() throws {
        let f = try KernelFixture()
        let fds = f.buffer(8)
        XCTAssertEqual(f.call(59, fds, 0), 0)
        let r = UInt64(try f.task.memory.load(Int32.self, at: fds)), w = UInt64(try f.task.memory.load(Int32.self, at: fds + 4))
        XCTAssertEqual(f.call(64, w, f.place("abc"), 3), 3)
        let buf = f.buffer(8)
        XCTAssertEqual(f.call(63, r, buf, 8), 3)
        XCTAssertEqual(String(decoding: f.read(buf, 3), as: UTF8.self), "abc")
        XCTAssertEqual(f.call(57, w), 0)
        XCTAssertEqual(f.call(63, r, buf, 8), 0, "EOF once the write end is closed")
        XCTAssertEqual(f.call(64, r, buf, 1), f.errno(.EBADF))
    }
}
