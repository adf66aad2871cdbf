import FSImage
import Foundation
import LinuxKernel
import ModuleBundle
import OCI
import PosixHost
import WasiRuntime

/// `skiff convert` of a WASI image: the image's own module with the image's files packed into
/// it (docs/convert.md, "Packing a WASI image"), so `wasmtime OUT.wasm` sees them at `/` with no
/// `--dir`. The files are the pack (WasiPackTree); the WASI pack layer that serves them
/// (wasm/pack/wasi_pack.c, prebuilt as skiff-wasi-pack.wasm) is merged in by WasiModuleMerger.
struct WasiImagePacker {
    /// The image's module (its path in the image) when the image is a WASI one: by its platform
    /// or layers, or because its entrypoint file begins with `\0asm`. Nil for a Linux image.
    static func program(_ image: StoredImage, configuration: BundleConfiguration,
                        reader: FSImageReader) throws(SkiffError) -> String? {
        let byImage = WasiContainer.isWASI(image)
        guard let first = (configuration.entrypoint + configuration.command).first else {
            if byImage { throw SkiffError(.invalidArgument, "\(image.name) is a WASI image with no entrypoint or command: give one with --entrypoint") }
            return nil
        }
        let root = ContainerFileSystem(image: reader, inMemoryUpperOver: PosixHost())
        let found = WasiContainer.resolveProgram(first, environment: configuration.environment, root: root)
        if let found, WasiRuntime.isModule(root.readFile(found, limit: 4) ?? []) { return found }
        guard byImage else { return nil }
        guard let found else { throw SkiffError(.commandNotFound, "\(image.name): its module \(first) is not in the image") }
        throw SkiffError(.invalidData, "\(image.name): \(found) is not a WebAssembly module")
    }

    func pack(_ image: StoredImage, program: String, configuration: BundleConfiguration,
              reader: FSImageReader, to output: String) throws(SkiffError) -> ImageConverter.Result {
        let root = ContainerFileSystem(image: reader, inMemoryUpperOver: PosixHost())
        guard let bytes = root.readFile(program, limit: Int(Int32.max)) else {
            throw SkiffError(.io, "\(image.name): cannot read \(program)")
        }
        let layerPath = try Self.locateLayer()
        guard let layerData = FileManager.default.contents(atPath: layerPath) else {
            throw SkiffError(.notFound, "cannot read the WASI pack layer \(layerPath)")
        }
        let app: WasmModule, layer: WasmModule
        do { app = try WasmModule(bytes) } catch { throw SkiffError(error.code, "\(image.name): \(program) is \(error.message)") }
        do { layer = try WasmModule([UInt8](layerData)) } catch { throw SkiffError(error.code, "the WASI pack layer \(layerPath) is \(error.message)") }
        // The program is argv[0] (the runtime's); the rest of Entrypoint always follows it.
        // WASI has no working directory (wasi-libc programs start in "/"): WorkingDir is given as
        // PWD, as `skiff run` gives it to a WASI container.
        var environment = configuration.environment
        if !environment.contains(where: { $0.hasPrefix("PWD=") }) { environment.append("PWD=" + configuration.workingDirectory) }
        var process = WasiPackTree.Process(environment: environment)
        if configuration.entrypoint.isEmpty {
            process.defaults = Array(configuration.command.dropFirst())
        } else {
            process.fixed = Array(configuration.entrypoint.dropFirst())
            process.defaults = configuration.command
        }
        let pack = try WasiPackTree.build(reader, process: process)
        let head: [UInt8], tail: [UInt8]
        do {
            (head, tail) = try WasiModuleMerger(app: app, layer: layer).merge(packSize: pack.count)
        } catch {
            throw SkiffError(error.code, "\(image.name): \(program): \(error.message)")
        }
        try ImageConverter.writeReplacing(output) { (file) throws(SkiffError) in
            try file.write(head)
            var failure: SkiffError?
            pack.withUnsafeBytes { p in
                do throws(SkiffError) { try file.write(p) } catch { failure = error }
            }
            if let failure { throw failure }
            try file.write(tail)
        }
        var result = ImageConverter.Result(image: image, configuration: configuration,
                                           moduleBytes: ImageConverter.fileSize(output), imageBytes: UInt64(pack.count))
        result.packedProgram = program
        return result
    }

    /// Where the WASI pack layer is: $SKIFF_WASI_PACK_WASM, else `skiff-wasi-pack.wasm` where
    /// skiff-core.wasm would be (ImageConverter.locateCore).
    static func locateLayer() throws(SkiffError) -> String {
        try InstalledFiles.locate("skiff-wasi-pack.wasm", checkoutPath: ".build-wasm/skiff-wasi-pack.wasm", variable: "SKIFF_WASI_PACK_WASM",
                                  what: "the WASI pack layer", build: "scripts/build-wasm.sh")
    }
}
