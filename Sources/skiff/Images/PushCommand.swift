import ArgumentParser
import Foundation
import OCI

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload a stored image to a registry.",
        discussion: "Blobs the registry has are skipped; blobs another repository of the same registry has are mounted.")

    @Argument(help: "The stored image.")
    var reference: String

    @Argument(help: "Where to push it (default: the image's own name).")
    var destination: String?

    @Flag(name: .shortAndLong, help: "No progress display; print only the pushed reference.")
    var quiet = false

    @Option(name: .long, help: "Upload blobs in chunks of this many bytes (default: one request per blob up to 64 MiB).")
    var chunkSize: Int?

    @Flag(name: .long, help: "Upload every blob instead of mounting it from the repository the image came from.")
    var noMount = false

    @OptionGroup var registry: RegistryFlags
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let image = try store.image(reference)
            guard let dest = try destination.map(ImageReference.init(parsing:)) ?? image.record.reference else {
                throw SkiffError(.invalidArgument, "\(reference) has no registry name; give a destination: skiff push \(reference) HOST/NAME:TAG")
            }
            var options = registry.options
            options.crossRepositoryMount = !noMount
            if let chunkSize {
                guard chunkSize > 0 else { throw SkiffError(.invalidArgument, "--chunk-size must be positive") }
                options.uploadChunkSize = chunkSize
            }
            let pusher = ImagePusher(store: store, options: options, progress: makeProgress(quiet: quiet, verb: "pushing"))
            let result = try await pusher.push(image, to: dest)
            if quiet {
                print("\(dest.description)@\(result.digest)")
                return
            }
            print("\(dest.familiar): \(result.digest)")
            print("uploaded \(result.uploaded) blobs (\(formatBytes(result.bytesUploaded))), mounted \(result.mounted), already present \(result.existing), in \(String(format: "%.2f", result.seconds)) s")
        }
    }
}
