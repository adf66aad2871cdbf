import ArgumentParser
import Foundation
import OCI
import Skiff

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print what a container wrote to stdout and stderr (every run of it).")

    @Flag(name: .shortAndLong, help: "Follow: keep printing what the container writes until it stops.")
    var follow = false

    @Option(name: [.customShort("n"), .customLong("tail")], help: "Only the last N lines (\"all\": every line).")
    var tail = "all"

    @Flag(name: .shortAndLong, help: "Show when each line was written.")
    var timestamps = false

    @Argument(help: "The container's name or id.")
    var container: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            var options = LogOptions()
            options.follow = follow
            options.timestamps = timestamps
            if tail != "all" {
                guard let n = Int(tail) else {
                    throw SkiffError(.invalidArgument, "invalid --tail value '\(tail)': a number of lines, or all")
                }
                // A negative count means all, as with docker.
                options.tail = n < 0 ? nil : n
            }
            let store = try ContainerStore(imageStore: try storeOptions.setUp())
            let record = try store.find(container)
            try store.printLog(record.id, options: options,
                               stdout: { FileHandle.standardOutput.write($0) },
                               stderr: { FileHandle.standardError.write($0) })
        }
    }
}
