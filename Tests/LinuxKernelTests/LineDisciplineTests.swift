@testable import LinuxKernel
import XCTest

/// The N_TTY line discipline on its own: what typing produces for a reader and on the screen.
final class LineDisciplineTests: XCTestCase {
    private func typed(_ s: String, into ld: LineDiscipline = LineDiscipline()) -> LineDiscipline {
        ld.receive(Array(s.utf8))
        return ld
    }

    private func screen(_ ld: LineDiscipline) -> String {
        defer { ld.output.removeAll() }
        return String(decoding: ld.output, as: UTF8.self)
    }

    func testCanonicalLineIsReadableOnlyWhenComplete() {
        let ld = typed("ab")
        XCTAssertFalse(ld.readable(minimum: 1))
        XCTAssertEqual(screen(ld), "ab")
        ld.receive([0x0d])                                   // Enter sends CR; ICRNL makes it NL
        XCTAssertTrue(ld.readable(minimum: 1))
        XCTAssertEqual(screen(ld), "\r\n")                   // echoed NL goes through ONLCR
        XCTAssertEqual(ld.take(100), Array("ab\n".utf8))
    }

    func testReadTakesOneLineAtATimeAndPartialLines() {
        let ld = typed("one\ntwo\n")
        XCTAssertEqual(ld.take(2), Array("on".utf8))
        XCTAssertEqual(ld.take(100), Array("e\n".utf8))
        XCTAssertEqual(ld.take(100), Array("two\n".utf8))
        XCTAssertEqual(ld.take(100), [])
    }

    func testEraseKillAndWordErase() {
        let ld = typed("abc\u{7f}d")
        XCTAssertEqual(screen(ld), "abc\u{8} \u{8}d")
        ld.receive(Array("  x yz\u{17}".utf8))               // ^W removes "yz"
        ld.receive(Array("\n".utf8))
        XCTAssertEqual(ld.take(100), Array("abd  x \n".utf8))
        _ = screen(ld)
        ld.receive(Array("junk\u{15}ok\n".utf8))             // ^U kills the line (ECHOKE: erased on screen)
        XCTAssertEqual(ld.take(100), Array("ok\n".utf8))
        XCTAssertEqual(screen(ld), "junk" + String(repeating: "\u{8} \u{8}", count: 4) + "ok\r\n")
    }

    func testKillWithoutEchokeShowsKillCharacterAndNewline() {
        let ld = LineDiscipline()
        ld.termios.localFlags &= ~LineDiscipline.ECHOKE
        ld.receive(Array("xy\u{15}".utf8))
        XCTAssertEqual(screen(ld), "xy^U\r\n")
    }

    func testEraseWithoutEchoeEchoesTheEraseCharacter() {
        let ld = LineDiscipline()
        ld.termios.localFlags &= ~LineDiscipline.ECHOE
        ld.receive(Array("xy\u{7f}\n".utf8))
        XCTAssertEqual(screen(ld), "xy^?\r\n")
        XCTAssertEqual(ld.take(10), Array("x\n".utf8))
    }

    func testEndOfFileEndsLineWithoutTheCharacter() {
        let ld = typed("ab\u{4}\u{4}")
        XCTAssertEqual(ld.take(100), Array("ab".utf8))
        XCTAssertTrue(ld.readable(minimum: 1))               // the second ^D: an empty line = end of file
        XCTAssertEqual(ld.take(100), [])
        XCTAssertFalse(ld.readable(minimum: 1))
        XCTAssertEqual(screen(ld), "ab")
    }

    func testKeyboardSignalsFlushInputAndEchoAsCaret() {
        let ld = typed("partial\u{3}")
        XCTAssertEqual(ld.signals, [Signal.SIGINT])
        XCTAssertEqual(screen(ld), "partial^C")
        ld.receive(Array("\n".utf8))
        XCTAssertEqual(ld.take(100), Array("\n".utf8))       // "partial" was discarded
        ld.signals.removeAll()
        ld.receive([0x1a, 0x1c])
        XCTAssertEqual(ld.signals, [Signal.SIGTSTP, Signal.SIGQUIT])
        ld.termios.localFlags &= ~LineDiscipline.ISIG
        ld.signals.removeAll()
        ld.receive([0x03])
        XCTAssertEqual(ld.signals, [])
    }

    func testEchoOffAndRawMode() {
        let ld = LineDiscipline()
        ld.termios.localFlags &= ~(LineDiscipline.ECHO | LineDiscipline.ICANON)
        ld.termios.inputFlags &= ~LineDiscipline.ICRNL
        ld.receive(Array("a\r\u{7f}".utf8))
        XCTAssertEqual(screen(ld), "")
        XCTAssertTrue(ld.readable(minimum: 3))
        XCTAssertFalse(ld.readable(minimum: 4))
        XCTAssertEqual(ld.take(2), Array("a\r".utf8))
        XCTAssertEqual(ld.take(2), [0x7f])
    }

    func testSwitchingModesKeepsPendingInput() {
        let ld = typed("line\npart")
        ld.termios.localFlags &= ~LineDiscipline.ICANON
        XCTAssertEqual(ld.take(100), Array("line\npart".utf8))
        ld.receive(Array("xy".utf8))
        ld.termios.localFlags |= LineDiscipline.ICANON
        XCTAssertFalse(ld.readable(minimum: 1))
        ld.receive([0x0a])
        XCTAssertEqual(ld.take(100), Array("xy\n".utf8))
    }

    func testInputTranslations() {
        let ld = LineDiscipline()
        ld.termios.inputFlags = LineDiscipline.IGNCR
        ld.receive(Array("a\rb\n".utf8))
        XCTAssertEqual(ld.take(100), Array("ab\n".utf8))
        ld.termios.inputFlags = LineDiscipline.INLCR
        ld.termios.localFlags &= ~LineDiscipline.ICANON
        ld.receive([0x0a])
        XCTAssertEqual(ld.take(100), [0x0d])
    }

    func testOutputProcessing() {
        let ld = LineDiscipline()
        Array("a\nb".utf8).withUnsafeBytes { ld.write($0) }
        XCTAssertEqual(screen(ld), "a\r\nb")
        ld.termios.outputFlags = LineDiscipline.OPOST | LineDiscipline.XTABS
        Array("ab\tc\n".utf8).withUnsafeBytes { ld.write($0) }       // the cursor is after "b" (column 1)
        XCTAssertEqual(screen(ld), "ab     c\n")
        Array("\r\tx".utf8).withUnsafeBytes { ld.write($0) }          // after a carriage return, column 0
        XCTAssertEqual(screen(ld), "\r        x")
        ld.termios.outputFlags = 0
        Array("x\ny".utf8).withUnsafeBytes { ld.write($0) }
        XCTAssertEqual(screen(ld), "x\ny")
    }

    func testControlCharactersEchoAsCaretAndLiteralNext() {
        let ld = typed("\u{1}\u{16}\u{3}\n")                  // ^A, then ^V ^C: a literal ^C, no signal
        XCTAssertEqual(ld.signals, [])
        XCTAssertEqual(ld.take(100), [1, 3, 0x0a])
        XCTAssertEqual(screen(ld), "^A^\u{8}^C\r\n")
    }

    func testFlowControl() {
        let ld = typed("\u{13}")
        XCTAssertTrue(ld.outputStopped)
        ld.receive([0x11])
        XCTAssertFalse(ld.outputStopped)
        XCTAssertEqual(ld.take(10), [])
    }

    func testUTF8CharacterErasedWhole() {
        let ld = typed("é\u{7f}\n")
        XCTAssertEqual(ld.take(10), [0x0a])
    }
}
