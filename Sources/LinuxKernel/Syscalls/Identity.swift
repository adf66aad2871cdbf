/// User and group ids, uname, sysinfo, resource limits, randomness, prctl, scheduling queries.
extension Kernel {
    static let release = "6.12.0-skiff"
    static let version = "Skiff RISC-V emulator"

    private func refuse(_ e: Errno) throws(Errno) -> Int64 { throw e }

    func sysUname(_ t: Task) throws(Errno) -> Int64 {
        var w = ByteWriter(capacity: 390)
        for field in [Array("Linux".utf8), hostname, Array(Kernel.release.utf8), Array("#1 SMP \(Kernel.version)".utf8),
                      Array(t.architecture.name.utf8), Array("(none)".utf8)] {
            let bytes = Array(field.prefix(64))
            w.append(bytes)
            w.zeros(65 - bytes.count)
        }
        try t.copyOut(w.bytes, to: t.argument(0))
        return 0
    }

    func sysSethostname(_ t: Task) throws(Errno) -> Int64 {
        let length = Int(clamping: t.argument(1))
        if length > 64 { throw .EINVAL }
        hostname = try t.copyIn(t.argument(0), count: length)
        return 0
    }

    func sysSysinfo(_ t: Task) throws(Errno) -> Int64 {
        let (total, available) = host.memoryInfo()
        var w = ByteWriter(capacity: 112)
        w.i64(Int64((host.monotonicTime() - bootTime) / 1_000_000_000))
        w.u64(0); w.u64(0); w.u64(0)
        w.u64(total); w.u64(available); w.u64(0); w.u64(0); w.u64(0); w.u64(0)
        w.u16(UInt16(clamping: processes.count)); w.zeros(6)
        w.u64(0); w.u64(0)
        w.u32(1)
        w.zeros(112 - w.bytes.count)
        try t.copyOut(w.bytes, to: t.argument(0))
        return 0
    }

    private func limitTarget(_ t: Task, _ pid: Int32) throws(Errno) -> Process {
        if pid == 0 { return t.process }
        guard let p = processes[pid] else { throw .ESRCH }
        return p
    }

    private func applyLimit(_ p: Process, _ resource: Int, _ soft: UInt64, _ hard: UInt64) throws(Errno) {
        if soft > hard { throw .EINVAL }
        if resource == 7 && hard > 1 << 20 && hard != Process.unlimited { throw .EPERM }
        p.limits[resource] = (soft, hard)
        if resource == 7 { p.files.limit = Int(min(soft, 1 << 20)) }
    }

    func sysPrlimit64(_ t: Task) throws(Errno) -> Int64 {
        let p = try limitTarget(t, Int32(truncatingIfNeeded: t.argument(0)))
        let resource = Int(clamping: t.argument(1))
        if resource < 0 || resource >= 16 { throw .EINVAL }
        var newLimit: (UInt64, UInt64)?
        if t.argument(2) != 0 {
            let raw = ByteReader(try t.copyIn(t.argument(2), count: 16))
            newLimit = (raw.u64(0), raw.u64(8))
        }
        if t.argument(3) != 0 {
            var w = ByteWriter(capacity: 16)
            w.u64(p.limits[resource].0); w.u64(p.limits[resource].1)
            try t.copyOut(w.bytes, to: t.argument(3))
        }
        if let (soft, hard) = newLimit { try applyLimit(p, resource, soft, hard) }
        return 0
    }

    func sysGetrlimit(_ t: Task) throws(Errno) -> Int64 {
        let resource = Int(clamping: t.argument(0))
        if resource < 0 || resource >= 16 { throw .EINVAL }
        var w = ByteWriter(capacity: 16)
        w.u64(t.process.limits[resource].0); w.u64(t.process.limits[resource].1)
        try t.copyOut(w.bytes, to: t.argument(1))
        return 0
    }

    func sysSetrlimit(_ t: Task) throws(Errno) -> Int64 {
        let resource = Int(clamping: t.argument(0))
        if resource < 0 || resource >= 16 { throw .EINVAL }
        let raw = ByteReader(try t.copyIn(t.argument(1), count: 16))
        try applyLimit(t.process, resource, raw.u64(0), raw.u64(8))
        return 0
    }

    func sysGetrandom(_ t: Task) throws(Errno) -> Int64 {
        let flags = t.argument(2)
        if flags & ~UInt64(7) != 0 || flags & 6 == 6 { throw .EINVAL }
        let count = min(Int(clamping: t.argument(1)), 33_554_431, Kernel.maximumTransfer)
        let buffer = scratchBuffer(max(count, 1))
        let data = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
        host.randomBytes(data)
        try t.copyOut(UnsafeRawBufferPointer(data), to: t.argument(0))
        return Int64(count)
    }

    func sysPrctl(_ t: Task) throws(Errno) -> Int64 {
        let option = Int32(truncatingIfNeeded: t.argument(0))
        let arg = t.argument(1)
        let p = t.process
        switch option {
        case 1: // PR_SET_PDEATHSIG
            if arg > UInt64(Signal.count) { throw .EINVAL }
            p.parentDeathSignal = Int32(arg)
            return 0
        case 2: try t.store(p.parentDeathSignal, at: arg); return 0
        case 3: return 1                       // PR_GET_DUMPABLE
        case 4: return arg <= 1 ? 0 : try refuse(.EINVAL)
        case 15: // PR_SET_NAME
            var name = try t.copyIn(arg, count: 16)
            if let z = name.firstIndex(of: 0) { name.removeSubrange(z...) }
            if name.count > 15 { name.removeSubrange(15...) }
            p.name = name
            return 0
        case 16: // PR_GET_NAME
            var name = p.name
            while name.count < 16 { name.append(0) }
            try t.copyOut(name, to: arg)
            return 0
        case 23: return arg <= 40 ? 1 : try refuse(.EINVAL)   // PR_CAPBSET_READ
        case 36: p.childSubreaper = arg != 0; return 0         // PR_SET_CHILD_SUBREAPER
        case 37: try t.store(Int32(p.childSubreaper ? 1 : 0), at: arg); return 0
        case 38: return arg == 1 ? 0 : try refuse(.EINVAL)     // PR_SET_NO_NEW_PRIVS (nothing gains privileges anyway)
        case 39: return 1
        default: throw .EINVAL
        }
    }

    func sysGetcpu(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(0) != 0 { try t.store(UInt32(0), at: t.argument(0)) }
        if t.argument(1) != 0 { try t.store(UInt32(0), at: t.argument(1)) }
        return 0
    }

    /// One CPU: every guest task runs on the one host thread.
    func sysSchedGetaffinity(_ t: Task) throws(Errno) -> Int64 {
        let size = Int(clamping: t.argument(1))
        if size < 8 || size % 8 != 0 { throw .EINVAL }
        _ = try schedTarget(t, t.argument(0), negative: .ESRCH)
        var mask = [UInt8](repeating: 0, count: 8)
        mask[0] = 1
        try t.copyOut(mask, to: t.argument(2))
        return 8
    }

    func sysSchedSetaffinity(_ t: Task) throws(Errno) -> Int64 {
        let size = Int(clamping: t.argument(1))
        if size == 0 { throw .EINVAL }
        _ = try schedTarget(t, t.argument(0), negative: .ESRCH)
        let first = try t.load(UInt8.self, at: t.argument(2))
        if first & 1 == 0 { throw .EINVAL }
        return 0
    }

    func sysSchedYield(_ t: Task) -> Int64 {
        yieldRequested = true
        return 0
    }

    /// The task a sched_* call names by its first argument: 0 is the caller. Linux refuses a
    /// negative pid with EINVAL in the scheduler calls; the affinity calls only look it up, so
    /// it is ESRCH there, as for a pid nobody has.
    func schedTarget(_ t: Task, _ argument: UInt64, negative: Errno = .EINVAL) throws(Errno) -> Task {
        let pid = Int32(truncatingIfNeeded: argument)
        if pid < 0 { throw negative }
        if pid == 0 { return t }
        guard let target = tasks[pid] else { throw .ESRCH }
        return target
    }

    func sysSchedParameters(_ t: Task, _ n: Int) throws(Errno) -> Int64 {
        // Linux's order: a null parameter block or a negative pid (EINVAL), the block read
        // (EFAULT), then the lookup (ESRCH).
        switch n {
        case 118, 119, 121:
            if t.argument(n == 119 ? 2 : 1) == 0 || Int32(truncatingIfNeeded: t.argument(0)) < 0 { throw .EINVAL }
            if n != 121 { _ = try t.load(Int32.self, at: t.argument(n == 119 ? 2 : 1)) }
            _ = try schedTarget(t, t.argument(0))
        case 120, 127:
            _ = try schedTarget(t, t.argument(0))
        default:
            break
        }
        switch n {
        case 120: return 0                                                 // sched_getscheduler: SCHED_OTHER
        case 121: try t.store(Int32(0), at: t.argument(1)); return 0       // sched_getparam
        case 125, 126: // sched_get_priority_max / min
            let policy = Int32(truncatingIfNeeded: t.argument(0))
            if policy == 1 || policy == 2 { return n == 125 ? 99 : 1 }
            if policy == 0 || policy == 3 || policy == 5 { return 0 }
            throw .EINVAL
        case 127: try writeTimespec(t, 100_000_000, to: t.argument(1)); return 0
        case 119: // sched_setscheduler: only SCHED_OTHER/BATCH/IDLE at priority 0
            let policy = Int32(truncatingIfNeeded: t.argument(1)) & ~0x4000_0000
            let priority = try t.load(Int32.self, at: t.argument(2))
            if policy == 0 || policy == 3 || policy == 5 { return priority == 0 ? 0 : try refuse(.EINVAL) }
            throw policy == 1 || policy == 2 ? .EPERM : .EINVAL
        default: // sched_setparam
            return try t.load(Int32.self, at: t.argument(1)) == 0 ? 0 : try refuse(.EINVAL)
        }
    }

    func sysSetpriority(_ t: Task) throws(Errno) -> Int64 {
        let which = Int32(truncatingIfNeeded: t.argument(0))
        if which < 0 || which > 2 { throw .EINVAL }
        let nice = max(-20, min(19, Int32(truncatingIfNeeded: t.argument(2))))
        t.process.nice = nice
        return 0
    }

    func sysGetpriority(_ t: Task) throws(Errno) -> Int64 {
        let which = Int32(truncatingIfNeeded: t.argument(0))
        if which < 0 || which > 2 { throw .EINVAL }
        return Int64(20 - t.process.nice)
    }

    func sysPersonality(_ t: Task) throws(Errno) -> Int64 {
        let persona = UInt32(truncatingIfNeeded: t.argument(0))
        let old = t.process.personality
        if persona != 0xffff_ffff { t.process.personality = persona }
        return Int64(old)
    }

    /// riscv_hwprobe: what the emulated hart implements (RV64GC + Zba/Zbb/Zbs).
    func sysRiscvHwprobe(_ t: Task) throws(Errno) -> Int64 {
        let pairs = t.argument(0)
        let count = Int(clamping: t.argument(1))
        if t.argument(4) != 0 { throw .EINVAL }
        for i in 0..<count {
            let at = pairs + UInt64(i * 16)
            let key = try t.load(Int64.self, at: at)
            let value: UInt64
            switch key {
            case 0, 1, 2: value = 0                       // mvendorid, marchid, mimpid
            case 3: value = 1                             // BASE_BEHAVIOR_IMA
            case 4: value = 1 | 2 | 8 | 16 | 32           // IMA_EXT_0: FD, C, Zba, Zbb, Zbs
            case 5: value = 0                             // CPUPERF_0: misaligned access speed unknown
            default:
                try t.store(Int64(-1), at: at)
                continue
            }
            try t.store(value, at: at + 8)
        }
        return 0
    }

    func sysCapget(_ t: Task) throws(Errno) -> Int64 {
        let header = t.argument(0)
        let version = try t.load(UInt32.self, at: header)
        if version != 0x2008_0522 && version != 0x2007_1026 && version != 0x1998_0330 {
            try t.store(UInt32(0x2008_0522), at: header)
            throw .EINVAL
        }
        if t.argument(1) == 0 { return 0 }
        // Docker's default capability set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
        // SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
        let caps: UInt32 = 0xa804_25fb
        var w = ByteWriter(capacity: 24)
        w.u32(caps); w.u32(caps); w.u32(0)
        if version != 0x1998_0330 { w.u32(0); w.u32(0); w.u32(0) }
        try t.copyOut(w.bytes, to: t.argument(1))
        return 0
    }
}
