/// Linux's N_TTY line discipline: what happens to bytes typed at a terminal before a program
/// reads them (ICANON line editing, echo, ISIG keyboard signals, CR/NL translation) and to bytes
/// a program writes before they reach the screen (OPOST). Pure logic: the pseudo-terminal feeds it
/// bytes and collects `output` (echo and processed writes) and `signals` (for the foreground group).
final class LineDiscipline {
    // c_iflag
    static let IGNBRK: UInt32 = 0o1, BRKINT: UInt32 = 0o2, ISTRIP: UInt32 = 0o40, INLCR: UInt32 = 0o100
    static let IGNCR: UInt32 = 0o200, ICRNL: UInt32 = 0o400, IUCLC: UInt32 = 0o1000, IXON: UInt32 = 0o2000
    static let IXANY: UInt32 = 0o4000, IMAXBEL: UInt32 = 0o20000, IUTF8: UInt32 = 0o40000
    // c_oflag
    static let OPOST: UInt32 = 0o1, OLCUC: UInt32 = 0o2, ONLCR: UInt32 = 0o4, OCRNL: UInt32 = 0o10
    static let ONOCR: UInt32 = 0o20, ONLRET: UInt32 = 0o40, TABDLY: UInt32 = 0o14000, XTABS: UInt32 = 0o14000
    // c_cflag
    static let B38400: UInt32 = 0o17, CS8: UInt32 = 0o60, CREAD: UInt32 = 0o200, HUPCL: UInt32 = 0o2000
    // c_lflag
    static let ISIG: UInt32 = 0o1, ICANON: UInt32 = 0o2, ECHO: UInt32 = 0o10, ECHOE: UInt32 = 0o20
    static let ECHOK: UInt32 = 0o40, ECHONL: UInt32 = 0o100, NOFLSH: UInt32 = 0o200, TOSTOP: UInt32 = 0o400
    static let ECHOCTL: UInt32 = 0o1000, ECHOPRT: UInt32 = 0o2000, ECHOKE: UInt32 = 0o4000
    static let FLUSHO: UInt32 = 0o10000, PENDIN: UInt32 = 0o40000, IEXTEN: UInt32 = 0o100000
    // c_cc indices
    static let VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6
    static let VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VWERASE = 14, VLNEXT = 15, VEOL2 = 16
    /// A c_cc value that disables the character (_POSIX_VDISABLE).
    static let disabled: UInt8 = 0
    /// N_TTY_BUF_SIZE - 1: the longest line canonical mode keeps.
    static let lineLimit = 4095
    /// Input kept for a non-canonical reader before further typing is dropped.
    static let rawLimit = 4096

    /// What a new pseudo-terminal starts with (Linux's tty_std_termios, plus IUTF8 as terminals set).
    static func standardTermios() -> Termios {
        var t = Termios()
        t.inputFlags = ICRNL | IXON | IUTF8
        t.outputFlags = OPOST | ONLCR
        t.controlFlags = B38400 | CS8 | CREAD | HUPCL
        t.localFlags = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
        t.controlCharacters = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0]
        return t
    }

    var termios = LineDiscipline.standardTermios() {
        didSet { modeChanged(from: oldValue) }
    }

    /// Complete canonical lines waiting for a reader (a line ended by EOF carries no terminator).
    private(set) var lines: [[UInt8]] = []
    /// The line being edited (canonical mode).
    private(set) var editing: [UInt8] = []
    /// Bytes waiting for a non-canonical reader.
    private(set) var raw: [UInt8] = []
    /// Bytes for the screen (echo and processed program output), taken by the pseudo-terminal.
    var output: [UInt8] = []
    /// Signals the keyboard generated, for the foreground process group.
    var signals: [Int32] = []
    /// ^S stopped output (IXON) until ^Q (or any key with IXANY).
    private(set) var outputStopped = false
    /// The screen column the cursor is at, for tab expansion and erasing tabs.
    private var column = 0
    /// The column the line being edited started at.
    private var lineStartColumn = 0
    /// The previous byte was ^V (VLNEXT): take this one literally.
    private var literalNext = false

    private func has(_ flag: UInt32, in field: UInt32) -> Bool { field & flag != 0 }
    private var lflag: UInt32 { termios.localFlags }
    private var iflag: UInt32 { termios.inputFlags }
    var isCanonical: Bool { has(LineDiscipline.ICANON, in: lflag) }
    var signalsEnabled: Bool { has(LineDiscipline.ISIG, in: lflag) }
    var stopsBackgroundWrites: Bool { has(LineDiscipline.TOSTOP, in: lflag) }
    func cc(_ i: Int) -> UInt8 { i < termios.controlCharacters.count ? termios.controlCharacters[i] : 0 }
    private func isChar(_ c: UInt8, _ index: Int) -> Bool { let v = cc(index); return v != LineDiscipline.disabled && v == c }

    // MARK: Reading side

    /// Bytes a read could take now (a canonical reader only counts complete lines).
    var available: Int {
        if isCanonical { return lines.reduce(0) { $0 + $1.count } }
        return raw.count
    }

    /// A read has something to return: a complete line (canonical) or at least `minimum` bytes.
    func readable(minimum: Int) -> Bool {
        isCanonical ? !lines.isEmpty : raw.count >= max(minimum, 1)
    }

    /// Whether more typing would be accepted (it is dropped, as Linux does, when the buffer is full).
    var acceptsInput: Bool {
        isCanonical ? editing.count < LineDiscipline.lineLimit || lines.isEmpty : raw.count < LineDiscipline.rawLimit
    }

    /// Takes what a read returns: at most one line in canonical mode, else whatever is there.
    func take(_ count: Int) -> [UInt8] {
        if isCanonical {
            guard !lines.isEmpty else { return [] }
            let line = lines[0]
            if line.count <= count { lines.removeFirst(); return line }
            lines[0] = Array(line[count...])
            return Array(line[..<count])
        }
        let n = min(count, raw.count)
        let got = Array(raw[..<n])
        raw.removeFirst(n)
        return got
    }

    /// TCXONC: TCOOFF (0) stops output, TCOON (1) restarts it; TCIOFF/TCION have no device to tell.
    func flowControl(_ action: Int) {
        if action == 0 { outputStopped = true } else if action == 1 { outputStopped = false }
    }

    /// TCFLSH / TCSETSF / a keyboard signal without NOFLSH: typed input is discarded.
    func flushInput() {
        lines.removeAll()
        editing.removeAll()
        raw.removeAll()
        literalNext = false
    }

    /// Switching ICANON moves pending input between the line buffers and the raw buffer, as n_tty does.
    private func modeChanged(from old: Termios) {
        let wasCanonical = old.localFlags & LineDiscipline.ICANON != 0
        if wasCanonical && !isCanonical {
            for l in lines { raw += l }
            raw += editing
            lines.removeAll()
            editing.removeAll()
        } else if !wasCanonical && isCanonical {
            editing = raw
            raw.removeAll()
        }
        if !has(LineDiscipline.IXON, in: iflag) { outputStopped = false }
    }

    // MARK: Typed input

    /// Processes bytes typed at the keyboard.
    func receive(_ bytes: [UInt8]) {
        for b in bytes { receive(b) }
    }

    private func receive(_ byte: UInt8) {
        var c = byte
        if has(LineDiscipline.ISTRIP, in: iflag) { c &= 0x7f }
        if literalNext {
            literalNext = false
            if has(LineDiscipline.ECHO, in: lflag) { output += [8] ; column = max(column - 1, 0) } // remove the "^" shown for ^V
            store(c)
            return
        }
        if has(LineDiscipline.IXON, in: iflag) {
            if isChar(c, LineDiscipline.VSTOP) { outputStopped = true; return }
            if isChar(c, LineDiscipline.VSTART) { outputStopped = false; return }
            if outputStopped && has(LineDiscipline.IXANY, in: iflag) { outputStopped = false }
        }
        if c == 0x0d {
            if has(LineDiscipline.IGNCR, in: iflag) { return }
            if has(LineDiscipline.ICRNL, in: iflag) { c = 0x0a }
        } else if c == 0x0a && has(LineDiscipline.INLCR, in: iflag) {
            c = 0x0d
        }
        if signalsEnabled {
            var signo: Int32 = 0
            if isChar(c, LineDiscipline.VINTR) { signo = Signal.SIGINT }
            else if isChar(c, LineDiscipline.VQUIT) { signo = Signal.SIGQUIT }
            else if isChar(c, LineDiscipline.VSUSP) { signo = Signal.SIGTSTP }
            if signo != 0 {
                if !has(LineDiscipline.NOFLSH, in: lflag) { flushInput() }
                outputStopped = false
                echoCharacter(c)
                signals.append(signo)
                return
            }
        }
        if isCanonical && edit(c) { return }
        store(c)
    }

    /// Canonical editing characters; true when `c` was one of them.
    private func edit(_ c: UInt8) -> Bool {
        let extended = has(LineDiscipline.IEXTEN, in: lflag)
        if isChar(c, LineDiscipline.VERASE) { erase(.character); return true }
        if isChar(c, LineDiscipline.VKILL) { erase(.line); return true }
        if extended && isChar(c, LineDiscipline.VWERASE) { erase(.word); return true }
        if extended && isChar(c, LineDiscipline.VLNEXT) {
            literalNext = true
            if has(LineDiscipline.ECHO, in: lflag) { emitEcho([0x5e]) } // "^", replaced by the next character
            return true
        }
        if extended && isChar(c, LineDiscipline.VREPRINT) {
            if has(LineDiscipline.ECHO, in: lflag) {
                echoCharacter(c)
                emitEcho([0x0a])
                lineStartColumn = column
                for b in editing { echoCharacter(b) }
            }
            return true
        }
        if isChar(c, LineDiscipline.VEOF) {
            lines.append(editing)   // the EOF character itself is not part of the line
            editing.removeAll()
            lineStartColumn = column
            return true
        }
        return false
    }

    /// Adds a byte to the input: to the line being edited (ending it on a line terminator) or to the raw buffer.
    private func store(_ c: UInt8) {
        if !isCanonical {
            if raw.count >= LineDiscipline.rawLimit { bell(); return }
            raw.append(c)
            if has(LineDiscipline.ECHO, in: lflag) { echoCharacter(c) }
            return
        }
        let endsLine = c == 0x0a || isChar(c, LineDiscipline.VEOL) || isChar(c, LineDiscipline.VEOL2)
        if !endsLine && editing.count >= LineDiscipline.lineLimit { bell(); return }
        editing.append(c)
        if c == 0x0a {
            if has(LineDiscipline.ECHO, in: lflag) || has(LineDiscipline.ECHONL, in: lflag) { emitEcho([0x0a]) }
        } else if has(LineDiscipline.ECHO, in: lflag) {
            echoCharacter(c)
        }
        if endsLine {
            lines.append(editing)
            editing.removeAll()
            lineStartColumn = column
        }
    }

    private func bell() {
        if has(LineDiscipline.IMAXBEL, in: iflag) && has(LineDiscipline.ECHO, in: lflag) { emitEcho([7]) }
    }

    private enum EraseKind { case character, word, line }

    private static func isWordCharacter(_ c: UInt8) -> Bool { c != 0x20 && c != 0x09 }

    /// ERASE, WERASE, KILL: removes from the line being edited and shows it as ECHOE/ECHOK/ECHOKE ask.
    private func erase(_ kind: EraseKind) {
        let echo = has(LineDiscipline.ECHO, in: lflag)
        if editing.isEmpty { return }
        if kind == .line && echo && !(has(LineDiscipline.ECHOE, in: lflag) && has(LineDiscipline.ECHOKE, in: lflag)) {
            // Without visual erasure the kill character is shown, then (ECHOK) a new line.
            editing.removeAll()
            echoCharacter(cc(LineDiscipline.VKILL))
            if has(LineDiscipline.ECHOK, in: lflag) { emitEcho([0x0a]) }
            lineStartColumn = column
            return
        }
        let visual = echo && has(LineDiscipline.ECHOE, in: lflag)
        var seenWord = false
        while let last = editing.last {
            if kind == .word {
                if LineDiscipline.isWordCharacter(last) { seenWord = true } else if seenWord { break }
            }
            var removed = [editing.removeLast()]
            if has(LineDiscipline.IUTF8, in: iflag) {
                // A UTF-8 character goes as a whole: its continuation bytes, then its lead byte.
                while removed[0] & 0xc0 == 0x80, let prev = editing.last { removed.insert(prev, at: 0); editing.removeLast() }
            }
            if visual { rubOut(removed) }
            if kind == .character { break }
        }
        if echo && !visual { echoCharacter(cc(kind == .character ? LineDiscipline.VERASE : LineDiscipline.VWERASE)) }
    }

    /// Moves the cursor back over what `removed` took on screen and blanks it.
    private func rubOut(_ removed: [UInt8]) {
        let c = removed[0]
        if c == 0x09 {
            // The tab's width depends on where the line started and what precedes it.
            var col = lineStartColumn
            for b in editing { col += displayWidth(b, at: col) }
            let width = max(column - col, 0)
            emitEcho([UInt8](repeating: 8, count: width))
            return
        }
        let width = displayWidth(c, at: column)
        var seq: [UInt8] = []
        for _ in 0..<width { seq += [8, 0x20, 8] }
        emitEcho(seq)
    }

    /// Columns a byte takes when echoed (control characters as ^X with ECHOCTL).
    private func displayWidth(_ c: UInt8, at col: Int) -> Int {
        if c == 0x09 { return 8 - col % 8 }
        if c < 0x20 || c == 0x7f { return has(LineDiscipline.ECHOCTL, in: lflag) ? 2 : 0 }
        if c & 0xc0 == 0x80 { return 0 }
        return 1
    }

    /// Echoes one typed byte: control characters as ^X under ECHOCTL (except tab and newline).
    private func echoCharacter(_ c: UInt8) {
        guard has(LineDiscipline.ECHO, in: lflag) else { return }
        if has(LineDiscipline.ECHOCTL, in: lflag) && (c < 0x20 || c == 0x7f) && c != 0x09 && c != 0x0a && c != 0x0d {
            emitEcho([0x5e, c ^ 0x40])
        } else {
            emitEcho([c])
        }
    }

    private func emitEcho(_ bytes: [UInt8]) {
        for b in bytes { processOutput(b) }
    }

    // MARK: Program output

    /// Processes what a program writes (OPOST) into `output`.
    func write(_ bytes: UnsafeRawBufferPointer) {
        if !has(LineDiscipline.OPOST, in: termios.outputFlags) {
            output.append(contentsOf: bytes)
            for b in bytes { advanceColumn(b) }
            return
        }
        for b in bytes { processOutput(b) }
    }

    private func advanceColumn(_ c: UInt8) {
        switch c {
        case 0x0a, 0x0d: column = 0
        case 0x08: column = max(column - 1, 0)
        case 0x09: column += 8 - column % 8
        default: if c >= 0x20 && c != 0x7f && c & 0xc0 != 0x80 { column += 1 }
        }
    }

    private func processOutput(_ byte: UInt8) {
        let oflag = termios.outputFlags
        guard has(LineDiscipline.OPOST, in: oflag) else { output.append(byte); advanceColumn(byte); return }
        var c = byte
        switch c {
        case 0x0a:
            if has(LineDiscipline.ONLCR, in: oflag) { output += [0x0d, 0x0a]; column = 0; return }
            if has(LineDiscipline.ONLRET, in: oflag) { column = 0 }
            output.append(c)   // a bare line feed keeps the column, as n_tty counts it
            return
        case 0x0d:
            if has(LineDiscipline.ONOCR, in: oflag) && column == 0 { return }
            if has(LineDiscipline.OCRNL, in: oflag) {
                c = 0x0a
                if has(LineDiscipline.ONLRET, in: oflag) { column = 0 }
                output.append(c)
                return
            }
        case 0x09:
            if oflag & LineDiscipline.TABDLY == LineDiscipline.XTABS {
                let spaces = 8 - column % 8
                output += [UInt8](repeating: 0x20, count: spaces)
                column += spaces
                return
            }
        default:
            if has(LineDiscipline.OLCUC, in: oflag) && c >= 0x61 && c <= 0x7a { c -= 0x20 }
        }
        output.append(c)
        advanceColumn(c)
    }
}
