import ArgumentParser
import OCI
import Skiff

struct RemoveContainerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove containers (their writable layer, log and state).",
        discussion: "A running container is refused unless -f, which first kills the skiff process running it.")

    @Flag(name: .shortAndLong, help: "Kill a running container, then remove it.")
    var force = false

    @Argument(help: "Container names or ids (unique id prefixes work).")
    var containers: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try ContainerStore(imageStore: try storeOptions.setUp())
            var failed: SkiffError?
            for key in containers {
                do {
                    try store.remove(store.find(key), force: force)
                    print(key)
                } catch let error as SkiffError {
                    printError(error.message)
                    failed = error
                }
            }
            if failed != nil { throw ExitCode.failure }
        }
    }
}
