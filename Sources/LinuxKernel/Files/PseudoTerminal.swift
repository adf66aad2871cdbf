/// How a container's terminal is wired to the outside (`skiff run -t`): the guest sees a
/// pseudo-terminal slave, /dev/pts/0, whose master side is the host's descriptors.
public struct TerminalSetup {
    /// Where typed bytes come from (the host terminal in raw mode), or nil when stdin is not
    /// attached (`-t` without `-i`).
    public var input: HostFD?
    /// Where the screen output goes.
    public var output: HostFD
    public init(input: HostFD? = 0, output: HostFD = 1) {
        self.input = input
        self.output = output
    }
}

/// A pseudo-terminal: the line discipline between the host's side (typing in, screen out) and the
/// guest's /dev/pts/N, with the window size and the session and foreground process group it
/// controls. Signals it raises, readers it wakes and job control go through the kernel.
final class PseudoTerminal {
    let index: Int32
    let discipline = LineDiscipline()
    var windowSize = WindowSize()
    /// The session whose controlling terminal this is, if any.
    var session: Int32?
    /// The foreground process group (0: none).
    var foregroundGroup: Int32 = 0
    /// Readers waiting for input and writers waiting for ^Q.
    let queue = WaitQueue()
    let hostInput: HostFD?
    /// Where screen output goes: the host, or nil when a guest program holds the master (/dev/ptmx).
    let hostOutput: HostFD?
    /// Screen output waiting for the guest master's reader (master held by a guest program).
    var masterOutput: [UInt8] = []
    /// The guest master's readers and pollers.
    let masterQueue = WaitQueue()
    /// /dev/pts/N may not be opened until unlockpt (TIOCSPTLCK 0).
    var locked = false
    /// Open slave descriptions; a master read gets EIO once the last one closed.
    var slaveOpens = 0
    var slaveWasOpened = false
    /// The host input reached its end (or failed): reads return end-of-file once the buffer is empty.
    var hungUp = false
    /// When the last typed byte arrived (monotonic ns), for VTIME's inter-byte timer.
    var lastInputTime: UInt64 = 0

    init(index: Int32, setup: TerminalSetup) {
        self.index = index
        self.hostInput = setup.input
        self.hostOutput = setup.output
    }

    /// A pseudo-terminal whose master is a guest descriptor.
    init(index: Int32) {
        self.index = index
        self.hostInput = nil
        self.hostOutput = nil
        self.locked = true
    }

    var path: [UInt8] { Array("/dev/pts/\(index)".utf8) }

    /// The host descriptor to watch for typing, while input is wanted.
    var hostInputToPoll: HostFD? {
        guard let fd = hostInput, !hungUp, discipline.acceptsInput else { return nil }
        return fd
    }

    /// stat of /dev/pts/N (devpts: character device 136:N).
    func stat(device: UInt64, time: Timespec) -> FileStat {
        var st = FileStat()
        st.device = device
        st.inode = UInt64(index) + 3
        st.mode = FileMode.characterDevice | 0o620
        st.rdev = makeDevice(136, UInt64(index))
        st.blockSize = 1024
        st.accessTime = time
        st.modificationTime = time
        st.changeTime = time
        return st
    }
}

/// An open /dev/pts/N (or /dev/tty naming it): reads and writes go through the line discipline.
/// Reads that wait (VMIN/VTIME, job control) are served by `Kernel.readTerminal`, which knows the task.
final class TerminalFile: FileDescription {
    let terminal: PseudoTerminal
    unowned(unsafe) let kernel: Kernel

    init(terminal: PseudoTerminal, kernel: Kernel, flags: Int32) {
        self.terminal = terminal
        self.kernel = kernel
        super.init(flags: flags & ~(LinuxOpenFlags.closeOnExec | LinuxOpenFlags.create), path: terminal.path)
        terminal.slaveOpens += 1
        terminal.slaveWasOpened = true
    }

    override func lastReferenceClosed() {
        terminal.slaveOpens -= 1
        if terminal.slaveOpens == 0 { terminal.masterQueue.wakeAll(kernel) }
    }

    /// What is there now, without waiting (used by paths that have no task, such as sendfile).
    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if terminal.discipline.readable(minimum: 1) { return copy(terminal.discipline.take(buffer.count), into: buffer) }
        if terminal.hungUp { return 0 }
        throw .EAGAIN
    }

    func copy(_ bytes: [UInt8], into buffer: UnsafeMutableRawBufferPointer) -> Int {
        for (i, b) in bytes.enumerated() { buffer[i] = b }
        if terminal.hostOutput == nil && !bytes.isEmpty { terminal.queue.wakeAll(kernel) }   // a guest master may write again
        return bytes.count
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if terminal.discipline.outputStopped { throw .EAGAIN }
        terminal.discipline.write(buffer)
        try kernel.flushTerminalOutput(terminal)
        return buffer.count
    }

    override func stat() throws(Errno) -> FileStat { terminal.stat(device: DevFS.deviceID, time: kernel.bootRealTime) }

    override func readiness(_ events: Int16) -> Int16 {
        var r: Int16 = 0
        let ld = terminal.discipline
        let minimum = ld.isCanonical ? 1 : max(Int(ld.cc(LineDiscipline.VMIN)), 1)
        if ld.readable(minimum: minimum) { r |= PollRequest.readable }
        if terminal.hungUp { r |= PollRequest.readable | PollRequest.hangUp }
        if !ld.outputStopped { r |= PollRequest.writable }
        return r & (events | PollRequest.hangUp | PollRequest.error)
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { terminal.queue }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        try kernel.pseudoTerminalIoctl(task, terminal, request: request, arg: arg)
    }
}

extension Kernel {
    /// Creates /dev/pts/0 for `-t`, as the first process's controlling terminal.
    func createTerminal(_ setup: TerminalSetup) -> PseudoTerminal {
        let tty = PseudoTerminal(index: 0, setup: setup)
        nextTerminalIndex = 1
        if let size = try? host.windowSize(setup.output) {
            tty.windowSize = size
        } else if let fd = setup.input, let size = try? host.windowSize(fd) {
            tty.windowSize = size
        }
        return tty
    }

    /// Reads what the host typed (its descriptor polled readable) into the line discipline.
    func receiveTerminalInput(_ tty: PseudoTerminal) {
        guard let fd = tty.hostInput, !tty.hungUp else { return }
        let buffer = scratchBuffer(4096)
        let n: Int
        do throws(Errno) { n = try host.read(fd, into: buffer) } catch {
            if error == .EAGAIN || error == .EINTR { return }
            n = 0
        }
        if n == 0 {
            tty.hungUp = true
            tty.queue.wakeAll(self)
        } else {
            typeIntoTerminal(tty, Array(buffer[0..<n]))
        }
    }

    /// Writes echo and program output that the line discipline produced to the host.
    func flushTerminalOutput(_ tty: PseudoTerminal) throws(Errno) {
        var pending = tty.discipline.output
        tty.discipline.output.removeAll()
        guard let hostOutput = tty.hostOutput else {
            if tty.hungUp { return }   // the master is gone: output has nowhere to go
            tty.masterOutput += pending
            if !pending.isEmpty { tty.masterQueue.wakeAll(self) }
            return
        }
        var failure: Errno?
        pending.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                do throws(Errno) {
                    let n = try host.write(hostOutput, from: UnsafeRawBufferPointer(rebasing: bytes[done...]))
                    if n <= 0 { failure = .EIO; return }
                    done += n
                } catch {
                    if error == .EINTR { continue }
                    if error == .EAGAIN {
                        // A non-blocking host terminal that is full: wait for it rather than drop output.
                        var r = PollRequest(fd: hostOutput, events: PollRequest.writable)
                        _ = withUnsafeMutablePointer(to: &r) { host.poll(UnsafeMutableBufferPointer(start: $0, count: 1), timeout: 100_000_000) }
                        continue
                    }
                    failure = .EIO
                    return
                }
            }
        }
        pending.removeAll()
        if let f = failure { throw f }
    }

    /// Sends a signal to every live process of a group, as the kernel does for terminal signals.
    func signalProcessGroup(_ group: Int32, _ signo: Int32) {
        if group <= 0 { return }
        for p in processes.values where p.processGroup == group && !p.isZombie {
            sendSignal(to: p, SignalInfo(signo: signo, code: 0x80))   // SI_KERNEL
        }
    }

    /// The host's window changed (SIGWINCH): TIOCSWINSZ on the guest's terminal.
    func hostWindowResized(_ tty: PseudoTerminal) {
        guard let size = tty.hostOutput.flatMap({ try? host.windowSize($0) }) ?? tty.hostInput.flatMap({ try? host.windowSize($0) }) else { return }
        log("host window resized to \(size.rows)x\(size.columns)")
        setWindowSize(tty, size)
    }

    func setWindowSize(_ tty: PseudoTerminal, _ size: WindowSize) {
        if size == tty.windowSize { return }
        tty.windowSize = size
        signalProcessGroup(tty.foregroundGroup, Signal.SIGWINCH)
    }

    /// Opening a terminal makes it the controlling terminal of a session leader that has none
    /// (unless O_NOCTTY), as on Linux.
    func openedTerminal(_ tty: PseudoTerminal, by p: Process, flags: Int32) {
        guard flags & LinuxOpenFlags.noControllingTerminal == 0, p.pid == p.session, tty.session == nil,
              controllingTerminal(of: p) == nil else { return }
        tty.session = p.session
        tty.foregroundGroup = p.processGroup
        p.hasControllingTerminal = true
    }

    /// The terminal `p` controls, if any.
    func controllingTerminal(of p: Process) -> PseudoTerminal? {
        guard p.hasControllingTerminal else { return nil }
        if let tty = terminal, tty.session == p.session { return tty }
        return guestTerminals.values.first { $0.session == p.session }
    }

    /// /dev/pts/N: the container's terminal or one a guest program opened through /dev/ptmx.
    func pseudoTerminal(_ index: Int32) -> PseudoTerminal? {
        if let tty = terminal, tty.index == index { return tty }
        return guestTerminals[index]
    }

    /// Every /dev/pts entry, by index.
    var pseudoTerminalIndices: [Int32] {
        var all = Array(guestTerminals.keys)
        if let tty = terminal { all.append(tty.index) }
        return all.sorted()
    }

    /// A session leader that ends (or gives up its terminal, TIOCNOTTY) hangs up its foreground
    /// group and frees the terminal, as disassociate_ctty does.
    func releaseControllingTerminal(_ leader: Process) {
        guard leader.pid == leader.session, let tty = controllingTerminal(of: leader) else { return }
        let group = tty.foregroundGroup
        tty.session = nil
        tty.foregroundGroup = 0
        for p in processes.values where p.session == leader.session { p.hasControllingTerminal = false }
        signalProcessGroup(group, Signal.SIGHUP)
        signalProcessGroup(group, Signal.SIGCONT)
    }
}
