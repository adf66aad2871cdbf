/// Advisory file locks between guest processes: POSIX record locks (fcntl F_SETLK, owned by a
/// process, dropped when it closes any descriptor of the file), open-file-description locks
/// (F_OFD_*) and flock(2) locks (owned by the description). Locks held by the host are not
/// involved: all guest processes live in one host process, so the kernel arbitrates itself.
final class RecordLocks {
    enum Owner: Equatable {
        case process(Int32)
        case description(FileDescription)
        static func == (a: Owner, b: Owner) -> Bool {
            switch (a, b) {
            case let (.process(x), .process(y)): return x == y
            case let (.description(x), .description(y)): return x === y
            default: return false
            }
        }
    }

    struct Lock {
        var device: UInt64
        var inode: UInt64
        var owner: Owner
        var exclusive: Bool
        var start: UInt64
        /// Exclusive end; UInt64.max = to end of file.
        var end: UInt64
        var isFlock: Bool
        var pid: Int32
    }

    private(set) var locks: [Lock] = []
    let changed = WaitQueue()

    /// The first lock that conflicts with the request, if any.
    func conflict(device: UInt64, inode: UInt64, owner: Owner, exclusive: Bool, start: UInt64, end: UInt64,
                  isFlock: Bool) -> Lock? {
        for l in locks where l.device == device && l.inode == inode && l.isFlock == isFlock && l.owner != owner {
            if l.start < end && start < l.end && (exclusive || l.exclusive) { return l }
        }
        return nil
    }

    /// Sets (or with `unlock`, clears) the owner's lock on [start, end), splitting its own
    /// existing locks as POSIX requires.
    func set(device: UInt64, inode: UInt64, owner: Owner, exclusive: Bool, unlock: Bool, start: UInt64, end: UInt64,
             isFlock: Bool, pid: Int32, kernel: Kernel) {
        var kept: [Lock] = []
        for l in locks {
            guard l.device == device && l.inode == inode && l.owner == owner && l.isFlock == isFlock
                    && l.start < end && start < l.end else { kept.append(l); continue }
            if l.start < start { var a = l; a.end = start; kept.append(a) }
            if l.end > end { var b = l; b.start = end; kept.append(b) }
        }
        if !unlock {
            kept.append(Lock(device: device, inode: inode, owner: owner, exclusive: exclusive, start: start, end: end,
                             isFlock: isFlock, pid: pid))
        }
        locks = kept
        changed.wakeAll(kernel)
    }

    /// A process closed a descriptor of a file: its POSIX locks on the file go.
    func releaseProcessLocks(pid: Int32, device: UInt64, inode: UInt64, kernel: Kernel) {
        let before = locks.count
        locks.removeAll { $0.owner == .process(pid) && $0.device == device && $0.inode == inode }
        if locks.count != before { changed.wakeAll(kernel) }
    }

    func releaseAll(pid: Int32, kernel: Kernel) {
        let before = locks.count
        locks.removeAll { $0.owner == .process(pid) }
        if locks.count != before { changed.wakeAll(kernel) }
    }

    /// The last reference to a description went away: its flock and OFD locks go.
    func releaseDescription(_ d: FileDescription, kernel: Kernel) {
        let before = locks.count
        locks.removeAll { $0.owner == .description(d) }
        if locks.count != before { changed.wakeAll(kernel) }
    }

    var isEmpty: Bool { locks.isEmpty }
}
