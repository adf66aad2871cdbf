import ArgumentParser
import Foundation
import OCI
import Skiff

struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an image into one WebAssembly (WASI) module that runs it.",
        usage: "skiff convert [OPTIONS] IMAGE OUT.wasm\n       skiff convert [OPTIONS] --web DIR IMAGE",
        discussion: """
            For a Linux image, OUT.wasm holds Skiff's core (the same kernel and emulator as skiff run), the image's \
            root filesystem and its configuration; it runs on any WASI preview 1 runtime \
            (wasmtime OUT.wasm [--entrypoint CMD] [--no-stdin] [-e K=V] [-w DIR] [COMMAND [ARG...]]). \
            The options change the defaults baked in, as they would for docker run. \
            For a WASI image, OUT.wasm is the image's own module with the image's files packed \
            into it, writable in memory, seen at / with no --dir, and the image's Entrypoint, \
            Cmd and Env as its defaults (wasmtime OUT.wasm [ARG...]). \
            An image not in the store is pulled first. See docs/convert.md. \
            With --web DIR, writes a static site instead: a page with a terminal that runs the \
            module in the browser (serve it with skiff serve DIR; docs/web.md).
            """)

    @Option(name: .customLong("platform"), help: "Platform of the image, os/arch (default: linux/amd64, or linux/riscv64 on a riscv64 host; without it any image Skiff runs is taken).")
    var platform: String?

    @OptionGroup var process: ProcessFlags

    @Option(name: .customLong("cmd"), parsing: .singleValue, help: "Replace the image's Cmd (repeat for each argument; --cmd=-c for one that starts with -).")
    var command: [String] = []

    @Option(name: .customLong("pull"), help: "Pull the image: missing (default), always, never.")
    var pull = "missing"

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No pull progress; print only the module's path.")
    var quiet = false

    @Flag(name: .customLong("compress"), inversion: .prefixedNo,
          help: "Store the filesystem's contents compressed (DEFLATE blocks, decompressed as they are read: a smaller module that starts faster, slower first reads), or not. Default: compressed when the contents reach 32 MiB and compress by a tenth.")
    var compress: Bool?

    @Option(name: .customLong("web"), help: "Write a static site to this directory (index.html, the module, xterm.js) instead of OUT.wasm.")
    var web: String?

    @OptionGroup var registry: RegistryFlags
    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The image, e.g. busybox, riscv64/alpine:3.21, debian-riscv64:demo.")
    var image: String

    @Argument(help: "The module to write (replaced if it exists); not with --web.")
    var output: String?

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let started = Date()
            let images = try storeOptions.setUp()
            var options = ContainerOptions(image: image)
            process.apply(to: &options)
            options.command = command
            options.platform = try platform.map { p throws(SkiffError) in try Platform(parsing: p) }
            guard let policy = ContainerOptions.PullPolicy(rawValue: pull) else {
                throw SkiffError(.invalidArgument, "invalid --pull value '\(pull)': missing, always or never")
            }
            options.pull = policy
            guard (web == nil) != (output == nil) else {
                throw SkiffError(.invalidArgument, web == nil ? "give the module to write (OUT.wasm) or --web DIR" : "--web DIR writes the module into DIR: give no OUT.wasm")
            }
            let site: WebSiteWriter? = web == nil ? nil : try WebSiteWriter.locate()
            let output = web.map(WebSiteWriter.modulePath(in:)) ?? self.output!
            if let web { try FileManager.default.createDirectory(atPath: web, withIntermediateDirectories: true) }
            guard output.hasSuffix(".wasm") || !FileManager.default.fileExists(atPath: output) else {
                throw SkiffError(.invalidArgument, "\(output) exists and is not a .wasm file: refusing to replace it")
            }
            var converter = ImageConverter(images: images, containers: try ContainerStore(imageStore: images))
            converter.registry = registry.options
            converter.compress = compress
            converter.forLinuxOnly = web != nil
            converter.progress = makeProgress(quiet: quiet, verb: "downloading")
            let stored = try await converter.image(options)
            let result = try converter.convert(stored, options: options, to: output)
            if let site, let web { try site.write(to: web, imageName: stored.name) }
            if quiet {
                print(web ?? output)
                return
            }
            let seconds = Date().timeIntervalSince(started)
            if let program = result.packedProgram {
                print("\(output): \(stored.name) (\(result.configuration.platform)), \(program) packed with the image's files (\(formatBytes(Int64(result.imageBytes)))), \(formatBytes(Int64(result.moduleBytes))), in \(String(format: "%.2f", seconds)) s")
                let process = result.configuration.entrypoint + result.configuration.command
                print("run it: wasmtime \(output) [ARG...] (the image's files are at /; with no ARG: \(process.joined(separator: " ")))")
                if result.configuration.uid != 0 || result.configuration.gid != 0 {
                    FileHandle.standardError.write(Data("note: a WASI module has no users: the image's user (uid \(result.configuration.uid), gid \(result.configuration.gid)) is not applied\n".utf8))
                }
                return
            }
            let process = result.configuration.entrypoint + result.configuration.command
            print("\(output): \(stored.name) (\(result.configuration.platform)), \(formatBytes(Int64(result.moduleBytes))) (filesystem \(formatBytes(Int64(result.imageBytes)))\(result.compressed ? ", compressed" : "")), in \(String(format: "%.2f", seconds)) s")
            print(process.isEmpty
                ? "the image has no default command: give one, e.g. wasmtime \(output) COMMAND [ARG...]"
                : "default command: \(process.joined(separator: " ")) (run it: wasmtime \(output) [COMMAND [ARG...]])")
            if let web { print("site: \(web) — skiff serve \(web), then open the URL it prints (docs/web.md)") }
        }
    }
}
