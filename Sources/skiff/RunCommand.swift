import ArgumentParser
import Logging
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
    var rootfs: String

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

    func run() throws {
        let logger = SkiffLogging.logger(debug: debug)
        var configuration = RootfsRunConfiguration(rootfs: rootfs, command: command)
        configuration.environment = environment
        configuration.workingDirectory = workingDirectory
        configuration.readOnly = readOnly
        configuration.traceSystemCalls = debug
        let status: Int32
        do {
            status = try RootfsRunner.run(configuration, logger: logger)
        } catch {
            StandardError.write("skiff: \(error.message)\n")
            Process.exit(error.exitStatus)
        }
        Process.exit(status)
    }
}

/// Diagnostics setup: `--debug` or SKIFF_LOG (trace, debug, info, notice, warning, error) pick the level.
enum SkiffLogging {
    static func logger(debug: Bool) -> Logger {
        var level = Logger.Level.warning
        if let raw = getenv("SKIFF_LOG"), let l = Logger.Level(rawValue: String(cString: raw)) { level = l }
        if debug { level = min(level, .debug) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "skiff")
        logger.logLevel = level
        return logger
    }
}

enum StandardError {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBytes { b in
            #if canImport(Glibc)
            _ = Glibc.write(2, b.baseAddress, b.count)
            #else
            _ = Darwin.write(2, b.baseAddress, b.count)
            #endif
        }
    }
}

enum Process {
    /// Ends Skiff with the container's status.
    static func exit(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}
