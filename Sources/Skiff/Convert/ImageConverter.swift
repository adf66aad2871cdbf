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
    /// `--compress`: file contents as DEFLATE blocks (BlockCompressor), decompressed on demand.
    public var compress = false

    public init(images: ImageStore, containers: ContainerStore) {
        self.images = images
        self.containers = containers
    }

    public struct Result {
        public var image: StoredImage
        public var configuration: BundleConfiguration
        public var moduleBytes: UInt64
        public var imageBytes: UInt64
    }

    /// The image `options.image` names (pulled first if missing, as `skiff run` does).
    public func image(_ options: ContainerOptions) async throws -> StoredImage {
        var creator = ContainerCreator(images: images, containers: containers)
        creator.registry = registry
        creator.progress = progress
        creator.logger = logger
        return try await creator.image(options)
    }

    /// Writes the module for `image` to `output`, with `core` as Skiff's core module.
    public func convert(_ image: StoredImage, options: ContainerOptions, core corePath: String,
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
        let core = try WasmModule(try readCore(corePath))

        // Segment 0: layout, the image's header, the configuration, the block index, the tables.
        let config = configuration.encoded
        let tablesOffset = reader.tablesOffset
        guard reader.dataOffset + reader.dataSize <= tablesOffset else {
            throw SkiffError(.invalidData, "the root filesystem of \(image.name) has its tables before its contents: rebuild it (skiff prune, then run the image)")
        }
        let contents = UnsafeRawBufferPointer(start: reader.base + Int(reader.dataOffset), count: Int(reader.dataSize))
        let compressed = compress ? try BlockCompressor().compress(contents) : nil
        let layout = BundleLayout(contentSegmentSize: contentSegmentSize, contentOffset: reader.dataOffset,
                                  contentLength: reader.dataSize, tablesOffset: tablesOffset,
                                  tablesLength: reader.imageSize - tablesOffset, configurationLength: UInt32(config.count),
                                  blockSize: compress ? BundleLayout.defaultBlockSize : 0,
                                  streamLength: compressed.map { UInt64($0.stream.count) })
        var zero = layout.encoded
        zero += UnsafeRawBufferPointer(start: reader.base, count: BundleLayout.imageHeaderSize)
        zero += config
        zero += [UInt8](repeating: 0, count: layout.blockIndexStart - zero.count)
        if let compressed { zero += BundleLayout.encodeBlockIndex(compressed.offsets) }
        zero += UnsafeRawBufferPointer(start: reader.base + Int(tablesOffset), count: Int(layout.tablesLength))

        let directory = (output as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory)
            + "/.\((output as NSString).lastPathComponent).\(getpid()).tmp"
        let file = try OutputFile(creating: temporary, mode: 0o644, exclusive: false)
        var failure: SkiffError?
        let stream = compressed?.stream ?? []
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
                    try file.close()
                    guard rename(temporary, output) == 0 else {
                        throw SkiffError(.io, "cannot write \(output): \(String(cString: strerror(errno)))")
                    }
                } catch {
                    failure = error
                }
            }
        }
        if let failure {
            file.closeQuietly()
            unlink(temporary)
            throw failure
        }
        var info = stat()
        let size = stat(output, &info) == 0 ? UInt64(info.st_size) : 0
        return Result(image: image, configuration: configuration, moduleBytes: size, imageBytes: reader.imageSize)
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
        if let path = ProcessInfo.processInfo.environment["SKIFF_CORE_WASM"], !path.isEmpty {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw SkiffError(.notFound, "SKIFF_CORE_WASM names \(path), which cannot be read")
            }
            return path
        }
        let candidates = InstalledFiles.candidates("skiff-core.wasm", checkoutPath: ".build-wasm/skiff-core.wasm")
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        throw SkiffError(.notFound, "Skiff's core module (skiff-core.wasm) was not found next to skiff, in ../share/skiff or in the checkout's .build-wasm: build it with scripts/build-wasm.sh, or set SKIFF_CORE_WASM")
    }
}
