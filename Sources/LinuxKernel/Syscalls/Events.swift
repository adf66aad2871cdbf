/// eventfd2 and epoll (create1, ctl, pwait, pwait2).
extension Kernel {
    func sysEventfd2(_ t: Task) throws(Errno) -> Int64 {
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        if flags & ~(1 | LinuxOpenFlags.nonBlocking | LinuxOpenFlags.closeOnExec) != 0 { throw .EINVAL }
        let d = EventFD(initial: UInt64(UInt32(truncatingIfNeeded: t.argument(0))), flags: flags, kernel: self)
        return Int64(try t.process.files.install(d, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0))
    }

    func sysEpollCreate1(_ t: Task) throws(Errno) -> Int64 {
        let flags = Int32(truncatingIfNeeded: t.argument(0))
        if flags & ~LinuxOpenFlags.closeOnExec != 0 { throw .EINVAL }
        return Int64(try t.process.files.install(EpollInstance(flags: flags), closeOnExec: flags != 0))
    }

    private func epoll(_ t: Task, _ fd: UInt64) throws(Errno) -> EpollInstance {
        guard let e = try t.process.files.get(Int32(truncatingIfNeeded: fd)) as? EpollInstance else { throw .EINVAL }
        return e
    }

    func sysEpollCtl(_ t: Task) throws(Errno) -> Int64 {
        let e = try epoll(t, t.argument(0))
        let op = Int32(truncatingIfNeeded: t.argument(1))
        let fd = Int32(truncatingIfNeeded: t.argument(2))
        let target = try t.process.files.get(fd)
        if target === e { throw .EINVAL }
        if let nested = target as? EpollInstance, nested.reaches(e) { throw .ELOOP }
        if target is HostFile && (target as! HostFile).hostPollDescriptor == nil { throw .EPERM } // regular files
        e.prune()
        let index = e.interests.firstIndex { $0.fd == fd && $0.description === target }
        switch op {
        case 1, 3: // ADD, MOD
            let packed = t.architecture.epollEventIsPacked
            let raw = ByteReader(try t.copyIn(t.argument(3), count: packed ? 12 : 16))
            let events = raw.u32(0), data = packed ? UInt64(raw.u32(4)) | UInt64(raw.u32(8)) << 32 : raw.u64(8)
            if op == 1 {
                if index != nil { throw .EEXIST }
                e.interests.append(EpollInstance.Interest(fd: fd, description: target, events: events, data: data,
                                                          reportedReads: target.guestReads, reportedWrites: target.guestWrites))
            } else {
                guard let i = index else { throw .ENOENT }
                e.interests[i].events = events
                e.interests[i].data = data
                e.interests[i].disabled = false
                e.interests[i].reportedGeneration = nil
                e.interests[i].observedEvents = 0
                e.interests[i].reportedReads = target.guestReads
                e.interests[i].reportedWrites = target.guestWrites
            }
        case 2: // DEL
            guard let i = index else { throw .ENOENT }
            e.interests.remove(at: i)
        default:
            throw .EINVAL
        }
        e.interestChanges.wakeAll(self)
        return 0
    }

    /// epoll_pwait (timeout in ms) and epoll_pwait2 (timespec).
    func sysEpollPwait(_ t: Task) throws(Errno) -> Int64 {
        let e = try epoll(t, t.argument(0))
        let address = t.argument(1)
        let limit = Int(Int32(truncatingIfNeeded: t.argument(2)))
        if limit <= 0 || limit > 1 << 20 { throw .EINVAL }
        var deadline: UInt64?
        if let d = t.syscallDeadline {
            deadline = d
        } else if t.syscallNumber == 441 {
            if t.argument(3) != 0 { deadline = host.monotonicTime() &+ UInt64((try readTimespec(t, t.argument(3))).totalNanoseconds) }
        } else {
            let ms = Int32(truncatingIfNeeded: t.argument(3))
            if ms >= 0 { deadline = host.monotonicTime() &+ UInt64(ms) * 1_000_000 }
        }
        if t.argument(4) != 0 {
            if t.argument(5) != 8 { throw .EINVAL }
            let mask = try t.load(UInt64.self, at: t.argument(4))
            if t.savedSignalMask == nil { t.savedSignalMask = t.signalMask }
            t.signalMask = mask & ~Signal.unblockable
        }
        let ready = e.ready(limit: limit)
        let expired = deadline.map { host.monotonicTime() >= $0 } ?? false
        if !ready.isEmpty || expired {
            var w = ByteWriter(capacity: ready.count * 16)
            let packed = t.architecture.epollEventIsPacked
            for (events, data) in ready {
                w.u32(events)
                if packed { w.u32(UInt32(truncatingIfNeeded: data)); w.u32(UInt32(truncatingIfNeeded: data >> 32)) } else { w.u32(0); w.u64(data) }
            }
            try t.copyOut(w.bytes, to: address)
            if let s = t.savedSignalMask { t.signalMask = s; t.savedSignalMask = nil }
            return Int64(ready.count)
        }
        t.syscallDeadline = deadline
        throw block(t, on: e.waitQueues(for: PollRequest.readable), host: e.hostPollRequests(), deadline: deadline)
    }
}
