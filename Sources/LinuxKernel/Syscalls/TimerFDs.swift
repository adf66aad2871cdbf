/// timerfd_create, timerfd_settime, timerfd_gettime (the file: Files/TimerFD.swift).
extension Kernel {
    func sysTimerfdCreate(_ t: Task) throws(Errno) -> Int64 {
        let clock = Int32(truncatingIfNeeded: t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        switch clock {
        case Clock.realtime, Clock.monotonic, Clock.boottime, Clock.realtimeAlarm, Clock.boottimeAlarm: break
        default: throw .EINVAL
        }
        if flags & ~(LinuxOpenFlags.nonBlocking | LinuxOpenFlags.closeOnExec) != 0 { throw .EINVAL }
        let d = TimerFD(clock: clock, process: t.process, flags: flags, kernel: self)
        return Int64(try t.process.files.install(d, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0))
    }

    private func timerFD(_ t: Task) throws(Errno) -> TimerFD {
        guard let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0))) as? TimerFD else { throw .EINVAL }
        return d
    }

    func sysTimerfdSettime(_ t: Task) throws(Errno) -> Int64 {
        let d = try timerFD(t)
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        // TFD_TIMER_ABSTIME 1, TFD_TIMER_CANCEL_ON_SET 2 (with ABSTIME on a realtime clock: the
        // guest cannot set the clock, so the cancellation it asks for never happens).
        if flags & ~3 != 0 { throw .EINVAL }
        let interval = try readTimespec(t, t.argument(2))
        let value = try readTimespec(t, t.argument(2) + 16)
        let timer = d.timer
        if t.argument(3) != 0 { try writeItimerspec(t, timer, to: t.argument(3)) }
        d.expirations = 0
        timer.interval = UInt64(interval.totalNanoseconds)
        let now = timerClockNow(timer)
        if value.totalNanoseconds == 0 {
            timer.deadline = nil
            timers.removeAll { $0 === timer }
            return 0
        }
        if flags & 1 != 0 {
            let left = value.totalNanoseconds - (try clockNow(t, timer.clock))
            timer.deadline = now + UInt64(max(left, 0))
        } else {
            timer.deadline = now + UInt64(value.totalNanoseconds)
        }
        if !timers.contains(where: { $0 === timer }) { timers.append(timer) }
        fireTimers(now)   // an absolute time already past counts at once
        return 0
    }

    func sysTimerfdGettime(_ t: Task) throws(Errno) -> Int64 {
        let d = try timerFD(t)
        try writeItimerspec(t, d.timer, to: t.argument(1))
        return 0
    }
}
