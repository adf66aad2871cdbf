import ArgumentParser
import Foundation
import Skiff

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print what a container wrote to stdout and stderr (every run of it).")

    @Argument(help: "The container's name or id.")
    var container: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try ContainerStore(imageStore: try storeOptions.setUp())
            let record = try store.find(container)
            try store.replayLog(record.id,
                                stdout: { FileHandle.standardOutput.write($0) },
                                stderr: { FileHandle.standardError.write($0) })
        }
    }
}
