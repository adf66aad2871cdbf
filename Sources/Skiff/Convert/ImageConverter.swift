import FSImage
import Foundation
import LinuxKernel
import Logging
import ModuleBundle
import OCI
import PosixHost

/// `skiff convert IMAGE OUT.wasm`: one WASI command module holding Skiff's core module, the
/// image's root filesystem image and its process configuration (docs/convert.md). Nothing is
/// built: the image's filesystem image (the one `skiff run` mounts) is copied into the core's
/// data segments. The output appears whole or not at all (written beside it, then renamed).
public struct ImageConverter {
    public let images: ImageStore
    public let containers: ContainerStore
    public var registry = RegistryOptions()
    public var progress: any TransferProgress = SilentProgress()
    public var logger = Logger(label: "skiff.convert")
    /// Bytes per content segment (tests use small ones to exercise several).
    public var contentSegmentSize = BundleLayout.defaultContentSegmentSize
    /// `--compress` (true) / `--no-compress` (false): file contents as DEFLATE blocks
    /// (BlockCompressor), decompressed on demand, or stored. nil: compressed when the contents
    /// reach `automaticCompressionThreshold` and compressing saves at least a tenth of them.
    public var compress: Bool?
    /// Above this much file contents a compressed module starts faster: the wasmtime CLI spends
    /// ~4 ms per MB of module on every run (it reads the module, hashes it with SHA-256, reads
    /// and decompresses its cached artifact, copies it into place), while the guest pays for
    /// decompressing only the blocks it reads (~10 ms per MB read on wasmtime). The Debian
    /// fixture: `echo hi` 0.73 s stored (169 MB), 0.22 s compressed (61 MB); busybox (1.7 MB)
    /// is faster stored (docs/convert.md, measured 2026-12-06).
    public static let automaticCompressionThreshold: UInt64 = 32 << 20
    /// Refuse WASI images (`--web`: the page runs Skiff's core).
    public var forLinuxOnly = false

    public init(images: ImageStore, containers: ContainerStore) {
        self.images = images
        self.containers = containers
    }

    public struct Result {
        public var image: StoredImage
        public var configuration: BundleConfiguration
        public var moduleBytes: UInt64
        public var imageBytes: UInt64
        /// The file contents are stored as DEFLATE blocks.
        public var compressed = false
        /// A WASI image: its module's path in the image, packed with the image's files.
        public var packedProgram: String?
    }

    /// The image `options.image` names (pulled first if missing, as `skiff run` does).
    public func image(_ options: ContainerOptions) async throws -> StoredImage {
        var creator = ContainerCreator(images: images, containers: containers)
        creator.registry = registry
        creator.progress = progress
        creator.logger = logger
        return try await creator.image(options)
    }

    /// Writes the module for `image` to `output`: for a Linux image, Skiff's core module (at
    /// `core`, or found by locateCore) with the image inside; for a WASI image, the image's own
    /// module packed with its files (WasiImagePacker).
    public func convert(_ image: StoredImage, options: ContainerOptions, core corePath: String? = nil,
                        to output: String) throws(SkiffError) -> Result {
        let mapped: MappedFilesystemImage
        do {
            mapped = try MappedFilesystemImage(path: try images.rootFilesystem(for: image))
        } catch let error as SkiffError {
            throw error
        } catch {
            throw SkiffError(.invalidData, "cannot open the root filesystem of \(image.name): \(error)")
        }
        let reader = mapped.reader
        let configuration = try bundleConfiguration(image, options: options, reader: reader)
        if let program = try WasiImagePacker.program(image, configuration: configuration, reader: reader) {
            guard !forLinuxOnly else { throw SkiffError(.invalidArgument, "\(image.name) is a WASI image: the web page runs Linux images only (convert it to a packed module: skiff convert \(image.name) OUT.wasm)") }
            guard compress != true else { throw SkiffError(.invalidArgument, "--compress is for Linux images: \(image.name) is a WASI image, packed as it is") }
            return try WasiImagePacker().pack(image, program: program, configuration: configuration, reader: reader, to: output)
        }
        var path = corePath ?? ""
        if corePath == nil { path = try Self.locateCore() }
        let coreBytes = try readCore(path)
        let core: WasmModule
        do {
            core = try WasmModule(coreBytes)
        } catch {
            throw SkiffError(error.code, "the core module is \(error.message)")
        }

        // Segment 0: layout, the image's header, the configuration, the block index, the tables.
        let config = configuration.encoded
        let tablesOffset = reader.tablesOffset
        guard reader.dataOffset + reader.dataSize <= tablesOffset else {
            throw SkiffError(.invalidData, "the root filesystem of \(image.name) has its tables before its contents: rebuild it (skiff prune, then run the image)")
        }
        let contents = UnsafeRawBufferPointer(start: reader.base + Int(reader.dataOffset), count: Int(reader.dataSize))
        let compressed = try compressedContents(contents)
        let layout = BundleLayout(contentSegmentSize: contentSegmentSize, contentOffset: reader.dataOffset,
                                  contentLength: reader.dataSize, tablesOffset: tablesOffset,
                                  tablesLength: reader.imageSize - tablesOffset, configurationLength: UInt32(config.count),
                                  blockSize: compressed == nil ? 0 : BundleLayout.defaultBlockSize,
                                  streamLength: compressed.map { UInt64($0.stream.count) })
        var zero = layout.encoded
        zero += UnsafeRawBufferPointer(start: reader.base, count: BundleLayout.imageHeaderSize)
        zero += config
        zero += [UInt8](repeating: 0, count: layout.blockIndexStart - zero.count)
        if let compressed { zero += BundleLayout.encodeBlockIndex(compressed.offsets) }
        zero += UnsafeRawBufferPointer(start: reader.base + Int(tablesOffset), count: Int(layout.tablesLength))

        let stream = compressed?.stream ?? []
        try Self.writeReplacing(output) { (file) throws(SkiffError) in
            var failure: SkiffError?
            zero.withUnsafeBytes { zeroBytes in
                stream.withUnsafeBytes { streamBytes in
                    let source = compressed == nil ? contents : streamBytes
                    var segments = [zeroBytes]
                    for i in 0..<Int(layout.contentSegmentCount) {
                        let start = i * Int(contentSegmentSize)
                        segments.append(UnsafeRawBufferPointer(rebasing: source[start..<start + Int(layout.contentSegmentLength(i))]))
                    }
                    do throws(SkiffError) {
                        try WasmModuleWriter(core: core).write(segments: segments, to: file)
                    } catch {
                        failure = error
                    }
                }
            }
            if let failure { throw failure }
        }
        return Result(image: image, configuration: configuration, moduleBytes: Self.fileSize(output),
                      imageBytes: reader.imageSize, compressed: compressed != nil)
    }

    /// The contents as DEFLATE blocks, or nil to store them (see `compress`).
    private func compressedContents(_ contents: UnsafeRawBufferPointer) throws(SkiffError) -> BlockCompressor.Output? {
        if compress == false { return nil }
        let compressor = BlockCompressor()
        if compress == nil {
            // Automatic: big contents only, and only when a sample of their blocks (every 16th)
            // shrinks by a tenth (a 1 GB random file is not compressed for nothing).
            guard UInt64(contents.count) >= Self.automaticCompressionThreshold else { return nil }
            let (plain, packed) = compressor.sampleSizes(contents, every: 16)
            guard packed <= plain / 10 * 9 else { return nil }
        }
        return try compressor.compress(contents)
    }

    /// Writes `output` whole or not at all: into a file beside it, renamed over it at the end.
    static func writeReplacing(_ output: String, _ body: (OutputFile) throws(SkiffError) -> Void) throws(SkiffError) {
        let directory = (output as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory)
            + "/.\((output as NSString).lastPathComponent).\(getpid()).tmp"
        let file = try OutputFile(creating: temporary, mode: 0o644, exclusive: false)
        do throws(SkiffError) {
            try body(file)
            try file.close()
            guard rename(temporary, output) == 0 else {
                throw SkiffError(.io, "cannot write \(output): \(String(cString: strerror(errno)))")
            }
        } catch {
            file.closeQuietly()
            unlink(temporary)
            throw error
        }
    }

    static func fileSize(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }

    /// The process configuration baked into the module, resolved as `skiff run` would.
    func bundleConfiguration(_ image: StoredImage, options: ContainerOptions, reader: FSImageReader) throws(SkiffError) -> BundleConfiguration {
        let config = image.config.config
        let root = ContainerFileSystem(image: reader, inMemoryUpperOver: PosixHost())
        let process = try ContainerCreator.resolveProcess(
            root: root, config: config, options: options, userSpec: options.user ?? config?.User ?? "",
            settings: try options.environmentSettings(), hostname: nil)
        var bundle = BundleConfiguration()
        (bundle.entrypoint, bundle.command) = ContainerCreator.entrypointAndCommand(config, options)
        bundle.environment = process.environment
        bundle.workingDirectory = process.workingDirectory
        bundle.uid = process.user.uid
        bundle.gid = process.user.gid
        bundle.groups = process.user.groups
        bundle.platform = image.platform.description
        bundle.imageName = image.name
        return bundle
    }

    private func readCore(_ path: String) throws(SkiffError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SkiffError(.notFound, "cannot read Skiff's core module \(path)")
        }
        return [UInt8](data)
    }

    /// Where Skiff's core module is: $SKIFF_CORE_WASM, else `skiff-core.wasm` next to the `skiff`
    /// executable or in ../share/skiff, else (a build from a checkout) the checkout's
    /// .build-wasm/skiff-core.wasm that scripts/build-wasm.sh writes.
    public static func locateCore() throws(SkiffError) -> String {
        try InstalledFiles.locate("skiff-core.wasm", checkoutPath: ".build-wasm/skiff-core.wasm", variable: "SKIFF_CORE_WASM",
                                  what: "Skiff's core module", build: "scripts/build-wasm.sh")
    }
}
