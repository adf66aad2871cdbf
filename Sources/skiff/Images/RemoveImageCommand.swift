import ArgumentParser
import OCI

struct RemoveImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmi",
        abstract: "Remove images from the local store (and their blobs and root filesystem no other image uses).")

    @Argument(help: "Images: names or digest prefixes (a digest prefix removes every name of that image).")
    var references: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            for r in references {
                let report = try store.removeImage(r)
                for name in report.untagged { print("Untagged: \(name)") }
                if report.blobsRemoved > 0 {
                    print("Deleted: \(report.blobsRemoved) blobs (\(formatBytes(report.bytesFreed)))")
                }
            }
        }
    }
}

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove blobs and root filesystem images no tagged image uses, and leftovers of interrupted pulls.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let report = try store.prune()
            print("Removed \(report.blobsRemoved) blobs, \(report.rootFilesystemsRemoved) root filesystems, \(report.tempFilesRemoved) temporary files; freed \(formatBytes(report.bytesFreed))")
        }
    }
}

struct TagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Give a stored image another name.")

    @Argument(help: "The stored image.")
    var source: String

    @Argument(help: "The new name, e.g. localhost:5000/mine:1.")
    var target: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let image = try store.image(source)
            try store.tag(image, as: try ImageReference(parsing: target))
        }
    }
}
