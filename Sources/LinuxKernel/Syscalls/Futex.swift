/// futex (WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP and the BITSET variants), set_tid_address and
/// robust lists. Waiters are kept per address space, keyed by address.
extension Kernel {
    enum FutexOp {
        static let wait: Int32 = 0, wake: Int32 = 1, requeue: Int32 = 3, cmpRequeue: Int32 = 4, wakeOp: Int32 = 5
        static let waitBitset: Int32 = 9, wakeBitset: Int32 = 10
        static let privateFlag: Int32 = 128, clockRealtime: Int32 = 256
    }

    func sysFutex(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let op = Int32(truncatingIfNeeded: t.argument(1))
        let value = UInt32(truncatingIfNeeded: t.argument(2))
        let command = op & 127
        if address & 3 != 0 { throw .EINVAL }
        switch command {
        case FutexOp.wait, FutexOp.waitBitset:
            let bitset = command == FutexOp.waitBitset ? UInt32(truncatingIfNeeded: t.argument(5)) : UInt32.max
            if bitset == 0 { throw .EINVAL }
            if try t.load(UInt32.self, at: address) != value { throw .EAGAIN }
            var deadline: UInt64?
            if t.argument(3) != 0 {
                if let d = t.syscallDeadline {
                    deadline = d
                } else {
                    let ts = try readTimespec(t, t.argument(3))
                    let now = host.monotonicTime()
                    if command == FutexOp.wait {
                        deadline = now &+ UInt64(ts.totalNanoseconds)
                    } else {
                        let clock = op & FutexOp.clockRealtime != 0 ? Clock.realtime : Clock.monotonic
                        let remaining = ts.totalNanoseconds - (try clockNow(t, clock))
                        deadline = remaining <= 0 ? now : now &+ UInt64(remaining)
                    }
                }
                if host.monotonicTime() >= deadline! { throw .ETIMEDOUT }
                t.syscallDeadline = deadline
            }
            t.futexBitset = bitset
            throw block(t, on: [futexQueue(t, address, op: op)], deadline: deadline, completesOnWake: true,
                        timeoutResult: -Int64(Errno.ETIMEDOUT.rawValue))
        case FutexOp.wake, FutexOp.wakeBitset:
            let bitset = command == FutexOp.wakeBitset ? UInt32(truncatingIfNeeded: t.argument(5)) : UInt32.max
            if bitset == 0 { throw .EINVAL }
            return Int64(futexWake(t, address: address, op: op, count: Int(min(value, 0x7fff_ffff)), bitset: bitset))
        case FutexOp.requeue, FutexOp.cmpRequeue:
            let second = t.argument(4)
            if second & 3 != 0 { throw .EINVAL }
            if command == FutexOp.cmpRequeue {
                let current = try t.load(UInt32.self, at: address)
                if current != UInt32(truncatingIfNeeded: t.argument(5)) { throw .EAGAIN }
            }
            let requeueCount = Int(min(UInt32(truncatingIfNeeded: t.argument(3)), 0x7fff_ffff))
            let woken = futexWake(t, address: address, op: op, count: Int(min(value, 0x7fff_ffff)), bitset: UInt32.max)
            var moved = 0
            let from = futexQueue(t, address, op: op)
            let target = futexQueue(t, second, op: op)
            while moved < requeueCount, let w = from.waiters.first {
                from.remove(w)
                target.add(w)
                if let i = w.waitQueues.firstIndex(where: { $0 === from }) { w.waitQueues[i] = target }
                moved += 1
            }
            return Int64(woken + moved)
        case FutexOp.wakeOp:
            let second = t.argument(4)
            if second & 3 != 0 { throw .EINVAL }
            let encoded = UInt32(truncatingIfNeeded: t.argument(5))
            let old = try t.load(UInt32.self, at: second)
            var operand = (Int32(bitPattern: (encoded >> 12) & 0xfff) << 20) >> 20
            let comparand = (Int32(bitPattern: encoded & 0xfff) << 20) >> 20
            let operation = (encoded >> 28) & 7
            if (encoded >> 28) & 8 != 0 { operand = operand >= 0 && operand < 32 ? Int32(bitPattern: 1 << UInt32(operand)) : 0 }
            let o = UInt32(bitPattern: operand)
            let new: UInt32
            switch operation {
            case 0: new = o
            case 1: new = old &+ o
            case 2: new = old | o
            case 3: new = old & ~o
            case 4: new = old ^ o
            default: throw .ENOSYS
            }
            try t.store(new, at: second)
            var woken = futexWake(t, address: address, op: op, count: Int(min(value, 0x7fff_ffff)), bitset: UInt32.max)
            let s = Int32(bitPattern: old)
            let matches: Bool
            switch (encoded >> 24) & 15 {
            case 0: matches = s == comparand
            case 1: matches = s != comparand
            case 2: matches = s < comparand
            case 3: matches = s <= comparand
            case 4: matches = s > comparand
            case 5: matches = s >= comparand
            default: throw .ENOSYS
            }
            if matches {
                let count = Int(min(UInt32(truncatingIfNeeded: t.argument(3)), 0x7fff_ffff))
                woken += futexWake(t, address: second, op: op, count: count, bitset: UInt32.max)
            }
            return Int64(woken)
        default:
            // Priority-inheritance futexes (LOCK_PI…) and FUTEX_FD are not provided.
            throw .ENOSYS
        }
    }

    /// The wait queue of a futex word: per address space for private futexes; for a shared futex
    /// in memory other processes map (a SharedMemoryObject), keyed by object and offset so a
    /// waker in another process finds it.
    func futexQueue(_ t: Task, _ address: UInt64, op: Int32) -> WaitQueue {
        let space = t.process.addressSpace
        if op & FutexOp.privateFlag == 0, space.mapsSharedObjects, let r = space.region(containing: address), let obj = r.object {
            let key = obj.id << 40 | (address - r.start + r.objectOffset)
            if let q = sharedFutexQueues[key] { return q }
            let q = WaitQueue()
            sharedFutexQueues[key] = q
            return q
        }
        return space.futexQueue(address)
    }

    func futexWake(_ t: Task, address: UInt64, op: Int32, count: Int, bitset: UInt32) -> Int {
        let q = futexQueue(t, address, op: op)
        let n = wakeFutexWaiters(q, count: count, bitset: bitset)
        if q.isEmpty {
            t.process.addressSpace.futexQueues[address] = nil
            for (k, v) in sharedFutexQueues where v === q { sharedFutexQueues[k] = nil }
        }
        return n
    }

    private func wakeFutexWaiters(_ q: WaitQueue, count: Int, bitset: UInt32) -> Int {
        var woken = 0
        for w in q.waiters where woken < count && w.futexBitset & bitset != 0 {
            wake(w, result: 0)
            woken += 1
        }
        return woken
    }

    /// Wakes up to `count` waiters on `address` whose bitset intersects `bitset`.
    func futexWake(_ space: AddressSpace, address: UInt64, count: Int, bitset: UInt32) -> Int {
        guard let q = space.futexQueues[address] else { return 0 }
        var woken = 0
        for w in q.waiters where woken < count && w.futexBitset & bitset != 0 {
            wake(w, result: 0)
            woken += 1
        }
        if q.isEmpty { space.futexQueues[address] = nil }
        return woken
    }

    func futexForget(_ t: Task) {
        let space = t.process.addressSpace
        for q in t.waitQueues { q.remove(t) }
        if !space.futexQueues.isEmpty {
            for (k, q) in space.futexQueues where q.isEmpty { space.futexQueues[k] = nil }
        }
    }

    func sysSetTidAddress(_ t: Task) -> Int64 {
        t.clearChildTID = t.argument(0)
        return Int64(t.tid)
    }

    func sysSetRobustList(_ t: Task) throws(Errno) -> Int64 {
        if t.argument(1) != 24 { throw .EINVAL }
        t.robustListHead = t.argument(0)
        t.robustListLength = 24
        return 0
    }

    func sysGetRobustList(_ t: Task) throws(Errno) -> Int64 {
        let pid = Int32(truncatingIfNeeded: t.argument(0))
        let target = pid == 0 ? t : tasks[pid]
        guard let target else { throw .ESRCH }
        try t.store(target.robustListHead, at: t.argument(1))
        try t.store(UInt64(24), at: t.argument(2))
        return 0
    }

    /// An exiting thread's robust mutexes are marked FUTEX_OWNER_DIED and a waiter woken.
    func releaseRobustList(_ t: Task) {
        let head = t.robustListHead
        if head == 0 { return }
        t.robustListHead = 0
        guard let offset = try? t.load(Int64.self, at: head + 8),
              var entry = try? t.load(UInt64.self, at: head) else { return }
        let pending = (try? t.load(UInt64.self, at: head + 16)) ?? 0
        var visited = 0
        func release(_ e: UInt64) {
            let word = UInt64(bitPattern: Int64(bitPattern: e) &+ offset)
            guard let v = try? t.load(UInt32.self, at: word), v & 0x3fff_ffff == UInt32(bitPattern: t.tid) else { return }
            let new = (v & 0x8000_0000) | 0x4000_0000
            if (try? t.store(new, at: word)) != nil && v & 0x8000_0000 != 0 {
                _ = futexWake(t.process.addressSpace, address: word, count: 1, bitset: UInt32.max)
            }
        }
        while entry != head && entry != 0 && visited < 2048 {
            let next = (try? t.load(UInt64.self, at: entry)) ?? head
            if entry != pending { release(entry) }
            entry = next
            visited += 1
        }
        if pending != 0 { release(pending) }
    }
}

extension AddressSpace {
    func futexQueue(_ address: UInt64) -> WaitQueue {
        if let q = futexQueues[address] { return q }
        let q = WaitQueue()
        futexQueues[address] = q
        return q
    }
}
