import ArgumentParser
import Foundation
import Logging
import OCI
import Skiff

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new container.",
        usage: """
            skiff run [OPTIONS] IMAGE [COMMAND] [ARG...]
              skiff run [OPTIONS] --rootfs DIR COMMAND [ARG...]
            """,
        discussion: """
            As `docker run`: the image's Entrypoint and Cmd decide the process (COMMAND replaces Cmd, \
            --entrypoint replaces Entrypoint), with its Env, WorkingDir and User; an image not in the \
            store is pulled first. The container's root is the image below a writable layer that is \
            kept (skiff ps -a, start, logs, export, commit) unless --rm. \
            With --rootfs DIR, DIR is the root filesystem instead (as `podman run --rootfs`): writes go \
            to DIR unless --read-only. The exit status is the command's (128+N when it dies of signal \
            N); 125 for Skiff's own errors, 126/127 when the command cannot run.
            """
    )

    @Option(name: .customLong("rootfs"), help: "Run from this root filesystem directory instead of an image.")
    var rootfs: String?

    /// containerd's shim: where a --rootfs run serves its control socket (exec by the shim).
    @Option(name: .customLong("control-dir"), help: .hidden)
    var controlDirectory: String?

    @OptionGroup var process: ProcessFlags

    @Option(name: .customLong("hostname"), help: "The container's host name (default: its short id).")
    var hostname: String?

    @Option(name: .customLong("name"), help: "Name the container.")
    var name: String?

    @Option(name: [.customShort("v"), .customLong("volume")], help: "Bind a host directory: HOST-DIR:CONTAINER-PATH[:ro].")
    var volumes: [String] = []

    @Option(name: .customLong("mount"), help: "Bind a host path: type=bind,source=HOST,target=PATH[,readonly].")
    var mounts: [String] = []

    @Option(name: .customLong("tmpfs"), help: "Mount an empty in-memory file system at this container path.")
    var tmpfs: [String] = []

    @Option(name: [.customShort("l"), .customLong("label")], help: "Set a label on the container (K=V).")
    var labels: [String] = []

    @Option(name: [.customShort("m"), .customLong("memory")], help: "Memory limit (e.g. 256m, 1g): mmap/brk fail with ENOMEM beyond it, then the OOM killer ends the process (exit 137).")
    var memory: String?

    @Option(name: .customLong("pids-limit"), help: "Most threads and processes at once; fork/clone fail with EAGAIN beyond it (0 or -1: no limit).")
    var pidsLimit: Int?

    @Option(name: .customLong("storage-opt"), help: "size=N (e.g. 512M, 10G): cap the writable layer; writes past it fail with ENOSPC (default cap 10G).")
    var storageOptions: [String] = []

    @Option(name: .customLong("platform"), help: "Platform of the image, os/arch (default: linux/amd64, or linux/riscv64 on a riscv64 host; without it any image Skiff runs is taken).")
    var platform: String?

    @Option(name: .customLong("pull"), help: "Pull the image: missing (default), always, never.")
    var pull = "missing"

    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Run the container in the background (in a skiff process of its own) and print its id.")
    var detach = false

    @Option(name: .customLong("restart"), help: "With -d: no, on-failure[:max-retries], always or unless-stopped.")
    var restart: String?

    @Flag(name: .customLong("init"), help: "Reap orphaned processes in the kernel (docker's --init, without a tini process).")
    var reapsOrphans = false

    @Flag(name: .customLong("rm"), help: "Remove the container when it exits.")
    var autoRemove = false

    @Flag(name: [.customShort("i"), .customLong("interactive")], help: "Keep stdin open (otherwise the container reads /dev/null).")
    var interactive = false

    @Flag(name: [.customShort("t"), .customLong("tty")], help: "Give the container its own terminal (/dev/pts/0).")
    var tty = false

    @Flag(name: .customLong("read-only"), help: "Mount the container's root filesystem read-only.")
    var readOnly = false

    @Option(name: .customLong("network"), help: "Network: host (guest sockets are host sockets) or none (loopback only).")
    var network = "host"

    @Option(name: [.customShort("p"), .customLong("publish")], help: "Publish a guest TCP port: [HOSTIP:]HOSTPORT:GUESTPORT (with --network none).")
    var publish: [String] = []

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No pull progress.")
    var quiet = false

    @Flag(name: .customLong("debug"), help: "Log every system call the guest makes (to stderr).")
    var debug = false

    @OptionGroup var registry: RegistryFlags

    @Argument(parsing: .captureForPassthrough, help: "The image, then the command and its arguments.")
    var arguments: [String] = []

    func validate() throws {
        // The arguments capture everything after the options, so ask for help explicitly.
        if arguments.first == "--help" || arguments.first == "-h" { throw CleanExit.helpRequest(self) }
    }

    func run() async throws {
        CommandLogging.bootstrap(debug: debug)
        let logger = Logger(label: "skiff.run")
        let status: Int32
        do {
            if let restart {
                let policy = try RestartPolicy(parsing: restart)
                if autoRemove && policy.kind != .no { throw SkiffError(.invalidArgument, "conflicting options: --restart and --rm") }
                if !detach && policy.kind != .no {
                    throw SkiffError(.unsupported, "--restart needs -d: a restart policy is carried out by the container's own skiff process")
                }
            }
            if let rootfs {
                if detach { throw SkiffError(.unsupported, "-d is not supported with --rootfs; run an image instead (skiff import a tar of the directory)") }
                status = try runRootfs(rootfs, logger: logger)
            } else {
                status = try await runImage(logger: logger)
            }
        } catch let error as SkiffError {
            printError(error.message)
            HostProcess.exit(error.runExitStatus)
        } catch {
            printError("\(error)")
            HostProcess.exit(125)
        }
        HostProcess.exit(status)
    }

    private func runRootfs(_ directory: String, logger: Logger) throws(SkiffError) -> Int32 {
        // What only an image container has (a record, a writable layer, a user database…).
        let imageOnly: [(String, Bool)] = [
            ("--env-file", !process.environmentFiles.isEmpty), ("-u", process.user != nil), ("--entrypoint", process.entrypoint != nil),
            ("--hostname", hostname != nil), ("--name", name != nil), ("--mount", !mounts.isEmpty),
            ("--tmpfs", !tmpfs.isEmpty), ("-l", !labels.isEmpty), ("--rm", autoRemove),
            ("--pids-limit", pidsLimit != nil), ("--init", reapsOrphans), ("--storage-opt", !storageOptions.isEmpty),
        ]
        if let (flag, _) = imageOnly.first(where: { $0.1 }) {
            throw SkiffError(.unsupported, "\(flag) is not supported with --rootfs; run an image instead (skiff import a tar of the directory)")
        }
        var configuration = RootfsRunConfiguration(rootfs: directory, command: arguments)
        configuration.environment = process.environment
        configuration.workingDirectory = process.workingDirectory ?? "/"
        configuration.readOnly = readOnly
        configuration.traceSystemCalls = debug
        configuration.network = try containerNetwork()
        configuration.tty = tty
        configuration.interactive = interactive
        // Bind mounts (containerd's shim passes a bundle's), and --memory for a WASI module.
        let parsed = try RootfsRunner.parseOptions(volumes: volumes, memory: memory)
        configuration.binds = parsed.binds
        configuration.memoryLimit = parsed.memory
        configuration.controlDirectory = controlDirectory
        return try RootfsRunner.run(configuration, logger: logger)
    }

    private func runImage(logger: Logger) async throws -> Int32 {
        guard let image = arguments.first else {
            throw SkiffError(.invalidArgument, "\"skiff run\" requires at least 1 argument: skiff run [OPTIONS] IMAGE [COMMAND] [ARG...]")
        }
        var options = ContainerOptions(image: image)
        options.command = Array(arguments.dropFirst())
        process.apply(to: &options)
        options.hostname = hostname
        options.name = name
        options.readOnly = readOnly
        options.tmpfs = tmpfs
        options.volumes = volumes
        options.mounts = mounts
        options.labels = labels
        options.autoRemove = autoRemove
        options.interactive = interactive
        options.memory = memory
        options.pidsLimit = pidsLimit
        options.storageOptions = storageOptions
        options.network = network
        options.publish = publish
        options.tty = tty
        options.reapsOrphans = reapsOrphans
        options.platform = try platform.map { p throws(SkiffError) in try Platform(parsing: p) }
        guard let policy = ContainerOptions.PullPolicy(rawValue: pull) else {
            throw SkiffError(.invalidArgument, "invalid --pull value '\(pull)': missing, always or never")
        }
        options.pull = policy
        let images = try ImageStore.openDefault()
        let containers = try ContainerStore(imageStore: images)
        var creator = ContainerCreator(images: images, containers: containers)
        creator.registry = registry.options
        creator.progress = makeProgress(quiet: quiet, verb: "downloading")
        creator.logger = logger
        let stored = try await creator.image(options)
        guard detach else { return try creator.run(options, image: stored, traceSystemCalls: debug) }
        let record = try creator.create(options, image: stored) { $0.restartPolicy = restart }
        try DetachedContainer.launch(record)
        print(record.id)
        return 0
    }

    /// `--network` and `-p`.
    private func containerNetwork() throws(SkiffError) -> ContainerNetwork {
        var result = ContainerNetwork()
        result.mode = try ContainerNetwork.mode(network)
        result.publishedPorts = try publish.map { p throws(SkiffError) in try PortPublication.parse(p) }
        return result
    }
}

enum HostProcess {
    /// Ends Skiff with the container's status.
    static func exit(_ status: Int32) -> Never {
        Foundation.exit(status)
    }
}
