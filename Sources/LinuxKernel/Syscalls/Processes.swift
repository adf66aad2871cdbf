/// exit, exit_group, clone, clone3, execve, execveat, wait4, waitid, process groups and sessions.
extension Kernel {
    func sysExit(_ t: Task) throws(Errno) -> Int64 {
        exitThread(t, code: Int32(truncatingIfNeeded: t.argument(0)) & 0xff)
        throw .justReturn
    }

    func sysExitGroup(_ t: Task) throws(Errno) -> Int64 {
        exitProcess(t.process, status: WaitStatus.exited(Int32(truncatingIfNeeded: t.argument(0)) & 0xff))
        throw .justReturn
    }

    /// clone(flags, stack, parent_tid, tls, child_tid): riscv64 passes tls before child_tid.
    func sysClone(_ t: Task) throws(Errno) -> Int64 {
        let flags = t.argument(0)
        // clone(2) returns a CLONE_PIDFD descriptor where CLONE_PARENT_SETTID would store the tid.
        if flags & CloneFlags.pidfd != 0 && flags & CloneFlags.parentSetTID != 0 { throw .EINVAL }
        return try clone(t, flags: flags & ~0xff, stack: t.argument(1), parentTID: t.argument(2), childTID: t.argument(4),
                         tls: t.argument(3), exitSignal: Int32(flags & 0xff), pidfdAddress: t.argument(2))
    }

    func sysClone3(_ t: Task) throws(Errno) -> Int64 {
        let size = Int(clamping: t.argument(1))
        if size < 64 || size > 4096 { throw .EINVAL }
        let raw = try t.copyIn(t.argument(0), count: size)
        for i in 88..<size where raw[i] != 0 { throw .E2BIG } // fields this kernel does not know
        let r = ByteReader(raw)
        let flags = r.u64(0)
        if flags & 0xff != 0 { throw .EINVAL }
        if r.u64(64) != 0 || r.u64(72) != 0 { throw .EINVAL }   // set_tid
        let exitSignal = r.u64(32)
        if exitSignal > UInt64(Signal.count) { throw .EINVAL }
        let stack = r.u64(40), stackSize = r.u64(48)
        if (stack == 0) != (stackSize == 0) { throw .EINVAL }
        return try clone(t, flags: flags, stack: stack == 0 ? 0 : stack + stackSize, parentTID: r.u64(24),
                         childTID: r.u64(16), tls: r.u64(56), exitSignal: Int32(exitSignal), pidfdAddress: r.u64(8))
    }

    func sysExecve(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(0))
        let argv = try t.readStringArray(t.argument(1))
        let envp = try t.readStringArray(t.argument(2))
        try execute(t, path: path, arguments: argv, environment: envp)
        throw .justReturn
    }

    func sysExecveat(_ t: Task) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let path = try t.readString(t.argument(1))
        let argv = try t.readStringArray(t.argument(2))
        let envp = try t.readStringArray(t.argument(3))
        let flags = Int32(truncatingIfNeeded: t.argument(4))
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 { throw .EINVAL }
        if path.isEmpty && flags & AT_EMPTY_PATH == 0 { throw .ENOENT }
        try execute(t, path: path, arguments: argv, environment: envp, directory: dirfd,
                    followFinalSymlink: flags & AT_SYMLINK_NOFOLLOW == 0)
        throw .justReturn
    }

    // MARK: Waiting for children

    private enum WaitEvent { case exited, stopped, continued }

    /// The first child matching `matches` with a reportable event, or nil; ECHILD without any match.
    private func findWaitable(_ t: Task, options: Int32, exited: Bool, matches: (Process) -> Bool) throws(Errno) -> (Process, WaitEvent)? {
        let candidates = t.process.children.filter(matches)
        if candidates.isEmpty { throw .ECHILD }
        for c in candidates {
            if c.isZombie && exited { return (c, .exited) }
            if options & 2 != 0 && c.pendingStopReport != nil { return (c, .stopped) }
            if options & 8 != 0 && c.pendingContinueReport { return (c, .continued) }
        }
        return nil
    }

    private func childMatcher(_ t: Task, pid: Int32) -> (Process) -> Bool {
        let group = t.process.processGroup
        if pid > 0 { return { $0.pid == pid } }
        if pid == 0 { return { $0.processGroup == group } }
        if pid == -1 { return { _ in true } }
        return { $0.processGroup == -pid }
    }

    private func writeRusage(_ t: Task, _ child: Process, to address: UInt64) throws(Errno) {
        if address == 0 { return }
        let cpu = child.exitedThreadsCPUTime + child.childrenCPUTime
        var w = ByteWriter(capacity: 144)
        w.i64(Int64(cpu / 1_000_000_000)); w.i64(Int64(cpu % 1_000_000_000 / 1000))
        w.zeros(144 - 16)
        try t.copyOut(w.bytes, to: address)
    }

    func sysWait4(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        let statusAddress = t.argument(1)
        let options = Int32(truncatingIfNeeded: t.argument(2))
        if options & ~(1 | 2 | 8 | 0x2000_0000 | 0x4000_0000 | Int32(bitPattern: 0x8000_0000)) != 0 { throw .EINVAL }
        if pid == Int32.min { throw .ESRCH }
        guard let (child, event) = try findWaitable(t, options: options, exited: true, matches: childMatcher(t, pid: pid)) else {
            if options & 1 != 0 { return 0 }
            throw block(t, on: [t.process.childEvents])
        }
        let status: Int32
        switch event {
        case .exited: status = child.exitStatus ?? 0
        case .stopped: status = child.pendingStopReport ?? 0
        case .continued: status = WaitStatus.continued
        }
        if statusAddress != 0 { try t.store(status, at: statusAddress) }
        try writeRusage(t, child, to: t.argument(3))
        switch event {
        case .exited: reap(child)
        case .stopped: child.pendingStopReport = nil
        case .continued: child.pendingContinueReport = false
        }
        return Int64(child.pid)
    }

    func sysWaitid(_ t: Task) throws(Errno) -> Int64 {
        let type = Int32(truncatingIfNeeded: t.argument(0))
        let id = Int32(truncatingIfNeeded: t.argument(1))
        let infoAddress = t.argument(2)
        let options = Int32(truncatingIfNeeded: t.argument(3))
        if options & ~(1 | 2 | 4 | 8 | 0x0100_0000 | 0x2000_0000 | 0x4000_0000 | Int32(bitPattern: 0x8000_0000)) != 0 { throw .EINVAL }
        if options & (2 | 4 | 8) == 0 { throw .EINVAL }
        let matcher: (Process) -> Bool
        var nonBlockingPidFD = false
        switch type {
        case 0: matcher = { _ in true }
        case 1: matcher = { $0.pid == id }
        case 2: let g = id == 0 ? t.process.processGroup : id; matcher = { $0.processGroup == g }
        case 3: // P_PIDFD: the process the descriptor names; a non-blocking one makes the wait WNOHANG, EAGAIN
            if id < 0 { throw .EINVAL }
            let d = try pidfdProcess(t, id)
            let p = d.process
            nonBlockingPidFD = d.isNonBlocking
            matcher = { $0 === p }
        default: throw .EINVAL
        }
        guard let (child, event) = try findWaitable(t, options: options, exited: options & 4 != 0, matches: matcher) else {
            if nonBlockingPidFD && options & 1 == 0 { throw .EAGAIN }
            if options & 1 != 0 {
                if infoAddress != 0 { try t.copyOut([UInt8](repeating: 0, count: 128), to: infoAddress) }
                return 0
            }
            throw block(t, on: [t.process.childEvents])
        }
        var info = SignalInfo(signo: Signal.SIGCHLD, senderPID: child.pid)
        switch event {
        case .exited:
            let s = child.exitStatus ?? 0
            if s & 0x7f == 0 { info.code = 1; info.status = (s >> 8) & 0xff } else { info.code = s & 0x80 != 0 ? 3 : 2; info.status = s & 0x7f }
        case .stopped: info.code = 5; info.status = ((child.pendingStopReport ?? 0) >> 8) & 0xff
        case .continued: info.code = 6; info.status = Signal.SIGCONT
        }
        if infoAddress != 0 { try t.copyOut(signalInfoBytes(info), to: infoAddress) }
        try writeRusage(t, child, to: t.argument(4))
        if options & 0x0100_0000 == 0 { // WNOWAIT leaves the child waitable
            switch event {
            case .exited: reap(child)
            case .stopped: child.pendingStopReport = nil
            case .continued: child.pendingContinueReport = false
            }
        }
        return 0
    }

    // MARK: Process groups and sessions

    func sysSetpgid(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        let pgid = Int32(truncatingIfNeeded: t.argument(1))
        if pgid < 0 { throw .EINVAL }
        let target: Process
        if pid == 0 || pid == t.process.pid {
            target = t.process
        } else {
            guard let p = processes[pid], p.parent === t.process else { throw .ESRCH }
            if p.session != t.process.session { throw .EPERM }
            target = p
        }
        if target.session == target.pid && target.processGroup == target.pid && pgid != target.pid { throw .EPERM }
        let group = pgid == 0 ? target.pid : pgid
        if group != target.pid && !processes.values.contains(where: { $0.processGroup == group && $0.session == t.process.session }) {
            throw .EPERM
        }
        target.processGroup = group
        return 0
    }

    func sysGetpgid(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        if pid == 0 { return Int64(t.process.processGroup) }
        guard let p = processes[pid] else { throw .ESRCH }
        return Int64(p.processGroup)
    }

    func sysGetsid(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        if pid == 0 { return Int64(t.process.session) }
        guard let p = processes[pid] else { throw .ESRCH }
        return Int64(p.session)
    }

    func sysSetsid(_ t: Task) throws(Errno) -> Int64 {
        let p = t.process
        if processes.values.contains(where: { $0.processGroup == p.pid }) { throw .EPERM }
        p.session = p.pid
        p.processGroup = p.pid
        p.hasControllingTerminal = false
        return Int64(p.pid)
    }
}
