import XCTest
@testable import LinuxKernel
import RISCV

/// fork, wait4, signals' default actions, pipes between processes and MAP_SHARED memory, driven
/// through the system call interface of the tasks involved.
final class ProcessTests: XCTestCase {
    let sigchld: UInt64 = 17, wnohang: UInt64 = 1

    func fork(_ f: KernelFixture) -> Task {
        let pid = f.call(220, sigchld, 0, 0, 0, 0)
        XCTAssertGreaterThan(pid, 1)
        return f.kernel.tasks[Int32(pid)]!
    }

    func testForkCopiesMemoryAndWaitReapsTheChild() throws {
        let f = try KernelFixture()
        let cell = f.buffer(8)
        try f.task.memory.store(UInt64(1), at: cell)
        let child = fork(f)
        XCTAssertEqual(child.process.parent?.pid, 1)
        XCTAssertEqual(child.hart.x(10), 0, "the child returns 0")
        try f.task.memory.store(UInt64(2), at: cell)
        XCTAssertEqual(try child.memory.load(UInt64.self, at: cell), 1, "copy-on-write: the child keeps its copy")
        let status = f.buffer(4)
        XCTAssertEqual(f.call(260, UInt64.max, status, wnohang, 0), 0, "WNOHANG with a live child")
        f.call(on: child, 94, [5])   // exit_group(5)
        XCTAssertEqual(f.call(260, UInt64.max, status, wnohang, 0), Int64(child.tid))
        XCTAssertEqual(try f.task.memory.load(Int32.self, at: status), 5 << 8)
        XCTAssertEqual(f.call(260, UInt64.max, status, wnohang, 0), f.errno(.ECHILD))
        XCTAssertNil(f.kernel.processes[child.tid], "reaped")
    }

    func testDefaultActionOfSIGTERMKillsAndParentGetsSIGCHLD() throws {
        let f = try KernelFixture()
        // A SIGCHLD handler at the parent (ignored signals, SIGCHLD's default, are not queued).
        var action = [UInt8](repeating: 0, count: 24)
        action[0] = 0x34; action[1] = 0x12
        XCTAssertEqual(f.call(134, sigchld, f.place(action), 0, 8), 0)
        let child = fork(f)
        XCTAssertEqual(f.call(129, UInt64(child.tid), 15), 0)   // kill(child, SIGTERM)
        f.kernel.deliverSignals(child)
        XCTAssertTrue(child.process.isZombie)
        XCTAssertEqual(child.process.exitStatus, 15)
        XCTAssertNotEqual(f.task.process.pendingSignals.mask & (1 << 16), 0, "SIGCHLD pending at the parent")
        XCTAssertEqual(f.call(129, 99999, 0), f.errno(.ESRCH))
    }

    func testInitIgnoresUnhandledSignalsFromInsideUnlessBlocked() throws {
        let f = try KernelFixture()
        XCTAssertEqual(f.call(129, 1, 15), 0)                    // kill(1, SIGTERM) from pid 1 itself
        f.kernel.deliverSignals(f.task)
        XCTAssertFalse(f.task.process.isZombie, "pid 1 has no handler: the signal is dropped")
        let set = f.place(withUnsafeBytes(of: UInt64(1 << 14).littleEndian) { Array($0) })
        XCTAssertEqual(f.call(135, 0, set, 0, 8), 0)            // block SIGTERM
        XCTAssertEqual(f.call(129, 1, 15), 0)
        let pending = f.buffer(8)
        XCTAssertEqual(f.call(136, pending, 8), 0)
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: pending), 1 << 14, "blocked: it stays pending")
    }

    func testPipeBetweenProcessesAndEPIPE() throws {
        let f = try KernelFixture()
        let fds = f.buffer(8)
        XCTAssertEqual(f.call(59, fds, 0), 0)
        let r = UInt64(try f.task.memory.load(Int32.self, at: fds)), w = UInt64(try f.task.memory.load(Int32.self, at: fds + 4))
        let ping = f.place("ping"), x = f.place("x")
        let child = fork(f)
        XCTAssertEqual(f.call(on: child, 64, [w, ping, 4]), 4)
        let buf = f.buffer(8)
        XCTAssertEqual(f.call(63, r, buf, 8), 4)
        XCTAssertEqual(String(decoding: f.read(buf, 4), as: UTF8.self), "ping")
        // A read with nothing buffered and a writer left blocks (the call stays at its ecall).
        f.task.hart.pc = 0x1000
        XCTAssertEqual(f.call(63, r, buf, 8), Int64(r), "blocked: a0 untouched")
        XCTAssertEqual(f.task.state, .blocked)
        f.kernel.wake(f.task, result: nil)
        // Close every read end: the writer gets EPIPE and SIGPIPE.
        f.call(57, r)
        f.call(on: child, 57, [r])
        XCTAssertEqual(f.call(on: child, 64, [w, x, 1]), f.errno(.EPIPE))
        f.kernel.deliverSignals(child)
        XCTAssertEqual(child.process.exitStatus, 13, "killed by SIGPIPE")
    }

    func testSharedAnonymousMemoryIsSharedAcrossFork() throws {
        let f = try KernelFixture()
        let page = AddressLayout.pageSize
        let shared = UInt64(f.call(222, 0, page, 3, 0x21, UInt64.max, 0))    // MAP_SHARED|MAP_ANONYMOUS
        let priv = UInt64(f.call(222, 0, page, 3, 0x22, UInt64.max, 0))      // MAP_PRIVATE|MAP_ANONYMOUS
        let child = fork(f)
        // The child stores into both; the parent sees the shared store at once (the same frame),
        // not the private one.
        try child.memory.store(UInt64(0xabc), at: shared)
        try child.memory.store(UInt64(0xdef), at: priv)
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: shared), 0xabc)
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: priv), 0)
    }
}
