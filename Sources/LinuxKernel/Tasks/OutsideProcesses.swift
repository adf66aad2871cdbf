#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// What a process running in the container looks like from outside (`skiff top`).
public struct ProcessSummary {
    public var pid: Int32
    public var parentPID: Int32
    public var uid: UInt32
    /// The command line (arguments joined by spaces), or the name in brackets when it has none.
    public var command: String
    /// CPU time so far, nanoseconds.
    public var cpuTime: UInt64
    /// When it started (wall clock, seconds since the epoch).
    public var startSeconds: Int64
    /// Its controlling terminal ("pts/N"), or nil.
    public var terminal: String?
}

/// Work the host asks of a running container while it runs: processes started in it from
/// outside (`skiff exec`: no parent inside, a session of their own, the host's descriptors as
/// their standard streams) and host descriptors the scheduler watches (a control socket).
extension Kernel {
    /// Calls `handler` on the scheduler's thread whenever `fd` is readable (until `unwatch`).
    public func watch(_ fd: HostFD, _ handler: @escaping () -> Void) {
        hostWatches.append(HostWatch(fd: fd, handler: handler))
    }

    public func unwatch(_ fd: HostFD) {
        hostWatches.removeAll { $0.fd == fd }
    }

    /// Starts `path` as a new process of the running container, as `docker exec` does: user
    /// `user`, `streams` (host descriptors, owned by the process from now on) as 0, 1 and 2;
    /// `exited` gets its wait status when it ends. With `terminal`, the process gets a new
    /// pseudo-terminal (/dev/pts/N, its controlling terminal) whose screen is `streams[1]` and
    /// whose keyboard is `streams[0]` when `terminalInput`. Returns its pid; throws what execve
    /// would (`diagnostic` says why in words), the streams closed.
    public func startProcess(path: String, arguments: [String], environment: [String], workingDirectory: String,
                             user: ContainerUser, streams: [HostFD], terminal wantsTerminal: Bool = false, terminalInput: Bool = false,
                             exited: @escaping (Int32) -> Void) throws(Errno) -> Int32 {
        var installed = false
        defer { if !installed { for fd in streams { host.close(fd) } } }
        guard initProcess.map({ !$0.isZombie }) == true else { throw .ESRCH }
        try reserveTask()
        let memory = GuestMemory()
        let pid = allocateID()
        let process = Process(pid: pid, addressSpace: AddressSpace(memory: memory), files: FileTable(), fs: FileSystemContext(),
                              signalActions: SignalActions(), processGroup: pid, session: pid,
                              limits: Process.defaultLimits(), startTime: host.monotonicTime())
        let task = Task(tid: pid, cpu: Hart(memory: memory), process: process)
        task.cpu.timeSource = { [unowned(unsafe) self] in self.host.monotonicTime() }
        process.threads.append(task)
        process.credentials = Credentials(user)
        var tty: PseudoTerminal?
        if wantsTerminal, streams.count >= 2 {
            var index = nextTerminalIndex
            while pseudoTerminal(index) != nil { index += 1 }
            nextTerminalIndex = index + 1
            let t = PseudoTerminal(index: index, setup: TerminalSetup(input: terminalInput ? streams[0] : nil, output: streams[1]))
            if let size = try? host.windowSize(streams[1]) { t.windowSize = size } else if let size = try? host.windowSize(streams[0]) { t.windowSize = size }
            t.session = pid
            t.foregroundGroup = pid
            guestTerminals[index] = t
            hostTerminals.append(t)
            process.hasControllingTerminal = true
            let stream = TerminalFile(terminal: t, kernel: self, flags: LinuxOpenFlags.readWrite)
            for fd: Int32 in 0...2 { try? process.files.install(stream, at: fd, closeOnExec: false) }
            tty = t
        }
        for (i, fd) in streams.prefix(3).enumerated() where tty == nil {
            guard let st = try? host.stat(fd) else { host.close(fd); continue }
            let d = HostFile(host: host, fd: fd, flags: i == 0 ? LinuxOpenFlags.readOnly : LinuxOpenFlags.writeOnly,
                             path: Array((st.fileType == FileMode.fifo ? "pipe:[\(st.inode)]" : "/dev/null").utf8),
                             components: nil, stat: st, fileSystem: nil, ownsDescriptor: true)
            try? process.files.install(d, at: Int32(i), closeOnExec: false)
        }
        installed = true
        processes[pid] = process
        tasks[pid] = task
        do throws(Errno) {
            try enterWorkingDirectory(task, workingDirectory)
            try execute(task, path: Array(path.utf8), arguments: arguments.map { Array($0.utf8) },
                        environment: environment.map { Array($0.utf8) })
        } catch {
            exitProcess(process, status: WaitStatus.exited(127))
            if let tty { releaseHostTerminal(tty, streams: streams) }
            throw error
        }
        if let tty {
            process.exitObserver = { [unowned(unsafe) self] status in
                self.releaseHostTerminal(tty, streams: streams)
                exited(status)
            }
        } else {
            process.exitObserver = exited
        }
        makeRunnable(task)
        return pid
    }

    /// Sends `signo` to process `pid` from outside the container (SI_USER, as kill(1) on the
    /// host would: containerd's kill of an exec'd process); false if there is no such live process.
    public func signalProcess(_ pid: Int32, _ signo: Int32) -> Bool {
        guard signo > 0, signo <= Signal.count, let p = processes[pid], !p.isZombie else { return false }
        sendSignal(to: p, SignalInfo(signo: signo), fromOutside: true)
        return true
    }

    /// Sets the window size of process `pid`'s controlling terminal, as TIOCSWINSZ on its master
    /// does (its foreground process group gets SIGWINCH when the size changes); false if it has none.
    public func resizeTerminal(ofProcess pid: Int32, rows: UInt16, columns: UInt16) -> Bool {
        guard let p = processes[pid], !p.isZombie, let tty = controllingTerminal(of: p) else { return false }
        var size = tty.windowSize
        size.rows = rows
        size.columns = columns
        setWindowSize(tty, size)
        return true
    }

    /// An exec'd process's terminal is gone with it: its host descriptors are closed.
    private func releaseHostTerminal(_ tty: PseudoTerminal, streams: [HostFD]) {
        try? flushTerminalOutput(tty)
        tty.hungUp = true
        hostTerminals.removeAll { $0 === tty }
        if guestTerminals[tty.index] === tty { guestTerminals[tty.index] = nil }
        for fd in streams { host.close(fd) }
    }

    /// The container's processes, by pid.
    public func processSummaries() -> [ProcessSummary] {
        processes.values.filter { !$0.isZombie }.sorted { $0.pid < $1.pid }.map { p in
            let words = p.arguments.map { String(decoding: $0, as: UTF8.self) }
            let cpu = p.threads.reduce(p.exitedThreadsCPUTime) { $0 + $1.cpuTime }
            let started = bootRealTime.seconds + Int64((p.startTime &- bootTime) / 1_000_000_000)
            return ProcessSummary(pid: p.pid, parentPID: p.parent?.pid ?? 0, uid: p.credentials.uid,
                                  command: words.isEmpty ? "[" + String(decoding: p.name, as: UTF8.self) + "]" : words.joined(separator: " "),
                                  cpuTime: cpu, startSeconds: started, terminal: controllingTerminal(of: p).map { "pts/\($0.index)" })
        }
    }
}

/// A host descriptor the scheduler polls for the host's own purposes.
struct HostWatch {
    let fd: HostFD
    let handler: () -> Void
}
