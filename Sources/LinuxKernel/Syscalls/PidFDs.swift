/// pidfd_open, pidfd_send_signal and pidfd_getfd (Linux 5.3-5.6; waitid's P_PIDFD is in
/// Processes.swift, CLONE_PIDFD in Tasks/Lifecycle.swift). Error order as Linux's.
extension Kernel {
    enum PidFDFlags {
        static let nonBlocking = LinuxOpenFlags.nonBlocking
        /// PIDFD_THREAD (Linux 6.9: a pidfd for one thread): not provided, EINVAL as before 6.9.
        static let signalThread: UInt64 = 1, signalThreadGroup: UInt64 = 2, signalProcessGroup: UInt64 = 4
    }

    /// The process a pidfd descriptor names (EBADF for any other descriptor).
    func pidfdProcess(_ t: Task, _ fd: Int32) throws(Errno) -> PidFD {
        guard let d = try t.process.files.get(fd) as? PidFD else { throw .EBADF }
        return d
    }

    /// pidfd_send_signal's target: a pidfd's process or, as Linux's `tgid_pidfd_to_pid`, the
    /// process of a /proc/PID directory's descriptor (EBADF for any other descriptor).
    private func signalTarget(_ t: Task, _ fd: Int32) throws(Errno) -> Process {
        let d = try t.process.files.get(fd)
        if let pidfd = d as? PidFD { return pidfd.process }
        if let directory = d as? SyntheticDirectory, let p = directory.process { return p }
        throw .EBADF
    }

    func sysPidfdOpen(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        if flags & ~PidFDFlags.nonBlocking != 0 || pid <= 0 { throw .EINVAL }
        guard let p = processes[pid] else {
            if tasks[pid] != nil { throw .EINVAL }   // a thread that does not lead its group
            throw .ESRCH
        }
        let d = PidFD(process: p, nonBlocking: flags != 0, kernel: self)
        return Int64(try t.process.files.install(d, closeOnExec: true))
    }

    func sysPidfdSendSignal(_ t: Task) throws(Errno) -> Int64 {
        let signo = Int32(truncatingIfNeeded: t.argument(1))
        let infoAddress = t.argument(2)
        let flags = t.argument(3)
        typealias F = PidFDFlags
        if flags & ~(F.signalThread | F.signalThreadGroup | F.signalProcessGroup) != 0 || flags.nonzeroBitCount > 1 { throw .EINVAL }
        let target = try signalTarget(t, Int32(truncatingIfNeeded: t.argument(0)))
        var info = SignalInfo(signo: signo, code: 0, senderPID: t.process.pid)
        info.senderUID = t.process.credentials.uid
        if infoAddress != 0 {
            let r = ByteReader(try t.copyIn(infoAddress, count: 128))
            if r.i32(0) != signo { throw .EINVAL }
            info.code = r.i32(8)
            if (target !== t.process || flags & F.signalProcessGroup != 0) && (info.code >= 0 || info.code == -6) { throw .EPERM }
            info.senderPID = r.i32(16)
            info.senderUID = r.u32(20)
            info.value = r.u64(24)
        }
        if processes[target.pid] !== target { throw .ESRCH }   // reaped (a zombie can still be signalled, to no effect)
        if signo < 0 || signo > Signal.count { throw .EINVAL }
        if signo == 0 || target.isZombie { return 0 }
        if flags & F.signalProcessGroup != 0 {
            for p in processes.values where p.processGroup == target.processGroup { sendSignal(to: p, info) }
        } else if flags & F.signalThread != 0, let leader = tasks[target.pid], leader.process === target {
            sendSignal(to: leader, info)
        } else {
            sendSignal(to: target, info)
        }
        return 0
    }

    func sysPidfdGetfd(_ t: Task) throws(Errno) -> Int64 {
        let fd = Int32(truncatingIfNeeded: t.argument(1))
        if t.argument(2) != 0 { throw .EINVAL }
        let target = try pidfdProcess(t, Int32(truncatingIfNeeded: t.argument(0))).process
        if processes[target.pid] !== target || target.isZombie { throw .ESRCH }   // exited: no descriptors to take
        let d = try target.files.get(fd)
        return Int64(try t.process.files.install(d, closeOnExec: true))
    }
}
