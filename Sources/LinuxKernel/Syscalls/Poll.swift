/// ppoll and pselect6: readiness of several descriptors at once.
extension Kernel {
    /// Installs a temporary signal mask (ppoll/pselect6), remembered for restoring.
    private func applyTemporaryMask(_ t: Task, _ address: UInt64, size: UInt64) throws(Errno) {
        if address == 0 { return }
        if size != 8 { throw .EINVAL }
        let mask = try t.load(UInt64.self, at: address)
        if t.savedSignalMask == nil { t.savedSignalMask = t.signalMask }
        t.signalMask = mask & ~Signal.unblockable
    }

    private func restoreTemporaryMask(_ t: Task) {
        if let s = t.savedSignalMask { t.signalMask = s; t.savedSignalMask = nil }
    }

    /// The deadline of a timeout argument (nil: wait forever), kept across re-executions.
    private func timeoutDeadline(_ t: Task, _ address: UInt64) throws(Errno) -> UInt64? {
        if address == 0 { return nil }
        if let d = t.syscallDeadline { return d }
        let ts = try readTimespec(t, address)
        let d = host.monotonicTime() &+ UInt64(ts.totalNanoseconds)
        t.syscallDeadline = d
        return d
    }

    /// The deadline of a struct timeval timeout (select), kept across re-executions.
    private func timevalDeadline(_ t: Task, _ address: UInt64) throws(Errno) -> UInt64? {
        if address == 0 { return nil }
        if let d = t.syscallDeadline { return d }
        let seconds = try t.load(Int64.self, at: address), micros = try t.load(Int64.self, at: address + 8)
        if seconds < 0 || micros < 0 || micros >= 1_000_000 { throw .EINVAL }
        let d = host.monotonicTime() &+ UInt64(seconds) &* 1_000_000_000 &+ UInt64(micros) &* 1000
        t.syscallDeadline = d
        return d
    }

    /// Parks the task on everything that can make one of `items` ready.
    private func waitForAny(_ t: Task, _ items: [(FileDescription, Int16)], deadline: UInt64?) -> Errno {
        var queues: [WaitQueue] = []
        var requests: [PollRequest] = []
        for (d, events) in items {
            for q in d.waitQueues(for: events) where !queues.contains(where: { $0 === q }) { queues.append(q) }
            if let h = d.hostPollDescriptor { requests.append(PollRequest(fd: h, events: events)) }
        }
        return block(t, on: queues, host: requests, deadline: deadline)
    }

    func sysPpoll(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let count = Int(clamping: t.argument(1))
        if count > t.process.files.limit { throw .EINVAL }
        let deadline = try timeoutDeadline(t, t.argument(2))
        try applyTemporaryMask(t, t.argument(3), size: t.argument(4))
        let raw = try t.copyIn(address, count: count * 8)
        let r = ByteReader(raw)
        var out = ByteWriter(capacity: count * 8)
        var ready = 0
        var items: [(FileDescription, Int16)] = []
        for i in 0..<count {
            let fd = r.i32(i * 8)
            let events = Int16(bitPattern: r.u16(i * 8 + 4))
            var revents: Int16 = 0
            if fd >= 0 {
                if let d = try? t.process.files.get(fd) {
                    revents = d.readiness(events | PollRequest.error | PollRequest.hangUp)
                    revents &= events | PollRequest.error | PollRequest.hangUp
                    items.append((d, events))
                } else {
                    revents = PollRequest.invalid
                }
            }
            if revents != 0 { ready += 1 }
            out.i32(fd); out.u16(UInt16(bitPattern: events)); out.u16(UInt16(bitPattern: revents))
        }
        let expired = deadline.map { host.monotonicTime() >= $0 } ?? false
        if ready > 0 || expired {
            try t.copyOut(out.bytes, to: address)
            restoreTemporaryMask(t)
            return Int64(ready)
        }
        throw waitForAny(t, items, deadline: deadline)
    }

    /// With `timeval`: x86-64's select, whose timeout is a struct timeval.
    func sysPselect6(_ t: Task, timeval: Bool = false) throws(Errno) -> Int64 {
        let count = Int(Int32(truncatingIfNeeded: t.argument(0)))
        if count < 0 { throw .EINVAL }
        let n = min(count, t.process.files.limit)
        let words = (n + 63) / 64
        let setAddresses = [t.argument(1), t.argument(2), t.argument(3)]
        var sets: [[UInt64]] = []
        for a in setAddresses {
            var s = [UInt64](repeating: 0, count: words)
            if a != 0 { for i in 0..<words { s[i] = try t.load(UInt64.self, at: a + UInt64(i * 8)) } }
            sets.append(s)
        }
        let timeoutAddress = t.argument(4)
        let deadline = timeval ? try timevalDeadline(t, timeoutAddress) : try timeoutDeadline(t, timeoutAddress)
        if t.argument(5) != 0 {
            let maskPointer = try t.load(UInt64.self, at: t.argument(5))
            let maskSize = try t.load(UInt64.self, at: t.argument(5) + 8)
            try applyTemporaryMask(t, maskPointer, size: maskSize)
        }
        var results = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: 3)
        var ready = 0
        var items: [(FileDescription, Int16)] = []
        for fd in 0..<n {
            let w = fd / 64, b = UInt64(1) << UInt64(fd % 64)
            let wantRead = sets[0][w] & b != 0, wantWrite = sets[1][w] & b != 0, wantExcept = sets[2][w] & b != 0
            if !wantRead && !wantWrite && !wantExcept { continue }
            let d = try t.process.files.get(Int32(fd))
            var events: Int16 = 0
            if wantRead { events |= PollRequest.readable }
            if wantWrite { events |= PollRequest.writable }
            if wantExcept { events |= PollRequest.priority }
            let r = d.readiness(events | PollRequest.error | PollRequest.hangUp)
            if wantRead && r & (PollRequest.readable | PollRequest.hangUp | PollRequest.error) != 0 { results[0][w] |= b; ready += 1 }
            if wantWrite && r & (PollRequest.writable | PollRequest.error) != 0 { results[1][w] |= b; ready += 1 }
            if wantExcept && r & PollRequest.priority != 0 { results[2][w] |= b; ready += 1 }
            items.append((d, events))
        }
        let now = host.monotonicTime()
        let expired = deadline.map { now >= $0 } ?? false
        if ready > 0 || expired {
            for (i, a) in setAddresses.enumerated() where a != 0 {
                for j in 0..<words { try t.store(results[i][j], at: a + UInt64(j * 8)) }
            }
            if timeoutAddress != 0, let d = deadline {
                let left = d > now ? Int64(d - now) : 0
                if timeval {
                    try t.store(left / 1_000_000_000, at: timeoutAddress)
                    try t.store((left % 1_000_000_000) / 1000, at: timeoutAddress + 8)
                } else {
                    try writeTimespec(t, left, to: timeoutAddress)
                }
            }
            restoreTemporaryMask(t)
            return Int64(ready)
        }
        throw waitForAny(t, items, deadline: deadline)
    }
}
