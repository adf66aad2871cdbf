import ArgumentParser
import ContainerControlWire
import Foundation
import OCI
import Skiff

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command in a running container.",
        usage: "skiff exec [-i] [-t] [-d] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]",
        discussion: """
            The command runs beside the container's processes (same files, same /proc, same network), \
            with the container's environment, user and working directory unless -e, -u, -w say \
            otherwise; its standard streams are this process's (with -t: a new terminal of the container's \
            on this one). The exit status is the command's.
            """)

    @Flag(name: [.customShort("i"), .customLong("interactive")], help: "Pass stdin (otherwise the command reads /dev/null).")
    var interactive = false

    @Flag(name: [.customShort("t"), .customLong("tty")], help: "Give the command a terminal of its own (/dev/pts/N) on this one.")
    var tty = false

    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Start the command and return at once.")
    var detach = false

    @Option(name: [.customShort("e"), .customLong("env")], help: "Set an environment variable (K=V, or K to take the host's value).")
    var environment: [String] = []

    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container.")
    var workingDirectory: String?

    @Option(name: [.customShort("u"), .customLong("user")], help: "Run as this user: name|uid[:group|gid].")
    var user: String?

    @Argument(parsing: .captureForPassthrough, help: "The container, then the command and its arguments.")
    var arguments: [String] = []

    func validate() throws {
        if arguments.first == "--help" || arguments.first == "-h" { throw CleanExit.helpRequest(self) }
    }

    func run() async throws {
        do {
            guard arguments.count >= 2 else {
                throw SkiffError(.invalidArgument, "\"skiff exec\" requires at least 2 arguments: skiff exec [OPTIONS] CONTAINER COMMAND [ARG...]")
            }
            let store = try ContainerStore(imageStore: try ImageStore.openDefault())
            let record = try store.find(arguments[0])
            guard store.isRunning(record) else { throw SkiffError(.invalidArgument, "container \(record.name) is not running") }
            var request = ControlRequest(.exec)
            request.arguments = Array(arguments.dropFirst())
            request.environment = environment.compactMap { e in
                e.contains("=") ? e : ProcessInfo.processInfo.environment[e].map { e + "=" + $0 }
            }
            request.workingDirectory = workingDirectory
            request.user = user
            request.tty = tty
            request.interactive = interactive
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            defer { close(null) }
            let streams = detach ? [null, null, null] : [interactive ? 0 : null, 1, 2]
            let connection = try ContainerControl.connect(store, record, request, descriptors: streams)
            if detach { close(connection); HostProcess.exit(0) }
            let status = try ContainerControl.withRawTerminal(tty && interactive ? 0 : -1) {
                try ContainerControl.status(connection, container: record.name)
            }
            HostProcess.exit(status)
        } catch let error as SkiffError {
            printError(error.message)
            HostProcess.exit(error.code == .invalidArgument || error.code == .notFound ? 1 : error.runExitStatus)
        }
    }
}

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files between a container and the host.",
        usage: """
            skiff cp CONTAINER:SRC_PATH DEST_PATH
              skiff cp SRC_PATH CONTAINER:DEST_PATH
            """,
        discussion: """
            As docker cp: a directory destination receives the source under its own name, SRC/. copies \
            a directory's contents, a missing destination is created. Running or stopped containers; \
            paths inside the container are resolved inside it (.. stops at its root, symlinks are \
            followed within it), so nothing outside the container's files is touched. Files copied in \
            belong to root. The container's --tmpfs and bind mounts are not reached.
            """)

    @Argument(help: "Source: a host path or CONTAINER:PATH.")
    var source: String

    @Argument(help: "Destination: a host path or CONTAINER:PATH.")
    var destination: String

    @OptionGroup var storeOptions: StoreOptions

    /// CONTAINER:PATH, or nil for a host path (one starting with / or ., or without a colon).
    static func containerPath(_ s: String) -> (String, String)? {
        if s.hasPrefix("/") || s.hasPrefix(".") { return nil }
        guard let colon = s.firstIndex(of: ":") else { return nil }
        return (String(s[..<colon]), String(s[s.index(after: colon)...]))
    }

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let images = try storeOptions.setUp()
            let store = try ContainerStore(imageStore: images)
            switch (Self.containerPath(source), Self.containerPath(destination)) {
            case (let from?, nil):
                if destination == "-" { throw SkiffError(.unsupported, "cp to - (a tar stream on stdout) is not supported; give a host path") }
                try ContainerCopy.copy(outOf: store.find(from.0), images: images, containers: store,
                                       source: from.1.isEmpty ? "/" : from.1, destination: destination)
            case (nil, let to?):
                if source == "-" { throw SkiffError(.unsupported, "cp from - (a tar stream on stdin) is not supported; give a host path") }
                try ContainerCopy.copy(into: store.find(to.0), images: images, containers: store,
                                       source: source, destination: to.1.isEmpty ? "/" : to.1)
            case (_?, _?):
                throw SkiffError(.unsupported, "copying between containers is not supported")
            case (nil, nil):
                throw SkiffError(.invalidArgument, "must specify at least one container source")
            }
        }
    }
}

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "List a running container's processes (as the container sees them).")

    @Argument(help: "The container's name or id.")
    var container: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let (store, record) = try runningContainer(container, storeOptions: storeOptions)
            let text = ContainerControl.answer(try ContainerControl.connect(store, record, ControlRequest(.top)))
            let rows = text.split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 7).map(String.init) }
            guard rows.first?.first == "UID" else { throw SkiffError(.io, "no answer from container \(record.name)") }
            printTable(rows)
        }
    }
}

struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "Attach to a running container's output (and input, if it was started with -i).",
        discussion: """
            Prints what the container writes from now on until it stops, and sends what is typed to its \
            standard input when it runs detached with -i. Ends with the container's exit status; ^C \
            ends the attach only.
            """)

    @Flag(name: .customLong("no-stdin"), help: "Do not attach stdin.")
    var noStdin = false

    @Argument(help: "The container's name or id.")
    var container: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let (store, record) = try runningContainer(container, storeOptions: storeOptions) { _ in
                "you cannot attach to a stopped container, start it first"
            }
            // Output from now on: the log's end is taken before any input can reach the container.
            var options = LogOptions()
            options.follow = true
            options.startOffset = store.logSize(record.id)
            let connection = try ContainerControl.connect(store, record, ControlRequest(.attach), descriptors: noStdin ? [] : [0])
            defer { close(connection) }
            try store.printLog(record.id, options: options,
                               stdout: { FileHandle.standardOutput.write($0) },
                               stderr: { FileHandle.standardError.write($0) })
            let status = store.current(try store.load(record.id)).state.exitCode
            if status != 0 { throw ExitCode(status) }
        }
    }
}
