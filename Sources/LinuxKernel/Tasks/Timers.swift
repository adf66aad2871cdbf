/// A timer that sends a signal when it expires: setitimer(ITIMER_REAL) and timer_create.
final class IntervalTimer {
    let id: Int32
    let process: Process
    /// The thread to signal (SIGEV_THREAD_ID), or nil for the process.
    var thread: Task?
    var signal: Int32
    var value: UInt64
    var notify: Bool
    /// Monotonic nanoseconds of the next expiry; nil while disarmed.
    var deadline: UInt64?
    var interval: UInt64 = 0
    var overrun: Int32 = 0
    let clock: Int32

    init(id: Int32, process: Process, signal: Int32, value: UInt64, notify: Bool, clock: Int32) {
        self.id = id
        self.process = process
        self.signal = signal
        self.value = value
        self.notify = notify
        self.clock = clock
    }
}

extension Kernel {
    /// Signals every timer whose deadline passed and re-arms the periodic ones.
    func fireTimers(_ now: UInt64) {
        for timer in timers {
            guard let d = timer.deadline, d <= now else { continue }
            if timer.interval > 0 {
                let missed = (now - d) / timer.interval
                timer.overrun = Int32(clamping: missed)
                timer.deadline = d + (missed + 1) * timer.interval
            } else {
                timer.deadline = nil
            }
            if timer.process.isZombie || !timer.notify { continue }
            var info = SignalInfo(signo: timer.signal, code: timer.id < 0 ? 0x80 : -2) // SI_KERNEL for itimers, SI_TIMER
            info.timerID = max(timer.id, 0)
            info.value = timer.value
            if let th = timer.thread, th.state != .dead { sendSignal(to: th, info) } else { sendSignal(to: timer.process, info) }
        }
    }

    /// The earliest armed timer deadline.
    var nextTimerDeadline: UInt64? {
        var earliest: UInt64?
        for t in timers { if let d = t.deadline { earliest = min(earliest ?? d, d) } }
        return earliest
    }

    func removeTimers(of process: Process) {
        timers.removeAll { $0.process === process }
    }
}
