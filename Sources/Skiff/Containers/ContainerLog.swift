import Foundation
import OCI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A container's stdout and stderr, kept in `log.json` as docker's json-file driver keeps them:
/// one JSON object per line of output, `{"log":"hi\n","stream":"stdout","time":"…"}`.
enum ContainerLog {
    /// One log line for `bytes` (a line with its newline, or a final fragment).
    static func entry(_ bytes: ArraySlice<UInt8>, stream: String, time: String) -> [UInt8] {
        var out: [UInt8] = Array("{\"log\":\"".utf8)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        // Invalid UTF-8 becomes U+FFFD, as in docker's logs.
        for byte in String(decoding: bytes, as: UTF8.self).utf8 {
            switch byte {
            case 0x22: out.append(0x5c); out.append(0x22)
            case 0x5c: out.append(0x5c); out.append(0x5c)
            case 0x0a: out.append(0x5c); out.append(0x6e)
            case 0x0d: out.append(0x5c); out.append(0x72)
            case 0x09: out.append(0x5c); out.append(0x74)
            case 0..<0x20: out += [0x5c, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        let tail: String = "\",\"stream\":\"" + stream + "\",\"time\":\"" + time + "\"}\n"
        out += Array(tail.utf8)
        return out
    }

    /// One entry of a log line: its text, whether it went to stderr, and when.
    static func parse(_ line: ArraySlice<UInt8>) -> (text: String, stderr: Bool, time: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let text = object["log"] as? String else { return nil }
        return (text, object["stream"] as? String == "stderr", object["time"] as? String ?? "")
    }
}

/// What `skiff logs` shows, and how.
public struct LogOptions: Sendable {
    /// -f: keep printing what the container writes until it stops.
    public var follow = false
    /// --tail N: only the last N lines already logged (nil: all).
    public var tail: Int?
    /// -t: each line prefixed with the time it was written.
    public var timestamps = false
    /// Only what was logged after this many bytes of the log (attach: from when it began).
    public var startOffset: Int?
    public init() {}
}

extension ContainerStore {
    /// The log's size now (where `attach` starts following it).
    public func logSize(_ id: String) -> Int {
        var st = stat()
        return stat(logPath(id), &st) == 0 ? Int(st.st_size) : 0
    }

    /// Prints the container's log: each entry to `stdout` or `stderr` as it was written; with
    /// `follow`, then what it writes next, until no skiff process runs it.
    public func printLog(_ id: String, options: LogOptions = LogOptions(),
                         stdout: (Data) -> Void, stderr: (Data) -> Void) throws(SkiffError) {
        let fd = open(logPath(id), O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno != ENOENT {
            throw SkiffError(.io, "cannot read the log of container \(String(id.prefix(12))): \(String(cString: strerror(errno)))")
        }
        defer { if fd >= 0 { close(fd) } }
        if let start = options.startOffset, fd >= 0 { lseek(fd, off_t(start), SEEK_SET) }
        func emit(_ lines: [ArraySlice<UInt8>]) {
            for line in lines {
                guard let entry = ContainerLog.parse(line) else { continue }
                let text = options.timestamps ? entry.time + " " + entry.text : entry.text
                if entry.stderr { stderr(Data(text.utf8)) } else { stdout(Data(text.utf8)) }
            }
        }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        /// Reads what the log has now; returns its complete lines.
        func readLines() -> [ArraySlice<UInt8>] {
            guard fd >= 0 else { return [] }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += buffer[0..<n]
            }
            guard let last = pending.lastIndex(of: 0x0a) else { return [] }
            let complete = Array(pending[...last])
            pending.removeFirst(last + 1)
            return complete.split(separator: 0x0a)
        }
        var first = readLines()
        if let tail = options.tail { first = Array(first.suffix(max(0, tail))) }
        emit(first)
        guard options.follow else { return }
        while true {
            // Whether it still runs is asked before reading, so nothing written before it ended is missed.
            let running = hasRunner(id)
            emit(readLines())
            if !running { return }
            usleep(50_000)
        }
    }
}

/// Captures what the container writes to descriptors 1 and 2: Skiff's own stdout and stderr are
/// replaced by pipes while the guest runs, and a host thread copies each pipe to where the
/// descriptor pointed before (the terminal, a file…) and to the container's log.
final class ContainerOutputCapture: @unchecked Sendable {
    /// The log, opened for appending (not synced: like the container record, it is written as
    /// the output comes and may lag after a host crash).
    private let log: Int32
    private var saved: [Int32] = []
    private var readEnds: [Int32] = []
    private let done = DispatchSemaphore(value: 0)

    init(logPath: String) throws {
        log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw CaptureError("cannot open the container log \(logPath): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(log) }

    struct CaptureError: Error { let message: String; init(_ m: String) { message = m } }

    /// Swaps descriptors 1 and 2 for pipes and starts copying.
    func begin() throws {
        for fd: Int32 in [1, 2] {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw CaptureError("pipe: \(String(cString: strerror(errno)))") }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            let original = dup(fd)
            _ = fcntl(original, F_SETFD, FD_CLOEXEC)
            saved.append(original)
            dup2(ends[1], fd)
            close(ends[1])
            readEnds.append(ends[0])
        }
        let thread = Thread { [self] in copyLoop(); done.signal() }
        thread.start()
    }

    /// Puts descriptors 1 and 2 back (closing the pipes' write ends), waits for the copy to
    /// drain them, and closes the log.
    func end() {
        for (i, fd) in [Int32(1), 2].enumerated() where i < saved.count {
            dup2(saved[i], fd)
        }
        if !saved.isEmpty { done.wait() }
        for fd in saved { close(fd) }
        saved = []
    }

    private func copyLoop() {
        var open = [true, true]
        var pending: [[UInt8]] = [[], []]
        let streams = ["stdout", "stderr"]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while open.contains(true) {
            var fds = readEnds.enumerated().map { pollfd(fd: open[$0.offset] ? $0.element : -1, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
            for i in 0..<fds.count where open[i] && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(readEnds[i], $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    open[i] = false
                    close(readEnds[i])
                    flush(&pending[i], stream: streams[i], final: true)
                    continue
                }
                buffer.withUnsafeBytes { b in writeAll(saved[i], UnsafeRawBufferPointer(rebasing: b[0..<n])) }
                pending[i] += buffer[0..<n]
                flush(&pending[i], stream: streams[i], final: false)
            }
        }
    }

    /// Logs the complete lines of `pending` (everything when `final`); long lines go in pieces.
    private func flush(_ pending: inout [UInt8], stream: String, final: Bool) {
        var out: [UInt8] = []
        let time = Timestamp.now()
        var start = 0
        for i in pending.indices where pending[i] == UInt8(ascii: "\n") {
            out += ContainerLog.entry(pending[start...i], stream: stream, time: time)
            start = i + 1
        }
        if start < pending.count && (final || pending.count - start >= 16 << 10) {
            out += ContainerLog.entry(pending[start...], stream: stream, time: time)
            start = pending.count
        }
        pending.removeFirst(start)
        if !out.isEmpty { out.withUnsafeBytes { writeAll(log, $0) } }
    }

    private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 { if errno == EINTR { continue }; return }
            done += n
        }
    }
}
