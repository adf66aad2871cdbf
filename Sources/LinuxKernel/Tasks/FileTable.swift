/// A process's descriptor table (shared by threads created with CLONE_FILES).
final class FileTable {
    struct Entry {
        var description: FileDescription
        var closeOnExec: Bool
    }
    private(set) var entries: [Entry?] = []
    /// RLIMIT_NOFILE.
    var limit = 1024
    /// Processes sharing this table (CLONE_FILES).
    var users = 1

    init() {}

    func copy() -> FileTable {
        let t = FileTable()
        t.entries = entries
        t.limit = limit
        for e in entries { e?.description.retain() }
        return t
    }

    func get(_ fd: Int32) throws(Errno) -> FileDescription {
        guard fd >= 0, Int(fd) < entries.count, let e = entries[Int(fd)] else { throw .EBADF }
        return e.description
    }

    func entry(_ fd: Int32) -> Entry? {
        guard fd >= 0, Int(fd) < entries.count else { return nil }
        return entries[Int(fd)]
    }

    func setCloseOnExec(_ fd: Int32, _ value: Bool) throws(Errno) {
        guard entry(fd) != nil else { throw .EBADF }
        entries[Int(fd)]!.closeOnExec = value
    }

    /// Installs at the lowest free descriptor >= `minimum`.
    func install(_ d: FileDescription, closeOnExec: Bool, minimum: Int32 = 0) throws(Errno) -> Int32 {
        var fd = Int(minimum)
        while fd < entries.count && entries[fd] != nil { fd += 1 }
        if fd >= limit { throw .EMFILE }
        try install(d, at: Int32(fd), closeOnExec: closeOnExec)
        return Int32(fd)
    }

    /// Installs at the free descriptor `fd` (dup2/dup3 close what was there first: `Kernel.closeDescriptors`).
    func install(_ d: FileDescription, at fd: Int32, closeOnExec: Bool) throws(Errno) {
        guard fd >= 0, Int(fd) < limit else { throw .EBADF }
        while entries.count <= Int(fd) { entries.append(nil) }
        precondition(entries[Int(fd)] == nil, "the kernel closes a descriptor before reusing it")
        d.retain()
        entries[Int(fd)] = Entry(description: d, closeOnExec: closeOnExec)
    }

    /// Removes `fd` from the table; returns the description it referred to. Only the kernel's
    /// `closeDescriptors` (and the undoing of a half-made pipe or socket pair) calls this.
    @discardableResult
    func close(_ fd: Int32) throws(Errno) -> FileDescription {
        guard let e = entry(fd) else { throw .EBADF }
        entries[Int(fd)] = nil
        while let last = entries.last, last == nil { entries.removeLast() }
        e.description.release()
        return e.description
    }

    /// The descriptors marked close-on-exec.
    var closeOnExecDescriptors: [Int32] { openDescriptors.filter { entries[Int($0)]?.closeOnExec == true } }

    /// This table for one process alone (exec, CLOSE_RANGE_UNSHARE): itself if no other process
    /// shares it, else a copy, leaving the others one user fewer.
    func unshared() -> FileTable {
        if users == 1 { return self }
        users -= 1
        return copy()
    }

    var openDescriptors: [Int32] {
        var r: [Int32] = []
        for i in 0..<entries.count where entries[i] != nil { r.append(Int32(i)) }
        return r
    }
}
