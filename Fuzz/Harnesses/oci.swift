// What a registry sends and the store keeps, through Sources/OCI's own parsers (compiled into
// this harness): image references (`skiff pull REF`), `WWW-Authenticate` challenges, manifests,
// indexes and image configs (ManifestDocument.decode, and the strict JSONReader readers against
// JSONDecoder's Codable reading), the tag index. Every input goes through all of them.
// Invariants: a parsed reference prints as a reference that parses back to itself; where the
// quick reader accepts a document, JSONDecoder accepts it too and reads the same value
// (StoreDocumentReading.swift's promise); bad input is a SkiffError with a message.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)

    if let reference = try? ImageReference(parsing: text) {
        do {
            let again = try ImageReference(parsing: reference.description)
            invariant(again == reference, "reference '\(text)' prints as '\(reference)', which parses to '\(again)'")
        } catch {
            invariant(false, "reference '\(text)' prints as '\(reference)', which does not parse: \(error)")
        }
        _ = reference.familiar
    }
    _ = try? Platform(parsing: text)
    for challenge in AuthChallenge.parse(text) { invariant(!challenge.scheme.isEmpty, "challenge without a scheme") }

    for declared in [nil, MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifestList] {
        do { _ = try ManifestDocument.decode(bytes, mediaType: declared, what: "manifest") } catch {
            invariant(!error.message.isEmpty, "a SkiffError without a message")
        }
    }
    if let tree = JSONReader.parse(bytes) {
        sameReading(Manifest.self, bytes, Manifest(json: tree))
        sameReading(ImageConfiguration.self, bytes, ImageConfiguration(json: tree))
        sameReading(Descriptor.self, bytes, Descriptor(json: tree))
        sameReading(Platform.self, bytes, Platform(json: tree))
        if let quick = TagIndexFile(json: tree) {
            let codable = try? JSONDecoder().decode(TagIndexFile.self, from: Data(bytes))
            invariant(codable?.images == quick.images && codable?.version == quick.version,
                      "the tag index reads differently: quick \(quick.images), JSONDecoder \(String(describing: codable?.images))")
        }
    }
    return 0
}

/// Where the quick reader read `quick`, JSONDecoder must read the same value.
func sameReading<T: Decodable & Equatable>(_ type: T.Type, _ bytes: [UInt8], _ quick: T?) {
    guard let quick else { return }
    do {
        let codable = try JSONDecoder().decode(T.self, from: Data(bytes))
        invariant(codable == quick, "\(T.self) reads differently: quick \(quick), JSONDecoder \(codable)")
    } catch {
        invariant(false, "the quick reader read a \(T.self) JSONDecoder rejects (\(error)): \(quick)")
    }
}

/// Seeds: references and challenges as users and registries write them, and documents encoded
/// by Skiff's own model types (as `skiff save` and `skiff push` write them).
func fuzzSeeds() -> [(name: String, bytes: [UInt8])] {
    let d1 = try! Digest(parsing: "sha256:" + String(repeating: "a", count: 64))
    let d2 = try! Digest(parsing: "sha256:" + String(repeating: "b", count: 64))
    let layer = Descriptor(mediaType: MediaType.ociLayerGzip, digest: d2, size: 1234)
    let config = Descriptor(mediaType: MediaType.ociConfig, digest: d1, size: 56)
    let manifest = Manifest(mediaType: MediaType.ociManifest, config: config, layers: [layer], annotations: ["a": "b"])
    var entry = Descriptor(mediaType: MediaType.ociManifest, digest: d1, size: 400)
    entry.platform = Platform(os: "linux", architecture: "riscv64")
    let index = ImageIndex(manifests: [entry])
    var cc = ImageConfiguration.ContainerConfig()
    cc.Env = ["PATH=/usr/bin"]; cc.Cmd = ["/bin/sh"]; cc.WorkingDir = "/"
    let image = ImageConfiguration(platform: Platform(os: "linux", architecture: "riscv64"), config: cc, diffIDs: [d2])
    let record = ImageRecord(name: "docker.io/library/busybox:latest", digest: d1, mediaType: MediaType.ociManifest,
                             platform: Platform(os: "linux", architecture: "riscv64"), created: "2026-01-01T00:00:00Z")
    func json<T: Encodable>(_ v: T) -> [UInt8] { try! JSON.encode(v) }
    let text: [(String, String)] = [
        ("ref-short", "busybox"), ("ref-full", "localhost:5000/team/app:1.2@sha256:" + String(repeating: "c", count: 64)),
        ("ref-hub", "riscv64/alpine:3.21"),
        ("challenge-bearer", #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#),
        ("challenge-two", #"Basic realm="Registry", Bearer realm="http://127.0.0.1/t",error="insufficient_scope""#),
    ]
    return text.map { ($0.0, Array($0.1.utf8)) } + [
        ("manifest.json", json(manifest)), ("index.json", json(index)), ("config.json", json(image)),
        ("images.json", json(TagIndexFile(images: [record]))),
    ]
}
