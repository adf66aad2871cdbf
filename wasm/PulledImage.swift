#if !SKIFF_SINGLE_MODULE
import FSImage
import ImageLayers
import LinuxKernel
import ModuleBundle
#endif

// An image pulled by the web page (web/skiff-pull.js) instead of the one the module carries: the
// page preopens a directory named `.skiff-image` holding
//
//   config     the container's configuration (BundleConfiguration's encoding)
//   layer-1 … layer-N   the layers, in order, as plain (decompressed) tar streams
//
// The module flattens the layers with the same code `skiff pull` uses (ImageLayers: whiteouts,
// opaque directories, links confined to the tree) into a filesystem image in its own memory and
// runs it like an embedded one. The page streams each layer from the registry while it is read,
// so only the flattened image is held in memory. Any WASI runtime can do the same:
// `wasmtime --dir DIR::.skiff-image out.wasm`.

enum PulledImage {
    static let preopenName = ".skiff-image"
    /// Largest `config` accepted.
    static let maxConfigurationSize = 1 << 20

    struct Image {
        let configuration: BundleConfiguration
        let reader: FSImageReader
        /// Holds the image the reader points into, for as long as the module runs.
        let storage: GrowableImageSink
    }

    enum Loaded {
        case none
        case image(Image)
        case failure(String)
    }

    static func load() -> Loaded {
        guard let directory = WasiHost.preopenedDirectories().first(where: { $0.name == preopenName })?.fd else { return .none }
        let host = WasiHost()
        let configuration: BundleConfiguration
        do throws(Errno) {
            let fd = try host.open(at: directory, Array("config".utf8), flags: 0, mode: 0)
            defer { host.close(fd) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxConfigurationSize + 1, alignment: 8)
            defer { buffer.deallocate() }
            var count = 0
            while count < buffer.count {
                let n = try host.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                if n == 0 { break }
                count += n
            }
            guard count <= maxConfigurationSize else { return .failure("the pulled image's configuration is too large") }
            do throws(ModuleBundleError) {
                configuration = try BundleConfiguration(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            } catch {
                return .failure("the pulled image's configuration is corrupt")
            }
        } catch {
            return .failure("cannot read the pulled image's configuration: \(error.name)")
        }

        let sink = GrowableImageSink()
        do throws(LayerError) {
            let builder: FSImageBuilder
            do throws(FSImageError) { builder = try FSImageBuilder(sink: sink) } catch { throw LayerError(error.message) }
            let flattener = LayerFlattener(builder: builder)
            var number: UInt32 = 1
            while true {
                let name = "layer-\(number)"
                let fd: HostFD
                do throws(Errno) {
                    fd = try host.open(at: directory, Array(name.utf8), flags: 0, mode: 0)
                } catch {
                    if error == .ENOENT { break }
                    throw LayerError("cannot open \(name) of the pulled image: \(error.name)")
                }
                defer { host.close(fd) }
                let stream = TarStream(WasiFileStream(host: host, fd: fd, name: name), name: "layer \(number)")
                try flattener.apply(stream, number: number, name: "\(number)")
                number += 1
            }
            guard number > 1 else { throw LayerError("the pulled image has no layers") }
            do throws(FSImageError) { _ = try builder.finish() } catch { throw LayerError(error.message) }
        } catch {
            return .failure("cannot unpack the pulled image: \(error.description)")
        }
        do throws(FSImageError) {
            let reader = try FSImageReader(UnsafeRawBufferPointer(start: sink.base, count: sink.count))
            return .image(Image(configuration: configuration, reader: reader, storage: sink))
        } catch {
            return .failure("the pulled image's filesystem is corrupt: \(error.message)")
        }
    }
}

/// A file of the `.skiff-image` directory, read front to back.
final class WasiFileStream: LayerByteStream {
    let host: WasiHost
    let fd: HostFD
    let name: String

    init(host: WasiHost, fd: HostFD, name: String) {
        self.host = host
        self.fd = fd
        self.name = name
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        do throws(Errno) {
            return try host.read(fd, into: buffer)
        } catch {
            throw LayerError("cannot read \(name) of the pulled image: \(error.name)")
        }
    }
}

@_extern(c, "realloc")
func wasiRealloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer?

/// The flattened image in linear memory: one block grown with realloc (which extends it in place
/// when it is the last thing on the heap, so a pull does not hold two copies at once).
final class GrowableImageSink: FSImageSink {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var count = 0
    private var capacity = 0

    private func reserve(_ extra: Int) throws(FSImageError) {
        guard extra <= Int.max - count else { throw .tooLarge }
        let needed = count + extra
        if needed <= capacity { return }
        var grown = max(capacity, 1 << 20)
        while grown < needed { grown = grown > Int.max / 2 ? needed : grown * 2 }
        guard let p = wasiRealloc(base, grown) else { throw .sinkFailed(12) }  // ENOMEM
        base = p
        capacity = grown
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        try reserve(bytes.count)
        if let from = bytes.baseAddress, bytes.count > 0 { (base! + count).copyMemory(from: from, byteCount: bytes.count) }
        count += bytes.count
    }

    func appendZeros(_ zeros: Int) throws(FSImageError) {
        try reserve(zeros)
        (base! + count).initializeMemory(as: UInt8.self, repeating: 0, count: zeros)
        count += zeros
    }

    func overwrite(at offset: UInt64, with bytes: UnsafeRawBufferPointer) throws(FSImageError) {
        guard offset <= UInt64(count), UInt64(bytes.count) <= UInt64(count) - offset else {
            throw .invalidTree("overwrite past the end of the sink")
        }
        if let from = bytes.baseAddress, bytes.count > 0 { (base! + Int(offset)).copyMemory(from: from, byteCount: bytes.count) }
    }
}
