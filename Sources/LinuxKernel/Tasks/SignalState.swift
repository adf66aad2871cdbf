/// Linux signal numbers (generic, as on riscv64) and what happens by default.
enum Signal {
    static let SIGHUP: Int32 = 1, SIGINT: Int32 = 2, SIGQUIT: Int32 = 3, SIGILL: Int32 = 4
    static let SIGTRAP: Int32 = 5, SIGABRT: Int32 = 6, SIGBUS: Int32 = 7, SIGFPE: Int32 = 8
    static let SIGKILL: Int32 = 9, SIGUSR1: Int32 = 10, SIGSEGV: Int32 = 11, SIGUSR2: Int32 = 12
    static let SIGPIPE: Int32 = 13, SIGALRM: Int32 = 14, SIGTERM: Int32 = 15, SIGSTKFLT: Int32 = 16
    static let SIGCHLD: Int32 = 17, SIGCONT: Int32 = 18, SIGSTOP: Int32 = 19, SIGTSTP: Int32 = 20
    static let SIGTTIN: Int32 = 21, SIGTTOU: Int32 = 22, SIGURG: Int32 = 23, SIGXCPU: Int32 = 24
    static let SIGXFSZ: Int32 = 25, SIGVTALRM: Int32 = 26, SIGPROF: Int32 = 27, SIGWINCH: Int32 = 28
    static let SIGIO: Int32 = 29, SIGPWR: Int32 = 30, SIGSYS: Int32 = 31
    static let count: Int32 = 64

    static func bit(_ signo: Int32) -> UInt64 { 1 << UInt64(signo - 1) }

    /// SIGKILL and SIGSTOP can be neither caught, blocked nor ignored.
    static let unblockable: UInt64 = bit(SIGKILL) | bit(SIGSTOP)

    enum DefaultAction { case terminate, coreDump, ignore, stop, continueProcess }

    static func defaultAction(_ signo: Int32) -> DefaultAction {
        switch signo {
        case SIGCHLD, SIGURG, SIGWINCH: return .ignore
        case SIGCONT: return .continueProcess
        case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: return .stop
        case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS: return .coreDump
        default: return .terminate
        }
    }
}

/// sa_flags bits.
enum SignalFlags {
    static let noChildStop: UInt64 = 0x1
    static let noChildWait: UInt64 = 0x2
    static let siginfo: UInt64 = 0x4
    static let restorer: UInt64 = 0x0400_0000
    static let onStack: UInt64 = 0x0800_0000
    static let restart: UInt64 = 0x1000_0000
    static let noDefer: UInt64 = 0x4000_0000
    static let resetHand: UInt64 = 0x8000_0000
}

/// One rt_sigaction entry. handler 0 = SIG_DFL, 1 = SIG_IGN.
struct SignalAction: Equatable {
    var handler: UInt64 = 0
    var flags: UInt64 = 0
    var mask: UInt64 = 0
    /// sa_restorer (x86-64: where the handler returns to).
    var restorer: UInt64 = 0
    static let defaultHandler: UInt64 = 0
    static let ignoreHandler: UInt64 = 1
}

/// A process's signal dispositions (shared by threads created with CLONE_SIGHAND).
final class SignalActions {
    var actions = [SignalAction](repeating: SignalAction(), count: Int(Signal.count) + 1)
    func copy() -> SignalActions {
        let c = SignalActions()
        c.actions = actions
        return c
    }
    /// execve: handled signals go back to their default; ignored ones stay ignored.
    func resetForExec() {
        for i in 0..<actions.count where actions[i].handler != SignalAction.ignoreHandler {
            actions[i] = SignalAction()
        }
    }
}

/// The facts about one pending signal that siginfo_t carries.
struct SignalInfo {
    var signo: Int32
    var code: Int32 = 0          // SI_USER 0, SI_KERNEL 0x80, SI_TKILL -6, CLD_* for SIGCHLD
    var senderPID: Int32 = 0
    var senderUID: UInt32 = 0
    var status: Int32 = 0        // SIGCHLD: exit code or signal
    var address: UInt64 = 0      // SIGSEGV/SIGBUS/SIGILL: faulting address
    var value: UInt64 = 0        // sigqueue / timer value
    var timerID: Int32 = 0
    var overrun: Int32 = 0       // SI_TIMER: expirations while the signal was pending
}

/// Signals waiting for delivery: standard signals at most once each, real-time ones queued.
struct PendingSignals {
    private(set) var mask: UInt64 = 0
    private var queue: [SignalInfo] = []

    var isEmpty: Bool { mask == 0 }

    mutating func add(_ info: SignalInfo) {
        let b = Signal.bit(info.signo)
        if info.signo < 32 && mask & b != 0 { return }
        mask |= b
        queue.append(info)
    }

    /// Takes the lowest-numbered pending signal not in `blocked`.
    mutating func take(notIn blocked: UInt64) -> SignalInfo? {
        let deliverable = mask & ~blocked
        if deliverable == 0 { return nil }
        let signo = Int32(deliverable.trailingZeroBitCount + 1)
        return take(signo)
    }

    mutating func take(_ signo: Int32) -> SignalInfo? {
        guard let i = queue.firstIndex(where: { $0.signo == signo }) else { return nil }
        let info = queue.remove(at: i)
        if !queue.contains(where: { $0.signo == signo }) { mask &= ~Signal.bit(signo) }
        return info
    }

    /// A POSIX timer's signal is queued and not yet taken.
    func hasTimerSignal(id: Int32, signo: Int32) -> Bool {
        mask & Signal.bit(signo) != 0 && queue.contains { $0.signo == signo && $0.code == -2 && $0.timerID == id }
    }

    mutating func remove(_ signo: Int32) {
        queue.removeAll { $0.signo == signo }
        mask &= ~Signal.bit(signo)
    }

    /// Removes a POSIX timer's queued signal.
    mutating func removeTimerSignal(id: Int32, signo: Int32) {
        guard hasTimerSignal(id: id, signo: signo) else { return }
        queue.removeAll { $0.signo == signo && $0.code == -2 && $0.timerID == id }
        if !queue.contains(where: { $0.signo == signo }) { mask &= ~Signal.bit(signo) }
    }
}
