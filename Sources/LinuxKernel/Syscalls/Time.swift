/// Clocks, sleeps and process times (interval and POSIX timers: TimerSyscalls.swift).
extension Kernel {
    enum Clock {
        static let realtime: Int32 = 0, monotonic: Int32 = 1, processCPU: Int32 = 2, threadCPU: Int32 = 3
        static let monotonicRaw: Int32 = 4, realtimeCoarse: Int32 = 5, monotonicCoarse: Int32 = 6, boottime: Int32 = 7
        static let realtimeAlarm: Int32 = 8, boottimeAlarm: Int32 = 9, tai: Int32 = 11
    }

    /// The current value of a clock, in nanoseconds.
    func clockNow(_ t: Task, _ clock: Int32) throws(Errno) -> Int64 {
        switch clock {
        case Clock.realtime, Clock.realtimeCoarse, Clock.realtimeAlarm, Clock.tai:
            return host.realTime().totalNanoseconds
        case Clock.monotonic, Clock.monotonicRaw, Clock.monotonicCoarse, Clock.boottime, Clock.boottimeAlarm:
            return Int64(host.monotonicTime())
        case Clock.processCPU:   // the caller is running: its slice so far counts too
            return Int64(processCPUTime(t.process) &+ (host.monotonicTime() &- sliceStarted))
        case Clock.threadCPU:
            return Int64(t.cpuTime &+ (host.monotonicTime() &- sliceStarted))
        default:
            // CPU-time clocks of other processes/threads (clock_getcpuclockid): ~pid << 3 | type.
            if clock < 0 {
                let id = Int32(~(clock >> 3))
                if clock & 7 == 6 || clock & 7 == 2 { // thread (CPUCLOCK_SCHED | per-thread) or process
                    if clock & 4 != 0, let th = tasks[id] { return Int64(th.cpuTime) }
                    if let p = processes[id] { return Int64(processCPUTime(p)) }
                }
            }
            throw .EINVAL
        }
    }

    func processCPUTime(_ p: Process) -> UInt64 {
        var total = p.exitedThreadsCPUTime
        for th in p.threads where th.state != .dead { total += th.cpuTime }
        return total
    }

    func readTimespec(_ t: Task, _ address: UInt64) throws(Errno) -> Timespec {
        let raw = ByteReader(try t.copyIn(address, count: 16))
        let ts = Timespec(seconds: raw.i64(0), nanoseconds: raw.i64(8))
        if ts.seconds < 0 || ts.nanoseconds < 0 || ts.nanoseconds >= 1_000_000_000 { throw .EINVAL }
        return ts
    }

    func writeTimespec(_ t: Task, _ nanoseconds: Int64, to address: UInt64) throws(Errno) {
        let ts = Timespec(nanoseconds: nanoseconds)
        var w = ByteWriter(capacity: 16)
        w.i64(ts.seconds)
        w.i64(ts.nanoseconds)
        try t.copyOut(w.bytes, to: address)
    }

    func sysClockGettime(_ t: Task) throws(Errno) -> Int64 {
        let now = try clockNow(t, Int32(truncatingIfNeeded: t.argument(0)))
        try writeTimespec(t, now, to: t.argument(1))
        return 0
    }

    func sysClockGetres(_ t: Task) throws(Errno) -> Int64 {
        let clock = Int32(truncatingIfNeeded: t.argument(0))
        _ = try clockNow(t, clock)
        let coarse = clock == Clock.realtimeCoarse || clock == Clock.monotonicCoarse
        if t.argument(1) != 0 { try writeTimespec(t, coarse ? 4_000_000 : 1, to: t.argument(1)) }
        return 0
    }

    /// Setting a clock needs CAP_SYS_TIME, which a container does not have (docker's default):
    /// Linux's checks in its order (a clock that cannot be set: EINVAL, the time read: EFAULT),
    /// then EPERM. CPU-time clocks refuse with EPERM.
    func sysClockSettime(_ t: Task) throws(Errno) -> Int64 {
        let clock = Int32(truncatingIfNeeded: t.argument(0))
        _ = try clockNow(t, clock)
        if clock == Clock.processCPU || clock == Clock.threadCPU || clock < 0 { throw .EPERM }
        if clock != Clock.realtime { throw .EINVAL }
        _ = try t.copyIn(t.argument(1), count: 16)
        throw .EPERM
    }

    /// settimeofday: the arguments read (EFAULT), then EPERM as for clock_settime.
    func sysSettimeofday(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(0) != 0 { _ = try t.copyIn(t.argument(0), count: 16) }
        if t.argument(1) != 0 { _ = try t.copyIn(t.argument(1), count: 8) }
        throw .EPERM
    }

    func sysGettimeofday(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(0) != 0 {
            let now = host.realTime()
            var w = ByteWriter(capacity: 16)
            w.i64(now.seconds)
            w.i64(now.nanoseconds / 1000)
            try t.copyOut(w.bytes, to: t.argument(0))
        }
        if t.argument(1) != 0 { try t.copyOut([UInt8](repeating: 0, count: 8), to: t.argument(1)) }
        return 0
    }

    /// Sleeps until the monotonic `deadline`, kept across re-executions of the call.
    private func sleep(_ t: Task, until deadline: UInt64) throws(Errno) -> Int64 {
        if host.monotonicTime() >= deadline { return 0 }
        t.syscallDeadline = deadline
        throw block(t, deadline: deadline)
    }

    /// nanosleep and relative clock_nanosleep ended by a signal's handler store the time left.
    func sleepInterrupted(_ t: Task, _ number: Int) {
        guard let deadline = t.syscallDeadline else { return }
        let remainder: UInt64
        if number == 101 {
            remainder = t.argument(1)
        } else if number == 115 && t.argument(1) & 1 == 0 {   // not TIMER_ABSTIME
            remainder = t.argument(3)
        } else {
            return
        }
        let now = host.monotonicTime()
        if remainder != 0 { try? writeTimespec(t, deadline > now ? Int64(deadline - now) : 0, to: remainder) }
    }

    func sysNanosleep(_ t: Task) throws(Errno) -> Int64 {
        let request = try readTimespec(t, t.argument(0))
        let deadline = t.syscallDeadline ?? host.monotonicTime() &+ UInt64(request.totalNanoseconds)
        return try sleep(t, until: deadline)
    }

    func sysClockNanosleep(_ t: Task) throws(Errno) -> Int64 {
        let clock = Int32(truncatingIfNeeded: t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        if clock == Clock.threadCPU { throw .EINVAL }
        let request = try readTimespec(t, t.argument(2))
        if let d = t.syscallDeadline { return try sleep(t, until: d) }
        let now = host.monotonicTime()
        var deadline = now &+ UInt64(request.totalNanoseconds)
        if flags & 1 != 0 { // TIMER_ABSTIME
            let clockValue = try clockNow(t, clock)
            let remaining = request.totalNanoseconds - clockValue
            deadline = remaining <= 0 ? now : now &+ UInt64(remaining)
        } else {
            _ = try clockNow(t, clock)
        }
        return try sleep(t, until: deadline)
    }

    private func ticks(_ ns: UInt64) -> Int64 { Int64(ns / 10_000_000) }

    func sysTimes(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(0) != 0 {
            var w = ByteWriter(capacity: 32)
            w.i64(ticks(processCPUTime(t.process)))
            w.i64(0)
            w.i64(ticks(t.process.childrenCPUTime))
            w.i64(0)
            try t.copyOut(w.bytes, to: t.argument(0))
        }
        return ticks(host.monotonicTime() - bootTime) + 1
    }

    func sysGetrusage(_ t: Task) throws(Errno) -> Int64 {
        let who = Int32(truncatingIfNeeded: t.argument(0))
        let cpu: UInt64
        switch who {
        case 0: cpu = processCPUTime(t.process)
        case -1: cpu = t.process.childrenCPUTime
        case 1: cpu = t.cpuTime
        default: throw .EINVAL
        }
        var w = ByteWriter(capacity: 144)
        w.i64(Int64(cpu / 1_000_000_000)); w.i64(Int64(cpu % 1_000_000_000 / 1000))
        w.i64(0); w.i64(0)
        var mapped: UInt64 = 0
        if who != -1 { for r in t.process.addressSpace.regions { mapped += r.length } }
        w.i64(Int64(mapped / 1024))   // ru_maxrss: the mapped size bounds the resident size
        w.zeros(144 - w.bytes.count)
        try t.copyOut(w.bytes, to: t.argument(1))
        return 0
    }
}
