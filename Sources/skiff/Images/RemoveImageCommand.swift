import ArgumentParser
import OCI
import Skiff

struct RemoveImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmi",
        abstract: "Remove images from the local store (and their blobs and root filesystem no other image uses).")

    @Argument(help: "Images: names or digest prefixes (a digest prefix removes every name of that image).")
    var references: [String]

    @Flag(name: .shortAndLong, help: "Remove the image even if containers use it (they can then no longer start).")
    var force = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let containers = try ContainerStore(imageStore: store)
            for r in references {
                if !force, let image = try? store.image(r) {
                    // As docker: the last name of an image a container uses is kept.
                    let names = try store.records().filter { $0.digest == image.digest }
                    let removesAll = names.count == 1 || r.hasPrefix("sha256:") || r.allSatisfy(\.isHexDigit)
                    if removesAll, let user = containers.all().first(where: { $0.imageDigest == image.digest.description }) {
                        throw SkiffError(.invalidArgument, "unable to remove \(r): container \(user.name) (\(user.shortID)) uses it; remove the container first (skiff rm \(user.name)) or use -f")
                    }
                }
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
