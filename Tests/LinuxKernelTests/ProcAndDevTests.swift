import XCTest
@testable import LinuxKernel

/// /proc and /dev as programs read them.
final class ProcAndDevTests: XCTestCase {
    func readFile(_ f: KernelFixture, _ path: String) -> String? {
        let fd = f.call(56, atFDCWD, f.place(path), 0, 0)
        if fd < 0 { return nil }
        let buf = f.buffer(8192)
        var out: [UInt8] = []
        while true {
            let n = f.call(63, UInt64(fd), buf, 8192)
            if n <= 0 { break }
            out += f.read(buf, Int(n))
        }
        f.call(57, UInt64(fd))
        return String(decoding: out, as: UTF8.self)
    }

    func testProcFiles() throws {
        let f = try KernelFixture()
        XCTAssertTrue(readFile(f, "/proc/cpuinfo")?.contains("isa\t\t: rv64imafdc") == true)
        XCTAssertTrue(readFile(f, "/proc/meminfo")?.hasPrefix("MemTotal:") == true)
        XCTAssertTrue(readFile(f, "/proc/stat")?.contains("\ncpu0 ") == true)
        let mountinfo = readFile(f, "/proc/self/mountinfo") ?? ""
        XCTAssertTrue(mountinfo.hasPrefix("21 20 "), mountinfo)
        XCTAssertTrue(mountinfo.contains(" / / rw,relatime - skiff skiff rw\n"), mountinfo)
        XCTAssertTrue(mountinfo.contains(" /dev/shm rw,relatime - tmpfs tmpfs rw\n"), mountinfo)
        XCTAssertTrue(readFile(f, "/proc/1/status")?.contains("Pid:\t1\n") == true)
        XCTAssertTrue(readFile(f, "/proc/self/maps")?.contains("10000000-10010000 rw-p 00000000 00:00 0") == true)
        // /proc is not writable and unknown entries do not exist.
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/proc/cpuinfo"), 1, 0), f.errno(.EACCES))
        XCTAssertEqual(f.call(56, atFDCWD, f.place("/proc/999/status"), 0, 0), f.errno(.ENOENT))
        let buf = f.buffer(16)
        XCTAssertEqual(f.call(78, atFDCWD, f.place("/proc/self"), buf, 16), 1)
        XCTAssertEqual(f.read(buf, 1), [0x31])
    }

    func testDevices() throws {
        let f = try KernelFixture()
        let null = f.call(56, atFDCWD, f.place("/dev/null"), 2, 0)
        let buf = f.buffer(16)
        XCTAssertEqual(f.call(63, UInt64(null), buf, 16), 0)
        XCTAssertEqual(f.call(64, UInt64(null), buf, 16), 16)
        let zero = f.call(56, atFDCWD, f.place("/dev/zero"), 0, 0)
        try f.task.memory.store(UInt64.max, at: buf)
        XCTAssertEqual(f.call(63, UInt64(zero), buf, 8), 8)
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: buf), 0)
        let full = f.call(56, atFDCWD, f.place("/dev/full"), 1, 0)
        XCTAssertEqual(f.call(64, UInt64(full), buf, 1), f.errno(.ENOSPC))
        let random = f.call(56, atFDCWD, f.place("/dev/urandom"), 0, 0)
        XCTAssertEqual(f.call(63, UInt64(random), buf, 16), 16)
        // /dev/stdin -> /proc/self/fd/0, and /dev/shm is a writable tmpfs.
        let link = f.buffer(32)
        XCTAssertEqual(f.call(78, atFDCWD, f.place("/dev/stdin"), link, 32), 15)
        let shm = f.call(56, atFDCWD, f.place("/dev/shm/sem.x"), UInt64(LinuxOpenFlags.create | LinuxOpenFlags.readWrite), 0o600)
        XCTAssertGreaterThanOrEqual(shm, 0)
        XCTAssertEqual(f.call(64, UInt64(shm), buf, 4), 4)
        XCTAssertEqual(f.call(35, atFDCWD, f.place("/dev/shm/sem.x"), 0), 0)
    }
}
