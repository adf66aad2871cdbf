import ArgumentParser
import Foundation
import OCI

/// `skiff build-wasm APP.wasm NAME[:TAG]`: a WASI image from a module (docs/wasi-workloads.md).
struct BuildWasmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-wasm",
        abstract: "Make a WASI image from a WebAssembly module.",
        discussion: """
            The image has one layer holding the module (at /NAME.wasm unless --path) and any --add \
            files, the module as its Entrypoint, and the platform wasip1/wasm (--platform wasi/wasm \
            for runwasi's name). It is stored as NAME[:TAG] (skiff run NAME runs it on WasmKit); \
            -o also writes it as an OCI layout tar, which ctr import, docker load, skopeo and \
            skiff import read.
            """)

    @Option(name: .shortAndLong, help: "Also write the image to this tar file (OCI layout).")
    var output: String?

    @Option(help: "wasip1/wasm (default) or wasi/wasm.")
    var platform = "wasip1/wasm"

    @Option(name: .customLong("path"), help: "The module's path in the image (default: /FILE-NAME).")
    var modulePath: String?

    @Option(name: .customLong("add"), help: "Add a host file or directory: HOST[:PATH-IN-IMAGE] (default path: /BASENAME).")
    var files: [String] = []

    @Option(name: .customLong("cmd"), help: "An argument after the module (Cmd); repeat for several.")
    var command: [String] = []

    @Option(name: [.customShort("e"), .customLong("env")], help: "An environment variable of the image (K=V).")
    var environment: [String] = []

    @Option(name: [.customShort("w"), .customLong("workdir")], help: "The image's working directory.")
    var workingDirectory: String?

    @Argument(help: "The WASI command module.")
    var module: String

    @Argument(help: "The image's name, e.g. hello-wasm:1.")
    var name: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            var details = WasmImageDetails(name: try ImageReference(parsing: name))
            details.platform = try Platform(parsing: platform)
            details.modulePath = modulePath
            details.command = command
            details.environment = environment
            details.workingDirectory = workingDirectory
            details.files = files.map { spec in
                let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "/" + (parts[0] as NSString).lastPathComponent)
            }
            let image = try store.buildWasmImage(module: module, details: details)
            if let output { try store.save([image], to: output) }
            print("\(image.name): \(image.platform) \(image.digest)")
        }
    }
}
