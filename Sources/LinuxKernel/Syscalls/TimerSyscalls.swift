/// Interval timers (setitimer/getitimer; glibc's alarm is setitimer) and POSIX timers
/// (timer_create/settime/gettime/getoverrun/delete). Timers on wall clocks fire from the
/// scheduler's deadlines; timers on CPU-time clocks (ITIMER_VIRTUAL/PROF, CLOCK_*_CPUTIME_ID)
/// fire when the scheduler charges a time slice to the process. Skiff counts all of a guest's CPU
/// time as user time (as getrusage reports it), so ITIMER_VIRTUAL and ITIMER_PROF advance together.
extension Kernel {
    // MARK: setitimer / getitimer

    /// ITIMER_REAL 0, ITIMER_VIRTUAL 1, ITIMER_PROF 2: one timer each per process, ids -1, -2, -3.
    func intervalTimer(_ p: Process, which: Int32, create: Bool) throws(Errno) -> IntervalTimer? {
        guard which >= 0 && which <= 2 else { throw .EINVAL }
        let id = -1 - which
        if let existing = timers.first(where: { $0.process === p && $0.id == id }) { return existing }
        if !create { return nil }
        let signal = [Signal.SIGALRM, Signal.SIGVTALRM, Signal.SIGPROF][Int(which)]
        let timer = IntervalTimer(id: id, process: p, signal: signal, value: 0, notify: true,
                                  clock: which == 0 ? Clock.monotonic : Clock.processCPU)
        timers.append(timer)
        return timer
    }

    /// Nanoseconds until the timer expires (0: disarmed; an expired, unhandled one reads as just due).
    func remaining(_ timer: IntervalTimer, minimum: UInt64) -> UInt64 {
        guard let d = timer.deadline else { return 0 }
        let now = timerClockNow(timer)
        return d > now ? d - now : minimum
    }

    private func writeItimer(_ t: Task, _ timer: IntervalTimer?, to address: UInt64) throws(Errno) {
        var w = ByteWriter(capacity: 32)
        let interval = timer?.interval ?? 0
        let left = timer.map { remaining($0, minimum: 1000) } ?? 0
        w.i64(Int64(interval / 1_000_000_000)); w.i64(Int64(interval % 1_000_000_000 / 1000))
        w.i64(Int64(left / 1_000_000_000)); w.i64(Int64(left % 1_000_000_000 / 1000))
        try t.copyOut(w.bytes, to: address)
    }

    func sysGetitimer(_ t: Task) throws(Errno) -> Int64 {
        let which = Int32(truncatingIfNeeded: t.argument(0))
        try writeItimer(t, try intervalTimer(t.process, which: which, create: false), to: t.argument(1))
        return 0
    }

    func sysSetitimer(_ t: Task) throws(Errno) -> Int64 {
        let which = Int32(truncatingIfNeeded: t.argument(0))
        guard let timer = try intervalTimer(t.process, which: which, create: true) else { throw .EINVAL }
        var interval: UInt64 = 0, value: UInt64 = 0
        if t.argument(1) != 0 {
            let raw = ByteReader(try t.copyIn(t.argument(1), count: 32))
            let iu = raw.i64(8), vu = raw.i64(24)
            if raw.i64(0) < 0 || raw.i64(16) < 0 || iu < 0 || iu >= 1_000_000 || vu < 0 || vu >= 1_000_000 { throw .EINVAL }
            interval = UInt64(raw.i64(0)) * 1_000_000_000 + UInt64(iu) * 1000
            value = UInt64(raw.i64(16)) * 1_000_000_000 + UInt64(vu) * 1000
        }
        if t.argument(2) != 0 { try writeItimer(t, timer, to: t.argument(2)) }
        timer.interval = interval
        timer.overrun = 0
        timer.deadline = value == 0 ? nil : timerClockNow(timer) + value
        return 0
    }

    // MARK: POSIX timers

    func sysTimerCreate(_ t: Task) throws(Errno) -> Int64 {
        var clock = Int32(truncatingIfNeeded: t.argument(0))
        var clockThread: Task? = clock == Clock.threadCPU ? t : nil
        switch clock {
        case Clock.realtime, Clock.monotonic, Clock.processCPU, Clock.threadCPU, Clock.boottime,
             Clock.realtimeAlarm, Clock.boottimeAlarm, Clock.tai:
            break
        case ..<0:
            // A CPU clock by id, (~pid << 3) | type, as glibc passes CLOCK_PROCESS/THREAD_CPUTIME_ID
            // (pid 0: the caller). Only the caller's own process and threads are offered.
            let id = ~(clock >> 3)
            if clock & 3 == 3 { throw .EINVAL }
            if clock & 4 != 0 {
                guard let th = id == 0 ? t : tasks[id], th.process === t.process else { throw .EINVAL }
                clockThread = th
                clock = Clock.threadCPU
            } else {
                guard id == 0 || id == t.process.pid else { throw .EINVAL }
                clock = Clock.processCPU
            }
        default:
            throw .EINVAL   // the coarse and raw clocks cannot drive timers, as on Linux
        }
        var signal = Signal.SIGALRM, notify = true
        var value: UInt64 = 0
        var thread: Task?
        if t.argument(1) != 0 {
            let raw = ByteReader(try t.copyIn(t.argument(1), count: 24))
            value = raw.u64(0)
            signal = raw.i32(8)
            let how = raw.i32(12)
            switch how {
            case 0: break                                  // SIGEV_SIGNAL
            case 1: notify = false                         // SIGEV_NONE
            case 4:                                        // SIGEV_THREAD_ID
                guard let th = tasks[raw.i32(16)], th.process === t.process else { throw .EINVAL }
                thread = th
            default: throw .EINVAL                         // SIGEV_THREAD is done by libc with SIGEV_THREAD_ID
            }
            if notify && (signal < 1 || signal > Signal.count) { throw .EINVAL }
        }
        var id: Int32 = 0
        while timers.contains(where: { $0.process === t.process && $0.id == id }) { id += 1 }
        if t.argument(1) == 0 { value = UInt64(id) }
        let timer = IntervalTimer(id: id, process: t.process, signal: signal, value: value, notify: notify, clock: clock)
        timer.thread = thread
        timer.clockThread = clockThread
        try t.store(id, at: t.argument(2))
        timers.append(timer)
        return 0
    }

    private func posixTimer(_ t: Task, _ raw: UInt64) throws(Errno) -> IntervalTimer {
        let id = Int32(truncatingIfNeeded: raw)
        guard id >= 0, let timer = timers.first(where: { $0.process === t.process && $0.id == id }) else { throw .EINVAL }
        return timer
    }

    func writeItimerspec(_ t: Task, _ timer: IntervalTimer, to address: UInt64) throws(Errno) {
        try writeTimespec(t, Int64(timer.interval), to: address)
        try writeTimespec(t, Int64(remaining(timer, minimum: 1)), to: address + 16)
    }

    func sysTimerSettime(_ t: Task) throws(Errno) -> Int64 {
        let timer = try posixTimer(t, t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        let interval = try readTimespec(t, t.argument(2))
        let value = try readTimespec(t, t.argument(2) + 16)
        if t.argument(3) != 0 { try writeItimerspec(t, timer, to: t.argument(3)) }
        timer.interval = UInt64(interval.totalNanoseconds)
        timer.overrun = 0
        timer.pendingOverrun = 0
        dropQueuedSignal(timer)
        let now = timerClockNow(timer)
        if value.totalNanoseconds == 0 {
            timer.deadline = nil
        } else if flags & 1 != 0 { // TIMER_ABSTIME, on the timer's own clock
            if timer.isCPUTimer {
                timer.deadline = UInt64(value.totalNanoseconds)
            } else {
                let left = value.totalNanoseconds - (try clockNow(t, timer.clock))
                timer.deadline = now + UInt64(max(left, 0))
            }
        } else {
            timer.deadline = now + UInt64(value.totalNanoseconds)
        }
        if timer.isCPUTimer, let d = timer.deadline, d <= now { fireCPUTimers(of: t.process) }
        return 0
    }

    func sysTimerGettime(_ t: Task) throws(Errno) -> Int64 {
        let timer = try posixTimer(t, t.argument(0))
        try writeItimerspec(t, timer, to: t.argument(1))
        return 0
    }

    func sysTimerGetoverrun(_ t: Task) throws(Errno) -> Int64 {
        Int64(try posixTimer(t, t.argument(0)).overrun)
    }

    func sysTimerDelete(_ t: Task) throws(Errno) -> Int64 {
        let timer = try posixTimer(t, t.argument(0))
        timers.removeAll { $0 === timer }
        dropQueuedSignal(timer)
        return 0
    }

    /// A POSIX timer's signal not yet taken is dropped when the timer is set again or deleted,
    /// as Linux (6.13 on) does: a stale expiry is not delivered after the program disarmed it.
    private func dropQueuedSignal(_ timer: IntervalTimer) {
        timer.process.pendingSignals.removeTimerSignal(id: timer.id, signo: timer.signal)
        for th in timer.process.threads { th.pendingSignals.removeTimerSignal(id: timer.id, signo: timer.signal) }
    }
}
