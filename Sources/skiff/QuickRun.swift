import Logging
import OCI
import Skiff

/// The start-up fast path of `skiff run --rootfs DIR COMMAND...` (issue 3's target: a container's
/// `busybox echo` in <= 15 ms). ArgumentParser builds its whole command tree through reflection
/// and protocol-conformance lookups, which scan every conformance in this large binary: ~2 ms
/// before the guest starts. This parser takes only the plain spellings of `RunCommand`'s options
/// and gives up (nil) on anything else (--help, `--`, an unknown or malformed option, no
/// --rootfs), leaving those to ArgumentParser, so both paths agree on every command line that
/// this one accepts.
struct QuickRun {
    var rootfs: String?
    var environment: [String] = []
    var workingDirectory = "/"
    var readOnly = false
    var debug = false
    var command: [String] = []

    init?(arguments: [String]) {
        guard arguments.count > 2, arguments[1] == "run" else { return nil }
        var i = 2
        /// The value of an option spelled `--name VALUE` or `--name=VALUE` (long) / `-n VALUE` (short).
        func value(_ argument: String, long: String, short: String?) -> String?? {
            if argument == long || argument == short {
                guard i + 1 < arguments.count else { return .some(nil) }
                i += 1
                return .some(arguments[i])
            }
            if argument.hasPrefix(long + "=") { return .some(String(argument.dropFirst(long.count + 1))) }
            return nil
        }
        while i < arguments.count {
            let argument = arguments[i]
            if !argument.hasPrefix("-") { break }
            if argument == "--read-only" { readOnly = true }
            else if argument == "--debug" { debug = true }
            else if let v = value(argument, long: "--rootfs", short: nil) { guard let v else { return nil }; rootfs = v }
            else if let v = value(argument, long: "--env", short: "-e") { guard let v else { return nil }; environment.append(v) }
            else if let v = value(argument, long: "--workdir", short: "-w") { guard let v else { return nil }; workingDirectory = v }
            else { return nil }
            i += 1
        }
        guard rootfs != nil, i < arguments.count else { return nil }
        command = Array(arguments[i...])
        if command[0] == "--help" || command[0] == "-h" { return nil }
    }

    func run() -> Never {
        CommandLogging.bootstrap(debug: debug)
        var configuration = RootfsRunConfiguration(rootfs: rootfs ?? "/", command: command)
        configuration.environment = environment
        configuration.workingDirectory = workingDirectory
        configuration.readOnly = readOnly
        configuration.traceSystemCalls = debug
        do {
            HostProcess.exit(try RootfsRunner.run(configuration, logger: Logger(label: "skiff.run")))
        } catch {
            printError(error.message)
            HostProcess.exit(error.runExitStatus)
        }
    }
}
