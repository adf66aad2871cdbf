/// A pidfd (pidfd_open, CLONE_PIDFD): a descriptor that names one process. It polls readable once
/// the process has exited (and with POLLHUP too once it has been reaped), as Linux's pidfd_poll;
/// read and write are EINVAL.
final class PidFD: FileDescription {
    let process: Process
    unowned(unsafe) let kernel: Kernel

    init(process: Process, nonBlocking: Bool, kernel: Kernel) {
        self.process = process
        self.kernel = kernel
        super.init(flags: LinuxOpenFlags.readWrite | (nonBlocking ? LinuxOpenFlags.nonBlocking : 0),
                   path: Array("anon_inode:[pidfd]".utf8))
    }

    /// Reaped: the pid no longer names this process.
    var isReaped: Bool { kernel.processes[process.pid] !== process }

    override func stat() throws(Errno) -> FileStat { FileDescription.anonymousInodeStat }

    override func readiness(_ events: Int16) -> Int16 {
        if isReaped { return (PollRequest.readable & events) | PollRequest.hangUp }
        return process.isZombie ? PollRequest.readable & events : 0
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { process.exitQueue }
}
