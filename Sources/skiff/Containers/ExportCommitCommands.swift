import ArgumentParser
import Foundation
import OCI
import Skiff

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a container's files (image and changes merged) as a tar archive.")

    @Option(name: .shortAndLong, help: "Write to this file (default: standard output, if it is not a terminal).")
    var output: String?

    @Argument(help: "The container's name or id.")
    var container: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let images = try storeOptions.setUp()
            let store = try ContainerStore(imageStore: images)
            let record = try store.find(container)
            if output == nil && isatty(1) != 0 {
                throw SkiffError(.invalidArgument, "refusing to write a tar archive to a terminal: use -o FILE or redirect the output")
            }
            try store.export(record, images: images, to: output ?? "-")
        }
    }
}

struct CommitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit", abstract: "Make a new image from a container's changes.",
        discussion: """
            The container's writable layer becomes one more layer (an OCI layer: deleted files as \
            whiteouts) on top of its image's; the new image keeps the image's settings (Cmd, Env, \
            WorkingDir, User…) and is runnable and pushable like any other.
            """)

    @Option(name: [.customShort("m"), .customLong("message")], help: "Commit message (the history comment).")
    var message: String?

    @Option(name: [.customShort("a"), .customLong("author")], help: "Author of the image.")
    var author: String?

    @Argument(help: "The container's name or id.")
    var container: String

    @Argument(help: "The new image's name (REPOSITORY[:TAG]).")
    var reference: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let images = try storeOptions.setUp()
            let store = try ContainerStore(imageStore: images)
            let record = try store.find(container)
            if store.isRunning(record) {
                throw SkiffError(.unsupported, "container \(record.name) is running; Skiff commits stopped containers only")
            }
            var details = CommitDetails(name: try parseReference(reference), createdBy: record.commandLine)
            details.comment = message
            details.author = author
            let image = try store.commit(record, images: images, details: details)
            print(image.digest)
        }
    }
}
