/// Opening the special files of any file system: named pipes (FIFOs) and device nodes made with
/// mknod. As in Linux, what such a file does does not depend on the file system holding it (an
/// overlay's upper layer, tmpfs, a bind mount, an image layer): the node only names a kernel
/// object. A FIFO is one `Pipe` per node, shared by every process that opens it; a device node
/// opens as the device its numbers name, under docker's default device policy.

/// A FIFO's identity: the node's device and inode numbers as the guest sees them.
struct NamedPipeKey: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension Kernel {
    /// The pipe of the FIFO at `key`, made when the first descriptor opens it.
    func namedPipe(_ key: NamedPipeKey) -> Pipe {
        if let p = namedPipes[key] { return p }
        let p = Pipe(id: nextAnonymousNumber(above: 0x10000))
        p.fifoKey = key
        namedPipes[key] = p
        return p
    }

    /// The last descriptor of a FIFO closed: a later open starts with an empty pipe.
    func forgetNamedPipe(_ key: NamedPipeKey, _ pipe: Pipe) {
        if namedPipes[key] === pipe { namedPipes[key] = nil }
    }

    /// open(2) of a FIFO, with Linux's rules: O_RDONLY waits for a writer (unless O_NONBLOCK),
    /// O_WRONLY waits for a reader (O_NONBLOCK: ENXIO when there is none), O_RDWR never waits.
    /// A waiting opener already counts as a reader or writer (a writer that arrives meanwhile can
    /// write into the pipe); it waits, parked on the pipe's open queue, until the other side's
    /// open count changes, so an opener that came and went still releases it.
    func openNamedPipe(_ t: Task, _ r: ResolvedPath, _ st: FileStat, flags: Int32) throws(Errno) -> FileDescription {
        let access = flags & LinuxOpenFlags.accessMode
        if access != LinuxOpenFlags.readOnly && access != LinuxOpenFlags.writeOnly && access != LinuxOpenFlags.readWrite {
            throw .EINVAL
        }
        let key = NamedPipeKey(device: st.device, inode: st.inode)
        if let pending = t.pendingFifoOpen {
            // The same call again after the task was woken: is the other side there now?
            t.pendingFifoOpen = nil
            if pending.pipe === namedPipes[key] && pending.flags & LinuxOpenFlags.accessMode == access {
                let arrived = pending.readsPipe
                    ? pending.pipe.writers > 0 || pending.pipe.writerOpens != t.pendingFifoCount
                    : pending.pipe.readers > 0 || pending.pipe.readerOpens != t.pendingFifoCount
                if arrived { return pending }
                t.pendingFifoOpen = pending
                throw block(t, on: [pending.pipe.openQueue])
            }
            abandonPendingOpen(pending)
        }
        let nonBlocking = flags & LinuxOpenFlags.nonBlocking != 0
        let pipe = namedPipe(key)
        if access == LinuxOpenFlags.writeOnly && nonBlocking && pipe.readers == 0 {
            if pipe.writers == 0 { forgetNamedPipe(key, pipe) }
            throw .ENXIO
        }
        let end = PipeEnd(fifo: pipe, flags: flags, kernel: self, node: st, components: r.components)
        switch access {
        case LinuxOpenFlags.readOnly where !nonBlocking && pipe.writers == 0:
            t.pendingFifoOpen = end
            t.pendingFifoCount = pipe.writerOpens
        case LinuxOpenFlags.writeOnly where pipe.readers == 0:
            t.pendingFifoOpen = end
            t.pendingFifoCount = pipe.readerOpens
        default:
            return end
        }
        throw block(t, on: [pipe.openQueue])
    }

    /// A FIFO open that waited ends without a descriptor (EINTR, the task exits): the end it
    /// counted goes away as if closed.
    func abandonPendingOpen(_ end: PipeEnd) {
        if end.references == 0 { end.lastReferenceClosed() }
    }

    /// The character devices a container may open (docker's default device rules): null 1:3,
    /// zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0, ptmx 5:2. Any other device node
    /// (block devices included) can be made by root but opening it is EPERM.
    func openDeviceNode(_ t: Task, _ r: ResolvedPath, _ st: FileStat, flags: Int32) throws(Errno) -> FileDescription {
        if st.fileType != FileMode.characterDevice { throw .EPERM }
        let major = ((st.rdev >> 8) & 0xfff) | ((st.rdev >> 32) & ~UInt64(0xfff))
        let minor = (st.rdev & 0xff) | ((st.rdev >> 12) & ~UInt64(0xff))
        let name = Path.absolute(r.components)
        switch (major, minor) {
        case (1, 3): return CharacterDevice(kind: .null, host: host, flags: flags, path: name, stat: st)
        case (1, 5): return CharacterDevice(kind: .zero, host: host, flags: flags, path: name, stat: st)
        case (1, 7): return CharacterDevice(kind: .full, host: host, flags: flags, path: name, stat: st)
        case (1, 8), (1, 9): return CharacterDevice(kind: .random, host: host, flags: flags, path: name, stat: st)
        case (5, 0), (5, 2):
            // The same device as /dev/tty or /dev/ptmx.
            let dev: [[UInt8]] = [Array("dev".utf8), Array((minor == 0 ? "tty" : "ptmx").utf8)]
            let (mount, inside) = mounts.lookup(dev)
            guard mount.fileSystem.servesDevices else { throw .ENXIO }
            return try mount.fileSystem.open(inside, flags: flags, mode: 0, caller: t, guestPath: dev)
        default:
            throw .EPERM
        }
    }
}
