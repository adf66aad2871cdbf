import Foundation
import LinuxKernel
import Logging
import OCI
import PosixHost

/// `skiff run`/`create`: finds (or pulls) the image, works out the container's process from the
/// image config and the options (as docker does), and records a new container with an empty
/// writable layer. Nothing is left behind when any of it fails.
public struct ContainerCreator {
    public let images: ImageStore
    public let containers: ContainerStore
    public var registry = RegistryOptions()
    public var progress: any TransferProgress = SilentProgress()
    public var logger = Logger(label: "skiff.run")

    public init(images: ImageStore, containers: ContainerStore) {
        self.images = images
        self.containers = containers
    }

    /// The image `options.image` names, pulled first if the store lacks it (per `--pull`).
    public func image(_ options: ContainerOptions) async throws -> StoredImage {
        let local = try localImage(options)
        if let local, options.pull != .always {
            try checkPlatform(local, options)
            return local
        }
        let reference = try ImageReference(parsing: options.image)
        if local == nil { printStatus("Unable to find image '\(reference.familiar)' locally") }
        let result = try await ImagePuller(store: images, options: registry, progress: progress, logger: logger)
            .pull(reference, platform: options.platform)
        printStatus("Pulled \(reference.familiar) (\(result.image.digest))")
        try checkPlatform(result.image, options)
        return result.image
    }

    /// The stored image when it is to be used without pulling (not `--pull always`); nil when it
    /// must be pulled. Synchronous: `skiff run` of a stored image never starts the network code.
    public func imageWithoutPulling(_ options: ContainerOptions) throws(SkiffError) -> StoredImage? {
        guard options.pull != .always, let local = try localImage(options) else { return nil }
        try checkPlatform(local, options)
        return local
    }

    /// The stored image, or nil when the store lacks it and pulling is allowed.
    private func localImage(_ options: ContainerOptions) throws(SkiffError) -> StoredImage? {
        do {
            return try images.image(options.image)
        } catch where error.code == .notFound {
            if options.pull == .never {
                throw SkiffError(.notFound, "no image '\(options.image)' in the local store, and --pull=never")
            }
            return nil
        }
    }

    private func printStatus(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func checkPlatform(_ image: StoredImage, _ options: ContainerOptions) throws(SkiffError) {
        guard Platform.takes(image.platform, for: options.platform) else {
            let runs = options.platform.map { "\($0) images were asked for" }
                ?? "Skiff runs \(Platform.runnable.map(\.description).joined(separator: ", ")) and WASI images"
            throw SkiffError(.unsupported, "image \(image.name) is for \(image.platform); \(runs)")
        }
    }

    /// Creates the container from the image and runs it (`skiff run`); its exit status. The
    /// record is written once, already in the running state, with the run lock held.
    public func run(_ options: ContainerOptions, image: StoredImage, traceSystemCalls: Bool) throws(SkiffError) -> Int32 {
        var runner = ContainerRunner(images: images, containers: containers)
        runner.logger = logger
        runner.traceSystemCalls = traceSystemCalls
        runner.image = image
        var lock: Int32 = -1
        let record: ContainerRecord
        do {
            record = try create(options, image: image) { record throws(SkiffError) in
                guard let fd = containers.lock(record.id) else {
                    throw SkiffError(.io, "cannot take the run lock of the new container \(record.shortID)")
                }
                lock = fd
                record.state = ContainerRunner.runningState()
            }
        } catch {
            if lock >= 0 { close(lock) }
            throw error
        }
        return try runner.start(record, holding: lock)
    }

    /// Creates the container; its writable layer is empty. `beforeSaving` may change the record
    /// before it is first written.
    public func create(_ options: ContainerOptions, image: StoredImage,
                       beforeSaving: (inout ContainerRecord) throws(SkiffError) -> Void = { _ in }) throws(SkiffError) -> ContainerRecord {
        let binds = try options.bindMounts()
        let network = ContainerRecord.NetworkSettings(mode: options.network, publish: options.publish)
        _ = try network.resolved()
        let tmpfs = try options.tmpfsPaths()
        let settings = try options.environmentSettings()
        var labels: [String: String] = image.config.config?.Labels ?? [:]
        for l in options.labels {
            let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
            labels[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        if let name = options.name, !Self.validName(name) {
            throw SkiffError(.invalidArgument, "invalid container name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        let id = ContainerStore.newID()
        let hostname = options.hostname ?? String(id.prefix(12))
        let config = image.config.config
        let (entrypoint, cmd) = Self.entrypointAndCommand(config, options)
        let arguments = entrypoint + cmd
        guard !arguments.isEmpty else {
            throw SkiffError(.invalidArgument, "no command specified: the image \(image.name) has no Entrypoint or Cmd; give one after the image name")
        }
        let userSpec: String = options.user ?? config?.User ?? ""
        let process = ContainerRecord.ProcessSpec(arguments: arguments, environment: [], workingDirectory: "/", userSpec: userSpec,
                                                  uid: 0, gid: 0, groups: [], interactive: options.interactive)
        var record = ContainerRecord(id: id, name: options.name ?? "", created: Timestamp.now(), image: options.image,
                                     imageName: image.name, imageDigest: image.digest.description, process: process,
                                     hostname: hostname, readOnly: options.readOnly, tmpfs: tmpfs, mounts: binds,
                                     autoRemove: options.autoRemove, labels: labels, limits: try options.resourceLimits(),
                                     network: network, tty: options.tty, reapsOrphans: options.reapsOrphans,
                                     state: ContainerRecord.State())
        record.name = try containers.makeDirectory(for: record)
        do {
            try resolveProcess(&record, image: image, options: options, settings: settings)
            try beforeSaving(&record)
            try containers.save(record)
        } catch {
            try? containers.remove(record)
            throw error
        }
        return record
    }

    /// Entrypoint and Cmd as docker run decides them: COMMAND replaces Cmd; --entrypoint replaces
    /// Entrypoint and drops Cmd.
    static func entrypointAndCommand(_ config: ImageConfiguration.ContainerConfig?,
                                     _ options: ContainerOptions) -> (entrypoint: [String], command: [String]) {
        var entrypoint = config?.Entrypoint ?? []
        var cmd = config?.Cmd ?? []
        if let e = options.entrypoint {
            entrypoint = e.isEmpty ? [] : [e]
            cmd = []
        }
        if !options.command.isEmpty { cmd = options.command }
        return (entrypoint, cmd)
    }

    /// The user, HOME and working directory, from the image's /etc/passwd and /etc/group and
    /// the options; the environment as the process will see it.
    private func resolveProcess(_ record: inout ContainerRecord, image: StoredImage, options: ContainerOptions,
                                settings: [String]) throws(SkiffError) {
        let mapped = try ContainerRootMount(images: images, containers: containers, record: record, image: image, readOnly: true)
        let process = try Self.resolveProcess(root: mapped.root, config: image.config.config, options: options,
                                              userSpec: record.process.userSpec, settings: settings, hostname: record.hostname)
        record.process.uid = process.user.uid
        record.process.gid = process.user.gid
        record.process.groups = process.user.groups
        record.process.environment = process.environment
        record.process.workingDirectory = process.workingDirectory
    }

    /// The process's user (resolved in `root`'s /etc/passwd and /etc/group), environment and
    /// working directory, from the image config and the options. Without a `hostname` (a
    /// converted module learns its own when it starts) HOSTNAME is left out.
    static func resolveProcess(root: ContainerFileSystem, config: ImageConfiguration.ContainerConfig?, options: ContainerOptions,
                               userSpec: String, settings: [String], hostname: String?)
        throws(SkiffError) -> (user: ContainerUser, environment: [String], workingDirectory: String) {
        let user = try ContainerUserResolver(root: root).resolveForContainer(userSpec)
        let env = Self.environment(image: config?.Env ?? [], settings: settings, hostname: hostname, home: user.home)
        var workdir = options.workingDirectory ?? config?.WorkingDir ?? "/"
        if workdir.isEmpty { workdir = "/" }
        guard workdir.hasPrefix("/") else {
            throw SkiffError(.invalidArgument, "the working directory '\(workdir)' is invalid: it needs to be an absolute path")
        }
        return (user.user, env, workdir)
    }

    /// PATH (if the image sets none), HOSTNAME, the image's Env, HOME (unless set), then `-e`/--env-file.
    static func environment(image: [String], settings: [String], hostname: String?, home: String) -> [String] {
        var entries = EnvironmentList()
        entries.set("PATH=" + RootfsRunner.defaultPath)
        if let hostname { entries.set("HOSTNAME=" + hostname) }
        for entry in image { entries.set(entry) }
        if !entries.contains("HOME") { entries.set("HOME=" + home) }
        for entry in settings { entries.set(entry) }
        return entries.entries
    }

    /// Docker's rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
    static func validName(_ name: String) -> Bool {
        func alphanumeric(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
        }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, alphanumeric(first) else { return false }
        for b in bytes where !alphanumeric(b) && b != 0x5f && b != 0x2e && b != 0x2d { return false }
        return true
    }
}

/// An ordered KEY=VALUE list where a later setting of a key replaces the earlier one in place.
struct EnvironmentList {
    private(set) var entries: [String] = []

    private static func key(_ entry: String) -> Substring {
        entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
    }

    func contains(_ key: String) -> Bool { entries.contains { Self.key($0) == key } }

    /// `K=V`, or `K` alone (an empty value).
    mutating func set(_ entry: String) {
        let normalized = entry.contains("=") ? entry : entry + "="
        let key = Self.key(normalized)
        if let i = entries.firstIndex(where: { Self.key($0) == key }) { entries[i] = normalized } else { entries.append(normalized) }
    }
}
