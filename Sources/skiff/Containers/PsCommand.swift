import ArgumentParser
import Skiff

struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers (running ones; -a for all).")

    @Flag(name: .shortAndLong, help: "Show all containers (default: running ones only).")
    var all = false

    @Flag(name: .shortAndLong, help: "Print only the container ids.")
    var quiet = false

    @Flag(name: .long, help: "Do not shorten ids and commands.")
    var noTrunc = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let containers = try ContainerStore(imageStore: try storeOptions.setUp())
            let records = containers.all().map(containers.current).filter { all || $0.state.status == .running || $0.state.status == .restarting }
            if quiet {
                for r in records { print(noTrunc ? r.id : r.shortID) }
                return
            }
            var rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
            for r in records {
                rows.append([noTrunc ? r.id : r.shortID, r.image, noTrunc ? "\"\(r.commandLine)\"" : r.shortCommand,
                             r.createdText(), r.statusText(), "", r.name])
            }
            printTable(rows)
        }
    }
}
