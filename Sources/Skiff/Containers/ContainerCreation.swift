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
        var local: StoredImage?
        do {
            local = try images.image(options.image)
        } catch let e as SkiffError where e.code == .notFound {
            if options.pull == .never { throw SkiffError(.notFound, "no image '\(options.image)' in the local store, and --pull=never") }
        }
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

    private func printStatus(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func checkPlatform(_ image: StoredImage, _ options: ContainerOptions) throws(SkiffError) {
        guard options.platform.matches(image.platform) else {
            throw SkiffError(.unsupported, "image \(image.name) is for \(image.platform); Skiff runs \(options.platform) images")
        }
    }

    /// Creates the container; its writable layer is empty.
    public func create(_ options: ContainerOptions, image: StoredImage) throws(SkiffError) -> ContainerRecord {
        let binds = try options.bindMounts()
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
        // Entrypoint + Cmd: COMMAND replaces Cmd; --entrypoint replaces Entrypoint and drops Cmd.
        var entrypoint = config?.Entrypoint ?? []
        var cmd = config?.Cmd ?? []
        if let e = options.entrypoint {
            entrypoint = e.isEmpty ? [] : [e]
            cmd = []
        }
        if !options.command.isEmpty { cmd = options.command }
        let arguments = entrypoint + cmd
        guard !arguments.isEmpty else {
            throw SkiffError(.invalidArgument, "no command specified: the image \(image.name) has no Entrypoint or Cmd; give one after the image name")
        }
        let userSpec: String = options.user ?? config?.User ?? ""
        let name: String = options.name ?? containers.newName()
        let process = ContainerRecord.ProcessSpec(arguments: arguments, environment: [], workingDirectory: "/", userSpec: userSpec,
                                                  uid: 0, gid: 0, groups: [], interactive: options.interactive)
        var record = ContainerRecord(id: id, name: name, created: Timestamp.now(), image: options.image,
                                     imageName: image.name, imageDigest: image.digest.description, process: process,
                                     hostname: hostname, readOnly: options.readOnly, tmpfs: tmpfs, mounts: binds,
                                     autoRemove: options.autoRemove, labels: labels, state: ContainerRecord.State())
        try containers.create(record)
        do throws(SkiffError) {
            // The user and HOME come from the image's /etc/passwd and /etc/group.
            let mapped = try ContainerRootMount(images: images, containers: containers, record: record, readOnly: true)
            let user = try ContainerUserResolver(root: mapped.root).resolve(record.process.userSpec)
            record.process.uid = user.user.uid
            record.process.gid = user.user.gid
            record.process.groups = user.user.groups
            record.process.environment = Self.environment(image: config?.Env ?? [], settings: settings, hostname: hostname, home: user.home)
            var workdir = options.workingDirectory ?? config?.WorkingDir ?? "/"
            if workdir.isEmpty { workdir = "/" }
            guard workdir.hasPrefix("/") else {
                throw SkiffError(.invalidArgument, "the working directory '\(workdir)' is invalid: it needs to be an absolute path")
            }
            record.process.workingDirectory = workdir
            try containers.save(record)
        } catch {
            try? containers.remove(record.id)
            throw error
        }
        return record
    }

    /// PATH (if the image sets none), HOSTNAME, the image's Env, HOME (unless set), then `-e`/--env-file.
    static func environment(image: [String], settings: [String], hostname: String, home: String) -> [String] {
        var entries: [(String, String)] = []
        func set(_ entry: String) {
            let key: String, value: String
            if let eq = entry.firstIndex(of: "=") {
                key = String(entry[..<eq]); value = String(entry[entry.index(after: eq)...])
            } else {
                key = entry; value = ""
            }
            if let i = entries.firstIndex(where: { $0.0 == key }) { entries[i].1 = value } else { entries.append((key, value)) }
        }
        set("PATH=" + RootfsRunner.defaultPath)
        set("HOSTNAME=" + hostname)
        image.forEach(set)
        if !entries.contains(where: { $0.0 == "HOME" }) { set("HOME=" + home) }
        settings.forEach(set)
        return entries.map { "\($0.0)=\($0.1)" }
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
