import Foundation

/// What a client asks the skiff process running a container (`skiff exec`, `cp` into it, `top`,
/// `attach`; containerd's shim: exec, kill and resize of exec'd processes). The process listens
/// on `control.sock` in the container's directory (or, for `skiff run --rootfs --control-dir
/// DIR`, in DIR); a request is one message: a 4-byte length, a JSON object, and (exec) the
/// client's standard streams as SCM_RIGHTS descriptors (see `ControlMessage`). The answer is
/// text lines: `pid N` (exec with `reportPid`, at once), `exit N` when an exec'd process ends,
/// `ok`, `error STATUS MESSAGE`, or top's table, then the connection is closed.
public struct ControlRequest {
    public enum Operation: String { case exec, copyIn = "cp-in", top, attach, signal, resize }
    public var operation: Operation
    public var arguments: [String] = []
    /// exec: `-e` settings added to the container's environment.
    public var environment: [String] = []
    public var workingDirectory: String?
    public var user: String?
    /// exec -t, -i.
    public var tty = false
    public var interactive = false
    /// exec: answer `pid N` (the guest's pid) as soon as the process has started.
    public var reportPid = false
    /// cp-in: the absolute host path and the container path.
    public var source: String?
    public var destination: String?
    /// signal, resize: a process an exec request of this server started.
    public var pid: Int32?
    /// signal: the signal's number.
    public var signal: Int32?
    /// resize: the terminal's new size.
    public var rows: UInt16?
    public var columns: UInt16?

    public init(_ operation: Operation) { self.operation = operation }

    public var json: [String: Any] {
        var o: [String: Any] = ["op": operation.rawValue, "args": arguments, "env": environment, "tty": tty, "interactive": interactive]
        if reportPid { o["reportPid"] = true }
        if let workingDirectory { o["cwd"] = workingDirectory }
        if let user { o["user"] = user }
        if let source { o["source"] = source }
        if let destination { o["destination"] = destination }
        if let pid { o["pid"] = Int(pid) }
        if let signal { o["signal"] = Int(signal) }
        if let rows { o["rows"] = Int(rows) }
        if let columns { o["columns"] = Int(columns) }
        return o
    }

    public init?(json: [String: Any]) {
        guard let op = (json["op"] as? String).flatMap(Operation.init(rawValue:)) else { return nil }
        operation = op
        arguments = json["args"] as? [String] ?? []
        environment = json["env"] as? [String] ?? []
        workingDirectory = json["cwd"] as? String
        user = json["user"] as? String
        tty = json["tty"] as? Bool ?? false
        interactive = json["interactive"] as? Bool ?? false
        reportPid = json["reportPid"] as? Bool ?? false
        source = json["source"] as? String
        destination = json["destination"] as? String
        func number<T: FixedWidthInteger>(_ key: String) -> T? { (json[key] as? Int).flatMap { T(exactly: $0) } }
        pid = number("pid")
        signal = number("signal")
        rows = number("rows")
        columns = number("columns")
    }
}
