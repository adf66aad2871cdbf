import ArgumentParser
import Foundation
import OCI
import Skiff

/// Runs `body` for each container named, as docker does: prints what `body` returns (if
/// anything), reports a failure and goes on; exits 1 if any failed.
func forEachContainer(_ keys: [String], storeOptions: StoreOptions,
                      _ body: (ContainerStore, ContainerRecord, String) throws -> String?) async throws {
    try await reportingErrors(debug: storeOptions.debug) {
        let images = try storeOptions.setUp()
        let store = try ContainerStore(imageStore: images)
        var failed = false
        for key in keys {
            do {
                if let line = try body(store, store.find(key), key) { print(line) }
            } catch let error as SkiffError {
                printError(error.message)
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}

/// `stop` and `restart`: how a running container is stopped.
/// The container named `key`, which must be running (top, attach); `refusal` says otherwise.
func runningContainer(_ key: String, storeOptions: StoreOptions,
                      refusal: (ContainerRecord) -> String = { "container \($0.name) is not running" }) throws -> (ContainerStore, ContainerRecord) {
    let store = try ContainerStore(imageStore: try storeOptions.setUp())
    let record = try store.find(key)
    guard store.isRunning(record) else { throw SkiffError(.invalidArgument, refusal(record)) }
    return (store, record)
}

/// `stop` and `restart`: how a running container is stopped.
struct StopFlags: ParsableArguments {
    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing it (-1: no limit).")
    var time = 10

    @Option(name: .shortAndLong, help: "The signal to send first (default SIGTERM).")
    var signal = "TERM"

    func stop(_ record: ContainerRecord, in store: ContainerStore) throws {
        try store.stop(record, timeout: time, signal: ContainerSignal.parse(signal))
    }
}

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop running containers: SIGTERM to their first process, SIGKILL after a grace period.",
        discussion: "A container stopped so is not started again by its --restart policy.")

    @OptionGroup var stopping: StopFlags

    @Argument(help: "Container names or ids.")
    var containers: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await forEachContainer(containers, storeOptions: storeOptions) { store, record, key in
            try stopping.stop(record, in: store)
            return key
        }
    }
}

struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Send a signal to running containers' first process (default SIGKILL).")

    @Option(name: .shortAndLong, help: "The signal: KILL, TERM, INT, HUP, QUIT, USR1, USR2, ALRM, WINCH (name or number).")
    var signal = "KILL"

    @Argument(help: "Container names or ids.")
    var containers: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await forEachContainer(containers, storeOptions: storeOptions) { store, record, key in
            try store.kill(record, signal: ContainerSignal.parse(signal))
            return key
        }
    }
}

struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Stop containers (if running) and start them again, detached, with the same writable layer.")

    @OptionGroup var stopping: StopFlags

    @Argument(help: "Container names or ids.")
    var containers: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await forEachContainer(containers, storeOptions: storeOptions) { store, record, key in
            try stopping.stop(record, in: store)
            try DetachedContainer.launch(store.load(record.id))
            return key
        }
    }
}

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait until containers stop, then print their exit codes.")

    @Argument(help: "Container names or ids.")
    var containers: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await forEachContainer(containers, storeOptions: storeOptions) { store, record, _ in
            String(store.waitUntilExited(record).state.exitCode)
        }
    }
}

/// The container's own skiff process (`run -d`, `start`): not for people to type.
struct ContainerProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DetachedContainer.monitorCommand, abstract: "Run a detached container (internal).", shouldDisplay: false)

    @Argument var id: String

    func run() throws {
        CommandLogging.bootstrap(debug: false)
        do {
            let images = try ImageStore.openDefault()
            let containers = try ContainerStore(imageStore: images)
            HostProcess.exit(DetachedContainer.run(id: id, images: images, containers: containers))
        } catch {
            HostProcess.exit(125)
        }
    }
}
