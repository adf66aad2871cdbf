/// rt_sigaction, rt_sigprocmask, sigaltstack, rt_sigpending, rt_sigsuspend, rt_sigtimedwait,
/// kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo. (Delivery and rt_sigreturn live in
/// Tasks/SignalDelivery.swift.)
extension Kernel {
    private func signalNumber(_ raw: UInt64) throws(Errno) -> Int32 {
        let s = Int32(truncatingIfNeeded: raw)
        if s < 1 || s > Signal.count { throw .EINVAL }
        return s
    }

    func sysRtSigaction(_ t: Task) throws(Errno) -> Int64 {
        let signo = try signalNumber(t.argument(0))
        if t.argument(3) != 8 { throw .EINVAL }
        let actions = t.process.signalActions
        let restorer = t.architecture.sigactionHasRestorer    // sa_restorer before sa_mask
        if t.argument(2) != 0 {
            let old = actions.actions[Int(signo)]
            var w = ByteWriter(capacity: 32)
            w.u64(old.handler); w.u64(old.flags)
            if restorer { w.u64(old.restorer) }
            w.u64(old.mask)
            try t.copyOut(w.bytes, to: t.argument(2))
        }
        if t.argument(1) != 0 {
            if signo == Signal.SIGKILL || signo == Signal.SIGSTOP { throw .EINVAL }
            let r = ByteReader(try t.copyIn(t.argument(1), count: restorer ? 32 : 24))
            let action = SignalAction(handler: r.u64(0), flags: r.u64(8), mask: r.u64(restorer ? 24 : 16) & ~Signal.unblockable,
                                      restorer: restorer ? r.u64(16) : 0)
            actions.actions[Int(signo)] = action
            // Setting a signal to be ignored discards it if pending.
            let ignored = action.handler == SignalAction.ignoreHandler
                || (action.handler == SignalAction.defaultHandler && Signal.defaultAction(signo) == .ignore)
            if ignored {
                t.process.pendingSignals.remove(signo)
                for th in t.process.threads { th.pendingSignals.remove(signo) }
            }
        }
        return 0
    }

    func sysRtSigprocmask(_ t: Task) throws(Errno) -> Int64 {
        let how = Int32(truncatingIfNeeded: t.argument(0))
        if t.argument(3) != 8 { throw .EINVAL }
        let old = t.signalMask
        if t.argument(1) != 0 {
            let set = try t.load(UInt64.self, at: t.argument(1))
            switch how {
            case 0: t.signalMask |= set
            case 1: t.signalMask &= ~set
            case 2: t.signalMask = set
            default: throw .EINVAL
            }
            t.signalMask &= ~Signal.unblockable
        }
        if t.argument(2) != 0 { try t.store(old, at: t.argument(2)) }
        return 0
    }

    func sysSigaltstack(_ t: Task) throws(Errno) -> Int64 {
        let sp = t.cpu.stackPointer
        let on = t.alternateStack.flags & 2 == 0 && sp > t.alternateStack.base
            && sp - t.alternateStack.base <= t.alternateStack.size
        if t.argument(1) != 0 {
            var w = ByteWriter(capacity: 24)
            w.u64(t.alternateStack.base)
            w.i32(on ? 1 : (t.alternateStack.flags & 2))
            w.u32(0)
            w.u64(t.alternateStack.size)
            try t.copyOut(w.bytes, to: t.argument(1))
        }
        if t.argument(0) != 0 {
            let r = ByteReader(try t.copyIn(t.argument(0), count: 24))
            let flags = r.i32(8)
            if on { throw .EPERM }
            if flags & ~(2 | Int32(bitPattern: 0x8000_0000)) != 0 { throw .EINVAL }
            if flags & 2 != 0 {
                t.alternateStack = (0, 0, 2)
            } else {
                if r.u64(16) < 2048 { throw .ENOMEM }
                t.alternateStack = (r.u64(0), r.u64(16), 0)
            }
        }
        return 0
    }

    func sysRtSigpending(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(1) != 8 { throw .EINVAL }
        try t.store((t.pendingSignals.mask | t.process.pendingSignals.mask) & t.signalMask, at: t.argument(0))
        return 0
    }

    func sysRtSigsuspend(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(1) != 8 { throw .EINVAL }
        let mask = try t.load(UInt64.self, at: t.argument(0))
        if t.savedSignalMask == nil { t.savedSignalMask = t.signalMask }
        t.signalMask = mask & ~Signal.unblockable
        throw block(t)
    }

    func sysRtSigtimedwait(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(3) != 8 { throw .EINVAL }
        let set = try t.load(UInt64.self, at: t.argument(0)) & ~Signal.unblockable
        let wanted = (t.pendingSignals.mask | t.process.pendingSignals.mask) & set
        if wanted != 0 {
            let signo = Int32(wanted.trailingZeroBitCount + 1)
            let info = timerSignalTaken(t.pendingSignals.take(signo) ?? t.process.pendingSignals.take(signo) ?? SignalInfo(signo: signo), t.process)
            t.signalWaitSet = 0
            if t.argument(1) != 0 { try t.copyOut(signalInfoBytes(info), to: t.argument(1)) }
            return Int64(signo)
        }
        var deadline: UInt64?
        if t.argument(2) != 0 {
            let timeout = try readTimespec(t, t.argument(2))
            deadline = t.syscallDeadline ?? host.monotonicTime() &+ UInt64(timeout.totalNanoseconds)
            if host.monotonicTime() >= deadline! { t.signalWaitSet = 0; throw .EAGAIN }
            t.syscallDeadline = deadline
        }
        t.signalWaitSet = set
        throw block(t, deadline: deadline)
    }

    // MARK: Sending

    func sysKill(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        let signo = Int32(truncatingIfNeeded: t.argument(1))
        if signo < 0 || signo > Signal.count { throw .EINVAL }
        var targets: [Process] = []
        if pid > 0 {
            guard let p = processes[pid] else { throw .ESRCH }
            targets = [p]
        } else if pid == -1 {
            targets = processes.values.filter { $0 !== initProcess && $0 !== t.process }
        } else {
            let group = pid == 0 ? t.process.processGroup : -pid
            targets = processes.values.filter { $0.processGroup == group }
        }
        if targets.isEmpty { throw .ESRCH }
        if signo == 0 { return 0 }
        for p in targets {
            sendSignal(to: p, SignalInfo(signo: signo, code: 0, senderPID: t.process.pid))
        }
        return 0
    }

    private func threadSignal(_ t: Task, tgid: Int32?, tid: Int32, signo: Int32, info: SignalInfo) throws(Errno) -> Int64 {
        if tid <= 0 || (tgid != nil && tgid! <= 0) { throw .EINVAL }
        if signo < 0 || signo > Signal.count { throw .EINVAL }
        guard let target = tasks[tid], tgid == nil || target.process.pid == tgid! else { throw .ESRCH }
        if signo == 0 { return 0 }
        sendSignal(to: target, info)
        return 0
    }

    func sysTkill(_ t: Task) throws(Errno) -> Int64 {
        let signo = Int32(truncatingIfNeeded: t.argument(1))
        return try threadSignal(t, tgid: nil, tid: Int32(truncatingIfNeeded: t.argument(0)), signo: signo,
                                info: SignalInfo(signo: signo, code: -6, senderPID: t.process.pid))
    }

    func sysTgkill(_ t: Task) throws(Errno) -> Int64 {
        let signo = Int32(truncatingIfNeeded: t.argument(2))
        return try threadSignal(t, tgid: Int32(truncatingIfNeeded: t.argument(0)), tid: Int32(truncatingIfNeeded: t.argument(1)),
                                signo: signo, info: SignalInfo(signo: signo, code: -6, senderPID: t.process.pid))
    }

    private func queuedInfo(_ t: Task, _ signo: Int32, _ address: UInt64, target: Int32) throws(Errno) -> SignalInfo {
        let r = ByteReader(try t.copyIn(address, count: 128))
        let code = r.i32(8)
        if (code >= 0 || code == -6) && target != t.process.pid { throw .EPERM }
        var info = SignalInfo(signo: signo, code: code, senderPID: r.i32(16))
        info.value = r.u64(24)
        return info
    }

    func sysRtSigqueueinfo(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        let signo = try signalNumber(t.argument(1))
        let info = try queuedInfo(t, signo, t.argument(2), target: pid)
        guard let p = processes[pid] else { throw .ESRCH }
        sendSignal(to: p, info)
        return 0
    }

    func sysRtTgsigqueueinfo(_ t: Task) throws(Errno) -> Int64 {
        let tgid = Int32(truncatingIfNeeded: t.argument(0))
        let signo = try signalNumber(t.argument(2))
        let info = try queuedInfo(t, signo, t.argument(3), target: tgid)
        return try threadSignal(t, tgid: tgid, tid: Int32(truncatingIfNeeded: t.argument(1)), signo: signo, info: info)
    }
}
