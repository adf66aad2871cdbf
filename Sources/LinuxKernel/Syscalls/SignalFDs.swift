/// signalfd4 (signalfd is the same call with flags 0 in glibc).
extension Kernel {
    func sysSignalfd4(_ t: Task) throws(Errno) -> Int64 {
        let fd = Int32(truncatingIfNeeded: t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(3))
        if t.argument(2) != 8 { throw .EINVAL }
        if flags & ~(LinuxOpenFlags.nonBlocking | LinuxOpenFlags.closeOnExec) != 0 { throw .EINVAL }
        let mask = try t.load(UInt64.self, at: t.argument(1))
        if fd != -1 {
            guard let existing = try t.process.files.get(fd) as? SignalFD else { throw .EINVAL }
            existing.mask = mask & ~Signal.unblockable
            t.process.signalfdQueue.wakeAll(self)
            return Int64(fd)
        }
        let d = SignalFD(mask: mask, flags: flags, kernel: self)
        return Int64(try t.process.files.install(d, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0))
    }
}
