// Layer tarballs through both flattening paths skiff has, each into LayerFlattener (OCI
// changeset rules) -> FSImageBuilder:
// - LayerArchive (Sources/OCI/Layers/LayerArchive.swift, compiled into this harness): libarchive,
//   loaded by Sources/ArchiveLoader, reading tar, gzip, zstd, bzip2 and xz layer files: the path
//   of `skiff pull`, `import` and every native run of a new image;
// - the portable tar reader TarStream: the path of converted modules and the web page.
// The input is up to four layers separated by `layerSeparator`. Bad archives must give a
// LayerError; whatever is accepted must make an image that opens and passes the deep validation
// (every name a single component, no "..", links within the image: nothing lands outside it).
@testable import ImageLayers
@testable import FSImage
#if canImport(Glibc)
import Glibc
#endif

let layerSeparator = Array("\n--next-layer--\n".utf8)

final class BytesStream: LayerByteStream {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: ArraySlice<UInt8>) { self.bytes = Array(bytes) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n > 0 { bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) } }
        offset += n
        return n
    }
}

func splitLayers(_ input: [UInt8]) -> [ArraySlice<UInt8>] {
    var layers: [ArraySlice<UInt8>] = []
    var start = 0, i = 0
    while i + layerSeparator.count <= input.count, layers.count < 3 {
        if input[i] == layerSeparator[0] && input[i..<i + layerSeparator.count].elementsEqual(layerSeparator) {
            layers.append(input[start..<i])
            i += layerSeparator.count
            start = i
        } else {
            i += 1
        }
    }
    layers.append(input[start...])
    return layers
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLayers(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let layers = splitLayers(fuzzBytes(data, size))
    flatten(layers) { layer, i throws(LayerError) in TarStream(BytesStream(layer), name: "layer \(i + 1)") }
    flatten(layers) { layer, i throws(LayerError) in
        let path = try layerFile(layer, i)
        defer { unlink(path) } // libarchive opened it already
        return try LayerArchive(path: path)
    }
    return 0
}

/// The layer written to a file (LayerArchive reads files, as skiff reads blobs from its store).
func layerFile(_ layer: ArraySlice<UInt8>, _ index: Int) throws(LayerError) -> String {
    let path = "/dev/shm/skiff-fuzz-layers-\(getpid())-\(index)"
    guard let f = fopen(path, "wb") else { throw LayerError("cannot write \(path)") }
    defer { fclose(f) }
    let written = layer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    if written != layer.count { throw LayerError("cannot write \(path)") }
    return path
}

/// Flattens `layers` read by `source`; checks the invariants.
func flatten<Source: LayerEntrySource>(_ layers: [ArraySlice<UInt8>],
                                       _ source: (ArraySlice<UInt8>, Int) throws(LayerError) -> Source) {
    let sink = FSImageMemorySink()
    guard let builder = try? FSImageBuilder(sink: sink) else { invariant(false, "builder"); return }
    let flattener = LayerFlattener(builder: builder)
    for (i, layer) in layers.enumerated() {
        do {
            try flattener.apply(try source(layer, i), number: UInt32(i + 1), name: "\(i + 1)")
        } catch {
            invariant(!error.description.isEmpty, "a LayerError without a message")
            return
        }
    }
    let summary: FSImageSummary
    do { summary = try builder.finish() } catch {
        invariant(false, "layers were accepted but the image cannot be finished: \(error)")
        return
    }
    invariant(UInt64(sink.bytes.count) == summary.imageSize, "image size \(sink.bytes.count) != summary \(summary.imageSize)")
    sink.bytes.withUnsafeBytes { image in
        do {
            let reader = try FSImageReader(image)
            try reader.validate()
            _ = try walkImage(reader)
        } catch {
            invariant(false, "the flattened image is invalid: \(error)")
        }
    }
}

/// Seeds: small archives in each header dialect TarStream reads, and layered changes (scripts/fuzz.sh
/// --seeds adds gzip and zstd copies of the single-layer ones, for LayerArchive's filters).
func fuzzSeeds() -> [(name: String, bytes: [UInt8])] {
    var plain = TarBuilder()
    plain.directory("etc/")
    plain.file("etc/hostname", Array("skiff\n".utf8))
    plain.symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
    plain.hardLink("etc/hostname.copy", "etc/hostname")
    plain.special("dev/null", type: 0x33, major: 1, minor: 3)
    plain.special("run/fifo", type: 0x36)
    var long = TarBuilder()
    let deep = String(repeating: "long-directory-name/", count: 8) + "file"
    long.gnuLongName(deep, contents: Array("deep\n".utf8))
    long.pax(["path": "pax/" + String(repeating: "p", count: 120), "mtime": "1700000000.5", "uid": "1000"],
             then: { $0.file("ignored-name", Array("pax file\n".utf8)) })
    var lower = TarBuilder()
    lower.directory("app/")
    lower.file("app/a", [1, 2, 3])
    lower.file("app/b", [4, 5, 6])
    lower.directory("data/")
    lower.file("data/x", [7])
    var upper = TarBuilder()
    upper.file("app/.wh.a", [])
    upper.file("data/.wh..wh..opq", [])
    upper.file("data/y", [8])
    upper.symlink("link", "../../app")
    upper.file("link/c", [9])
    return [("plain.tar", plain.finish()), ("long-names.tar", long.finish()),
            ("whiteouts.tar", lower.finish() + layerSeparator + upper.finish())]
}

/// Writes ustar archives for the seeds (headers as GNU tar and Go's archive/tar write them).
struct TarBuilder {
    var bytes: [UInt8] = []

    mutating func header(_ name: String, type: UInt8, size: Int, link: String = "", mode: Int = 0o644,
                         major: Int = 0, minor: Int = 0) {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, _ offset: Int, _ length: Int) {
            for (i, b) in s.utf8.prefix(length).enumerated() { h[offset + i] = b }
        }
        func octal(_ v: Int, _ offset: Int, _ length: Int) {
            let digits = String(v, radix: 8)
            put(String(repeating: "0", count: max(0, length - 1 - digits.count)) + digits, offset, length - 1)
        }
        put(name, 0, 100); octal(mode, 100, 8); octal(0, 108, 8); octal(0, 116, 8)
        octal(size, 124, 12); octal(1_700_000_000, 136, 12); h[156] = type; put(link, 157, 100)
        put("ustar", 257, 6); put("00", 263, 2); octal(major, 329, 8); octal(minor, 337, 8)
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        octal(sum, 148, 7)
        bytes += h
    }

    mutating func data(_ d: [UInt8]) {
        bytes += d
        bytes += [UInt8](repeating: 0, count: (512 - d.count % 512) % 512)
    }

    mutating func file(_ name: String, _ contents: [UInt8]) { header(name, type: 0x30, size: contents.count); data(contents) }
    mutating func directory(_ name: String) { header(name, type: 0x35, size: 0, mode: 0o755) }
    mutating func symlink(_ name: String, _ target: String) { header(name, type: 0x32, size: 0, link: target, mode: 0o777) }
    mutating func hardLink(_ name: String, _ target: String) { header(name, type: 0x31, size: 0, link: target) }
    mutating func special(_ name: String, type: UInt8, major: Int = 0, minor: Int = 0) {
        header(name, type: type, size: 0, major: major, minor: minor)
    }
    mutating func gnuLongName(_ name: String, contents: [UInt8]) {
        let n = Array(name.utf8) + [0]
        header("././@LongLink", type: 0x4c, size: n.count); data(n)
        file(String(name.prefix(99)), contents)
    }
    mutating func pax(_ records: [String: String], then next: (inout TarBuilder) -> Void) {
        var body: [UInt8] = []
        for (k, v) in records.sorted(by: { $0.key < $1.key }) {
            let rest = " \(k)=\(v)\n"
            var length = rest.utf8.count + 1
            while String(length).utf8.count + rest.utf8.count != length { length += 1 }
            body += Array("\(length)\(rest)".utf8)
        }
        header("PaxHeaders/x", type: 0x78, size: body.count); data(body)
        next(&self)
    }
    mutating func finish() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }
}
