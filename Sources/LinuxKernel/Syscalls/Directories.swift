/// getdents64, mkdir, mknod, unlink/rmdir, rename, link, symlink, getcwd, chdir, umask.
extension Kernel {
    func sysGetdents64(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let address = t.argument(1)
        let count = Int(clamping: t.argument(2))
        if d.isPathOnly { throw .EBADF }
        let entries = try d.readDirectory()
        var w = ByteWriter(capacity: min(count, 1 << 16))
        var taken = 0
        for e in entries {
            let length = (19 + e.name.count + 1 + 7) & ~7
            if w.bytes.count + length > count { break }
            w.u64(e.inode == 0 ? 1 : e.inode)
            w.i64(Int64(d.directoryPosition + taken + 1))
            w.u16(UInt16(length))
            w.u8(e.type)
            w.append(e.name)
            w.zeros(length - 19 - e.name.count)
            taken += 1
        }
        if taken == 0 && !entries.isEmpty { throw .EINVAL }
        try t.copyOut(w.bytes, to: address)
        d.directoryPosition += taken
        if watchingFiles { notifyChange(t, d, InotifyMask.access) }
        return Int64(w.bytes.count)
    }

    func sysMkdirAt(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(1))
        let r = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(0)), path: path, follow: false)
        if r.stat != nil { throw .EEXIST }
        let mode = UInt32(truncatingIfNeeded: t.argument(2)) & 0o7777 & ~t.process.fs.umask
        try r.mount.fileSystem.makeDirectory(r.relative, mode: mode)
        assignOwner(t, r)
        notifyEntry(t, r.components, InotifyMask.create, isDirectory: true)
        return 0
    }

    /// mknodat: regular files and FIFOs for anyone; character and block devices for root (docker's
    /// default capability set has CAP_MKNOD; whether a device opens is decided at open); sockets
    /// are EPERM (a socket file is made by bind).
    func sysMknodAt(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(1))
        let mode = UInt32(truncatingIfNeeded: t.argument(2))
        let type = mode & FileMode.typeMask
        switch type {
        case 0, FileMode.regular, FileMode.fifo: break
        case FileMode.characterDevice, FileMode.blockDevice:
            if !t.process.credentials.isPrivileged { throw .EPERM }
        case FileMode.directory: throw .EINVAL
        case FileMode.socket: throw .EPERM
        default: throw .EINVAL
        }
        let r = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(0)), path: path, follow: false)
        if r.stat != nil { throw .EEXIST }
        if r.trailingSlash { throw .ENOENT }
        let permissions = mode & 0o7777 & ~t.process.fs.umask
        if type == 0 || type == FileMode.regular {
            let d = try r.mount.fileSystem.open(r.relative, flags: LinuxOpenFlags.create | LinuxOpenFlags.exclusive | LinuxOpenFlags.writeOnly,
                                                mode: permissions, caller: t, guestPath: r.components)
            d.retain()
            d.release()
        } else {
            // The dev argument is the kernel's 32-bit encoding (major 12 bits, minor 20 bits).
            let dev = UInt64(UInt32(truncatingIfNeeded: t.argument(3)))
            let major = (dev & 0xfff00) >> 8
            let minor = (dev & 0xff) | ((dev >> 12) & 0xfff00)
            try r.mount.fileSystem.makeNode(r.relative, mode: type | permissions,
                                            device: type == FileMode.fifo ? 0 : makeDevice(major, minor))
        }
        assignOwner(t, r)
        notifyEntry(t, r.components, InotifyMask.create, isDirectory: false)
        return 0
    }

    func sysUnlinkAt(_ t: Task) throws(Errno) -> Int64 {
        let dirfd = Int32(truncatingIfNeeded: t.argument(0))
        let path = try t.readString(t.argument(1))
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        if flags & ~AT_REMOVEDIR != 0 { throw .EINVAL }
        let removeDirectory = flags & AT_REMOVEDIR != 0
        if removeDirectory, let last = Path.components(path).last {
            if last == [0x2e] { throw .EINVAL }
            if last == [0x2e, 0x2e] { throw .ENOTEMPTY }
        }
        let r = try resolve(t, at: dirfd, path: path, follow: false)
        guard let st = r.stat else { throw .ENOENT }
        if r.relative.isEmpty { throw .EBUSY }
        if removeDirectory && !st.isDirectory { throw .ENOTDIR }
        if !removeDirectory && st.isDirectory { throw .EISDIR }
        try r.mount.fileSystem.remove(r.relative, isDirectory: removeDirectory)
        // A bound AF_UNIX socket's node: nobody can connect by that name any more.
        if st.mode & FileMode.typeMask == FileMode.socket { socketNames[Path.absolute(r.components)] = nil }
        notifyUnlinked(t, r.components, st)
        return 0
    }

    func sysRenameAt2(_ t: Task) throws(Errno) -> Int64 {
        let oldPath = try t.readString(t.argument(1))
        let newPath = try t.readString(t.argument(3))
        let flags = UInt32(truncatingIfNeeded: t.argument(4))
        if flags & ~UInt32(7) != 0 || (flags & 1 != 0 && flags & 2 != 0) { throw .EINVAL }
        if flags & 4 != 0 { throw .EINVAL } // RENAME_WHITEOUT
        let from = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(0)), path: oldPath, follow: false)
        let to = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(2)), path: newPath, follow: false)
        guard let fromStat = from.stat else { throw .ENOENT }
        if from.mount !== to.mount { throw .EXDEV }
        if from.relative.isEmpty || to.relative.isEmpty { throw .EBUSY }
        if let toStat = to.stat, flags & 2 == 0 {
            if flags & 1 != 0 { throw .EEXIST }
            if toStat.isDirectory && !fromStat.isDirectory { throw .EISDIR }
            if !toStat.isDirectory && fromStat.isDirectory { throw .ENOTDIR }
        }
        if to.components.count > from.components.count && Array(to.components[0..<from.components.count]) == from.components {
            throw .EINVAL
        }
        try from.mount.fileSystem.rename(from.relative, to: to.relative, flags: flags)
        notifyRenamed(t, from: from.components, to: to.components, fromStat, replaced: to.stat, exchange: flags & 2 != 0)
        return 0
    }

    func sysLinkAt(_ t: Task) throws(Errno) -> Int64 {
        let oldPath = try t.readString(t.argument(1))
        let newPath = try t.readString(t.argument(3))
        let flags = Int32(truncatingIfNeeded: t.argument(4))
        if flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 { throw .EINVAL }
        let from = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(0)), path: oldPath,
                               follow: flags & AT_SYMLINK_FOLLOW != 0, allowEmpty: flags & AT_EMPTY_PATH != 0)
        guard let st = from.stat else { throw .ENOENT }
        if st.isDirectory { throw .EPERM }
        let to = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(2)), path: newPath, follow: false)
        if to.stat != nil { throw .EEXIST }
        if from.mount !== to.mount || from.magic != nil { throw .EXDEV }
        try from.mount.fileSystem.link(from.relative, to: to.relative)
        notifyEntry(t, to.components, InotifyMask.create, isDirectory: false)
        return 0
    }

    func sysSymlinkAt(_ t: Task) throws(Errno) -> Int64 {
        let target = try t.readString(t.argument(0))
        let path = try t.readString(t.argument(2))
        if target.isEmpty { throw .ENOENT }
        let r = try resolve(t, at: Int32(truncatingIfNeeded: t.argument(1)), path: path, follow: false)
        if r.stat != nil { throw .EEXIST }
        try r.mount.fileSystem.symlink(target, at: r.relative)
        assignOwner(t, r)
        notifyEntry(t, r.components, InotifyMask.create, isDirectory: false)
        return 0
    }

    func sysGetcwd(_ t: Task) throws(Errno) -> Int64 {
        var path = Path.absolute(t.process.fs.workingDirectory)
        path.append(0)
        if Int(clamping: t.argument(1)) < path.count { throw .ERANGE }
        try t.copyOut(path, to: t.argument(0))
        return Int64(path.count)
    }

    func sysChdir(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(0))
        let r = try resolve(t, path: path, follow: true)
        guard let st = r.stat else { throw .ENOENT }
        if !st.isDirectory { throw .ENOTDIR }
        t.process.fs.workingDirectory = r.components
        return 0
    }

    func sysFchdir(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        guard let loc = d.location, try d.stat().isDirectory else { throw .ENOTDIR }
        t.process.fs.workingDirectory = loc
        return 0
    }

    /// chroot needs a per-process root, which Skiff does not have.
    func sysChroot(_ t: Task) throws(Errno) -> Int64 {
        let path = try t.readString(t.argument(0))
        let r = try resolve(t, path: path, follow: true)
        guard let st = r.stat else { throw .ENOENT }
        if !st.isDirectory { throw .ENOTDIR }
        if r.components.isEmpty { return 0 } // chroot("/") changes nothing
        throw .EPERM
    }

    func sysUmask(_ t: Task) -> Int64 {
        let old = t.process.fs.umask
        t.process.fs.umask = UInt32(truncatingIfNeeded: t.argument(0)) & 0o777
        return Int64(old)
    }
}
