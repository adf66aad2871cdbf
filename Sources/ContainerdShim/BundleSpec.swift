import Foundation

/// An OCI runtime-spec `process` object: the container's (in config.json) or an exec's
/// (ExecProcessRequest's spec, the same JSON). The user is read but not applied: a `--rootfs`
/// run is root's (docs/containerd.md).
public struct ProcessSpec {
    public var arguments: [String]
    public var environment: [String]
    public var workingDirectory: String
    public var terminal: Bool
    public var uid: UInt32
    public var gid: UInt32

    init(_ process: [String: Any]) {
        arguments = process["args"] as? [String] ?? []
        environment = process["env"] as? [String] ?? []
        workingDirectory = process["cwd"] as? String ?? "/"
        if workingDirectory.isEmpty { workingDirectory = "/" }
        terminal = process["terminal"] as? Bool ?? false
        let user = process["user"] as? [String: Any] ?? [:]
        uid = (user["uid"] as? NSNumber)?.uint32Value ?? 0
        gid = (user["gid"] as? NSNumber)?.uint32Value ?? 0
    }

    /// An exec's spec (JSON bytes of a google.protobuf.Any's value).
    init(json data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TTRPCError.invalidArgument("the exec's process spec is not a JSON object")
        }
        self.init(object)
        guard !arguments.isEmpty else { throw TTRPCError.invalidArgument("the exec's process spec has no args") }
    }
}

/// What the shim reads from an OCI runtime bundle's `config.json` (the runtime spec containerd
/// writes): the process, the root and the mounts.
public struct BundleSpec {
    public struct Mount {
        public var type: String
        public var source: String
        public var destination: String
        public var options: [String]
    }
    public var process: ProcessSpec
    public var arguments: [String] { process.arguments }
    public var environment: [String] { process.environment }
    public var workingDirectory: String { process.workingDirectory }
    public var terminal: Bool { process.terminal }
    public var rootPath: String
    public var rootReadOnly: Bool
    public var mounts: [Mount]
    public var hostname: String?
    public var memoryLimit: UInt64?

    public init(bundle: String) throws {
        let path = bundle + "/config.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TTRPCError.notFound("the bundle has no config.json (\(path))")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TTRPCError.invalidArgument("\(path) is not a JSON object")
        }
        process = ProcessSpec(json["process"] as? [String: Any] ?? [:])
        let root = json["root"] as? [String: Any] ?? [:]
        rootPath = root["path"] as? String ?? "rootfs"
        if !rootPath.hasPrefix("/") { rootPath = bundle + "/" + rootPath }
        rootReadOnly = root["readonly"] as? Bool ?? false
        hostname = json["hostname"] as? String
        mounts = (json["mounts"] as? [[String: Any]] ?? []).map { m in
            Mount(type: m["type"] as? String ?? "", source: m["source"] as? String ?? "",
                  destination: m["destination"] as? String ?? "", options: m["options"] as? [String] ?? [])
        }
        let linux = json["linux"] as? [String: Any] ?? [:]
        let resources = linux["resources"] as? [String: Any] ?? [:]
        let memory = resources["memory"] as? [String: Any] ?? [:]
        if let limit = (memory["limit"] as? NSNumber)?.int64Value, limit > 0 { memoryLimit = UInt64(limit) }
        guard !arguments.isEmpty else { throw TTRPCError.invalidArgument("config.json gives the process no args") }
    }

    /// Whether the command is a WebAssembly module (its file begins with `\0asm`), found in the
    /// root as `skiff run --rootfs` finds it (PATH for a bare name); such a task runs on WasmKit.
    public var commandIsModule: Bool {
        let name = arguments[0]
        let path = environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        let candidates = name.contains("/") ? [name.hasPrefix("/") ? name : workingDirectory + "/" + name]
            : path.split(separator: ":").map { $0 + "/" + name } + ["/" + name]
        return candidates.contains { candidate in
            guard let file = FileHandle(forReadingAtPath: rootPath + "/" + candidate) else { return false }
            defer { try? file.close() }
            return (try? file.read(upToCount: 4)) == Data([0, 0x61, 0x73, 0x6d])
        }
    }

    /// Mounts Skiff provides itself (its kernel has its own /proc, /dev, /sys, /dev/pts, /dev/shm):
    /// the runtime spec's defaults are accepted and left to it.
    static let providedTypes: Set<String> = ["proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2"]

    /// The bind mounts to carry out: (host, container path, read-only). Throws for a mount type
    /// Skiff cannot give a container.
    public func bindMounts() throws -> [(source: String, target: String, readOnly: Bool)] {
        var result: [(source: String, target: String, readOnly: Bool)] = []
        for m in mounts {
            if m.type == "bind" || m.options.contains("bind") || m.options.contains("rbind") {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: m.source, isDirectory: &isDirectory) else {
                    throw TTRPCError.invalidArgument("bind mount source \(m.source) does not exist")
                }
                // containerd binds these files into every container; Skiff generates its own.
                if ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"].contains(m.destination) { continue }
                guard isDirectory.boolValue else {
                    throw TTRPCError.invalidArgument("bind mount of the file \(m.source) at \(m.destination): Skiff's shim binds directories only")
                }
                result.append((m.source, m.destination, m.options.contains("ro")))
            } else if Self.providedTypes.contains(m.type) {
                continue
            } else {
                throw TTRPCError.invalidArgument("unsupported mount type '\(m.type)' at \(m.destination) (Skiff's shim takes bind mounts and provides proc, sysfs, tmpfs, devpts, mqueue and cgroup itself)")
            }
        }
        return result
    }
}
