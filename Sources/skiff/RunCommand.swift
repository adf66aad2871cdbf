import ArgumentParser
import Logging
import OCI
import Skiff
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a container.",
        discussion: """
            With --rootfs DIR, DIR is the container's root filesystem (as `podman run --rootfs`): \
            writes go to DIR unless --read-only. The exit status is the command's (128+N when it \
            dies of signal N); 125 for Skiff's own errors, 126/127 when the command cannot run.
            """
    )

    @Option(name: .customLong("rootfs"), help: "Root filesystem directory of the container.")
    var rootfs: String?

    @Option(name: [.customShort("e"), .customLong("env")], help: "Set an environment variable (K=V, or K to take the host's value).")
    var environment: [String] = []

    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container.")
    var workingDirectory = "/"

    @Flag(name: .customLong("read-only"), help: "Mount the root filesystem read-only (/tmp, /var/tmp and /run stay writable, in memory).")
    var readOnly = false

    @Flag(name: .customLong("debug"), help: "Log every system call the guest makes (to stderr).")
    var debug = false

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    func validate() throws {
        // The command captures everything after the options, so ask for help explicitly.
        if command.first == "--help" || command.first == "-h" { throw CleanExit.helpRequest(self) }
    }

    func run() throws {
        Self.run(rootfs: rootfs, command: command, environment: environment, workingDirectory: workingDirectory,
                 readOnly: readOnly, debug: debug)
    }

    /// Runs the container and exits with its status (shared with `QuickRun`'s fast path).
    static func run(rootfs: String?, command: [String], environment: [String], workingDirectory: String,
                    readOnly: Bool, debug: Bool) -> Never {
        CommandLogging.bootstrap(debug: debug)
        let logger = Logger(label: "skiff.run")
        guard let rootfs else {
            printError("skiff run needs --rootfs DIR (a root filesystem directory)")
            HostProcess.exit(125)
        }
        var configuration = RootfsRunConfiguration(rootfs: rootfs, command: command)
        configuration.environment = environment
        configuration.workingDirectory = workingDirectory
        configuration.readOnly = readOnly
        configuration.traceSystemCalls = debug
        let status: Int32
        do {
            status = try RootfsRunner.run(configuration, logger: logger)
        } catch {
            printError(error.message)
            HostProcess.exit(error.runExitStatus)
        }
        HostProcess.exit(status)
    }
}

enum HostProcess {
    /// Ends Skiff with the container's status.
    static func exit(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}
