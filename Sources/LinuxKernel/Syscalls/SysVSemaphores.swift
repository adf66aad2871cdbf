/// System V semaphores: semget, semop, semtimedop, semctl. A semop applies all of its operations
/// or none; one that cannot (a decrement below 0, a wait for zero on a non-zero value) fails with
/// EAGAIN under IPC_NOWAIT, else sleeps on the set's queue and runs again whenever the set's
/// values change (Syscalls/SysVIPC.swift: EAGAIN at semtimedop's timeout, EIDRM when the set is
/// removed, EINTR on a signal). SEM_UNDO adjustments belong to the process (its threads share
/// them, a fork starts without) and are applied when it exits.
final class SysVSemaphoreSet: SysVObject {
    var permissions: SysVPermissions
    var values: [UInt16]
    /// The pid of the last operation on each semaphore (GETPID).
    var lastPIDs: [Int32]
    var operationTime: Int64 = 0, changeTime: Int64
    let queue = WaitQueue()
    /// The operation a sleeping task waits on: which semaphore, and whether for zero (GETZCNT)
    /// or for an increase (GETNCNT). Only tasks still on `queue` count.
    var blockedOn: [Int32: (number: Int, zero: Bool)] = [:]

    init(_ permissions: SysVPermissions, count: Int, now: Int64) {
        self.permissions = permissions
        values = [UInt16](repeating: 0, count: count)
        lastPIDs = [Int32](repeating: 0, count: count)
        changeTime = now
    }

    func waiting(on number: Int, zero: Bool) -> Int {
        queue.waiters.filter { w in blockedOn[w.tid].map { $0.number == number && $0.zero == zero } ?? false }.count
    }
}

/// A process's SEM_UNDO adjustment of one semaphore (semadj).
struct SemaphoreUndo {
    let setID: Int32
    let number: Int
    var adjustment: Int32
}

enum SemaphoreLimits {
    static let perSet = 32000          // SEMMSL
    static let operations = 500        // SEMOPM
    static let maximumValue: Int32 = 32767   // SEMVMX, SEMAEM
    static let undoFlag: Int16 = 0x1000      // SEM_UNDO
}

extension Kernel {
    func sysSemget(_ t: Task) throws(Errno) -> Int64 {
        let key = Int32(truncatingIfNeeded: t.argument(0))
        let count = Int64(bitPattern: t.argument(1))
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        if count < 0 || count > Int64(SemaphoreLimits.perSet) { throw .EINVAL }
        if let s = try sysvFind(sysvIPC.semaphoreSets, key: key, flags: flags, credentials: t.process.credentials) {
            if Int(count) > s.values.count { throw .EINVAL }
            return Int64(s.permissions.id)
        }
        if count == 0 { throw .EINVAL }
        if sysvIPC.semaphoreSets.count >= Int(SysVIPC.maximumObjects) { throw .ENOSPC }
        let id = SysVIPC.take(&sysvIPC.nextSemaphoreID)
        let s = SysVSemaphoreSet(SysVPermissions(key: key, id: id, mode: flags, credentials: t.process.credentials),
                                 count: Int(count), now: host.realTime().seconds)
        sysvIPC.semaphoreSets.append(s)
        return Int64(id)
    }

    func sysSemop(_ t: Task, timed: Bool) throws(Errno) -> Int64 {
        let id = Int32(truncatingIfNeeded: t.argument(0))
        let address = t.argument(1)
        let count = t.argument(2)
        if count == 0 { throw .EINVAL }
        if count > UInt64(SemaphoreLimits.operations) { throw .E2BIG }
        let raw = ByteReader(try t.copyIn(address, count: Int(count) * 6))
        var deadline: UInt64?
        if timed && t.argument(3) != 0 {
            if let d = t.syscallDeadline {
                deadline = d
            } else {
                let ts = try readTimespec(t, t.argument(3))
                deadline = host.monotonicTime() &+ UInt64(ts.totalNanoseconds)
            }
        }
        let s = try sysvObject(sysvIPC.semaphoreSets, id)
        var operations: [(number: Int, op: Int32, flags: Int16)] = []
        var alters = false, undoes = false
        for i in 0..<Int(count) {
            let number = Int(raw.u16(i * 6))
            let op = Int32(Int16(bitPattern: raw.u16(i * 6 + 2)))
            let flags = Int16(bitPattern: raw.u16(i * 6 + 4))
            if number >= s.values.count { throw .EFBIG }
            if op != 0 { alters = true }
            if flags & SemaphoreLimits.undoFlag != 0 { undoes = true }
            operations.append((number, op, flags))
        }
        if !s.permissions.allows(t.process.credentials, flag: alters ? 0o2 : 0o4) { throw .EACCES }
        // Try them all on a copy: the first that cannot go on decides (sleep, EAGAIN or ERANGE).
        var values = s.values.map { Int32($0) }
        var undo = t.process.semaphoreUndo
        for o in operations {
            let v = values[o.number]
            if o.op == 0 ? v != 0 : v + o.op < 0 {
                if Int32(o.flags) & SysVIPC.noWait != 0 { throw .EAGAIN }
                s.blockedOn[t.tid] = (o.number, o.op == 0)
                throw sysvBlock(t, on: s.queue, deadline: deadline, timeoutResult: .EAGAIN)
            }
            if v + o.op > SemaphoreLimits.maximumValue { throw .ERANGE }
            values[o.number] = v + o.op
            if o.flags & SemaphoreLimits.undoFlag != 0 && o.op != 0 {
                if let i = undo.firstIndex(where: { $0.setID == id && $0.number == o.number }) {
                    undo[i].adjustment -= o.op
                    if undo[i].adjustment < -SemaphoreLimits.maximumValue - 1 || undo[i].adjustment > SemaphoreLimits.maximumValue { throw .ERANGE }
                } else {
                    undo.append(SemaphoreUndo(setID: id, number: o.number, adjustment: -o.op))
                }
            }
        }
        s.values = values.map { UInt16(truncatingIfNeeded: $0) }
        for o in operations { s.lastPIDs[o.number] = t.process.pid }
        s.operationTime = host.realTime().seconds
        s.blockedOn[t.tid] = nil
        if undoes { t.process.semaphoreUndo = undo.filter { $0.adjustment != 0 } }
        if alters { s.queue.wakeAll(self) }
        return 0
    }

    /// A process's SEM_UNDO adjustments, applied as it exits: each value moves by its
    /// adjustment, kept within 0...SEMVMX (sets removed since are skipped).
    func applySemaphoreUndo(_ p: Process) {
        let undo = p.semaphoreUndo
        if undo.isEmpty { return }
        p.semaphoreUndo = []
        for u in undo {
            guard let s = sysvIPC.semaphoreSets.first(where: { $0.permissions.id == u.setID }), u.number < s.values.count else { continue }
            s.values[u.number] = UInt16(min(max(Int32(s.values[u.number]) + u.adjustment, 0), SemaphoreLimits.maximumValue))
            s.lastPIDs[u.number] = p.pid
            s.queue.wakeAll(self)
        }
    }

    /// SETVAL and SETALL clear every process's adjustments of the semaphores they set.
    private func clearSemaphoreUndo(_ id: Int32, number: Int?) {
        for p in processes.values where !p.semaphoreUndo.isEmpty {
            p.semaphoreUndo.removeAll { $0.setID == id && (number == nil || $0.number == number!) }
        }
    }

    func sysSemctl(_ t: Task) throws(Errno) -> Int64 {
        let id = Int32(truncatingIfNeeded: t.argument(0))
        let number = Int(Int32(truncatingIfNeeded: t.argument(1)))
        let command = sysvCommand(t, 2)
        let argument = t.argument(3)
        let c = t.process.credentials
        let now = host.realTime().seconds
        switch command {
        case SysVIPC.info, 19: // IPC_INFO, SEM_INFO: struct seminfo; the highest index in use
            let sets = sysvIPC.semaphoreSets
            let semaphores = sets.reduce(0) { $0 + $1.values.count }
            var w = ByteWriter(capacity: 40)
            let limits: [Int32] = [1_024_000_000, SysVIPC.maximumObjects, 1_024_000_000, 1_024_000_000,
                                   Int32(SemaphoreLimits.perSet), Int32(SemaphoreLimits.operations),
                                   Int32(SemaphoreLimits.operations), 20, SemaphoreLimits.maximumValue, SemaphoreLimits.maximumValue]
            for (i, v) in limits.enumerated() {
                if command == 19 && i == 7 { w.i32(Int32(sets.count)) }           // semusz: sets in use
                else if command == 19 && i == 9 { w.i32(Int32(clamping: semaphores)) }   // semaem: semaphores
                else { w.i32(v) }
            }
            try t.copyOut(w.bytes, to: argument)
            return Int64(max(sets.count - 1, 0))
        default: break
        }
        let s = try sysvObject(sysvIPC.semaphoreSets, id)
        func checkNumber() throws(Errno) { if number < 0 || number >= s.values.count { throw .EINVAL } }
        func mayRead() throws(Errno) { if !s.permissions.allows(c, flag: 0o4) { throw .EACCES } }
        func mayWrite() throws(Errno) { if !s.permissions.allows(c, flag: 0o2) { throw .EACCES } }
        switch command {
        case SysVIPC.stat:
            try mayRead()
            var w = ByteWriter(capacity: 104)
            s.permissions.write(&w)
            // x86-64's semid64_ds keeps a padding word after each time; the generic one does not.
            let padded = t.architecture == .x86_64
            w.i64(s.operationTime); if padded { w.u64(0) }
            w.i64(s.changeTime); if padded { w.u64(0) }
            w.u64(UInt64(s.values.count)); w.u64(0); w.u64(0)
            try t.copyOut(w.bytes, to: argument)
            return 0
        case SysVIPC.set:
            try s.permissions.mayChange(c)
            s.permissions.set(from: ByteReader(try t.copyIn(argument, count: 48)))
            s.changeTime = now
            return 0
        case SysVIPC.remove:
            try s.permissions.mayChange(c)
            s.permissions.removed = true
            sysvIPC.semaphoreSets.removeAll { $0 === s }
            clearSemaphoreUndo(id, number: nil)
            sysvWakeRemoved(s.queue)
            return 0
        case 11: try mayRead(); try checkNumber(); return Int64(s.lastPIDs[number])            // GETPID
        case 12: try mayRead(); try checkNumber(); return Int64(s.values[number])              // GETVAL
        case 14: try mayRead(); try checkNumber(); return Int64(s.waiting(on: number, zero: false))   // GETNCNT
        case 15: try mayRead(); try checkNumber(); return Int64(s.waiting(on: number, zero: true))    // GETZCNT
        case 13: // GETALL
            try mayRead()
            var w = ByteWriter(capacity: s.values.count * 2)
            for v in s.values { w.u16(v) }
            try t.copyOut(w.bytes, to: argument)
            return 0
        case 16: // SETVAL
            try mayWrite(); try checkNumber()
            let value = Int32(truncatingIfNeeded: argument)
            if value < 0 || value > SemaphoreLimits.maximumValue { throw .ERANGE }
            s.values[number] = UInt16(value)
            s.lastPIDs[number] = t.process.pid
            s.changeTime = now
            clearSemaphoreUndo(id, number: number)
            s.queue.wakeAll(self)
            return 0
        case 17: // SETALL
            try mayWrite()
            let raw = ByteReader(try t.copyIn(argument, count: s.values.count * 2))
            var values: [UInt16] = []
            for i in 0..<s.values.count {
                let v = raw.u16(i * 2)
                if Int32(v) > SemaphoreLimits.maximumValue { throw .ERANGE }
                values.append(v)
            }
            s.values = values
            for i in 0..<s.lastPIDs.count { s.lastPIDs[i] = t.process.pid }
            s.changeTime = now
            clearSemaphoreUndo(id, number: nil)
            s.queue.wakeAll(self)
            return 0
        default: // SEM_STAT, SEM_STAT_ANY (by index, for ipcs)
            throw .EINVAL
        }
    }
}
