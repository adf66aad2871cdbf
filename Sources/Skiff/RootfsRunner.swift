import Foundation
import LinuxKernel
import Logging
import OCI
import PosixHost
import WasiRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SkiffError.Code {
    /// The container's command does not exist (exit status 127, as a shell).
    public static let commandNotFound = SkiffError.Code("commandNotFound")
    /// The container's command exists but cannot be executed (exit status 126, as a shell).
    public static let commandNotExecutable = SkiffError.Code("commandNotExecutable")
}

extension SkiffError {
    /// The status `skiff run` exits with for this error: 127/126 when the command cannot run,
    /// 125 for Skiff's own failures (as docker and podman).
    public var runExitStatus: Int32 {
        if code == .commandNotFound { return 127 }
        if code == .commandNotExecutable { return 126 }
        if code == .memoryLimit { return 137 }
        return 125
    }
}

/// What `skiff run --rootfs` runs.
public struct RootfsRunConfiguration {
    public var rootfs: String
    public var command: [String]
    /// `-e` values: `K=V`, or `K` to pass the host's value through (as docker does).
    public var environment: [String] = []
    public var workingDirectory = "/"
    public var readOnly = false
    /// Log every system call.
    public var traceSystemCalls = false
    /// `--network` and `-p`.
    public var network = ContainerNetwork()
    /// `-t`: the guest gets its own terminal (see `ContainerTerminal`).
    public var tty = false
    /// `-i`: with `-t`, what is typed on stdin reaches the guest's terminal (stdin is always
    /// passed through as it is without `-t`).
    public var interactive = false
    /// Host directories bound into the container (the shim's bind mounts): (host, guest, read-only).
    public var binds: [(source: String, target: String, readOnly: Bool)] = []
    /// `--memory`: the guest's resident pages, or a WASI module's linear memory.
    public var memoryLimit: UInt64?
    /// `--control-dir DIR` (containerd's shim gives its bundle): serve `DIR/control.sock`, through
    /// which the shim starts, signals and resizes exec'd processes (as `skiff exec` does for a
    /// container; see ContainerControlServer). A WASI module serves none.
    public var controlDirectory: String?

    public init(rootfs: String, command: [String]) {
        self.rootfs = rootfs
        self.command = command
    }
}

/// Runs a command from a root filesystem directory on Skiff's RISC-V emulator and Linux
/// personality, as `podman run --rootfs` does.
public enum RootfsRunner {
    /// The environment a container starts with (not the host's).
    public static let defaultPath = ContainerEnvironment.defaultPath

    /// Runs the container to completion; returns its exit status (128+N when killed by signal N).
    public static func run(_ configuration: RootfsRunConfiguration, logger: Logger) throws(SkiffError) -> Int32 {
        guard !configuration.command.isEmpty else { throw SkiffError(.invalidArgument, "no command given") }
        let root: HostFD
        do throws(Errno) {
            root = try PosixHost.openDirectory(configuration.rootfs)
        } catch {
            let reason = error == .ENOENT ? "no such directory" : error == .ENOTDIR ? "not a directory" : "cannot open it (\(error.name))"
            throw SkiffError(.notFound, "root filesystem \(configuration.rootfs): \(reason)")
        }
        let hostname = containerID()
        let environment = ContainerEnvironment.make(configuration.environment, hostname: hostname, terminal: configuration.tty || isatty(1) != 0) {
            getenv($0).map { String(cString: $0) }
        }
        // A WebAssembly module runs on WasmKit with the directory as its "/" (WASI preopens).
        if let module = moduleProgram(configuration, environment: environment) {
            close(root)
            return try runModule(module, configuration, environment: environment, logger: logger)
        }
        let host = PosixHost(forwardSignals: true)
        var kernelConfiguration = KernelConfiguration()
        kernelConfiguration.hostname = Array(hostname.utf8)
        kernelConfiguration.traceSystemCalls = configuration.traceSystemCalls
        kernelConfiguration.limits.memory = configuration.memoryLimit
        kernelConfiguration.log = { message in logger.debug("\(message)") }
        try configuration.network.configure(&kernelConfiguration, host: host) { logger.warning("\($0)") }
        kernelConfiguration.terminal = ContainerTerminal.setup(tty: configuration.tty, interactive: configuration.interactive)
        NativeTierSetting.apply()
        HostAllocatorSetting.apply()
        let kernel = Kernel(host: host, configuration: kernelConfiguration)
        kernel.mountHostDirectory(root, at: "/", readOnly: configuration.readOnly)
        if configuration.readOnly {
            // As podman's --read-only: scratch space stays writable, in memory.
            for path in ["/tmp", "/var/tmp", "/run"] { kernel.mountTemporaryFileSystem(at: path) }
        }

        var program = configuration.command[0]
        if !program.contains("/") {
            let path = environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? defaultPath
            guard let found = kernel.findExecutable(program, searchPath: path) else {
                throw SkiffError(.commandNotFound, "\(program): executable file not found in $PATH")
            }
            program = found
        }
        for b in configuration.binds {
            let fd: HostFD
            do throws(Errno) { fd = try PosixHost.openDirectory(b.source) } catch {
                throw SkiffError(.notFound, "bind source \(b.source): \(error.name)")
            }
            try makeMountPoint(configuration.rootfs, b.target)
            kernel.mountHostDirectory(fd, at: b.target, readOnly: b.readOnly, hostOwnsNewFiles: true)
        }
        logger.debug("starting \(program) in \(configuration.rootfs)")
        // The guest's umask alone decides the modes of the files it creates in the host tree (as
        // for containers: ContainerRunner), not the guest's and then the host process's own.
        let oldMask = umask(0)
        defer { umask(oldMask) }
        do throws(Errno) {
            try kernel.start(path: program, arguments: configuration.command, environment: environment,
                             workingDirectory: configuration.workingDirectory)
        } catch {
            let reason = kernel.diagnostic ?? "\(program): cannot execute (\(error.name))"
            throw SkiffError(error == .ENOENT ? .commandNotFound : .commandNotExecutable, reason)
        }
        let control = configuration.controlDirectory.flatMap { directory in
            ContainerControlServer(kernel: kernel, root: nil,
                                   process: .init(arguments: configuration.command, environment: environment,
                                                  workingDirectory: configuration.workingDirectory, userSpec: "0",
                                                  uid: 0, gid: 0, groups: [], interactive: configuration.interactive),
                                   directory: directory, inputFeed: nil)
        }
        defer { control?.stop() }
        if configuration.controlDirectory != nil && control == nil {
            logger.warning("cannot listen on \(configuration.controlDirectory!)/control.sock: exec will not reach this run")
        }
        let termination = ContainerTerminal.run(kernel, setup: kernelConfiguration.terminal)
        logger.debug("container exited: \(termination.exitCode)")
        return termination.exitCode
    }

    /// The command's path in the root directory when it is a WebAssembly module (`\\0asm`),
    /// found through PATH as the kernel would (symlinks are not followed inside the tree).
    static func moduleProgram(_ configuration: RootfsRunConfiguration, environment: [String]) -> String? {
        let name = configuration.command[0]
        var candidates: [String]
        if name.contains("/") {
            candidates = [name.hasPrefix("/") ? name : configuration.workingDirectory + "/" + name]
        } else {
            let path = environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? defaultPath
            candidates = path.split(separator: ":").map { $0 + "/" + name } + ["/" + name]
        }
        return candidates.first { WasiRuntime.isModule(atPath: configuration.rootfs + "/" + $0) }
    }

    /// Runs the module at `program` (a path in the root directory) on WasmKit.
    static func runModule(_ program: String, _ configuration: RootfsRunConfiguration, environment: [String],
                          logger: Logger) throws(SkiffError) -> Int32 {
        let path = configuration.rootfs + "/" + program
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SkiffError(.commandNotFound, "\(program): cannot read the module")
        }
        var preopens = [WasiPreopen(guestPath: "/", hostPath: configuration.rootfs, readOnly: configuration.readOnly)]
        for b in configuration.binds { preopens.append(WasiPreopen(guestPath: b.target, hostPath: b.source, readOnly: b.readOnly)) }
        var wasi = WasiProcessConfiguration(arguments: configuration.command, preopens: preopens)
        var env = environment
        if !env.contains(where: { $0.hasPrefix("PWD=") }) { env.append("PWD=" + configuration.workingDirectory) }
        wasi.environment = env
        wasi.memoryLimit = configuration.memoryLimit
        if configuration.traceSystemCalls {
            wasi.trace = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        logger.debug("starting the WASI module \(program) in \(configuration.rootfs) on \(WasiRuntime.engine)")
        let termination: WasiTermination
        do {
            termination = try WasiRuntime.run(module: [UInt8](data), wasi)
        } catch {
            switch error.kind {
            case .invalidModule, .notRunnable: throw SkiffError(.commandNotExecutable, "\(program): \(error.message)")
            case .memoryLimit: throw SkiffError(.memoryLimit, error.message)
            case .preopen: throw SkiffError(.io, error.message)
            }
        }
        if case .trapped(let reason) = termination {
            FileHandle.standardError.write(Data("wasm trap: \(reason)\n".utf8))
        }
        return termination.exitStatus
    }

    /// `-v HOST:GUEST[:ro]` and `--memory` values for `--rootfs` (as for image containers).
    public static func parseOptions(volumes: [String], memory: String?) throws(SkiffError)
        -> (binds: [(source: String, target: String, readOnly: Bool)], memory: UInt64?) {
        var binds: [(source: String, target: String, readOnly: Bool)] = []
        for v in volumes {
            let m = try ContainerOptions.parseVolume(v)
            binds.append((m.source, m.target, m.readOnly))
        }
        return (binds, try memory.map { m throws(SkiffError) in try ContainerOptions.parseMemory(m) })
    }

    /// Makes `target` exist as a directory below `rootfs` (a bind mount's mount point).
    static func makeMountPoint(_ rootfs: String, _ target: String) throws(SkiffError) {
        do {
            try FileManager.default.createDirectory(atPath: rootfs + "/" + target, withIntermediateDirectories: true)
        } catch {
            throw SkiffError(.io, "cannot make the mount point \(target): \(error.localizedDescription)")
        }
    }

    /// A docker-style short container id (12 hex digits), used as the hostname.
    static func containerID() -> String {
        var bytes = [UInt8](repeating: 0, count: 6)
        bytes.withUnsafeMutableBytes { PosixHost().randomBytes($0) }
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
