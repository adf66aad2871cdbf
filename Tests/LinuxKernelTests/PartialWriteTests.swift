import XCTest
@testable import LinuxKernel
import RISCV

/// Writes that do not fit at once (issue 9): sendfile and copy_file_range move their input only by
/// what the output took; blocking writes to pipes and stream sockets go on from where they stopped
/// until every byte went; a signal or a non-blocking descriptor ends the call with the count of
/// the bytes that went, never with an error that would make the caller send them again.
final class PartialWriteTests: XCTestCase {
    /// A big region for buffers larger than a pipe.
    let big: UInt64 = 0x2000_0000
    let bigSize: UInt64 = 0x10_0000

    func fixture() throws -> KernelFixture {
        let f = try KernelFixture()
        f.task.process.addressSpace.insert(MemoryRegion(start: big, end: big + bigSize, protection: [.read, .write]))
        return f
    }

    func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 251) } }

    func pipe(_ f: KernelFixture, flags: UInt64 = 0) -> (UInt64, UInt64) {
        let fds = f.buffer(8)
        XCTAssertEqual(f.call(59, fds, flags), 0)
        return (UInt64(try! f.task.memory.load(Int32.self, at: fds)), UInt64(try! f.task.memory.load(Int32.self, at: fds + 4)))
    }

    /// Reads everything buffered in non-blocking pipe end or socket `fd`, as `task`.
    func drain(_ f: KernelFixture, _ fd: UInt64, on task: Task? = nil) -> [UInt8] {
        let t = task ?? f.task
        var out: [UInt8] = []
        let at = big + bigSize - 0x1_0000
        while true {
            let n = f.call(on: t, 63, [fd, at, 0x1_0000])
            if n <= 0 { break }
            var chunk = [UInt8](repeating: 0, count: Int(n))
            chunk.withUnsafeMutableBytes { try! t.memory.read(at: at, into: $0) }
            out += chunk
        }
        return out
    }

    /// A forked child of the init task (the reader of these tests).
    func fork(_ f: KernelFixture) -> Task {
        let pid = f.call(220, 17, 0, 0, 0, 0)   // clone(SIGCHLD)
        XCTAssertGreaterThan(pid, 1)
        return f.kernel.tasks[Int32(pid)]!
    }

    func setNonBlocking(_ f: KernelFixture, _ fd: UInt64) {
        XCTAssertEqual(f.call(25, fd, 4, 0o4000), 0)   // F_SETFL O_NONBLOCK
    }

    func store(_ f: KernelFixture, _ bytes: [UInt8], at address: UInt64) {
        bytes.withUnsafeBytes { try! f.task.memory.write(at: address, from: $0) }
    }

    func testSendfileMovesTheInputOnlyByWhatThePipeTook() throws {
        let f = try fixture()
        let data = pattern(200_000)
        try Data(data).write(to: f.root.appendingPathComponent("blob"))
        let fd = UInt64(f.call(56, atFDCWD, f.place("/blob"), 0, 0))
        XCTAssertGreaterThanOrEqual(Int64(bitPattern: fd), 0)
        let (r, w) = pipe(f, flags: 0o4000)   // O_NONBLOCK on both ends
        XCTAssertEqual(f.call(71, w, fd, 0, 200_000), 65536, "a pipeful")
        XCTAssertEqual(f.call(62, fd, 0, 1), 65536, "the file position moved by what the pipe took")
        XCTAssertEqual(f.call(71, w, fd, 0, 200_000), f.errno(.EAGAIN))
        XCTAssertEqual(f.call(62, fd, 0, 1), 65536, "nothing read when nothing fits")
        var got = drain(f, r)
        // With an offset argument: the position stays, the offset moves by what went.
        let offset = f.buffer(8)
        try f.task.memory.store(Int64(65536), at: offset)
        XCTAssertEqual(f.call(71, w, fd, offset, 200_000), 65536)
        XCTAssertEqual(try f.task.memory.load(Int64.self, at: offset), 131_072)
        XCTAssertEqual(f.call(62, fd, 0, 1), 65536)
        got += drain(f, r)
        f.call(62, fd, 131_072, 0)
        while true {
            let n = f.call(71, w, fd, 0, 1 << 20)
            XCTAssertGreaterThanOrEqual(n, 0)
            if n <= 0 { break }
            got += drain(f, r)
        }
        XCTAssertEqual(got, data, "every byte once, in order")
        XCTAssertEqual(f.call(71, r, fd, 0, 10), f.errno(.EBADF))
        XCTAssertEqual(f.call(71, w, r, 0, 10), f.errno(.EINVAL), "a pipe is no sendfile input")
    }

    func testSendfileIntoAFullBlockingPipeWaitsWithoutReading() throws {
        let f = try fixture()
        try Data(pattern(100_000)).write(to: f.root.appendingPathComponent("blob"))
        let fd = UInt64(f.call(56, atFDCWD, f.place("/blob"), 0, 0))
        let (_, w) = pipe(f)
        XCTAssertEqual(f.call(71, w, fd, 0, 100_000), 65536)
        XCTAssertEqual(f.call(71, w, fd, 0, 100_000), Int64(w), "blocked: a0 untouched")
        XCTAssertEqual(f.task.state, .blocked)
        f.kernel.wake(f.task, result: nil)
        XCTAssertEqual(f.call(62, fd, 0, 1), 65536)
    }

    func testCopyFileRangeIsForRegularFiles() throws {
        let f = try fixture()
        let data = pattern(150_000)
        try Data(data).write(to: f.root.appendingPathComponent("blob"))
        let fd = UInt64(f.call(56, atFDCWD, f.place("/blob"), 0, 0))
        let out = UInt64(f.call(56, atFDCWD, f.place("/copy"), 0o102, 0o644))   // O_RDWR|O_CREAT
        XCTAssertEqual(f.call(285, fd, 0, out, 0, 100_000, 0), 100_000)
        XCTAssertEqual(f.call(285, fd, 0, out, 0, 100_000, 0), 50_000)
        XCTAssertEqual(f.call(285, fd, 0, out, 0, 100_000, 0), 0)
        XCTAssertEqual(f.call(62, fd, 0, 1), 150_000)
        XCTAssertEqual(f.call(62, out, 0, 1), 150_000)
        XCTAssertEqual([UInt8](try Data(contentsOf: f.root.appendingPathComponent("copy"))), data)
        let (_, w) = pipe(f)
        XCTAssertEqual(f.call(285, fd, 0, w, 0, 10, 0), f.errno(.EINVAL))
    }

    func testBlockingWriteGoesOnFromWhereItStopped() throws {
        let f = try fixture()
        let data = pattern(150_000)
        store(f, data, at: big)
        let (r, w) = pipe(f)
        setNonBlocking(f, r)
        let reader = fork(f)
        XCTAssertEqual(f.call(64, w, big, 150_000), Int64(w), "blocked after a pipeful")
        XCTAssertEqual(f.task.syscallProgress, 65536)
        var got = drain(f, r, on: reader)
        XCTAssertEqual(got.count, 65536)
        XCTAssertEqual(f.task.state, .runnable, "the reader woke the writer")
        XCTAssertEqual(f.call(64, w, big, 150_000), Int64(w), "blocked again")
        got += drain(f, r, on: reader)
        XCTAssertEqual(f.call(64, w, big, 150_000), 150_000, "the whole count, once")
        got += drain(f, r, on: reader)
        XCTAssertEqual(got, data)
        XCTAssertEqual(f.task.syscallProgress, 0)
    }

    func testWritevOnANonBlockingPipeReportsWhatWent() throws {
        let f = try fixture()
        let data = pattern(120_000)
        store(f, data, at: big)
        let (r, w) = pipe(f, flags: 0o4000)
        var iov = ByteWriter(capacity: 32)
        iov.u64(big); iov.u64(50_000); iov.u64(big + 50_000); iov.u64(70_000)
        let vec = f.place(iov.bytes)
        XCTAssertEqual(f.call(66, w, vec, 2), 65536, "a pipeful, ending inside the second iovec")
        XCTAssertEqual(f.call(66, w, vec, 2), f.errno(.EAGAIN))
        XCTAssertEqual(drain(f, r), Array(data[0..<65536]))
    }

    func testASignalEndsABlockedWriteWithItsCount() throws {
        let f = try fixture()
        store(f, pattern(100_000), at: big)
        let (r, w) = pipe(f)
        setNonBlocking(f, r)
        XCTAssertEqual(f.call(64, w, big, 100_000), Int64(w))
        XCTAssertEqual(f.task.state, .blocked)
        f.task.process.signalActions.actions[Int(Signal.SIGUSR1)] = SignalAction(handler: 0x4000, flags: SignalFlags.restart, mask: 0)
        f.task.hart.setX(2, big + bigSize - 0x2_0000)
        f.kernel.sendSignal(to: f.task, SignalInfo(signo: Signal.SIGUSR1, code: 0, senderPID: 1))
        f.kernel.deliverSignals(f.task)
        XCTAssertEqual(f.task.hart.pc, 0x4000, "in the handler")
        // The interrupted context the handler returns to: past the ecall, a0 = the bytes that went.
        let context = f.task.hart.x(2) + Kernel.ucontextOffset + Kernel.mcontextOffset
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: context), 0x1004)
        XCTAssertEqual(try f.task.memory.load(Int64.self, at: context + 10 * 8), 65536, "even with SA_RESTART")
        XCTAssertEqual(f.task.syscallProgress, 0)
        XCTAssertEqual(drain(f, r).count, 65536)
    }

    func testStreamSocketSendGoesOnUntilEverythingWent() throws {
        let f = try fixture()
        let data = pattern(500_000)
        store(f, data, at: big)
        let fds = f.buffer(8)
        XCTAssertEqual(f.call(199, 1, 1, 0, fds), 0)   // socketpair(AF_UNIX, SOCK_STREAM)
        let a = UInt64(try f.task.memory.load(Int32.self, at: fds)), b = UInt64(try f.task.memory.load(Int32.self, at: fds + 4))
        var iov = ByteWriter(capacity: 48)
        iov.u64(big); iov.u64(1000); iov.u64(big + 1000); iov.u64(299_000); iov.u64(big + 300_000); iov.u64(200_000)
        let vec = f.place(iov.bytes)
        var header = ByteWriter(capacity: 56)
        header.u64(0); header.u64(0); header.u64(vec); header.u64(3); header.u64(0); header.u64(0); header.u64(0)
        let msg = f.place(header.bytes)
        setNonBlocking(f, b)
        let reader = fork(f)
        var got: [UInt8] = []
        var result = Int64(a)
        while result == Int64(a) {
            result = f.call(211, a, msg, 0)
            got += drain(f, b, on: reader)
        }
        XCTAssertEqual(result, 500_000)
        got += drain(f, b, on: reader)
        XCTAssertEqual(got, data)
    }
}
