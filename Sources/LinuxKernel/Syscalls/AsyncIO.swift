/// Signal-driven I/O: O_ASYNC (fcntl F_SETFL, ioctl FIOASYNC) and the owner that gets SIGIO
/// (F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX). A description with O_ASYNC is listed on the
/// wait queues of the files the kernel serves (pipes, AF_UNIX sockets, eventfd, the loopback
/// network); each wake-up of such a queue (data arrived, room freed, a peer closed) sends SIGIO
/// to the owner, as Linux's kill_fasync does. Files the host serves (host sockets, terminals)
/// and regular files have no queues: FIOASYNC is ENOTTY for them, as for a Linux file without a
/// fasync operation. F_SETSIG (another signal than SIGIO, with si_fd) is not supported (EINVAL).
struct AsyncOwner {
    enum Kind: Int32 { case thread = 0, process = 1, processGroup = 2 }   // F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP
    var kind: Kind
    var id: Int32
}

extension Kernel {
    /// The queues a description's O_ASYNC registration sits on: those of the directions it can do.
    private func asyncQueues(_ d: FileDescription) -> [WaitQueue] {
        var queues: [WaitQueue] = []
        if d.canRead { queues += d.waitQueues(for: PollRequest.readable) }
        if d.canWrite { queues += d.waitQueues(for: PollRequest.writable) }
        return queues
    }

    /// ioctl(FIOASYNC): turns O_ASYNC on or off.
    func ioctlAsync(_ t: Task, _ d: FileDescription, arg: UInt64) throws(Errno) -> Int64 {
        let on = try t.load(Int32.self, at: arg) != 0
        if on == (d.flags & LinuxOpenFlags.async != 0) { return 0 }
        if asyncQueues(d).isEmpty { throw .ENOTTY }
        setAsync(d, on)
        return 0
    }

    /// O_ASYNC changed (F_SETFL or FIOASYNC): the description joins or leaves its files' queues.
    func setAsync(_ d: FileDescription, _ on: Bool) {
        if on { d.flags |= LinuxOpenFlags.async } else { d.flags &= ~LinuxOpenFlags.async }
        for q in asyncQueues(d) {
            q.asyncFiles.removeAll { $0 === d }
            if on { q.asyncFiles.append(d) }
        }
    }

    /// A queue with O_ASYNC descriptions woke: SIGIO to each one's owner. Descriptions that were
    /// closed or lost O_ASYNC since are dropped from the queue here.
    func signalAsyncOwners(_ q: WaitQueue) {
        q.asyncFiles.removeAll { $0.references == 0 || $0.flags & LinuxOpenFlags.async == 0 }
        for d in q.asyncFiles {
            guard let owner = d.asyncOwner else { continue }
            let info = SignalInfo(signo: Signal.SIGIO, code: 0x80)   // SI_KERNEL, as send_sigio without F_SETSIG
            switch owner.kind {
            case .thread:
                if let task = tasks[owner.id] { sendSignal(to: task, info) }
            case .process:
                if let p = processes[owner.id] { sendSignal(to: p, info) }
            case .processGroup:
                for p in processes.values where p.processGroup == owner.id { sendSignal(to: p, info) }
            }
        }
    }

    /// F_SETOWN 8, F_GETOWN 9, F_SETOWN_EX 15, F_GETOWN_EX 16.
    func fcntlOwner(_ t: Task, _ d: FileDescription, cmd: Int32, arg: UInt64) throws(Errno) -> Int64 {
        switch cmd {
        case 8:
            let who = Int32(truncatingIfNeeded: arg)
            if who == 0 { d.asyncOwner = nil; return 0 }
            try setOwner(d, who > 0 ? AsyncOwner(kind: .process, id: who) : AsyncOwner(kind: .processGroup, id: who == Int32.min ? who : -who))
            return 0
        case 9:
            guard let o = d.asyncOwner else { return 0 }
            return Int64(o.kind == .processGroup ? -o.id : o.id)
        case 15:
            let raw = ByteReader(try t.copyIn(arg, count: 8))
            guard let kind = AsyncOwner.Kind(rawValue: raw.i32(0)) else { throw .EINVAL }
            let id = raw.i32(4)
            if id == 0 { d.asyncOwner = nil; return 0 }
            if id < 0 { throw .EINVAL }
            try setOwner(d, AsyncOwner(kind: kind, id: id))
            return 0
        default:
            var w = ByteWriter(capacity: 8)
            w.i32(d.asyncOwner?.kind.rawValue ?? 0); w.i32(d.asyncOwner?.id ?? 0)
            try t.copyOut(w.bytes, to: arg)
            return 0
        }
    }

    private func setOwner(_ d: FileDescription, _ owner: AsyncOwner) throws(Errno) {
        let exists: Bool
        switch owner.kind {
        case .thread: exists = tasks[owner.id] != nil
        case .process: exists = processes[owner.id] != nil
        case .processGroup: exists = processes.values.contains { $0.processGroup == owner.id }
        }
        if !exists { throw .ESRCH }
        d.asyncOwner = owner
    }
}
