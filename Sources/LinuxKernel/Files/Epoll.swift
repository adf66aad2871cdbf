/// An epoll instance: an interest list checked for readiness when the guest waits on it.
/// Edge-triggered registrations (EPOLLET) are reported like level-triggered ones, which a
/// program that drains its descriptors (as edge-triggered code must) cannot tell apart.
final class EpollInstance: FileDescription {
    struct Interest {
        var fd: Int32
        var description: FileDescription
        var events: UInt32
        var data: UInt64
        var disabled = false
    }
    var interests: [Interest] = []

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
            if got != 0 {
                out.append((got, interests[i].data))
                if interests[i].events & (1 << 30) != 0 { interests[i].disabled = true }   // EPOLLONESHOT
            }
        }
        return out
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
