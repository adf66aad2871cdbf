/// The guest's own terminal (`-t`): ioctls on /dev/pts/N, reads that honour ICANON and VMIN/VTIME,
/// and job control (background reads get SIGTTIN, background writes with TOSTOP and background
/// terminal changes get SIGTTOU).
extension Kernel {
    // MARK: Reading

    /// read(2) on the terminal for task `t`: waits as the line discipline's mode says.
    func readTerminal(_ t: Task, _ f: TerminalFile, _ buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        let tty = f.terminal
        try checkTerminalAccess(t, tty, signal: Signal.SIGTTIN)
        let ld = tty.discipline
        if ld.isCanonical || ld.readable(minimum: 1) && ld.cc(LineDiscipline.VMIN) == 0 {
            return try f.read(into: buffer)
        }
        let minimum = min(Int(ld.cc(LineDiscipline.VMIN)), buffer.count)
        let time = UInt64(ld.cc(LineDiscipline.VTIME)) * 100_000_000
        if ld.available >= max(minimum, 1) || tty.hungUp { return f.copy(ld.take(buffer.count), into: buffer) }
        if minimum == 0 && time == 0 { return 0 }
        if f.isNonBlocking { throw .EAGAIN }
        let now = host.monotonicTime()
        if time == 0 { throw block(t, on: [tty.queue]) }
        if minimum == 0 {
            // VMIN 0, VTIME > 0: one timer for the whole read.
            let deadline = t.syscallDeadline ?? now + time
            t.syscallDeadline = deadline
            if now >= deadline { return 0 }
            throw block(t, on: [tty.queue], deadline: deadline)
        }
        // VMIN > 0, VTIME > 0: an inter-byte timer that starts with the first byte.
        if ld.available == 0 { throw block(t, on: [tty.queue]) }
        let deadline = tty.lastInputTime + time
        if now >= deadline { return f.copy(ld.take(buffer.count), into: buffer) }
        throw block(t, on: [tty.queue], deadline: deadline)
    }

    /// write(2) from task `t`: a background process with TOSTOP set gets SIGTTOU.
    func checkTerminalWrite(_ t: Task, _ f: TerminalFile) throws(Errno) {
        if f.terminal.discipline.stopsBackgroundWrites { try checkTerminalAccess(t, f.terminal, signal: Signal.SIGTTOU) }
    }

    /// Linux's tty_check_change: a process of a background group using its controlling terminal
    /// gets `signal` (the call restarts once it is continued), or EIO when that cannot help.
    func checkTerminalAccess(_ t: Task, _ tty: PseudoTerminal, signal: Int32) throws(Errno) {
        let p = t.process
        guard controllingTerminal(of: p) === tty, tty.foregroundGroup != 0, p.processGroup != tty.foregroundGroup else { return }
        let ignored = p.signalActions.actions[Int(signal)].handler == SignalAction.ignoreHandler
            || t.signalMask & Signal.bit(signal) != 0
        if ignored {
            if signal == Signal.SIGTTIN { throw .EIO }
            return
        }
        // An orphaned group would stay stopped for ever; the container's init ignores the signal.
        if isOrphanedProcessGroup(p.processGroup) || p === initProcess { throw .EIO }
        signalProcessGroup(p.processGroup, signal)
        throw .restartSys
    }

    /// No member has a parent in another group of the same session (nobody could continue it).
    func isOrphanedProcessGroup(_ group: Int32) -> Bool {
        for p in processes.values where p.processGroup == group && !p.isZombie {
            if let parent = p.parent, parent.processGroup != group, parent.session == p.session { return false }
        }
        return true
    }

    // MARK: ioctl

    static let TCGETS2: UInt32 = 0x802C_542A, TCSETS2: UInt32 = 0x402C_542B
    static let TCSETSW2: UInt32 = 0x402C_542C, TCSETSF2: UInt32 = 0x402C_542D
    static let TCXONC: UInt32 = 0x540A, TCFLSH: UInt32 = 0x540B, TIOCOUTQ: UInt32 = 0x5411
    static let TIOCGETD: UInt32 = 0x5424, TCSBRKP: UInt32 = 0x5425, TIOCGPTN: UInt32 = 0x8004_5430

    /// `fromMaster`: a guest master (/dev/ptmx) changes the settings without job control.
    func pseudoTerminalIoctl(_ t: Task, _ tty: PseudoTerminal, request: UInt32, arg: UInt64, fromMaster: Bool = false) throws(Errno) -> Int64 {
        let ld = tty.discipline
        func checkTerminalChange(_ t: Task, _ tty: PseudoTerminal) throws(Errno) {
            if !fromMaster { try checkTerminalAccess(t, tty, signal: Signal.SIGTTOU) }
        }
        switch request {
        case TerminalIoctl.TCGETS, Kernel.TCGETS2:
            var bytes = Kernel.encodeTermios(ld.termios)
            if request == Kernel.TCGETS2 { var w = ByteWriter(); w.u32(38400); w.u32(38400); bytes += w.bytes }
            try t.copyOut(bytes, to: arg)
            return 0
        case TerminalIoctl.TCSETS, TerminalIoctl.TCSETSW, TerminalIoctl.TCSETSF,
             Kernel.TCSETS2, Kernel.TCSETSW2, Kernel.TCSETSF2:
            let attributes = Kernel.decodeTermios(try t.copyIn(arg, count: 36))
            try checkTerminalChange(t, tty)
            if request == TerminalIoctl.TCSETSF || request == Kernel.TCSETSF2 { ld.flushInput() }
            ld.termios = attributes
            tty.queue.wakeAll(self)   // readers re-check under the new mode
            return 0
        case TerminalIoctl.TIOCGWINSZ:
            var w = ByteWriter(capacity: 8)
            w.u16(tty.windowSize.rows); w.u16(tty.windowSize.columns); w.u16(tty.windowSize.xPixels); w.u16(tty.windowSize.yPixels)
            try t.copyOut(w.bytes, to: arg)
            return 0
        case TerminalIoctl.TIOCSWINSZ:
            let r = ByteReader(try t.copyIn(arg, count: 8))
            var size = WindowSize(rows: r.u16(0), columns: r.u16(2))
            size.xPixels = r.u16(4)
            size.yPixels = r.u16(6)
            setWindowSize(tty, size)
            return 0
        case TerminalIoctl.TIOCGPGRP:
            guard fromMaster || controllingTerminal(of: t.process) === tty else { throw .ENOTTY }
            try t.store(tty.foregroundGroup, at: arg)
            return 0
        case TerminalIoctl.TIOCSPGRP:
            do throws(Errno) { try checkTerminalChange(t, tty) } catch { throw error == .EIO ? .ENOTTY : error }
            guard controllingTerminal(of: t.process) === tty else { throw .ENOTTY }
            let group = try t.load(Int32.self, at: arg)
            if group < 0 { throw .EINVAL }
            let members = processes.values.filter { $0.processGroup == group && !$0.isZombie }
            if members.isEmpty { throw .ESRCH }
            if members.contains(where: { $0.session != t.process.session }) { throw .EPERM }
            tty.foregroundGroup = group
            return 0
        case TerminalIoctl.TIOCGSID:
            guard controllingTerminal(of: t.process) === tty, let s = tty.session else { throw .ENOTTY }
            try t.store(s, at: arg)
            return 0
        case TerminalIoctl.TIOCSCTTY:
            let p = t.process
            if p.pid == p.session && tty.session == p.session { p.hasControllingTerminal = true; return 0 }
            if p.pid != p.session || controllingTerminal(of: p) != nil { throw .EPERM }
            if tty.session != nil { throw .EPERM }   // stealing (arg 1 with CAP_SYS_ADMIN) is not offered
            tty.session = p.session
            tty.foregroundGroup = p.processGroup
            p.hasControllingTerminal = true
            return 0
        case TerminalIoctl.TIOCNOTTY:
            let p = t.process
            guard controllingTerminal(of: p) === tty else { throw .ENOTTY }
            if p.pid == p.session { releaseControllingTerminal(p) } else { p.hasControllingTerminal = false }
            return 0
        case TerminalIoctl.FIONREAD:
            try t.store(Int32(clamping: ld.available), at: arg)
            return 0
        case Kernel.TIOCOUTQ:
            try t.store(Int32(0), at: arg)   // output is handed to the host at once
            return 0
        case Kernel.TCFLSH:
            try checkTerminalChange(t, tty)
            switch arg {
            case 0, 2: ld.flushInput()                 // TCIFLUSH, TCIOFLUSH (output is never queued)
            case 1: break                              // TCOFLUSH
            default: throw .EINVAL
            }
            return 0
        case Kernel.TCXONC:
            try checkTerminalChange(t, tty)
            switch arg {
            case 0, 1, 2, 3: ld.flowControl(Int(arg))  // TCOOFF, TCOON, TCIOFF, TCION
            default: throw .EINVAL
            }
            tty.queue.wakeAll(self)
            try flushTerminalOutput(tty)
            return 0
        case TerminalIoctl.TCSBRK, Kernel.TCSBRKP:
            return 0   // tcdrain / break: output already went to the host
        case Kernel.TIOCGETD:
            try t.store(Int32(0), at: arg)   // N_TTY
            return 0
        default:
            log("ioctl \(Text.hexString(UInt64(request))) on /dev/pts/\(tty.index) is not supported")
            throw .EINVAL
        }
    }

    /// The 36-byte asm-generic `struct termios` (termios2 appends the two speeds).
    static func encodeTermios(_ attributes: Termios) -> [UInt8] {
        var w = ByteWriter(capacity: 44)
        w.u32(attributes.inputFlags); w.u32(attributes.outputFlags)
        w.u32(attributes.controlFlags); w.u32(attributes.localFlags)
        w.u8(attributes.line)
        w.append(Array(attributes.controlCharacters.prefix(19)))
        w.zeros(36 - w.bytes.count)
        return w.bytes
    }

    static func decodeTermios(_ raw: [UInt8]) -> Termios {
        let r = ByteReader(raw)
        var attributes = Termios()
        attributes.inputFlags = r.u32(0)
        attributes.outputFlags = r.u32(4)
        attributes.controlFlags = r.u32(8)
        attributes.localFlags = r.u32(12)
        attributes.line = r.u8(16)
        attributes.controlCharacters = Array(raw[17..<36])
        return attributes
    }
}
