/// timerfd: a timer whose expirations are counted in the file instead of signalled; read takes
/// the count (8 bytes). The timer itself is an `IntervalTimer` in the kernel's timer list while
/// the file is open, so the scheduler's deadlines and `fireTimers` serve it as any POSIX timer.
final class TimerFD: FileDescription {
    let timer: IntervalTimer
    var expirations: UInt64 = 0
    unowned(unsafe) let kernel: Kernel
    let queue = WaitQueue()

    init(clock: Int32, process: Process, flags: Int32, kernel: Kernel) {
        timer = IntervalTimer(id: IntervalTimer.timerFDID, process: process, signal: 0, value: 0, notify: true, clock: clock)
        self.kernel = kernel
        super.init(flags: LinuxOpenFlags.readWrite | (flags & LinuxOpenFlags.nonBlocking), path: Array("anon_inode:[timerfd]".utf8))
        timer.timerFD = self
    }

    /// The timer expired `count` times since it last did (Timers.swift).
    func expired(_ count: UInt64) {
        expirations &+= count
        queue.wakeAll(kernel)
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count < 8 { throw .EINVAL }
        if expirations == 0 { throw .EAGAIN }
        buffer.storeBytes(of: expirations.littleEndian, as: UInt64.self)
        expirations = 0
        return 8
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.anonymousInodeStat }

    override func readiness(_ events: Int16) -> Int16 {
        expirations > 0 ? events & PollRequest.readable : 0
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { queue }

    override func lastReferenceClosed() {
        kernel.timers.removeAll { $0 === timer }
        timer.timerFD = nil
    }
}
