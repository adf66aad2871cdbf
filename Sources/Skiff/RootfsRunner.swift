import LinuxKernel
import Logging
import OCI
import PosixHost
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
        let host = PosixHost(forwardSignals: true)
        var kernelConfiguration = KernelConfiguration()
        let hostname = containerID()
        kernelConfiguration.hostname = Array(hostname.utf8)
        kernelConfiguration.traceSystemCalls = configuration.traceSystemCalls
        kernelConfiguration.log = { message in logger.debug("\(message)") }
        try configuration.network.configure(&kernelConfiguration, host: host) { logger.warning("\($0)") }
        kernelConfiguration.terminal = ContainerTerminal.setup(tty: configuration.tty, interactive: configuration.interactive)
        NativeTierSetting.apply()
        let kernel = Kernel(host: host, configuration: kernelConfiguration)
        kernel.mountHostDirectory(root, at: "/", readOnly: configuration.readOnly)
        if configuration.readOnly {
            // As podman's --read-only: scratch space stays writable, in memory.
            for path in ["/tmp", "/var/tmp", "/run"] { kernel.mountTemporaryFileSystem(at: path) }
        }

        let environment = ContainerEnvironment.make(configuration.environment, hostname: hostname, terminal: configuration.tty || isatty(1) != 0) {
            getenv($0).map { String(cString: $0) }
        }
        var program = configuration.command[0]
        if !program.contains("/") {
            let path = environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? defaultPath
            guard let found = kernel.findExecutable(program, searchPath: path) else {
                throw SkiffError(.commandNotFound, "\(program): executable file not found in $PATH")
            }
            program = found
        }
        logger.debug("starting \(program) in \(configuration.rootfs)")
        do throws(Errno) {
            try kernel.start(path: program, arguments: configuration.command, environment: environment,
                             workingDirectory: configuration.workingDirectory)
        } catch {
            let reason = kernel.diagnostic ?? "\(program): cannot execute (\(error.name))"
            throw SkiffError(error == .ENOENT ? .commandNotFound : .commandNotExecutable, reason)
        }
        let termination = ContainerTerminal.run(kernel, setup: kernelConfiguration.terminal)
        logger.debug("container exited: \(termination.exitCode)")
        return termination.exitCode
    }

    /// A docker-style short container id (12 hex digits), used as the hostname.
    static func containerID() -> String {
        var bytes = [UInt8](repeating: 0, count: 6)
        bytes.withUnsafeMutableBytes { PosixHost().randomBytes($0) }
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
