import Foundation
import XCTest
@testable import LinuxKernel
import PosixHost

/// FIFOs and device nodes (issue 17): the kernel's open rules, and how the overlay's upper
/// layer keeps them (a host FIFO; an empty file plus an attribute record for a device).
final class SpecialFileTests: XCTestCase {
    let atFDCWD = UInt64(bitPattern: -100)
    let sigchld: UInt64 = 17

    func fork(_ f: KernelFixture) -> Task {
        let pid = f.call(220, sigchld, 0, 0, 0, 0)
        XCTAssertGreaterThan(pid, 1)
        return f.kernel.tasks[Int32(pid)]!
    }

    func testBlockingOpenWaitsForTheOtherSide() throws {
        let f = try KernelFixture()
        let path = f.place("/f")
        XCTAssertEqual(f.call(33, atFDCWD, path, UInt64(FileMode.fifo | 0o644), 0), 0, "mknodat S_IFIFO")
        var st = Glibc.stat()
        XCTAssertEqual(lstat(f.root.appendingPathComponent("f").path, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "a real FIFO in the host directory")
        let writeOnlyNonBlocking = UInt64(LinuxOpenFlags.writeOnly | LinuxOpenFlags.nonBlocking)
        XCTAssertEqual(f.call(56, atFDCWD, path, writeOnlyNonBlocking, 0), f.errno(.ENXIO), "no reader")

        let hi = f.place("hi")   // before the fork: the child has its own copy of the memory
        let child = fork(f)
        f.call(56, atFDCWD, path, UInt64(LinuxOpenFlags.readOnly), 0)
        XCTAssertEqual(f.task.state, .blocked, "a reader waits for a writer")
        let w = f.call(on: child, 56, [atFDCWD, path, writeOnlyNonBlocking, 0])
        XCTAssertGreaterThanOrEqual(w, 0, "the waiting reader counts: a non-blocking writer opens")
        XCTAssertEqual(f.task.state, .runnable, "the writer's open wakes the reader")
        let r = f.call(56, atFDCWD, path, UInt64(LinuxOpenFlags.readOnly), 0)
        XCTAssertGreaterThanOrEqual(r, 0)
        XCTAssertNil(f.task.pendingFifoOpen)

        XCTAssertEqual(f.call(on: child, 64, [UInt64(w), hi, 2]), 2)
        let buffer = f.buffer(16)
        XCTAssertEqual(f.call(63, UInt64(r), buffer, 16), 2)
        XCTAssertEqual(f.read(buffer, 2), Array("hi".utf8))
        XCTAssertEqual(f.call(on: child, 57, [UInt64(w)]), 0)
        XCTAssertEqual(f.call(63, UInt64(r), buffer, 16), 0, "EOF once the writer closed")
        XCTAssertEqual(f.call(57, UInt64(r)), 0)
        XCTAssertTrue(f.kernel.namedPipes.isEmpty, "the pipe goes with the last descriptor")

        // O_RDWR opens at once; a writer that came and went releases a waiting reader.
        let rw = f.call(56, atFDCWD, path, UInt64(LinuxOpenFlags.readWrite), 0)
        XCTAssertGreaterThanOrEqual(rw, 0)
        XCTAssertEqual(f.call(57, UInt64(rw)), 0)
    }

    func testWaitingOpenThatEndsLeavesNoReader() throws {
        let f = try KernelFixture()
        let path = f.place("/f")
        XCTAssertEqual(f.call(33, atFDCWD, path, UInt64(FileMode.fifo | 0o600), 0), 0)
        let child = fork(f)
        f.call(on: child, 56, [atFDCWD, path, UInt64(LinuxOpenFlags.readOnly), 0])
        XCTAssertEqual(child.state, .blocked)
        XCTAssertEqual(f.kernel.namedPipes.first?.value.readers, 1)
        f.call(on: child, 94, [0])   // exit_group while waiting
        XCTAssertTrue(f.kernel.namedPipes.isEmpty, "the dead reader's end is gone")
        XCTAssertEqual(f.call(56, atFDCWD, path, UInt64(LinuxOpenFlags.writeOnly | LinuxOpenFlags.nonBlocking), 0), f.errno(.ENXIO))
    }

    func testDeviceNodesFollowTheDevicePolicy() throws {
        let f = try KernelFixture()
        let null = f.place("/dev-null")
        // In a host directory a device node is a real host node: only a privileged host user can make one.
        let made = f.call(33, atFDCWD, null, UInt64(FileMode.characterDevice | 0o666), UInt64((1 << 8) | 3))
        if made == f.errno(.EPERM) { throw XCTSkip("the host user cannot make device nodes") }
        XCTAssertEqual(made, 0)
        let fd = f.call(56, atFDCWD, null, UInt64(LinuxOpenFlags.readWrite), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(f.call(64, UInt64(fd), f.place("gone"), 4), 4)
        XCTAssertEqual(f.call(63, UInt64(fd), f.buffer(4), 4), 0, "reads as /dev/null")
        let mem = f.place("/dev-mem")
        XCTAssertEqual(f.call(33, atFDCWD, mem, UInt64(FileMode.characterDevice | 0o600), UInt64((1 << 8) | 1)), 0)
        XCTAssertEqual(f.call(56, atFDCWD, mem, UInt64(LinuxOpenFlags.readOnly), 0), f.errno(.EPERM), "/dev/mem: not allowed")
    }

    func testUpperLayerKeepsFifosAndDeviceRecords() throws {
        let o = try OverlayFixture()
        try o.overlay.makeNode(OverlayFixture.path("etc/fifo"), mode: FileMode.fifo | 0o640, device: 0)
        try o.overlay.makeNode(OverlayFixture.path("etc/null"), mode: FileMode.characterDevice | 0o666, device: makeDevice(1, 3))
        XCTAssertEqual(try o.stat("etc/fifo").mode, FileMode.fifo | 0o640)
        let null = try o.stat("etc/null")
        XCTAssertEqual(null.mode, FileMode.characterDevice | 0o666)
        XCTAssertEqual(null.rdev, makeDevice(1, 3))
        try o.overlay.setMode(OverlayFixture.path("etc/null"), mode: 0o600)
        XCTAssertEqual(try o.stat("etc/null").mode, FileMode.characterDevice | 0o600, "chmod keeps the device record")
        let d = try o.open("etc", LinuxOpenFlags.readOnly | LinuxOpenFlags.directory)
        defer { d.release() }
        let types = Dictionary(uniqueKeysWithValues: try d.readDirectory().map { (String(decoding: $0.name, as: UTF8.self), $0.type) })
        XCTAssertEqual(types["fifo"], 1)
        XCTAssertEqual(types["null"], 2)
        try o.remount()
        XCTAssertEqual(try o.stat("etc/fifo").fileType, FileMode.fifo, "a host FIFO in the upper directory")
        XCTAssertEqual(try o.stat("etc/null").rdev, makeDevice(1, 3))
        try o.overlay.remove(OverlayFixture.path("etc/null"), isDirectory: false)
        XCTAssertTrue(o.attributes.entries.values.allSatisfy { $0.fileType == 0 }, "the record goes with the node")
    }
}
