import Foundation
import OCI

/// Everything Skiff keeps about one container, as `config.json` in its directory: how it was
/// created (image, process, mounts) and its last state. Written atomically on every change.
public struct ContainerRecord: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    /// When it was created (ISO 8601).
    public var created: String
    /// The image as the user named it, the stored name it resolved to, and its manifest digest.
    public var image: String
    public var imageName: String
    public var imageDigest: String
    public var process: ProcessSpec
    public var hostname: String
    public var readOnly: Bool
    public var tmpfs: [String]
    public var mounts: [BindMount]
    public var autoRemove: Bool
    public var labels: [String: String]
    /// --memory and --pids-limit (absent in records of older Skiff versions).
    public var limits: Limits?
    /// --network and -p, as given (absent: the host network).
    public var network: NetworkSettings?
    /// -t (absent: no terminal).
    public var tty: Bool?
    /// --init: the kernel reaps orphans (absent: the first process does, as on Linux).
    public var reapsOrphans: Bool?
    public var state: State
    /// --restart as given ("no", "on-failure[:N]", "always", "unless-stopped"; absent: no).
    public var restartPolicy: String? = nil

    public struct NetworkSettings: Codable, Equatable, Sendable {
        public var mode: String
        public var publish: [String]

        /// What the runner configures (checked when the container was created).
        func resolved() throws(SkiffError) -> ContainerNetwork {
            var result = ContainerNetwork()
            result.mode = try ContainerNetwork.mode(mode)
            result.publishedPorts = try publish.map { p throws(SkiffError) in try PortPublication.parse(p) }
            return result
        }
    }

    public struct Limits: Codable, Equatable, Sendable {
        public var memory: UInt64?
        public var pids: Int?
        /// `--storage-opt size=`: the writable layer's cap in bytes (nil: the default cap).
        public var storage: UInt64?
    }

    public struct ProcessSpec: Codable, Equatable, Sendable {
        /// argv; argv[0] as given (resolved through PATH at start).
        public var arguments: [String]
        public var environment: [String]
        public var workingDirectory: String
        /// The `-u` value (or the image's User) and what it resolved to.
        public var userSpec: String
        public var uid: UInt32
        public var gid: UInt32
        public var groups: [UInt32]
        public var interactive: Bool
    }

    public struct BindMount: Codable, Equatable, Sendable {
        public var source: String
        public var target: String
        public var readOnly: Bool
        public init(source: String, target: String, readOnly: Bool) {
            self.source = source
            self.target = target
            self.readOnly = readOnly
        }
    }

    public struct State: Codable, Equatable, Sendable {
        /// `restarting`: between two runs of a container with a --restart policy (its skiff
        /// process waits before starting it again).
        public enum Status: String, Codable, Sendable { case created, running, restarting, exited }
        public var status: Status = .created
        public var exitCode: Int32 = 0
        public var startedAt: String?
        public var finishedAt: String?
        /// The host process running it (while running).
        public var pid: Int32?
        /// How many times the --restart policy started it again (absent: never).
        public var restartCount: Int? = nil
    }

    public var shortID: String { String(id.prefix(12)) }

    /// The command as `skiff ps` shows it.
    public var commandLine: String { process.arguments.joined(separator: " ") }
}

enum Timestamp {
    /// Now in UTC, "2026-11-21T08:45:40.123Z" (formatted by hand: a date formatter costs
    /// milliseconds at every container start).
    static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T\(pad(tm.tm_hour, 2)):"
            + "\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }

    static func parse(_ s: String?) -> Date? {
        guard let s else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s) ?? ISO8601DateFormatter().date(from: s)
    }

    /// "3 seconds", "5 minutes", "2 hours" (as docker ps prints durations).
    static func humanDuration(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds))
        if s < 1 { return "Less than a second" }
        if s < 60 { return s == 1 ? "1 second" : "\(s) seconds" }
        let m = s / 60
        if m < 60 { return m == 1 ? "About a minute" : "\(m) minutes" }
        let h = m / 60
        if h < 48 { return h == 1 ? "About an hour" : "\(h) hours" }
        let d = h / 24
        if d < 14 { return "\(d) days" }
        return "\(d / 7) weeks"
    }
}
