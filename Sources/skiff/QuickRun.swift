import Logging
import OCI
import Skiff

/// The start-up fast path of `skiff run` in its plain forms: `--rootfs DIR COMMAND...` (issue 3's
/// target: `busybox echo` in <= 15 ms) and `IMAGE [COMMAND...]` of an image already in the store
/// (issue 5's). ArgumentParser builds its whole command tree through reflection and
/// protocol-conformance lookups, which scan every conformance in this large binary: ~3 ms before
/// the guest starts; and the async `run` starts Swift's concurrency threads. This parser takes only
/// the plain spellings of a few of `RunCommand`'s options and gives up (nil) on anything else
/// (--help, `--`, an unknown or malformed option, no image), leaving those to ArgumentParser, so
/// both paths agree on every command line that this one accepts. An image that must be pulled
/// goes to ArgumentParser's path too.
struct QuickRun {
    var rootfs: String?
    var environment: [String] = []
    var workingDirectory: String?
    var readOnly = false
    var autoRemove = false
    var name: String?
    var controlDirectory: String?
    var debug = false
    /// With --rootfs the command; otherwise the image, then the command.
    var arguments: [String] = []

    init?(arguments all: [String]) {
        guard all.count > 2, all[1] == "run" else { return nil }
        var i = 2
        /// The value of an option spelled `--name VALUE` or `--name=VALUE` (long) / `-n VALUE` (short).
        func value(_ argument: String, long: String, short: String?) -> String?? {
            if argument == long || argument == short {
                guard i + 1 < all.count else { return .some(nil) }
                i += 1
                return .some(all[i])
            }
            if argument.hasPrefix(long + "=") { return .some(String(argument.dropFirst(long.count + 1))) }
            return nil
        }
        while i < all.count {
            let argument = all[i]
            if !argument.hasPrefix("-") { break }
            if argument == "--read-only" { readOnly = true }
            else if argument == "--debug" { debug = true }
            else if argument == "--rm" { autoRemove = true }
            else if let v = value(argument, long: "--rootfs", short: nil) { guard let v else { return nil }; rootfs = v }
            else if let v = value(argument, long: "--env", short: "-e") { guard let v else { return nil }; environment.append(v) }
            else if let v = value(argument, long: "--workdir", short: "-w") { guard let v else { return nil }; workingDirectory = v }
            else if let v = value(argument, long: "--name", short: nil) { guard let v else { return nil }; name = v }
            else if let v = value(argument, long: "--control-dir", short: nil) { guard let v else { return nil }; controlDirectory = v }
            else { return nil }
            i += 1
        }
        guard i < all.count else { return nil }
        arguments = Array(all[i...])
        if arguments[0] == "--help" || arguments[0] == "-h" { return nil }
        // What only an image container has is left to RunCommand's own check with --rootfs.
        if rootfs != nil && (autoRemove || name != nil) { return nil }
        if rootfs == nil && controlDirectory != nil { return nil }
    }

    /// Runs the container and exits with its status; returns only when the image must be pulled.
    func run() {
        CommandLogging.bootstrap(debug: debug)
        let logger = Logger(label: "skiff.run")
        do {
            if let rootfs {
                var configuration = RootfsRunConfiguration(rootfs: rootfs, command: arguments)
                configuration.environment = environment
                configuration.workingDirectory = workingDirectory ?? "/"
                configuration.readOnly = readOnly
                configuration.traceSystemCalls = debug
                configuration.controlDirectory = controlDirectory
                HostProcess.exit(try RootfsRunner.run(configuration, logger: logger))
            }
            var options = ContainerOptions(image: arguments[0])
            options.command = Array(arguments.dropFirst())
            options.environment = environment
            options.workingDirectory = workingDirectory
            options.readOnly = readOnly
            options.autoRemove = autoRemove
            options.name = name
            let images = try ImageStore.openDefault()
            let containers = try ContainerStore(imageStore: images)
            var creator = ContainerCreator(images: images, containers: containers)
            creator.logger = logger
            guard let stored = try creator.imageWithoutPulling(options) else { return }
            HostProcess.exit(try creator.run(options, image: stored, traceSystemCalls: debug))
        } catch {
            printError(error.message)
            HostProcess.exit(error.runExitStatus)
        }
    }
}
