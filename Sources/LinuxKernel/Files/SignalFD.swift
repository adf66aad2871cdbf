/// signalfd: reading takes the reader's pending signals in the descriptor's mask, as 128-byte
/// `struct signalfd_siginfo` records, instead of delivering them. As on Linux the signals are the
/// ones pending for the task that reads or polls (its own and its process's), whoever made the
/// descriptor; they are normally blocked, so nothing else takes them first.
final class SignalFD: FileDescription {
    static let recordSize = 128
    var mask: UInt64
    unowned(unsafe) let kernel: Kernel

    init(mask: UInt64, flags: Int32, kernel: Kernel) {
        self.mask = mask & ~Signal.unblockable
        self.kernel = kernel
        super.init(flags: LinuxOpenFlags.readWrite | (flags & LinuxOpenFlags.nonBlocking), path: Array("anon_inode:[signalfd]".utf8))
    }

    /// The signals the current task could take through this descriptor.
    private var ready: UInt64 {
        guard let t = kernel.runningTask else { return 0 }
        return (t.pendingSignals.mask | t.process.pendingSignals.mask) & mask
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count < SignalFD.recordSize { throw .EINVAL }
        guard let t = kernel.runningTask else { throw .EAGAIN }
        var n = 0
        while n + SignalFD.recordSize <= buffer.count {
            let wanted = (t.pendingSignals.mask | t.process.pendingSignals.mask) & mask
            if wanted == 0 { break }
            let signo = Int32(wanted.trailingZeroBitCount + 1)
            guard let taken = t.pendingSignals.take(signo) ?? t.process.pendingSignals.take(signo) else { break }
            let record = SignalFD.record(kernel.timerSignalTaken(taken, t.process))
            record.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[n..<n + SignalFD.recordSize]).copyMemory(from: $0) }
            n += SignalFD.recordSize
        }
        if n == 0 { throw .EAGAIN }
        return n
    }

    /// struct signalfd_siginfo (include/uapi/linux/signalfd.h).
    static func record(_ info: SignalInfo) -> [UInt8] {
        var w = ByteWriter(capacity: recordSize)
        w.u32(UInt32(bitPattern: info.signo)); w.i32(0); w.i32(info.code)
        let timer = info.code == -2
        w.u32(timer ? 0 : UInt32(bitPattern: info.senderPID))   // ssi_pid
        w.u32(timer ? 0 : info.senderUID)                         // ssi_uid
        w.i32(0)                                                  // ssi_fd
        w.u32(timer ? UInt32(bitPattern: info.timerID) : 0)      // ssi_tid
        w.u32(0)                                                  // ssi_band
        w.u32(UInt32(bitPattern: info.overrun))                   // ssi_overrun
        w.u32(0)                                                  // ssi_trapno
        w.i32(info.signo == Signal.SIGCHLD ? info.status : 0)     // ssi_status
        w.i32(Int32(truncatingIfNeeded: info.value))              // ssi_int
        w.u64(info.value)                                         // ssi_ptr
        w.u64(0); w.u64(0)                                        // ssi_utime, ssi_stime
        w.u64(info.address)                                       // ssi_addr
        w.zeros(recordSize - w.bytes.count)
        return w.bytes
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.anonymousInodeStat }

    override func readiness(_ events: Int16) -> Int16 {
        ready != 0 ? events & PollRequest.readable : 0
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { kernel.runningTask?.process.signalfdQueue }
}
