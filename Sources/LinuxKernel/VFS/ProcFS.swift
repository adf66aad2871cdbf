/// /proc: generated from the kernel's own state each time a file is opened.
final class ProcFS: FileSystem {
    unowned(unsafe) let kernel: Kernel
    static let deviceID = makeDevice(0, 4)
    static let topFiles = ["cpuinfo", "meminfo", "stat", "uptime", "version", "mounts", "loadavg", "filesystems"]
    static let processFiles = ["exe", "cwd", "root", "fd", "maps", "cmdline", "comm", "stat", "status", "mounts", "mountinfo", "environ"]

    init(kernel: Kernel) {
        self.kernel = kernel
        super.init(readOnly: true)
    }

    override var device: UInt64 { ProcFS.deviceID }

    private enum Node {
        case root
        case selfLink
        case top(Int)
        case process(Process)
        case processEntry(Process, Int)
        case descriptor(Process, Int32)
    }

    private static func number(_ bytes: [UInt8]) -> Int32? {
        if bytes.isEmpty || bytes.count > 9 { return nil }
        var v: Int32 = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            v = v * 10 + Int32(b - 0x30)
        }
        if bytes.count > 1 && bytes[0] == 0x30 { return nil }
        return v
    }

    private func node(_ path: [[UInt8]]) throws(Errno) -> Node {
        if path.isEmpty { return .root }
        let first = path[0]
        if first == Array("self".utf8) {
            if path.count == 1 { return .selfLink }
            throw .ENOENT // the resolver follows the link before descending
        }
        if let pid = ProcFS.number(first) {
            guard let p = kernel.processes[pid], !p.isZombie || path.count == 1 else { throw .ENOENT }
            if path.count == 1 { return .process(p) }
            guard let i = ProcFS.processFiles.firstIndex(where: { Array($0.utf8) == path[1] }) else { throw .ENOENT }
            if path.count == 2 { return .processEntry(p, i) }
            guard ProcFS.processFiles[i] == "fd", path.count == 3, let fd = ProcFS.number(path[2]),
                  p.files.entry(fd) != nil else { throw .ENOENT }
            return .descriptor(p, fd)
        }
        if path.count == 1, let i = ProcFS.topFiles.firstIndex(where: { Array($0.utf8) == first }) { return .top(i) }
        throw .ENOENT
    }

    private func baseStat(inode: UInt64, mode: UInt32) -> FileStat {
        var st = FileStat()
        st.device = ProcFS.deviceID
        st.inode = inode
        st.mode = mode
        st.linkCount = mode & FileMode.typeMask == FileMode.directory ? 2 : 1
        st.blockSize = 1024
        st.accessTime = kernel.bootRealTime
        st.modificationTime = kernel.bootRealTime
        st.changeTime = kernel.bootRealTime
        return st
    }

    private func stat(of n: Node) -> FileStat {
        switch n {
        case .root: return baseStat(inode: 1, mode: FileMode.directory | 0o555)
        case .selfLink: return baseStat(inode: 2, mode: FileMode.symlink | 0o777)
        case .top(let i): return baseStat(inode: UInt64(16 + i), mode: FileMode.regular | 0o444)
        case .process(let p): return baseStat(inode: UInt64(p.pid) << 16, mode: FileMode.directory | 0o555)
        case .processEntry(let p, let i):
            let name = ProcFS.processFiles[i]
            let mode: UInt32 = name == "fd" ? FileMode.directory | 0o500
                : (name == "exe" || name == "cwd" || name == "root") ? FileMode.symlink | 0o777 : FileMode.regular | 0o444
            return baseStat(inode: (UInt64(p.pid) << 16) | UInt64(i + 1), mode: mode)
        case .descriptor(let p, let fd):
            var st = baseStat(inode: (UInt64(p.pid) << 16) | 0x8000 | UInt64(fd), mode: FileMode.symlink | 0o700)
            st.size = 64
            return st
        }
    }

    override func stat(_ path: [[UInt8]], caller: Task) throws(Errno) -> FileStat {
        stat(of: try node(path))
    }

    override func readLink(_ path: [[UInt8]], caller: Task) throws(Errno) -> LinkTarget {
        switch try node(path) {
        case .selfLink: return .path(Text.decimal(caller.process.pid))
        case .processEntry(let p, let i):
            switch ProcFS.processFiles[i] {
            case "exe": return .path(p.executablePath)
            case "cwd": return .path(Path.absolute(p.fs.workingDirectory))
            case "root": return .path([Path.slash])
            default: throw .EINVAL
            }
        case .descriptor(let p, let fd):
            guard let d = p.files.entry(fd)?.description else { throw .ENOENT }
            return .description(d)
        default: throw .EINVAL
        }
    }

    override func open(_ path: [[UInt8]], flags: Int32, mode: UInt32, caller: Task, guestPath: [[UInt8]]) throws(Errno) -> FileDescription {
        let n = try node(path)
        let st = stat(of: n)
        if flags & LinuxOpenFlags.path == LinuxOpenFlags.path {
            return PathDescription(flags: flags, fileSystem: self, components: guestPath, stat: st)
        }
        if flags & LinuxOpenFlags.accessMode != LinuxOpenFlags.readOnly { throw .EACCES }
        let name = Path.absolute(guestPath)
        switch n {
        case .root:
            var list = [DirectoryEntry(name: [0x2e], inode: 1, type: 4), DirectoryEntry(name: [0x2e, 0x2e], inode: 1, type: 4),
                        DirectoryEntry(name: Array("self".utf8), inode: 2, type: 10)]
            for (i, f) in ProcFS.topFiles.enumerated() { list.append(DirectoryEntry(name: Array(f.utf8), inode: UInt64(16 + i), type: 8)) }
            for pid in kernel.processes.keys.sorted() where !(kernel.processes[pid]!.isZombie) {
                list.append(DirectoryEntry(name: Text.decimal(pid), inode: UInt64(pid) << 16, type: 4))
            }
            return SyntheticDirectory(entries: list, components: guestPath, stat: st, fileSystem: self, flags: flags)
        case .process(let p):
            var list = [DirectoryEntry(name: [0x2e], inode: st.inode, type: 4), DirectoryEntry(name: [0x2e, 0x2e], inode: 1, type: 4)]
            for (i, f) in ProcFS.processFiles.enumerated() {
                list.append(DirectoryEntry(name: Array(f.utf8), inode: st.inode | UInt64(i + 1),
                                           type: FileMode.directoryEntryType(stat(of: .processEntry(p, i)).mode)))
            }
            return SyntheticDirectory(entries: list, components: guestPath, stat: st, fileSystem: self, flags: flags, process: p)
        case .processEntry(let p, let i):
            let file = ProcFS.processFiles[i]
            if file == "fd" {
                var list = [DirectoryEntry(name: [0x2e], inode: st.inode, type: 4), DirectoryEntry(name: [0x2e, 0x2e], inode: 1, type: 4)]
                for fd in p.files.openDescriptors {
                    list.append(DirectoryEntry(name: Text.decimal(fd), inode: (UInt64(p.pid) << 16) | 0x8000 | UInt64(fd), type: 10))
                }
                return SyntheticDirectory(entries: list, components: guestPath, stat: st, fileSystem: self, flags: flags)
            }
            if file == "mountinfo" { return GeneratedFile(contents: mountInfoFile(caller), path: name, stat: st) }
            return GeneratedFile(contents: processFile(p, file), path: name, stat: st)
        case .top(let i):
            return GeneratedFile(contents: topFile(ProcFS.topFiles[i], caller.architecture), path: name, stat: st)
        case .selfLink, .descriptor:
            throw .ELOOP
        }
    }

    // MARK: Contents

    private func topFile(_ name: String, _ architecture: Architecture) -> [UInt8] {
        let k = kernel
        let uptime = (k.host.monotonicTime() - k.bootTime) / 10_000_000   // centiseconds
        switch name {
        case "cpuinfo":
            if architecture == .x86_64 { return Text.bytes(X86_64CPUInfo.text) }
            return Text.bytes("processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc_zicsr_zifencei_zba_zbb_zbs\nmmu\t\t: sv39\nuarch\t\t: skiff,interpreter\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n")
        case "meminfo":
            let (total, available) = k.host.memoryInfo()
            let t = total / 1024, a = available / 1024
            return Text.bytes("MemTotal:       \(t) kB\nMemFree:        \(a) kB\nMemAvailable:   \(a) kB\nBuffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n")
        case "stat":
            let user = k.host.processCPUTime() / 10_000_000
            let idle = uptime > user ? uptime - user : 0
            let running = k.tasks.values.filter { $0.state == .runnable }.count
            let blocked = k.tasks.values.filter { $0.state == .blocked }.count
            return Text.bytes("cpu  \(user) 0 0 \(idle) 0 0 0 0 0 0\ncpu0 \(user) 0 0 \(idle) 0 0 0 0 0 0\nintr 0\nctxt \(k.contextSwitches)\nbtime \(k.bootRealTime.seconds)\nprocesses \(k.forks + 1)\nprocs_running \(running)\nprocs_blocked \(blocked)\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n")
        case "uptime":
            let idle = uptime
            return Text.bytes("\(uptime / 100).\(pad2(uptime % 100)) \(idle / 100).\(pad2(idle % 100))\n")
        case "version":
            return Text.bytes("Linux version \(Kernel.release) (skiff) #1 SMP \(Kernel.version)\n")
        case "loadavg":
            let running = k.tasks.values.filter { $0.state == .runnable }.count
            return Text.bytes("0.00 0.00 0.00 \(running)/\(k.tasks.count) \(k.processes.keys.max() ?? 1)\n")
        case "filesystems":
            return Text.bytes("nodev\tproc\nnodev\ttmpfs\nnodev\tdevtmpfs\n")
        default:
            return mountsFile()
        }
    }

    private func pad2(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// (source, type) of a mount as /proc/mounts shows them. Not "rootfs": tools skip that name.
    private func names(_ fs: FileSystem) -> (String, String) {
        let type = fs is ProcFS ? "proc" : fs is DevFS ? "devtmpfs" : fs is TmpFS ? "tmpfs" : "skiff"
        return (fs is HostDirectoryFS ? "skiff" : type, type)
    }

    private func mountsFile() -> [UInt8] {
        var out: [UInt8] = []
        for m in kernel.mounts.mounts.reversed() {
            let (source, type) = names(m.fileSystem)
            out += Text.bytes("\(source) ")
            out += Path.absolute(m.path)
            out += Text.bytes(" \(type) \(m.fileSystem.readOnly ? "ro" : "rw"),relatime 0 0\n")
        }
        return out
    }

    /// /proc/PID/mountinfo: ids, parents and device numbers, parents listed first.
    private func mountInfoFile(_ caller: Task) -> [UInt8] {
        let ordered = Array(kernel.mounts.mounts.reversed())
        var out: [UInt8] = []
        for (i, m) in ordered.enumerated() {
            var parent = 20
            for (j, other) in ordered.enumerated() where j < i && other.path.count < m.path.count
                && Array(m.path[0..<other.path.count]) == other.path {
                parent = 21 + j
            }
            let device = (try? m.fileSystem.stat([], caller: caller))?.device ?? 0
            let (source, type) = names(m.fileSystem)
            out += Text.bytes("\(21 + i) \(parent) \(deviceMajor(device)):\(deviceMinor(device)) / ")
            out += Path.absolute(m.path)
            out += Text.bytes(" \(m.fileSystem.readOnly ? "ro" : "rw"),relatime - \(type) \(source) \(m.fileSystem.readOnly ? "ro" : "rw")\n")
        }
        return out
    }

    private func processFile(_ p: Process, _ name: String) -> [UInt8] {
        switch name {
        case "maps": return mapsFile(p)
        case "cmdline":
            var out: [UInt8] = []
            for a in p.arguments { out += a; out.append(0) }
            return out
        case "environ": return []
        case "comm": return p.name + [0x0a]
        case "mounts": return mountsFile()
        case "stat":
            let ppid = p.parent?.pid ?? 0
            let space = p.addressSpace
            var vsize: UInt64 = 0
            for r in space.regions { vsize += r.length }
            let start = (p.startTime - kernel.bootTime) / 10_000_000
            let state = p.isZombie ? "Z" : p.isStopped ? "T" : (p.threads.contains { $0.state == .runnable } ? "R" : "S")
            var s = "\(p.pid) (\(Text.string(p.name))) \(state) \(ppid) \(p.processGroup) \(p.session) 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 "
            s += "\(max(p.liveThreads.count, 1)) 0 \(start) \(vsize) \(vsize / 4096) 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 "
            s += "\(p.exitSignal) 0 0 0 0 0 0 0 0 \(space.brkStart) 0 0 0 0 0\n"
            return Text.bytes(s)
        case "status":
            var vsize: UInt64 = 0
            for r in p.addressSpace.regions { vsize += r.length }
            let state = p.isZombie ? "Z (zombie)" : p.isStopped ? "T (stopped)" : "S (sleeping)"
            let blocked = p.threads.first?.signalMask ?? 0
            var ignored: UInt64 = 0, caught: UInt64 = 0
            for s in 1...Int(Signal.count) {
                let h = p.signalActions.actions[s].handler
                if h == SignalAction.ignoreHandler { ignored |= Signal.bit(Int32(s)) } else if h != 0 { caught |= Signal.bit(Int32(s)) }
            }
            var s = "Name:\t\(Text.string(p.name))\nUmask:\t0\(String(p.fs.umask, radix: 8))\nState:\t\(state)\nTgid:\t\(p.pid)\nNgid:\t0\n"
            s += "Pid:\t\(p.pid)\nPPid:\t\(p.parent?.pid ?? 0)\nTracerPid:\t0\nUid:\t\(p.credentials.uid)\t\(p.credentials.euid)\t\(p.credentials.suid)\t\(p.credentials.fsuid)\nGid:\t\(p.credentials.gid)\t\(p.credentials.egid)\t\(p.credentials.sgid)\t\(p.credentials.fsgid)\n"
            s += "FDSize:\t\(max(64, p.files.entries.count))\nGroups:\t\nVmSize:\t\(vsize / 1024) kB\nVmRSS:\t\(vsize / 1024) kB\n"
            s += "Threads:\t\(max(p.liveThreads.count, 1))\nSigPnd:\t\(Text.string(Text.hex(0, width: 16)))\n"
            s += "ShdPnd:\t\(Text.string(Text.hex(p.pendingSignals.mask, width: 16)))\nSigBlk:\t\(Text.string(Text.hex(blocked, width: 16)))\n"
            s += "SigIgn:\t\(Text.string(Text.hex(ignored, width: 16)))\nSigCgt:\t\(Text.string(Text.hex(caught, width: 16)))\n"
            s += "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"
            return Text.bytes(s)
        default: return []
        }
    }

    /// /proc/PID/maps, with adjacent identical regions merged as Linux shows them (and an x86-64
    /// process's vsyscall page last).
    func mapsFile(_ p: Process) -> [UInt8] {
        var out: [UInt8] = []
        var merged: [MemoryRegion] = []
        for r in p.addressSpace.regions {
            if let last = merged.last, last.canMerge(with: r) { merged[merged.count - 1].end = r.end } else { merged.append(r) }
        }
        for r in merged {
            var line: [UInt8] = []
            line += Text.hex(r.start, width: 8); line.append(0x2d); line += Text.hex(r.end, width: 8); line.append(0x20)
            line.append(r.protection.contains(.read) ? 0x72 : 0x2d)
            line.append(r.protection.contains(.write) ? 0x77 : 0x2d)
            line.append(r.protection.contains(.execute) ? 0x78 : 0x2d)
            line.append(r.shared ? 0x73 : 0x70)
            line.append(0x20)
            line += Text.hex(r.file != nil ? r.fileOffset : 0, width: 8); line.append(0x20)
            let dev = r.file?.device ?? 0
            line += Text.hex(UInt64(deviceMajor(dev)), width: 2); line.append(0x3a); line += Text.hex(UInt64(deviceMinor(dev)), width: 2)
            line.append(0x20)
            line += Text.decimal(r.file?.inode ?? 0)
            let name = r.file?.path ?? r.label
            if !name.isEmpty {
                while line.count < 73 { line.append(0x20) }
                line += name
            }
            line.append(0x0a)
            out += line
        }
        if p.threads.first?.architecture == .x86_64 { out += X86_64Vsyscall.mapsLine }
        return out
    }
}
