import ArgumentParser
import Foundation
import OCI

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download an image from a registry into the local store.",
        discussion: """
            REFERENCE is read as docker reads it: busybox is docker.io/library/busybox:latest; \
            a first component with a '.' or ':' (or localhost) is a registry host, e.g. \
            localhost:5000/x/y@sha256:…. Registries on localhost/127.0.0.1 are spoken to over HTTP.
            """)

    @Option(help: "Platform to pull from a multi-platform image, os/arch[/variant] (default: linux/amd64, or linux/riscv64 on a riscv64 host, then any platform Skiff runs).")
    var platform: String?

    @Flag(name: .shortAndLong, help: "No progress display; print only the image reference.")
    var quiet = false

    @Argument(help: "The image, e.g. busybox, riscv64/alpine:3.21, localhost:5000/x/y:tag.")
    var reference: String

    @OptionGroup var registry: RegistryFlags
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let ref = try ImageReference(parsing: reference)
            let platform = try platform.map { p throws(SkiffError) in try Platform(parsing: p) }
            let puller = ImagePuller(store: store, options: registry.options, progress: makeProgress(quiet: quiet, verb: "downloading"))
            let result = try await puller.pull(ref, platform: platform)
            do throws(SkiffError) {
                try store.rootFilesystem(for: result.image)
            } catch {
                throw SkiffError(error.code, "pulled \(ref.familiar), but could not build its root filesystem: \(error.message)")
            }
            if quiet {
                print(ref.description)
                return
            }
            let rate = Double(result.bytesDownloaded) / max(result.seconds, 0.001)
            print("\(ref.familiar): \(result.image.platform) \(result.image.digest)")
            print("downloaded \(result.layersDownloaded) of \(result.image.layers.count) layers, \(formatBytes(result.bytesDownloaded)) in \(String(format: "%.2f", result.seconds)) s (\(formatBytes(Int64(rate)))/s)")
        }
    }
}
