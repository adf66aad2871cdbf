import Foundation
import LinuxKernel
import Logging
import OCI
import PosixHost
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a container (`skiff run`, `skiff start -a`) and runs it to completion on the emulator:
/// mounts its root (image + writable layer), --tmpfs, bind mounts and the generated /etc files,
/// runs the process as the container's user, copies its output to the log, and records how it
/// ended. The writable layer persists between starts.
public struct ContainerRunner {
    public let images: ImageStore
    public let containers: ContainerStore
    public var logger = Logger(label: "skiff.run")
    public var traceSystemCalls = false
    /// The container's image when the caller has loaded it already (`skiff run`).
    public var image: StoredImage?
    /// Called once the container's first process has been loaded and is about to run.
    public var started: (() -> Void)?
    /// The write end of a pipe that is the container's stdin (a detached container): `attach`
    /// copies its client's input there.
    var inputFeed: Int32?

    public init(images: ImageStore, containers: ContainerStore) {
        self.images = images
        self.containers = containers
    }

    /// Runs the container; returns its exit status (128+N when its process died of signal N).
    public func start(_ initial: ContainerRecord) throws(SkiffError) -> Int32 {
        guard let lock = containers.lock(initial.id) else {
            throw SkiffError(.invalidArgument, "container \(initial.name) is already running")
        }
        return try start(initial, holding: lock, saved: false)
    }

    /// Runs a container whose run lock is held (`lock`, closed here) and whose record, in its
    /// running state, is already saved (`skiff run` creates it so).
    func start(_ record: ContainerRecord, holding lock: Int32) throws(SkiffError) -> Int32 {
        try start(record, holding: lock, saved: true)
    }

    /// The state of a container this process starts running now.
    /// The standard streams of a run, set up by `beginRun`; `end()` puts them back.
    struct RunStreams {
        let capture: ContainerOutputCapture
        let savedStdin: Int32

        func end() {
            capture.end()
            if savedStdin >= 0 { dup2(savedStdin, 0); close(savedStdin) }
        }
    }

    /// What every run of a container (Linux or WASI) does before its program starts: the record
    /// says running (unless the caller saved it already), the output goes to the container's log,
    /// and without -i standard input is /dev/null, as with docker.
    static func beginRun(_ record: inout ContainerRecord, saved: Bool, containers: ContainerStore) throws(SkiffError) -> RunStreams {
        if !saved {
            let restarts = record.state.restartCount
            record.state = runningState()
            record.state.restartCount = restarts
            try containers.save(record)
        }
        let capture: ContainerOutputCapture
        do {
            capture = try ContainerOutputCapture(logPath: containers.logPath(record.id))
            try capture.begin()
        } catch {
            throw SkiffError(.io, "cannot capture the container's output: \(error)")
        }
        var savedStdin: Int32 = -1
        if !record.process.interactive {
            savedStdin = dup(0)
            let null = open("/dev/null", O_RDONLY)
            dup2(null, 0)
            close(null)
        }
        return RunStreams(capture: capture, savedStdin: savedStdin)
    }

    static func runningState() -> ContainerRecord.State {
        .init(status: .running, exitCode: 0, startedAt: Timestamp.now(), finishedAt: nil, pid: getpid())
    }

    func start(_ initial: ContainerRecord, holding lock: Int32, saved: Bool) throws(SkiffError) -> Int32 {
        defer { close(lock) }
        var record = initial
        let status: Int32
        do {
            status = try run(&record, saved: saved)
        } catch {
            record.state = .init(status: .exited, exitCode: error.runExitStatus, startedAt: record.state.startedAt,
                                 finishedAt: Timestamp.now(), pid: nil)
            try? containers.save(record)
            if record.autoRemove { try? containers.remove(record) }
            throw error
        }
        record.state.status = .exited
        record.state.exitCode = status
        record.state.finishedAt = Timestamp.now()
        record.state.pid = nil
        if record.autoRemove {
            try containers.remove(record)
        } else {
            try containers.save(record)
        }
        return status
    }

    private func run(_ record: inout ContainerRecord, saved: Bool) throws(SkiffError) -> Int32 {
        // Mount points, the working directory and the /etc files are made through a writable
        // view even when the container's root is read-only (docker makes them in its init layer).
        let setup = try ContainerRootMount(images: images, containers: containers, record: record, image: image,
                                           readOnly: false)
        // A WebAssembly module runs on WasmKit instead (WasiContainer.swift).
        let stored = setup.storedImage
        if let module = try WasiContainer.program(for: record, image: stored, root: setup.root) {
            let wasi = WasiContainer(images: images, containers: containers, logger: logger,
                                     traceSystemCalls: traceSystemCalls, program: module)
            return try wasi.run(&record, saved: saved, mount: setup)
        }
        let host = PosixHost(forwardSignals: true)
        let etcFiles = try writeEtcFiles(record)
        var bindTargets: [(ContainerRecord.BindMount, String, Bool)] = []
        var tmpfsTargets: [String] = []
        var etcTargets: [(String, String)] = []
        do throws(Errno) {
            for m in record.mounts {
                var directoryFlag: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: m.source, isDirectory: &directoryFlag)
                let isDirectory = directoryFlag.boolValue
                bindTargets.append((m, try setup.root.prepareMountPoint(m.target, directory: isDirectory), isDirectory))
            }
            for t in record.tmpfs { tmpfsTargets.append(try setup.root.prepareMountPoint(t, directory: true)) }
            for (name, _) in etcFiles { etcTargets.append((name, try setup.root.prepareMountPoint("/etc/" + name, directory: false))) }
            _ = try setup.root.prepareMountPoint(record.process.workingDirectory, directory: true)
        } catch {
            throw SkiffError(.invalidArgument, "cannot prepare the container's mount points: \(error.name)")
        }
        try setup.saveAttributes()

        // A read-only root is mounted again without write access; a writable one is the same view.
        let mounted = record.readOnly
            ? try ContainerRootMount(images: images, containers: containers, record: record, image: image, readOnly: true, host: host)
            : setup
        var configuration = KernelConfiguration()
        configuration.hostname = Array(record.hostname.utf8)
        configuration.user = ContainerUser(uid: record.process.uid, gid: record.process.gid, groups: record.process.groups)
        configuration.traceSystemCalls = traceSystemCalls
        configuration.reapsOrphans = record.reapsOrphans == true
        configuration.limits.memory = record.limits?.memory
        configuration.limits.tasks = record.limits?.pids
        let logger = self.logger
        configuration.log = { message in logger.debug("\(message)") }
        // --network and -p as the container was created with them, at every start.
        let network = try record.network?.resolved() ?? ContainerNetwork()
        try network.configure(&configuration, host: host) { logger.warning("\($0)") }
        configuration.terminal = ContainerTerminal.setup(tty: record.tty == true, interactive: record.process.interactive)
        NativeTierSetting.apply()
        HostAllocatorSetting.apply()
        let kernel = Kernel(host: host, configuration: configuration)
        if !record.readOnly {
            let upper = containers.upperDirectory(record.id)
            mounted.root.limitWritableLayer(to: record.limits?.storage ?? ContainerOptions.defaultStorageLimit,
                                            used: WritableLayerUsage.bytes(in: upper))
        }
        kernel.mountContainerRoot(mounted.root, at: "/")
        var hostDescriptors: [HostFD] = []
        defer { for fd in hostDescriptors { host.close(fd) } }
        let containerDirectory: HostFD
        do throws(Errno) {
            containerDirectory = try PosixHost.openDirectory(containers.directory(record.id))
        } catch {
            throw SkiffError(.io, "cannot open the container's directory: \(error.name)")
        }
        hostDescriptors.append(containerDirectory)
        for (name, target) in etcTargets { kernel.mountHostFile(directory: containerDirectory, name: name, at: target, readOnly: false) }
        for t in tmpfsTargets { kernel.mountTemporaryFileSystem(at: t) }
        for (m, target, isDirectory) in bindTargets {
            let parent = isDirectory ? m.source : (m.source as NSString).deletingLastPathComponent
            let fd: HostFD
            do throws(Errno) { fd = try PosixHost.openDirectory(parent) } catch {
                throw SkiffError(.notFound, "bind source \(m.source): \(error.name)")
            }
            hostDescriptors.append(fd)
            if isDirectory {
                kernel.mountHostDirectory(fd, at: target, readOnly: m.readOnly, hostOwnsNewFiles: true)
            } else {
                kernel.mountHostFile(directory: fd, name: (m.source as NSString).lastPathComponent, at: target, readOnly: m.readOnly)
            }
        }

        var program = record.process.arguments[0]
        if !program.contains("/") {
            let path = record.process.environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? RootfsRunner.defaultPath
            guard let found = kernel.findExecutable(program, searchPath: path) else {
                throw SkiffError(.commandNotFound, "exec: \"\(program)\": executable file not found in $PATH")
            }
            program = found
        }

        let streams = try Self.beginRun(&record, saved: saved, containers: containers)
        // The guest's umask alone decides the modes of the files it creates.
        let oldMask = umask(0)
        defer {
            umask(oldMask)
            streams.end()
        }
        let capture = streams.capture
        logger.debug("starting \(program) in container \(record.shortID)")
        do throws(Errno) {
            try kernel.start(path: program, arguments: record.process.arguments, environment: record.process.environment,
                             workingDirectory: record.process.workingDirectory)
        } catch {
            let reason = kernel.diagnostic ?? "exec: \"\(program)\": \(error.name)"
            throw SkiffError(error == .ENOENT ? .commandNotFound : .commandNotExecutable, reason)
        }
        // exec, cp and top reach the running container through its control socket.
        let control = ContainerControlServer(kernel: kernel, root: mounted.root, process: record.process,
                                             directory: containers.directory(record.id), inputFeed: inputFeed)
        defer { control?.stop() }
        started?()
        let termination = ContainerTerminal.run(kernel, setup: configuration.terminal)
        try mounted.saveAttributes()
        return termination.exitCode
    }

    /// The files of /etc Skiff provides (and mounts over the image's), as docker does.
    static let generatedEtcFiles = ["hostname", "hosts", "resolv.conf"]

    /// hostname, hosts and resolv.conf in the container's directory (made again at each start,
    /// as docker does), mounted over the image's /etc files.
    private func writeEtcFiles(_ record: ContainerRecord) throws(SkiffError) -> [(String, String)] {
        let hosts = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            127.0.1.1\t\(record.hostname)

            """
        // The network is the host's: its resolver configuration applies (docker --network host).
        var resolv = String(decoding: ContainerStore.readFile("/etc/resolv.conf") ?? [], as: UTF8.self)
        let nameserver = Array("nameserver".utf8), text = Array(resolv.utf8)
        if !text.indices.contains(where: { text[$0...].starts(with: nameserver) }) {
            resolv += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
        }
        let contents = [record.hostname + "\n", hosts, resolv]
        let files = Self.generatedEtcFiles.indices.map { (Self.generatedEtcFiles[$0], contents[$0]) }
        for (name, text) in files {
            // Written in place: only this run of the container (which holds its lock) reads them.
            do throws(SkiffError) {
                try ContainerStore.writeFile(containers.directory(record.id) + "/" + name, Array(text.utf8))
            } catch {
                throw SkiffError(.io, "cannot write the container's \(name): \(error.message)")
            }
        }
        return files
    }
}
