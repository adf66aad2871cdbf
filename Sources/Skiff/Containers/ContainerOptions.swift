import Foundation
import OCI
import LinuxKernel

/// `skiff run` options, as docker run takes them (parsed by the CLI, checked here).
public struct ContainerOptions: Sendable {
    public var image: String
    /// COMMAND [ARG...] after the image: replaces the image's Cmd.
    public var command: [String] = []
    /// `--entrypoint`: replaces the image's Entrypoint and clears its Cmd ("" clears both).
    public var entrypoint: String?
    /// `-e K=V` or `-e K` (the host's value, skipped when the host has none).
    public var environment: [String] = []
    public var environmentFiles: [String] = []
    public var workingDirectory: String?
    public var user: String?
    public var hostname: String?
    public var readOnly = false
    /// `--tmpfs PATH[:options]`
    public var tmpfs: [String] = []
    /// `-v HOST:GUEST[:ro|rw]`
    public var volumes: [String] = []
    /// `--mount type=bind,source=…,target=…[,readonly]`
    public var mounts: [String] = []
    public var autoRemove = false
    public var name: String?
    public var interactive = false
    /// --platform (nil: none asked for: the host default, or any platform Skiff runs).
    public var platform: Platform?
    public var pull: PullPolicy = .missing
    public var labels: [String] = []
    public var traceSystemCalls = false
    /// `--memory`: 512m, 1g, 100000k, bytes.
    public var memory: String?
    /// `--pids-limit`: threads and processes at once (0 or -1: no limit, as docker).
    public var pidsLimit: Int?
    /// `--storage-opt size=N` (docker's spelling; size is the only option).
    public var storageOptions: [String] = []
    /// `--network` (host or none) and `-p` publications.
    public var network = "host"
    public var publish: [String] = []
    /// `-t`
    public var tty = false
    /// `--init`
    public var reapsOrphans = false

    public enum PullPolicy: String, Sendable { case missing, always, never }

    public init(image: String) { self.image = image }

    // MARK: Checking

    /// `--memory` in bytes: a number with an optional b, k, m or g suffix (powers of 1024), as docker.
    static func parseMemory(_ text: String) throws(SkiffError) -> UInt64 {
        let bytes = try parseBytes(text, option: "--memory")
        if bytes < 6 << 20 { throw SkiffError(.invalidArgument, "invalid --memory '\(text)': the minimum is 6m (as docker)") }
        return bytes
    }

    /// A size in bytes: a number with an optional b, k, m, g or t suffix (powers of 1024; "10G",
    /// "512mb" as docker's --storage-opt also reads them).
    static func parseBytes(_ text: String, option: String) throws(SkiffError) -> UInt64 {
        var lower = Substring(text.lowercased())
        if lower.count > 2, lower.hasSuffix("b"), let c = lower.dropLast().last, "kmgt".contains(c) { lower = lower.dropLast() }
        var digits = lower
        var unit: UInt64 = 1
        let invalid = SkiffError(.invalidArgument, "invalid \(option) '\(text)': use a number of bytes with an optional unit b, k, m, g or t")
        if let last = lower.last, !last.isNumber {
            switch last {
            case "b": unit = 1
            case "k": unit = 1 << 10
            case "m": unit = 1 << 20
            case "g": unit = 1 << 30
            case "t": unit = 1 << 40
            default: throw invalid
            }
            digits = digits.dropLast()
        }
        guard let n = UInt64(digits), n > 0, n <= UInt64.max / unit else { throw invalid }
        return n * unit
    }

    /// The writable layer's cap when `--storage-opt size=` does not give one (docs/reliability.md).
    public static let defaultStorageLimit: UInt64 = 10 << 30

    /// `--storage-opt size=N`: the cap in bytes (nil when no option was given).
    func storageLimit() throws(SkiffError) -> UInt64? {
        var size: UInt64?
        for option in storageOptions {
            let kv = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, kv[0].lowercased() == "size" else {
                throw SkiffError(.invalidArgument, "invalid --storage-opt '\(option)': Skiff knows only size=N (e.g. size=10G)")
            }
            size = try Self.parseBytes(kv[1], option: "--storage-opt size")
        }
        return size
    }

    /// The limits the container runs with.
    func resourceLimits() throws(SkiffError) -> ContainerRecord.Limits {
        var limits = ContainerRecord.Limits()
        if let memory { limits.memory = try Self.parseMemory(memory) }
        if let p = pidsLimit, p > 0 { limits.pids = p }
        limits.storage = try storageLimit()
        return limits
    }

    /// Bind mounts from `-v` and `--mount`, with absolute, existing host paths.
    func bindMounts() throws(SkiffError) -> [ContainerRecord.BindMount] {
        var result: [ContainerRecord.BindMount] = []
        for v in volumes { result.append(try Self.parseVolume(v)) }
        for m in mounts { result.append(try Self.parseMount(m)) }
        var seen = Set<String>()
        for m in result where !seen.insert(m.target).inserted {
            throw SkiffError(.invalidArgument, "duplicate mount point: \(m.target)")
        }
        return result
    }

    /// `-v HOST:GUEST[:OPTIONS]`; a missing host directory is created (as docker does).
    static func parseVolume(_ spec: String) throws(SkiffError) -> ContainerRecord.BindMount {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SkiffError(.invalidArgument, "invalid volume specification '\(spec)': expected HOST-DIR:CONTAINER-PATH[:ro|rw]")
        }
        var readOnly = false
        if parts.count == 3 {
            for option in parts[2].split(separator: ",").map(String.init) {
                switch option {
                case "ro", "readonly": readOnly = true
                case "rw": readOnly = false
                case "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared", "nocopy":
                    break // SELinux labels and propagation: nothing to do without a kernel mount
                default:
                    throw SkiffError(.invalidArgument, "invalid volume specification '\(spec)': unknown option '\(option)'")
                }
            }
        }
        guard parts[0].hasPrefix("/") || parts[0].hasPrefix(".") || parts[0].hasPrefix("~") else {
            throw SkiffError(.unsupported, "invalid volume specification '\(spec)': '\(parts[0])' would be a named volume, which Skiff does not have; give a host path (absolute, or starting with ./)")
        }
        let source = try hostPath(parts[0], create: true, spec: spec)
        return ContainerRecord.BindMount(source: source, target: try containerPath(parts[1], spec: spec), readOnly: readOnly)
    }

    /// `--mount type=bind,source=…,target=…[,readonly]` (also src, dst, destination, ro).
    static func parseMount(_ spec: String) throws(SkiffError) -> ContainerRecord.BindMount {
        var type: String?, source: String?, target: String?, readOnly = false
        for field in spec.split(separator: ",") {
            let kv = field.split(separator: "=", maxSplits: 1).map(String.init)
            let key = kv[0], value = kv.count > 1 ? kv[1] : nil
            switch key {
            case "type": type = value
            case "source", "src": source = value
            case "target", "destination", "dst": target = value
            case "readonly", "ro":
                guard let value else { readOnly = true; continue }
                switch value {
                case "true", "1": readOnly = true
                case "false", "0": readOnly = false
                default: throw SkiffError(.invalidArgument, "invalid mount '\(spec)': readonly must be true or false")
                }
            case "bind-propagation", "consistency": break
            default:
                throw SkiffError(.invalidArgument, "invalid mount '\(spec)': unknown field '\(key)'")
            }
        }
        guard let type else { throw SkiffError(.invalidArgument, "invalid mount '\(spec)': type is required (type=bind)") }
        guard type == "bind" else {
            throw SkiffError(.unsupported, "invalid mount '\(spec)': only type=bind is supported (use --tmpfs for tmpfs)")
        }
        guard let source, !source.isEmpty else { throw SkiffError(.invalidArgument, "invalid mount '\(spec)': source is required") }
        guard let target, !target.isEmpty else { throw SkiffError(.invalidArgument, "invalid mount '\(spec)': target is required") }
        return ContainerRecord.BindMount(source: try hostPath(source, create: false, spec: spec),
                                         target: try containerPath(target, spec: spec), readOnly: readOnly)
    }

    static func hostPath(_ path: String, create: Bool, spec: String) throws(SkiffError) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        let url = URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard create else { throw SkiffError(.notFound, "invalid mount '\(spec)': bind source path does not exist: \(url.path)") }
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw SkiffError(.io, "cannot create the host directory \(url.path) for '\(spec)': \(error.localizedDescription)")
            }
        }
        return url.path
    }

    static func containerPath(_ path: String, spec: String) throws(SkiffError) -> String {
        guard path.hasPrefix("/") else {
            throw SkiffError(.invalidArgument, "invalid mount '\(spec)': the container path '\(path)' must be absolute")
        }
        let components: [String] = path.split(separator: "/").map(String.init).filter { $0 != "." }
        let normalized = "/" + components.joined(separator: "/")
        if normalized == "/" { throw SkiffError(.invalidArgument, "invalid mount '\(spec)': cannot mount over the container's root") }
        if components.contains("..") {
            throw SkiffError(.invalidArgument, "invalid mount '\(spec)': the container path must not contain '..'")
        }
        return normalized
    }

    /// `--tmpfs PATH[:OPTIONS]` paths (options such as size are accepted and not enforced).
    func tmpfsPaths() throws(SkiffError) -> [String] {
        var result: [String] = []
        for t in tmpfs {
            let path = String(t.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
            result.append(try Self.containerPath(path, spec: "--tmpfs \(t)"))
        }
        return result
    }

    /// Environment entries from `--env-file` files (K=V or K lines; # comments and blank lines skipped),
    /// then `-e`; `K` alone takes the host's value and is dropped when the host has none (as docker).
    func environmentSettings() throws(SkiffError) -> [String] {
        var settings: [String] = []
        for file in environmentFiles {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SkiffError(.notFound, "cannot read --env-file \(file)")
            }
            for raw in text.components(separatedBy: "\n") {
                let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if line.isEmpty || line.hasPrefix("#") { continue }
                settings.append(line)
            }
        }
        settings += environment
        var result: [String] = []
        for s in settings {
            if let eq = s.firstIndex(of: "=") {
                if eq == s.startIndex { throw SkiffError(.invalidArgument, "invalid environment variable: \(s)") }
                result.append(s)
            } else if let value = ProcessInfo.processInfo.environment[s] {
                result.append("\(s)=\(value)")
            }
        }
        return result
    }
}

extension ContainerUserResolver {
    /// `resolve`, with docker's "not found" error.
    func resolveForContainer(_ spec: String) throws(SkiffError) -> Resolved {
        do throws(UserLookupError) { return try resolve(spec) } catch { throw SkiffError(.notFound, error.message) }
    }
}
