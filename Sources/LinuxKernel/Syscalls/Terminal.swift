/// Terminal ioctls on a host terminal passed to the guest as it is (no `-t`) (TCGETS/TCSETS*, window size, foreground process group).
enum TerminalIoctl {
    static let TCGETS: UInt32 = 0x5401
    static let TCSETS: UInt32 = 0x5402
    static let TCSETSW: UInt32 = 0x5403
    static let TCSETSF: UInt32 = 0x5404
    static let TCSBRK: UInt32 = 0x5409
    static let TIOCSCTTY: UInt32 = 0x540E
    static let TIOCGPGRP: UInt32 = 0x540F
    static let TIOCSPGRP: UInt32 = 0x5410
    static let TIOCGWINSZ: UInt32 = 0x5413
    static let TIOCSWINSZ: UInt32 = 0x5414
    static let FIONREAD: UInt32 = 0x541B
    static let FIONBIO: UInt32 = 0x5421
    static let FIOASYNC: UInt32 = 0x5452
    static let TIOCNOTTY: UInt32 = 0x5422
    static let TIOCGSID: UInt32 = 0x5429
    static let FIONCLEX: UInt32 = 0x5450
    static let FIOCLEX: UInt32 = 0x5451
}

extension Kernel {
    func terminalIoctl(_ t: Task, fd: HostFD, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        switch request {
        case TerminalIoctl.TCGETS:
            try t.copyOut(Kernel.encodeTermios(try host.terminalAttributes(fd)), to: arg)
            return 0
        case TerminalIoctl.TCSETS, TerminalIoctl.TCSETSW, TerminalIoctl.TCSETSF:
            let attributes = Kernel.decodeTermios(try t.copyIn(arg, count: 36))
            try host.setTerminalAttributes(fd, attributes, action: Int32(request - TerminalIoctl.TCSETS))
            return 0
        case TerminalIoctl.TIOCGWINSZ:
            let size = try host.windowSize(fd)
            var w = ByteWriter(capacity: 8)
            w.u16(size.rows); w.u16(size.columns); w.u16(size.xPixels); w.u16(size.yPixels)
            try t.copyOut(w.bytes, to: arg)
            return 0
        case TerminalIoctl.TIOCGPGRP:
            try t.store(foregroundProcessGroup, at: arg)
            return 0
        case TerminalIoctl.TIOCSPGRP:
            let group = try t.load(Int32.self, at: arg)
            if group < 0 { throw .EINVAL }
            if !processes.values.contains(where: { $0.processGroup == group && !$0.isZombie }) { throw .EPERM }
            foregroundProcessGroup = group
            return 0
        case TerminalIoctl.TIOCGSID:
            try t.store(initProcess?.session ?? 1, at: arg)
            return 0
        case TerminalIoctl.TIOCSCTTY, TerminalIoctl.TIOCNOTTY:
            return 0
        case TerminalIoctl.TCSBRK:
            return 0 // tcdrain: writes to the host terminal are already complete
        case TerminalIoctl.FIONREAD:
            try t.store(Int32(clamping: try host.bytesAvailable(fd)), at: arg)
            return 0
        default:
            log("ioctl \(Text.hexString(UInt64(request))) on a terminal is not supported")
            throw .EINVAL
        }
    }
}
