/// A timer that sends a signal when it expires: setitimer and timer_create.
final class IntervalTimer {
    /// POSIX timer id (0...), or -1/-2/-3 for ITIMER_REAL/VIRTUAL/PROF.
    let id: Int32
    let process: Process
    /// The thread to signal (SIGEV_THREAD_ID), or nil for the process.
    var thread: Task?
    var signal: Int32
    var value: UInt64
    var notify: Bool
    /// Next expiry on the timer's clock (monotonic ns, or CPU ns for CPU-time timers); nil while disarmed.
    var deadline: UInt64?
    var interval: UInt64 = 0
    /// timer_getoverrun: the overrun count of the last signal taken.
    var overrun: Int32 = 0
    /// Expirations since the queued signal was sent (it is sent once until it is taken).
    var pendingOverrun: UInt64 = 0
    let clock: Int32
    /// CLOCK_THREAD_CPUTIME_ID: the thread whose CPU time drives the timer.
    var clockThread: Task?
    /// The timerfd this timer counts expirations for (it sends no signal), while the file is open.
    unowned(unsafe) var timerFD: TimerFD?
    /// The id of a timerfd's timer: no POSIX timer or itimer lookup finds it.
    static let timerFDID: Int32 = -100

    init(id: Int32, process: Process, signal: Int32, value: UInt64, notify: Bool, clock: Int32) {
        self.id = id
        self.process = process
        self.signal = signal
        self.value = value
        self.notify = notify
        self.clock = clock
    }

    /// Runs on CPU time (ITIMER_VIRTUAL/PROF, CLOCK_PROCESS/THREAD_CPUTIME_ID) rather than wall time.
    var isCPUTimer: Bool { clock == Kernel.Clock.processCPU || clock == Kernel.Clock.threadCPU }
}

extension Kernel {
    /// The timer's clock now: monotonic ns, or the CPU time it counts.
    func timerClockNow(_ timer: IntervalTimer) -> UInt64 {
        if timer.clock == Clock.threadCPU { return timer.clockThread?.cpuTime ?? 0 }
        if timer.clock == Clock.processCPU { return processCPUTime(timer.process) }
        return host.monotonicTime()
    }

    /// Signals every wall-clock timer whose deadline passed and re-arms the periodic ones.
    func fireTimers(_ now: UInt64) {
        for timer in timers where !timer.isCPUTimer { expire(timer, now: now) }
    }

    /// After a time slice: the CPU-time timers of the process that ran.
    func fireCPUTimers(of process: Process) {
        for timer in timers where timer.isCPUTimer && timer.process === process { expire(timer, now: timerClockNow(timer)) }
    }

    private func expire(_ timer: IntervalTimer, now: UInt64) {
        guard let d = timer.deadline, d <= now else { return }
        var missed: UInt64 = 0
        if timer.interval > 0 {
            missed = (now - d) / timer.interval
            timer.deadline = d + (missed + 1) * timer.interval
        } else {
            timer.deadline = nil
        }
        if let file = timer.timerFD { file.expired(1 + missed); return }
        if timer.process.isZombie || !timer.notify { return }
        if timer.id >= 0 {
            // A POSIX timer's signal is queued once; expirations meanwhile are counted as overruns.
            let target = timer.thread.flatMap { $0.state != .dead ? $0 : nil }
            let queued = target?.pendingSignals.hasTimerSignal(id: timer.id, signo: timer.signal)
                ?? timer.process.pendingSignals.hasTimerSignal(id: timer.id, signo: timer.signal)
            if queued { timer.pendingOverrun &+= 1 + missed; return }
            timer.pendingOverrun = missed
        }
        var info = SignalInfo(signo: timer.signal, code: timer.id < 0 ? 0x80 : -2) // SI_KERNEL for itimers, SI_TIMER
        info.timerID = max(timer.id, 0)
        info.value = timer.value
        if let th = timer.thread, th.state != .dead { sendSignal(to: th, info) } else { sendSignal(to: timer.process, info) }
    }

    /// A signal was taken for delivery: a POSIX timer's overrun count freezes (si_overrun, timer_getoverrun).
    func timerSignalTaken(_ info: SignalInfo, _ p: Process) -> SignalInfo {
        guard info.code == -2, let timer = timers.first(where: { $0.process === p && $0.id == info.timerID }) else { return info }
        var delivered = info
        timer.overrun = Int32(clamping: timer.pendingOverrun)
        timer.pendingOverrun = 0
        delivered.overrun = timer.overrun
        return delivered
    }

    /// The earliest armed wall-clock timer deadline.
    var nextTimerDeadline: UInt64? {
        var earliest: UInt64?
        for t in timers where !t.isCPUTimer { if let d = t.deadline { earliest = min(earliest ?? d, d) } }
        return earliest
    }

    func removeTimers(of process: Process) {
        timers.removeAll { $0.process === process && $0.timerFD == nil }   // a timerfd's timer lives as long as the file
    }
}
