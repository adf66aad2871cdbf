import Foundation

/// Receives progress of layer transfers (pull, push, import). Called from concurrent tasks.
public protocol TransferProgress: Sendable {
    /// A transfer of `total` bytes labelled `label` (a short digest) starts.
    func begin(id: String, label: String, total: Int64)
    /// `bytes` of the transfer are done so far.
    func update(id: String, bytes: Int64)
    /// The transfer ended: "done", "exists", "mounted", "failed".
    func finish(id: String, status: String)
    /// All transfers are over; leave the terminal clean.
    func end()
}

/// No output: `-q`, or stderr is not a terminal.
public struct SilentProgress: TransferProgress {
    public init() {}
    public func begin(id: String, label: String, total: Int64) {}
    public func update(id: String, bytes: Int64) {}
    public func finish(id: String, status: String) {}
    public func end() {}
}

/// A live display on a terminal: one line per layer (bytes done of total) and a total line with
/// the rate, redrawn in place at most ten times a second.
public final class TerminalProgress: TransferProgress, @unchecked Sendable {
    private struct Item { var label: String; var total: Int64; var done: Int64 = 0; var status = "waiting" }
    private let lock = NSLock()
    private var order: [String] = []
    private var items: [String: Item] = [:]
    private var linesDrawn = 0
    private var lastDraw = Date.distantPast
    private let started = Date()
    private let verb: String
    private let write: @Sendable (String) -> Void

    /// `verb` heads active lines ("downloading", "pushing").
    public init(verb: String, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.verb = verb
        self.write = write
    }

    /// Whether stderr is a terminal (progress is shown only then).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }

    public func begin(id: String, label: String, total: Int64) {
        lock.withLock {
            if items[id] == nil { order.append(id) }
            items[id] = Item(label: label, total: total, status: verb)
            draw(force: true)
        }
    }

    public func update(id: String, bytes: Int64) {
        lock.withLock {
            items[id]?.done = bytes
            draw(force: false)
        }
    }

    public func finish(id: String, status: String) {
        lock.withLock {
            if let total = items[id]?.total, status != "failed" { items[id]?.done = total }
            items[id]?.status = status
            draw(force: true)
        }
    }

    public func end() {
        lock.withLock { draw(force: true) }
    }

    private func draw(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        var out = linesDrawn > 0 ? "\u{1B}[\(linesDrawn)A" : ""
        var total: Int64 = 0, done: Int64 = 0
        for id in order {
            guard let item = items[id] else { continue }
            total += item.total
            done += item.done
            let amount = item.status == verb ? "\(formatBytes(item.done)) / \(formatBytes(item.total))" : formatBytes(item.total)
            out += "\u{1B}[2K\(item.label)  \(item.status.padding(toLength: 12, withPad: " ", startingAt: 0)) \(amount)\n"
        }
        let seconds = max(now.timeIntervalSince(started), 0.001)
        out += "\u{1B}[2Ktotal         \(formatBytes(done)) / \(formatBytes(total))  \(formatBytes(Int64(Double(done) / seconds)))/s\n"
        linesDrawn = order.count + 1
        write(out)
    }
}

/// `1.2 MB`, `532 kB`, `17 B` (decimal units, as registries and docker show sizes).
public func formatBytes(_ n: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    if unit == 0 { return "\(n) B" }
    return String(format: value < 10 ? "%.2f" : value < 100 ? "%.1f" : "%.0f", value) + " " + units[unit]
}
