/// An inotify instance (inotify_init1). Its watches live in the kernel's list
/// (`Kernel.inotifyWatches`, Syscalls/Inotify.swift) and their events queue here, read as
/// `struct inotify_event` records: wd, mask, cookie, len, then the name padded with NULs to a
/// multiple of 16 bytes. As on Linux an event equal to the last one still queued is merged into
/// it, and a full queue (16384 events) ends with one IN_Q_OVERFLOW event.
final class InotifyInstance: FileDescription {
    struct Event: Equatable {
        var wd: Int32
        var mask: UInt32
        var cookie: UInt32
        var name: [UInt8]

        /// The record's size: 16 bytes and the padded name.
        var size: Int { 16 + (name.isEmpty ? 0 : (name.count + 1 + 15) & ~15) }
    }

    static let maximumEvents = 16384
    private(set) var events: [Event] = []
    private var queuedBytes = 0
    var nextWatch: Int32 = 1
    let queue = WaitQueue()
    unowned(unsafe) let kernel: Kernel

    init(flags: Int32, kernel: Kernel) {
        self.kernel = kernel
        super.init(flags: LinuxOpenFlags.readOnly | (flags & LinuxOpenFlags.nonBlocking), path: Array("anon_inode:inotify".utf8))
    }

    func post(_ event: Event) {
        if events.last == event { return }
        var e = event
        if events.count >= InotifyInstance.maximumEvents {
            if events.last?.mask == InotifyMask.overflow { return }
            e = Event(wd: -1, mask: InotifyMask.overflow, cookie: 0, name: [])
        }
        events.append(e)
        queuedBytes += e.size
        queue.wakeAll(kernel)
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        guard let first = events.first else { throw .EAGAIN }
        if first.size > buffer.count { throw .EINVAL }
        var w = ByteWriter(capacity: min(buffer.count, queuedBytes))
        var taken = 0
        while taken < events.count && w.bytes.count + events[taken].size <= buffer.count {
            let e = events[taken]
            let padded = e.size - 16
            w.i32(e.wd); w.u32(e.mask); w.u32(e.cookie); w.u32(UInt32(padded))
            w.append(e.name)
            w.zeros(padded - e.name.count)
            taken += 1
        }
        events.removeFirst(taken)
        queuedBytes -= w.bytes.count
        w.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return w.bytes.count
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.anonymousInodeStat }

    override func readiness(_ events: Int16) -> Int16 {
        (self.events.isEmpty ? 0 : PollRequest.readable) & events
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { queue }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if request == TerminalIoctl.FIONREAD {
            try task.store(UInt32(queuedBytes), at: arg)
            return 0
        }
        throw .ENOTTY
    }

    /// Closing the instance removes its watches (without IN_IGNORED events: nobody can read them).
    override func lastReferenceClosed() {
        kernel.inotifyWatches.removeAll { $0.instance === self }
    }
}
