import ArgumentParser
import Foundation
import OCI
import Skiff

struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an image into one WebAssembly (WASI) module that runs it.",
        usage: "skiff convert [OPTIONS] IMAGE OUT.wasm",
        discussion: """
            OUT.wasm holds Skiff's core (the same kernel and emulator as skiff run), the image's \
            root filesystem and its configuration; it runs on any WASI preview 1 runtime \
            (wasmtime OUT.wasm [--entrypoint CMD] [--no-stdin] [-e K=V] [-w DIR] [COMMAND [ARG...]]). \
            The options change the defaults baked in, as they would for docker run. \
            An image not in the store is pulled first. See docs/convert.md.
            """)

    @Option(name: .customLong("platform"), help: "Platform of the image, os/arch.")
    var platform = "linux/riscv64"

    @OptionGroup var process: ProcessFlags

    @Option(name: .customLong("cmd"), parsing: .singleValue, help: "Replace the image's Cmd (repeat for each argument; --cmd=-c for one that starts with -).")
    var command: [String] = []

    @Option(name: .customLong("pull"), help: "Pull the image: missing (default), always, never.")
    var pull = "missing"

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No pull progress; print only the module's path.")
    var quiet = false

    @OptionGroup var registry: RegistryFlags
    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The image, e.g. busybox, riscv64/alpine:3.21, debian-riscv64:demo.")
    var image: String

    @Argument(help: "The module to write (replaced if it exists).")
    var output: String

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let started = Date()
            let images = try storeOptions.setUp()
            var options = ContainerOptions(image: image)
            process.apply(to: &options)
            options.command = command
            options.platform = try Platform(parsing: platform)
            guard let policy = ContainerOptions.PullPolicy(rawValue: pull) else {
                throw SkiffError(.invalidArgument, "invalid --pull value '\(pull)': missing, always or never")
            }
            options.pull = policy
            guard output.hasSuffix(".wasm") || !FileManager.default.fileExists(atPath: output) else {
                throw SkiffError(.invalidArgument, "\(output) exists and is not a .wasm file: refusing to replace it")
            }
            let core = try ImageConverter.locateCore()
            var converter = ImageConverter(images: images, containers: try ContainerStore(imageStore: images))
            converter.registry = registry.options
            converter.progress = makeProgress(quiet: quiet, verb: "downloading")
            let stored = try await converter.image(options)
            let result = try converter.convert(stored, options: options, core: core, to: output)
            if quiet {
                print(output)
                return
            }
            let seconds = Date().timeIntervalSince(started)
            let process = result.configuration.entrypoint + result.configuration.command
            print("\(output): \(stored.name) (\(result.configuration.platform)), \(formatBytes(Int64(result.moduleBytes))) (filesystem \(formatBytes(Int64(result.imageBytes)))), in \(String(format: "%.2f", seconds)) s")
            print(process.isEmpty
                ? "the image has no default command: give one, e.g. wasmtime \(output) COMMAND [ARG...]"
                : "default command: \(process.joined(separator: " ")) (run it: wasmtime \(output) [COMMAND [ARG...]])")
        }
    }
}
