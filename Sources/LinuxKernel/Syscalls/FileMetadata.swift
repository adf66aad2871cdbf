/// stat, statx, access, chmod, chown, utimensat, statfs, readlink.
extension Kernel {
    /// The file an (dirfd, path, flags) triple of the *at calls names, with its metadata.
    func statTarget(_ t: Task, dirfd: Int32, pathAddress: UInt64, flags: Int32) throws(Errno) -> (ResolvedPath, FileStat) {
        let path = try t.readString(pathAddress)
        let r = try resolve(t, at: dirfd, path: path, follow: flags & AT_SYMLINK_NOFOLLOW == 0,
                            allowEmpty: flags & AT_EMPTY_PATH != 0)
        guard let st = r.stat else { throw .ENOENT }
        if let m = r.magic { return (r, try m.stat()) }
        return (r, st)
    }

    func sysNewFstatAt(_ t: Task) throws(Errno) -> Int64 {
        let flags = Int32(truncatingIfNeeded: t.argument(3))
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 { throw .EINVAL }
        let (_, st) = try statTarget(t, dirfd: Int32(truncatingIfNeeded: t.argument(0)), pathAddress: t.argument(1), flags: flags)
        try t.copyOut(StatLayout.stat(st, for: t.architecture), to: t.argument(2))
        return 0
    }

    func sysFstat(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        try t.copyOut(StatLayout.stat(try d.stat(), for: t.architecture), to: t.argument(1))
        return 0
    }

    func sysStatx(_ t: Task) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        let allowed = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | 0x6000 // AT_STATX_SYNC_TYPE
        if flags & ~allowed != 0 || flags & 0x6000 == 0x6000 { throw .EINVAL }
        let (r, st) = try statTarget(t, dirfd: dirfd, pathAddress: t.argument(1), flags: flags)
        let mountID = UInt64(mounts.mounts.count - (mounts.mounts.firstIndex { $0 === r.mount } ?? 0))
        try t.copyOut(StatLayout.statx(st, mountID: mountID), to: t.argument(4))
        return 0
    }

    func sysFaccessAt(_ t: Task, flags: Int32) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let mode = Int32(truncatingIfNeeded: t.argument(2))
        if mode & ~7 != 0 || flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 { throw .EINVAL }
        let (r, _) = try statTarget(t, dirfd: dirfd, pathAddress: t.argument(1), flags: flags)
        if mode == 0 || r.magic != nil { return 0 }
        try r.mount.fileSystem.access(r.relative, mode: mode, caller: t)
        return 0
    }

    func sysFchmod(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        if d.isPathOnly { throw .EBADF }
        try d.setMode(UInt32(truncatingIfNeeded: t.argument(1)) & 0o7777)
        if watchingFiles { notifyChange(t, d, InotifyMask.attrib) }
        return 0
    }

    func sysFchmodAt(_ t: Task, flags: Int32) throws(Errno) -> Int64 {
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 { throw .EINVAL }
        let (r, st) = try statTarget(t, dirfd: Int32(truncatingIfNeeded: t.argument(0)), pathAddress: t.argument(1), flags: flags)
        let mode = UInt32(truncatingIfNeeded: t.argument(2)) & 0o7777
        if st.isSymlink { throw .EOPNOTSUPP }
        if let m = r.magic { try m.setMode(mode); return 0 }
        try r.mount.fileSystem.setMode(r.relative, mode: mode)
        if watchingFiles { notifyChange(t, r.components, st, InotifyMask.attrib) }
        return 0
    }

    func sysFchownAt(_ t: Task) throws(Errno) -> Int64 {
        let flags = Int32(truncatingIfNeeded: t.argument(4))
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 { throw .EINVAL }
        let (r, st) = try statTarget(t, dirfd: Int32(truncatingIfNeeded: t.argument(0)), pathAddress: t.argument(1), flags: flags)
        let uid = UInt32(truncatingIfNeeded: t.argument(2)), gid = UInt32(truncatingIfNeeded: t.argument(3))
        if let m = r.magic { try m.setOwner(uid: uid, gid: gid); return 0 }
        try r.mount.fileSystem.setOwner(r.relative, uid: uid, gid: gid, followSymlinks: flags & AT_SYMLINK_NOFOLLOW == 0)
        if watchingFiles { notifyChange(t, r.components, st, InotifyMask.attrib) }
        return 0
    }

    func sysFchown(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        if d.isPathOnly { throw .EBADF }
        try d.setOwner(uid: UInt32(truncatingIfNeeded: t.argument(1)), gid: UInt32(truncatingIfNeeded: t.argument(2)))
        if watchingFiles { notifyChange(t, d, InotifyMask.attrib) }
        return 0
    }

    func sysUtimensAt(_ t: Task) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let pathAddress = t.argument(1)
        let timesAddress = t.argument(2)
        let flags = Int32(truncatingIfNeeded: t.argument(3))
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 { throw .EINVAL }
        var access = Timespec(seconds: 0, nanoseconds: Timespec.utimeNow)
        var modification = access
        if timesAddress != 0 {
            let raw = ByteReader(try t.copyIn(timesAddress, count: 32))
            access = Timespec(seconds: raw.i64(0), nanoseconds: raw.i64(8))
            modification = Timespec(seconds: raw.i64(16), nanoseconds: raw.i64(24))
            for ts in [access, modification] where ts.nanoseconds != Timespec.utimeNow && ts.nanoseconds != Timespec.utimeOmit {
                if ts.nanoseconds < 0 || ts.nanoseconds >= 1_000_000_000 { throw .EINVAL }
            }
            if access.nanoseconds == Timespec.utimeOmit && modification.nanoseconds == Timespec.utimeOmit { return 0 }
        }
        if pathAddress == 0 {
            // futimens: the descriptor itself.
            let d = try t.process.files.get(dirfd)
            try d.setTimes(access: access, modification: modification)
            if watchingFiles { notifyChange(t, d, timesEvent(access, modification)) }
            return 0
        }
        let (r, st) = try statTarget(t, dirfd: dirfd, pathAddress: pathAddress, flags: flags)
        if let m = r.magic { try m.setTimes(access: access, modification: modification); return 0 }
        try r.mount.fileSystem.setTimes(r.relative, access: access, modification: modification,
                                        followSymlinks: flags & AT_SYMLINK_NOFOLLOW == 0)
        if watchingFiles { notifyChange(t, r.components, st, timesEvent(access, modification)) }
        return 0
    }

    /// What inotify reports for utimensat (fsnotify_change): both times IN_ATTRIB, the access
    /// time alone IN_ACCESS, the modification time alone IN_MODIFY.
    private func timesEvent(_ access: Timespec, _ modification: Timespec) -> UInt32 {
        if access.nanoseconds == Timespec.utimeOmit { return InotifyMask.modify }
        if modification.nanoseconds == Timespec.utimeOmit { return InotifyMask.access }
        return InotifyMask.attrib
    }

    func sysStatfs(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(0))
        let r = try resolve(t, path: path, follow: true)
        if r.stat == nil { throw .ENOENT }
        let s: FileSystemStat
        if let m = r.magic { s = try m.fileSystemStat() } else { s = try r.mount.fileSystem.fileSystemStat(r.relative) }
        try t.copyOut(StatLayout.statfs(s), to: t.argument(1))
        return 0
    }

    func sysFstatfs(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let s: FileSystemStat
        if let loc = d.location, !(d is HostFile) {
            let (m, rel) = mounts.lookup(loc)
            s = try m.fileSystem.fileSystemStat(rel)
        } else {
            s = try d.fileSystemStat()
        }
        try t.copyOut(StatLayout.statfs(s), to: t.argument(1))
        return 0
    }

    func sysReadlinkAt(_ t: Task) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let path = try t.readString(t.argument(1))
        let buffer = t.argument(2)
        let size = Int64(bitPattern: t.argument(3))
        if size <= 0 { throw .EINVAL }
        let r = try resolve(t, at: dirfd, path: path, follow: false, allowEmpty: true)
        guard let st = r.stat else { throw .ENOENT }
        guard st.isSymlink else { throw .EINVAL }
        let target: [UInt8]
        switch try r.mount.fileSystem.readLink(r.relative, caller: t) {
        case .path(let p): target = p
        case .description(let d): target = d.path
        }
        let n = min(Int(clamping: size), target.count)
        try t.copyOut(Array(target[0..<n]), to: buffer)
        return Int64(n)
    }
}
