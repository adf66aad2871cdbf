#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Generating signals and delivering them: default actions, handlers on the guest stack with the
/// ISA's `rt_sigframe` (Arch/), and rt_sigreturn.
extension Kernel {
    /// riscv64's frame layout (Arch/RISCV64/RISCV64SignalFrame.swift), for the tests.
    static let ucontextOffset = Hart.ucontextOffset
    static let mcontextOffset = Hart.mcontextOffset

    private func isIgnored(_ p: Process, _ signo: Int32) -> Bool {
        let h = p.signalActions.actions[Int(signo)].handler
        return h == SignalAction.ignoreHandler || (h == SignalAction.defaultHandler && Signal.defaultAction(signo) == .ignore)
    }

    /// A signal for the whole process (kill, SIGCHLD, timers…).
    func sendSignal(to p: Process, _ info: SignalInfo, fromOutside: Bool = false) {
        let signo = info.signo
        if p.isZombie || signo < 1 || signo > Signal.count { return }
        if initIgnores(p, signo, fromOutside: fromOutside) { return }
        if signo == Signal.SIGCONT {
            for s in [Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN, Signal.SIGTTOU] {
                p.pendingSignals.remove(s)
                for th in p.threads { th.pendingSignals.remove(s) }
            }
            continueProcess(p)
        } else if Signal.defaultAction(signo) == .stop {
            p.pendingSignals.remove(Signal.SIGCONT)
        }
        if signo == Signal.SIGKILL {
            killProcess(p, signal: Signal.SIGKILL, core: false)
            return
        }
        let bit = Signal.bit(signo)
        let blockedEverywhere = p.threads.allSatisfy { $0.signalMask & bit != 0 }
        if isIgnored(p, signo) && !blockedEverywhere { return }
        p.pendingSignals.add(info)
        p.signalfdQueue.wakeAll(self)
        // Wake a thread that waits for it (sigtimedwait) or can take it.
        if let th = p.threads.first(where: { $0.state == .blocked && $0.signalWaitSet & bit != 0 }) {
            wake(th, result: nil)
        } else if let th = p.threads.first(where: { $0.state != .dead && $0.signalMask & bit == 0 }) {
            interruptForSignal(th)
        }
    }

    /// The container's init (pid 1) does not get signals it has no handler for from inside the
    /// container, unless it blocks them (then they stay pending), as in a Linux pid namespace.
    func initIgnores(_ p: Process, _ signo: Int32, fromOutside: Bool) -> Bool {
        guard p === initProcess, !fromOutside,
              p.signalActions.actions[Int(signo)].handler == SignalAction.defaultHandler else { return false }
        return !p.threads.allSatisfy { $0.signalMask & Signal.bit(signo) != 0 }
    }

    /// A signal for one thread (tgkill, SIGPIPE, faults).
    func sendSignal(to t: Task, _ info: SignalInfo) {
        let signo = info.signo
        let p = t.process
        if t.state == .dead || signo < 1 || signo > Signal.count { return }
        if initIgnores(p, signo, fromOutside: false) { return }
        if signo == Signal.SIGKILL { killProcess(p, signal: Signal.SIGKILL, core: false); return }
        if signo == Signal.SIGCONT { continueProcess(p) }
        if isIgnored(p, signo) && t.signalMask & Signal.bit(signo) == 0 { return }
        t.pendingSignals.add(info)
        p.signalfdQueue.wakeAll(self)
        if t.signalWaitSet & Signal.bit(signo) != 0 && t.state == .blocked {
            wake(t, result: nil)
        } else if t.signalMask & Signal.bit(signo) == 0 {
            interruptForSignal(t)
        }
    }

    private func interruptForSignal(_ t: Task) {
        if t.state == .blocked && !t.uninterruptible {
            t.interrupted = true
            t.completesOnWake = false
            wake(t, result: nil)
        } else if t.state == .stopped && !t.process.isStopped {
            makeRunnable(t)
        }
    }

    func hasDeliverableSignal(_ t: Task) -> Bool {
        (t.pendingSignals.mask | t.process.pendingSignals.mask) & ~t.signalMask != 0
    }

    /// A fault the task caused: delivered to it even if blocked or ignored (then fatal).
    func raiseSynchronousSignal(_ t: Task, _ signo: Int32, code: Int32, address: UInt64) {
        let p = t.process
        let bit = Signal.bit(signo)
        if t.signalMask & bit != 0 || p.signalActions.actions[Int(signo)].handler == SignalAction.ignoreHandler {
            p.signalActions.actions[Int(signo)] = SignalAction()
            t.signalMask &= ~bit
        }
        var info = SignalInfo(signo: signo, code: code)
        info.address = address
        t.pendingSignals.add(info)
        deliverSignals(t)
    }

    /// Acts on every deliverable signal of `t`: default actions, or a handler frame each.
    func deliverSignals(_ t: Task) {
        let p = t.process
        var handled = false
        while t.state == .runnable, !p.isZombie {
            guard let taken = t.pendingSignals.take(notIn: t.signalMask) ?? p.pendingSignals.take(notIn: t.signalMask) else { break }
            let info = timerSignalTaken(taken, p)
            let signo = info.signo
            let action = p.signalActions.actions[Int(signo)]
            if action.handler == SignalAction.ignoreHandler { continue }
            if action.handler == SignalAction.defaultHandler {
                switch Signal.defaultAction(signo) {
                case .ignore, .continueProcess:
                    continue
                case .stop:
                    stopProcess(p, signal: signo)
                    if t.state == .stopped { return }
                    continue
                case .terminate:
                    killProcess(p, signal: signo, core: false)
                    return
                case .coreDump:
                    killProcess(p, signal: signo, core: true)
                    return
                }
            }
            // A handler runs: settle the interrupted system call first.
            if t.syscallProgress > 0 {
                // A call that already moved bytes and waits to go on (a write or send that waited
                // for room, recv with MSG_WAITALL) ends with their count, as on Linux, restart or
                // not: EINTR or a restart would make the caller send them again, and the
                // handler's own calls must not find the count.
                t.interrupted = false
                settlePartialCall(t)
            } else if t.interrupted {
                t.interrupted = false
                let number = t.syscallNumber
                // A wait with a timeout (futex, a socket's SO_RCVTIMEO) is not restarted either.
                if action.flags & SignalFlags.restart == 0 || Kernel.neverRestarted(number) || t.syscallDeadline != nil {
                    sleepInterrupted(t, number)
                    finishSystemCall(t, -Int64(Errno.EINTR.rawValue))
                }
            }
            if !setUpFrame(t, info, action) {
                killProcess(p, signal: Signal.SIGSEGV, core: true)
                return
            }
            if action.flags & SignalFlags.resetHand != 0 { p.signalActions.actions[Int(signo)] = SignalAction() }
            var add = action.mask
            if action.flags & SignalFlags.noDefer == 0 { add |= Signal.bit(signo) }
            t.signalMask = (t.signalMask | add) & ~Signal.unblockable
            handled = true
        }
        if t.interrupted && !handled {
            // No handler ran: the call restarts transparently (its pc is still at the ecall).
            t.interrupted = false
        }
    }

    /// Ends the call `t` is in with the bytes it moved so far (`Task.syscallProgress`); sendmmsg
    /// counts them as its first message.
    private func settlePartialCall(_ t: Task) {
        var result = Int64(t.syscallProgress)
        if t.syscallNumber == 269 {
            try? t.store(UInt32(truncatingIfNeeded: t.syscallProgress), at: t.argument(1) &+ 56)
            result = 1
        }
        finishSystemCall(t, result)
    }

    /// Calls Linux never restarts after a handler (they return EINTR).
    static func neverRestarted(_ n: Int) -> Bool {
        switch n {
        case 101, 115, 72, 73, 22, 441, 133, 137, 232: return true  // sleeps, poll/select/epoll, sigsuspend, sigtimedwait
        case 188, 189, 192, 193: return true                        // msgrcv, msgsnd, semtimedop, semop
        default: return false
        }
    }

    private func onAlternateStack(_ t: Task, _ sp: UInt64) -> Bool {
        t.alternateStack.flags & 2 == 0 && sp > t.alternateStack.base && sp - t.alternateStack.base <= t.alternateStack.size
    }

    /// Pushes the ISA's rt_sigframe (Arch/) and points the CPU at the handler: on the alternate
    /// stack when the action asks for it and the task is not on it already, else below the stack
    /// pointer (and the ISA's red zone).
    private func setUpFrame(_ t: Task, _ info: SignalInfo, _ action: SignalAction) -> Bool {
        let sp = t.cpu.stackPointer
        let wasOnAlternate = onAlternateStack(t, sp)
        var frameTop = sp &- t.architecture.redZone
        if action.flags & SignalFlags.onStack != 0 && t.alternateStack.flags & 2 == 0 && !wasOnAlternate {
            frameTop = t.alternateStack.base + t.alternateStack.size
        }
        let context = SignalContext(mask: t.savedSignalMask ?? t.signalMask,
                                    alternateStack: (t.alternateStack.base, t.alternateStack.size,
                                                     t.alternateStack.flags & 2 != 0 ? 2 : (wasOnAlternate ? 1 : 0)))
        t.savedSignalMask = nil
        return t.cpu.enterSignalHandler(t, frameTop: frameTop, info: signalInfoBytes(info), action: action, context: context)
    }

    /// siginfo_t (128 bytes) for a signal.
    func signalInfoBytes(_ info: SignalInfo) -> [UInt8] {
        var w = ByteWriter(capacity: 128)
        w.i32(info.signo)
        w.i32(0)
        w.i32(info.code)
        w.i32(0)
        switch info.signo {
        case Signal.SIGSEGV, Signal.SIGBUS, Signal.SIGILL, Signal.SIGFPE:
            w.u64(info.address)
        case Signal.SIGTRAP where info.code > 0:
            w.u64(info.address)
        case Signal.SIGCHLD:
            w.i32(info.senderPID); w.u32(info.senderUID); w.i32(info.status); w.u32(0); w.u64(0); w.u64(0)
        default:
            if info.code == -2 { // SI_TIMER
                w.i32(info.timerID); w.i32(info.overrun); w.u64(info.value)
            } else {
                w.i32(info.senderPID); w.u32(info.senderUID); w.u64(info.value)
            }
        }
        w.zeros(128 - w.bytes.count)
        return w.bytes
    }

    func sysRtSigreturn(_ t: Task) throws(Errno) -> Int64 {
        let sp = t.cpu.stackPointer
        guard let context = t.cpu.returnFromSignalHandler(t) else {
            raiseSynchronousSignal(t, Signal.SIGSEGV, code: 0x80, address: sp)
            throw .justReturn
        }
        t.signalMask = context.mask & ~Signal.unblockable
        // uc_stack restores the alternate stack settings, as restore_altstack does.
        if !onAlternateStack(t, t.cpu.stackPointer) {
            t.alternateStack = (context.alternateStack.base, context.alternateStack.size, context.alternateStack.flags & 2)
        }
        throw .justReturn
    }
}
