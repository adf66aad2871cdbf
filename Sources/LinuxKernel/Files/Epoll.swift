/// An epoll instance: an interest list checked for readiness when the guest waits on it.
///
/// Edge-triggered registrations (EPOLLET) report a ready descriptor once, then again only after a
/// new event: for files whose readiness comes from inside the guest (pipes, sockets, eventfd,
/// terminals) an event is a wake-up of the file's wait queue (data arrived, space freed, the peer
/// closed), as on Linux. Files served by the host (host sockets, host pipes and terminals) have no
/// queues (`hostEdge`): for them an event is readiness that was not there at the last look (data
/// came to a socket that had none, the peer closed, room came back), or readiness in a direction
/// the guest has used the file in since it was last reported (`guestReads`/`guestWrites`: after a
/// receive that hit EAGAIN, data that comes before epoll looks again is a new event; a write
/// counts only when it found too little room, as Linux's SOCK_NOSPACE). Not seen:
/// more data coming to a host socket that is still readable while the guest does nothing with
/// it; seen in excess: a partial read reports the file readable again (a spurious edge, which
/// edge-triggered code tolerates, where a missed one would hang it).
final class EpollInstance: FileDescription {
    static let edgeTriggered: UInt32 = 1 << 31
    static let oneShot: UInt32 = 1 << 30

    struct Interest {
        var fd: Int32
        var description: FileDescription
        var events: UInt32
        var data: UInt64
        var disabled = false
        /// EPOLLET: the event count when readiness was last reported (nil: not reported since it was last not ready).
        var reportedGeneration: UInt64?
        /// EPOLLET on a file the host serves: the readiness seen at the last look, and the guest's
        /// reads and writes counted when it was last reported.
        var observedEvents: UInt32 = 0
        var reportedReads: UInt64 = 0
        var reportedWrites: UInt64 = 0
    }
    var interests: [Interest] = []
    /// Woken by epoll_ctl: a task blocked in epoll_wait (or in poll on this instance) collects the
    /// queues of the changed interest list again, so a descriptor added while it sleeps wakes it.
    let interestChanges = WaitQueue()

    init(flags: Int32) {
        super.init(flags: LinuxOpenFlags.readWrite, path: Array("anon_inode:[eventpoll]".utf8))
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EINVAL }

    override func stat() throws(Errno) -> FileStat {
        var st = FileStat()
        st.device = makeDevice(0, 14)
        st.mode = 0o600
        return st
    }

    /// Drops registrations whose file was closed everywhere.
    func prune() { interests.removeAll { $0.description.references == 0 } }

    /// The ready (events, data) pairs, at most `limit`.
    func ready(limit: Int) -> [(UInt32, UInt64)] {
        prune()
        var out: [(UInt32, UInt64)] = []
        for i in 0..<interests.count where !interests[i].disabled && out.count < limit {
            let wanted = Int16(truncatingIfNeeded: interests[i].events & 0xffff)
            let r = interests[i].description.readiness(wanted | PollRequest.error | PollRequest.hangUp)
            let got = UInt32(UInt16(bitPattern: r)) & (interests[i].events | 0x18)
            if interests[i].events & EpollInstance.edgeTriggered != 0, interests[i].description.hostPollDescriptor != nil {
                if !hostEdge(&interests[i], got) { continue }
            } else if interests[i].events & EpollInstance.edgeTriggered != 0, let generation = eventCount(interests[i]) {
                if got == 0 { interests[i].reportedGeneration = nil; continue }
                if interests[i].reportedGeneration == generation { continue }   // nothing new since it was reported
                interests[i].reportedGeneration = generation
            }
            if got != 0 {
                out.append((got, interests[i].data))
                if interests[i].events & EpollInstance.oneShot != 0 { interests[i].disabled = true }
            }
        }
        return out
    }

    static let readEvents: UInt32 = 0x1 | 0x2 | 0x40 | 0x80 | 0x2000    // EPOLLIN PRI RDNORM RDBAND RDHUP
    static let writeEvents: UInt32 = 0x4 | 0x100 | 0x200               // EPOLLOUT WRNORM WRBAND

    /// Whether an edge-triggered interest in a file the host serves, now ready for `got`, has an
    /// event to report (see the type's comment).
    private func hostEdge(_ interest: inout Interest, _ got: UInt32) -> Bool {
        let d = interest.description
        var fresh = got & ~interest.observedEvents
        interest.observedEvents = got
        if d.guestReads != interest.reportedReads { fresh |= got & EpollInstance.readEvents }
        if d.guestWrites != interest.reportedWrites { fresh |= got & EpollInstance.writeEvents }
        if fresh == 0 { return false }
        interest.reportedReads = d.guestReads
        interest.reportedWrites = d.guestWrites
        return true
    }

    /// What a blocked epoll_wait polls the host for: each host-served interest's events, less
    /// what an edge-triggered one has already seen (that cannot make a new edge without the
    /// guest touching the file, which ends the wait anyway; polling for it would wake the waiter
    /// at once, again and again, until its timeout). ready(limit:) has just looked at them all.
    func hostPollRequests() -> [PollRequest] {
        var requests: [PollRequest] = []
        for i in interests where !i.disabled {
            guard let h = i.description.hostPollDescriptor else { continue }
            var events = i.events & 0xffff
            if i.events & EpollInstance.edgeTriggered != 0 {
                // POLLERR and POLLHUP are polled for in any case: once seen, they end nothing.
                if i.observedEvents & 0x18 != 0 { continue }
                events &= ~i.observedEvents
            }
            requests.append(PollRequest(fd: h, events: Int16(truncatingIfNeeded: events)))
        }
        return requests
    }

    /// Events so far on the queues where the file's readiness changes; nil when the host serves it.
    private func eventCount(_ interest: Interest) -> UInt64? {
        if interest.description.hostPollDescriptor != nil { return nil }
        let queues = interest.description.waitQueues(for: Int16(truncatingIfNeeded: interest.events & 0xffff))
        return queues.isEmpty ? nil : queues.reduce(0) { $0 &+ $1.generation }
    }

    /// Every queue whose wake-up can make an interest ready, and the interest list's own.
    override func waitQueues(for events: Int16) -> [WaitQueue] {
        prune()
        var queues = [interestChanges]
        for i in interests where !i.disabled {
            for q in i.description.waitQueues(for: Int16(truncatingIfNeeded: i.events & 0xffff))
            where !queues.contains(where: { $0 === q }) { queues.append(q) }
        }
        return queues
    }

    /// Whether `other` is this instance or is watched by it, directly or through nested instances
    /// (adding it would make a loop: ELOOP).
    func reaches(_ other: EpollInstance, depth: Int = 0) -> Bool {
        if other === self { return true }
        if depth > 5 { return true }   // Linux's EP_MAX_NESTS: deeper nesting is refused too
        for i in interests { if let e = i.description as? EpollInstance, e.reaches(other, depth: depth + 1) { return true } }
        return false
    }

    override func readiness(_ events: Int16) -> Int16 {
        prune()
        for i in interests where !i.disabled {
            let wanted = Int16(truncatingIfNeeded: i.events & 0xffff)
            if i.description.readiness(wanted) != 0 { return events & PollRequest.readable }
        }
        return 0
    }
}
