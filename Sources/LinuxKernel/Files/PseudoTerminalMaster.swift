/// The master side of a pseudo-terminal a guest program opened with /dev/ptmx (python's pty,
/// script, expect, a terminal multiplexer): what it writes is typed at the slave /dev/pts/N, what
/// it reads is the slave's screen output.
final class PseudoTerminalMaster: FileDescription {
    let terminal: PseudoTerminal
    unowned(unsafe) let kernel: Kernel
    let fileStat: FileStat

    init(terminal: PseudoTerminal, kernel: Kernel, flags: Int32, stat: FileStat) {
        self.terminal = terminal
        self.kernel = kernel
        self.fileStat = stat
        super.init(flags: flags & ~(LinuxOpenFlags.closeOnExec | LinuxOpenFlags.create), path: Array("/dev/ptmx".utf8))
    }

    /// Closing the master hangs the slave up: its reads see end-of-file, its session's
    /// foreground group gets SIGHUP, and the /dev/pts entry goes away.
    override func lastReferenceClosed() {
        terminal.hungUp = true
        terminal.queue.wakeAll(kernel)
        if terminal.session != nil { kernel.signalProcessGroup(terminal.foregroundGroup, Signal.SIGHUP) }
        kernel.guestTerminals[terminal.index] = nil
    }

    /// Linux's master read: EIO once every slave descriptor that was opened is closed again.
    private var slaveGone: Bool { terminal.slaveWasOpened && terminal.slaveOpens == 0 }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count == 0 { return 0 }
        if terminal.masterOutput.isEmpty { throw slaveGone ? .EIO : .EAGAIN }
        let n = min(buffer.count, terminal.masterOutput.count)
        for i in 0..<n { buffer[i] = terminal.masterOutput[i] }
        terminal.masterOutput.removeFirst(n)
        return n
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if slaveGone { throw .EIO }
        if !terminal.discipline.acceptsInput { throw .EAGAIN }
        kernel.typeIntoTerminal(terminal, Array(buffer))
        return buffer.count
    }

    override func stat() throws(Errno) -> FileStat { fileStat }

    override func readiness(_ events: Int16) -> Int16 {
        var r: Int16 = 0
        if !terminal.masterOutput.isEmpty { r |= PollRequest.readable }
        if slaveGone { r |= PollRequest.hangUp | PollRequest.readable }
        if terminal.discipline.acceptsInput { r |= PollRequest.writable }
        return r & (events | PollRequest.hangUp | PollRequest.error)
    }

    override func waitQueue(for events: Int16) -> WaitQueue? {
        events & PollRequest.readable != 0 ? terminal.masterQueue : terminal.queue
    }

    static let TIOCGPTN: UInt32 = 0x8004_5430, TIOCSPTLCK: UInt32 = 0x4004_5431, TIOCGPTLCK: UInt32 = 0x8004_5439
    static let TIOCGPTPEER: UInt32 = 0x5441

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        switch request {
        case PseudoTerminalMaster.TIOCGPTN:
            try task.store(UInt32(terminal.index), at: arg)
            return 0
        case PseudoTerminalMaster.TIOCSPTLCK:
            terminal.locked = try task.load(Int32.self, at: arg) != 0
            return 0
        case PseudoTerminalMaster.TIOCGPTLCK:
            try task.store(Int32(terminal.locked ? 1 : 0), at: arg)
            return 0
        case PseudoTerminalMaster.TIOCGPTPEER:
            // A descriptor for the slave without a path lookup (glibc's openpty uses it).
            let flags = Int32(truncatingIfNeeded: arg)
            if terminal.locked { throw .EIO }
            kernel.openedTerminal(terminal, by: task.process, flags: flags)
            let slave = TerminalFile(terminal: terminal, kernel: kernel, flags: flags)
            slave.retain()
            defer { slave.release() }
            return Int64(try task.process.files.install(slave, closeOnExec: flags & LinuxOpenFlags.closeOnExec != 0))
        case TerminalIoctl.FIONREAD:
            try task.store(Int32(clamping: terminal.masterOutput.count), at: arg)
            return 0
        case TerminalIoctl.TCGETS, TerminalIoctl.TCSETS, TerminalIoctl.TCSETSW, TerminalIoctl.TCSETSF,
             TerminalIoctl.TIOCGWINSZ, TerminalIoctl.TIOCSWINSZ, TerminalIoctl.TIOCGPGRP, Kernel.TCFLSH:
            // The master sees and sets the slave's settings and window size; no job control applies.
            return try kernel.pseudoTerminalIoctl(task, terminal, request: request, arg: arg, fromMaster: true)
        default:
            kernel.log("ioctl \(Text.hexString(UInt64(request))) on /dev/ptmx is not supported")
            throw .EINVAL
        }
    }
}

extension Kernel {
    /// open("/dev/ptmx"): a new pseudo-terminal, locked until unlockpt, with its master.
    func openPseudoTerminalMaster(flags: Int32, stat: FileStat) -> FileDescription {
        var index = nextTerminalIndex
        while pseudoTerminal(index) != nil { index += 1 }
        nextTerminalIndex = index + 1
        let tty = PseudoTerminal(index: index)
        guestTerminals[index] = tty
        return PseudoTerminalMaster(terminal: tty, kernel: self, flags: flags, stat: stat)
    }

    /// Bytes arriving as if typed (from the host or a guest master): the line discipline
    /// processes them, keyboard signals go to the foreground group, readers wake.
    func typeIntoTerminal(_ tty: PseudoTerminal, _ bytes: [UInt8]) {
        tty.lastInputTime = host.monotonicTime()
        tty.discipline.receive(bytes)
        let signals = tty.discipline.signals
        tty.discipline.signals.removeAll()
        for s in signals { signalProcessGroup(tty.foregroundGroup, s) }
        try? flushTerminalOutput(tty)
        tty.queue.wakeAll(self)
    }
}
