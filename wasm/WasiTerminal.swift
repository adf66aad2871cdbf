#if !SKIFF_SINGLE_MODULE
import LinuxKernel
#endif

// `-t` for a converted module: the container's first process runs on a pseudo-terminal whose line
// discipline is the kernel's own (cooked and raw modes, echo, ^C/^Z/^\ to the foreground group), as
// with `skiff run -t`. WASI has no terminals, so what the host side of that terminal needs comes
// through what every WASI runtime has, with no import of our own (a module with unknown imports
// does not instantiate on wasmtime):
//
// - typed bytes: standard input, read raw (the page's xterm.js sends keys as bytes);
// - screen output: standard output;
// - the window size: the first one from the option `--tty-size ROWSxCOLUMNS` (default 24x80),
//   changes *in band* on standard input as the report `ESC [ 8 ; ROWS ; COLUMNS t` — xterm's
//   "resize the window to ROWS x COLUMNS" control sequence, which a terminal only ever receives
//   from programs and never sends as a key, so it cannot collide with typing. The sequence must
//   arrive within one read (written in one piece; the page's WASI implementation delivers it alone).
//   The WASI host takes it out of the input, keeps the size for `Host.windowSize` and reports the
//   change as a pending SIGWINCH (`Host.takePendingSignals`), which the scheduler turns into
//   TIOCSWINSZ on the guest's terminal and SIGWINCH to its foreground process group.
//
// Any runtime can drive it: `wasmtime out.wasm --tty-size 40x100 /bin/sh -c 'stty size'` prints
// 40 100; a later `ESC [ 8 ; 50 ; 120 t` on its standard input resizes the guest's terminal.

/// The host side of the guest's terminal inside a WASI module.
public final class WasiTerminal {
    /// Where typed bytes come from (standard input), or nil with `--no-stdin`.
    public let input: HostFD?
    /// Where the screen output goes (standard output).
    public let output: HostFD
    /// The window size the guest sees.
    public private(set) var size: WindowSize
    private var resized = false

    public init(input: HostFD?, output: HostFD = 1, size: WindowSize) {
        self.input = input
        self.output = output
        self.size = size
    }

    /// The kernel's `-t` set-up for this terminal.
    public var setup: TerminalSetup { TerminalSetup(input: input, output: output) }

    /// "ROWSxCOLUMNS" (e.g. "24x80"), nil when malformed or out of range.
    public static func parseSize(_ text: String) -> WindowSize? {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let rows = UInt16(String(parts[0])), let columns = UInt16(String(parts[1])),
              rows > 0, columns > 0 else { return nil }
        return WindowSize(rows: rows, columns: columns)
    }

    /// Whether `fd` is one of the host descriptors behind the guest's terminal.
    public func covers(_ fd: HostFD) -> Bool { fd == output || fd == input }

    /// Reads typed bytes from standard input into `buffer`, taking window-size reports out of
    /// them. A read that held nothing but reports is EAGAIN (nothing typed; not end of file).
    public func read(_ fd: HostFD, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        let n = Int(try checkTerminal(wasiRead(fd, buffer.baseAddress, buffer.count)))
        if n == 0 { return 0 }
        let kept = filter(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
        if kept == 0 { throw .EAGAIN }
        return kept
    }

    /// Removes every complete `ESC [ 8 ; ROWS ; COLUMNS t` from `bytes` (compacting the rest to
    /// the front), applies the last one, and returns how many bytes are left.
    func filter(_ bytes: UnsafeMutableRawBufferPointer) -> Int {
        var out = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1B, let (length, reported) = sizeReport(bytes, at: i) {
                if reported != size {
                    size = reported
                    resized = true
                }
                i += length
                continue
            }
            bytes[out] = bytes[i]
            out += 1
            i += 1
        }
        return out
    }

    /// The report starting at `start` (ESC), as its length and size, if it is a complete one.
    private func sizeReport(_ bytes: UnsafeMutableRawBufferPointer, at start: Int) -> (Int, WindowSize)? {
        let prefix: [UInt8] = [0x1B, 0x5B, 0x38, 0x3B]   // ESC [ 8 ;
        guard start + prefix.count < bytes.count else { return nil }
        for k in 0..<prefix.count where bytes[start + k] != prefix[k] { return nil }
        var i = start + prefix.count
        var numbers: [Int] = [0, 0]
        for which in 0..<2 {
            var digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 5 {
                numbers[which] = numbers[which] * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0, i < bytes.count else { return nil }
            let separator: UInt8 = which == 0 ? 0x3B : 0x74   // ';' then 't'
            guard bytes[i] == separator else { return nil }
            i += 1
        }
        guard numbers[0] > 0, numbers[0] <= 0xFFFF, numbers[1] > 0, numbers[1] <= 0xFFFF else { return nil }
        return (i - start, WindowSize(rows: UInt16(numbers[0]), columns: UInt16(numbers[1])))
    }

    /// SIGWINCH when the size changed since the last call (the scheduler then asks `size`).
    public func takePendingSignals() -> UInt64 {
        guard resized else { return 0 }
        resized = false
        return 1 << 27   // SIGWINCH (28)
    }
}

private func checkTerminal(_ result: Int64) throws(Errno) -> Int64 {
    if result < 0 { throw Errno(Int32(truncatingIfNeeded: -result)) }
    return result
}
