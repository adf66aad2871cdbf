/// getuid/setuid and their family, getgroups/setgroups: per-process credentials with Linux's
/// rules for unprivileged changes (an id may only become one the process already has).
extension Kernel {
    static let unchangedID = UInt32.max

    func sysGetIDs(_ t: Task, _ n: Int) -> Int64 {
        let c = t.process.credentials
        switch n {
        case 174: return Int64(c.uid)
        case 175: return Int64(c.euid)
        case 176: return Int64(c.gid)
        default: return Int64(c.egid)
        }
    }

    func sysGetResIDs(_ t: Task, groups: Bool) throws(Errno) -> Int64 {
        let c = t.process.credentials
        let ids = groups ? [c.gid, c.egid, c.sgid] : [c.uid, c.euid, c.suid]
        for (i, id) in ids.enumerated() { try t.store(id, at: t.argument(i)) }
        return 0
    }

    /// setuid 146, setreuid 145, setresuid 147, setfsuid 151 and the group ones 144, 143, 149, 152.
    func sysSetIDs(_ t: Task, _ n: Int) throws(Errno) -> Int64 {
        let a = (0..<3).map { UInt32(truncatingIfNeeded: t.argument($0)) }
        var c = t.process.credentials
        let privileged = c.isPrivileged
        let groups = n == 144 || n == 143 || n == 149 || n == 152
        var (real, effective, saved, fs) = groups ? (c.gid, c.egid, c.sgid, c.fsgid) : (c.uid, c.euid, c.suid, c.fsuid)
        let held = [real, effective, saved]
        switch n {
        case 146, 144: // setuid, setgid
            if privileged {
                (real, effective, saved) = (a[0], a[0], a[0])
            } else if a[0] == real || a[0] == saved {
                effective = a[0]
            } else {
                throw .EPERM
            }
            fs = effective
        case 145, 143: // setreuid, setregid
            let r = a[0], e = a[1]
            if !privileged {
                if r != Kernel.unchangedID && r != real && r != effective { throw .EPERM }
                if e != Kernel.unchangedID && !held.contains(e) { throw .EPERM }
            }
            let oldReal = real
            if r != Kernel.unchangedID { real = r }
            if e != Kernel.unchangedID { effective = e }
            if r != Kernel.unchangedID || (e != Kernel.unchangedID && e != oldReal) { saved = effective }
            fs = effective
        case 147, 149: // setresuid, setresgid
            if !privileged {
                for id in a where id != Kernel.unchangedID && !held.contains(id) { throw .EPERM }
            }
            if a[0] != Kernel.unchangedID { real = a[0] }
            if a[1] != Kernel.unchangedID { effective = a[1] }
            if a[2] != Kernel.unchangedID { saved = a[2] }
            fs = effective
        default: // setfsuid, setfsgid: return the old value whatever happens
            let old = fs
            if privileged || held.contains(a[0]) || a[0] == fs { fs = a[0] }
            if groups { c.fsgid = fs } else { c.fsuid = fs }
            t.process.credentials = c
            return Int64(old)
        }
        if groups {
            (c.gid, c.egid, c.sgid, c.fsgid) = (real, effective, saved, fs)
        } else {
            (c.uid, c.euid, c.suid, c.fsuid) = (real, effective, saved, fs)
        }
        t.process.credentials = c
        return 0
    }

    func sysGetgroups(_ t: Task) throws(Errno) -> Int64 {
        let size = Int32(truncatingIfNeeded: t.argument(0))
        let groups = t.process.credentials.groups
        if size < 0 { throw .EINVAL }
        if size == 0 { return Int64(groups.count) }
        if Int(size) < groups.count { throw .EINVAL }
        for (i, g) in groups.enumerated() { try t.store(g, at: t.argument(1) + UInt64(i * 4)) }
        return Int64(groups.count)
    }

    func sysSetgroups(_ t: Task) throws(Errno) -> Int64 {
        let count = Int(clamping: Int64(bitPattern: t.argument(0)))
        if count < 0 || count > 65536 { throw .EINVAL }
        if !t.process.credentials.isPrivileged { throw .EPERM }
        var groups: [UInt32] = []
        for i in 0..<count { groups.append(try t.load(UInt32.self, at: t.argument(1) + UInt64(i * 4))) }
        t.process.credentials.groups = groups
        return 0
    }

    /// A file a non-root process just created belongs to its fsuid/fsgid (on file systems that
    /// can record it; a host directory keeps the host user's ownership when Skiff is not root,
    /// and a bind mount always).
    func assignOwner(_ t: Task, _ r: ResolvedPath) {
        let c = t.process.credentials
        if c.fsuid == 0 && c.fsgid == 0 { return }
        if let bind = r.mount.fileSystem as? HostDirectoryFS, bind.hostOwnsNewFiles { return }
        try? r.mount.fileSystem.setOwner(r.relative, uid: c.fsuid, gid: c.fsgid, followSymlinks: false)
    }
}
