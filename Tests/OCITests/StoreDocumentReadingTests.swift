// The start-up path's JSON reading (JSONReader and the init?(json:) readers): whatever it reads,
// it reads exactly as JSONDecoder does; whatever it is unsure of, it leaves to JSONDecoder.

import Foundation
import XCTest
@testable import OCI

final class StoreDocumentReadingTests: XCTestCase {
    private let d1 = "sha256:" + String(repeating: "a", count: 64)
    private let d2 = "sha256:" + String(repeating: "b", count: 64)
    private let d3 = "sha256:" + String(repeating: "c", count: 64)

    /// Both readings of `text`: JSONDecoder's, and JSONReader + `read`'s.
    private func bothReadings<T: Decodable>(_ type: T.Type, _ text: String, _ read: (JSONValue) -> T?) -> (codable: T?, quick: T?) {
        let bytes = Array(text.utf8)
        return (try? JSONDecoder().decode(T.self, from: Data(bytes)), JSONReader.parse(bytes).flatMap(read))
    }

    private func assertSameReading<T: Decodable & Equatable>(_ type: T.Type, _ text: String, _ read: (JSONValue) -> T?,
                                                             file: StaticString = #filePath, line: UInt = #line) {
        let r = bothReadings(type, text, read)
        XCTAssertNotNil(r.codable, "JSONDecoder reads it", file: file, line: line)
        XCTAssertNotNil(r.quick, "the quick reader reads it", file: file, line: line)
        XCTAssertEqual(r.quick, r.codable, file: file, line: line)
    }

    /// The quick reader gives up where JSONDecoder fails (so JSONDecoder reports the error).
    private func assertBothReject<T: Decodable>(_ type: T.Type, _ text: String, _ read: (JSONValue) -> T?,
                                                file: StaticString = #filePath, line: UInt = #line) {
        let r = bothReadings(type, text, read)
        XCTAssertNil(r.codable, "JSONDecoder rejects it", file: file, line: line)
        XCTAssertNil(r.quick, "the quick reader rejects it", file: file, line: line)
    }

    func testParsesJSONValues() {
        let text = #" { "s": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00é", "n": [0, -12, 123456789012345], "b": [true, false, null], "o": {} } "#
        guard case .object(let o)? = JSONReader.parse(Array(text.utf8)) else { return XCTFail("not parsed") }
        XCTAssertEqual(o["s"], .string("a\"b\\c/d\n\té😀é"))
        XCTAssertEqual(o["n"], .array([.number(0), .number(-12), .number(123456789012345)]))
        XCTAssertEqual(o["b"], .array([.bool(true), .bool(false), .null]))
        XCTAssertEqual(o["o"], .object([:]))
        XCTAssertEqual(JSONReader.parse(Array("[]".utf8)), .array([]))
    }

    func testGivesUpOnWhatItDoesNotReadExactly() {
        let rejected = [
            "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1] x", "{'a': 1}", "tru", "nul",
            "{\"a\":1,\"a\":2}",                       // duplicate keys
            "[\"\\ud800\"]", "[\"\\udc00\"]",          // lone surrogates
            "[\"a\u{01}b\"]", "[\"\\x\"]",             // control character, unknown escape
            "[1234567890123456]", "[1.5]", "[1e3]", "[01]", "[-]", // long, fractional, malformed numbers
            String(repeating: "[", count: 80) + String(repeating: "]", count: 80),
        ]
        for text in rejected {
            XCTAssertNil(JSONReader.parse(Array(text.utf8)), text)
        }
        XCTAssertNil(JSONReader.parse([0x5b, 0x22, 0xff, 0x22, 0x5d]), "malformed UTF-8")
    }

    func testManifestsReadAsJSONDecoderReadsThem() {
        let full = """
            {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "artifactType": "x/y",
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "\(d1)", "size": 1234},
             "layers": [
               {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "\(d2)", "size": 77000000,
                "urls": ["https://example.com/l"], "annotations": {"k": "v"}, "artifactType": null,
                "platform": {"os": "linux", "architecture": "riscv64", "variant": "", "os.version": "1",
                             "os.features": ["f"]}},
               {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "\(d3)", "size": 0, "unknown": [1, {"x": null}]}],
             "subject": {"mediaType": "m", "digest": "\(d1)", "size": 1},
             "annotations": {"org.opencontainers.image.created": "2026-11-21T00:00:00Z"}}
            """
        assertSameReading(Manifest.self, full, Manifest.init(json:))
        let docker = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"\(d1)"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,"digest":"\(d2)"}]}
            """
        assertSameReading(Manifest.self, docker, Manifest.init(json:))
        // What JSONDecoder rejects, the quick reader leaves to it.
        assertBothReject(Manifest.self, docker.replacingOccurrences(of: "\"size\":1469", with: "\"size\":\"1469\""), Manifest.init(json:))
        assertBothReject(Manifest.self, docker.replacingOccurrences(of: "\"size\":1469,", with: ""), Manifest.init(json:))
        assertBothReject(Manifest.self, docker.replacingOccurrences(of: "\(d1)", with: "sha256:12"), Manifest.init(json:))
        assertBothReject(Manifest.self, docker.replacingOccurrences(of: "\"schemaVersion\":2", with: "\"schemaVersion\":null"), Manifest.init(json:))
        assertBothReject(Manifest.self, docker.replacingOccurrences(of: "\"layers\":[", with: "\"layers\":[7,"), Manifest.init(json:))
    }

    func testImageConfigsReadAsJSONDecoderReadsThem() {
        let full = """
            {"created": "2026-11-21T00:00:00Z", "author": "Zoë 😀", "architecture": "riscv64", "os": "linux",
             "variant": "", "os.version": "10",
             "config": {"User": "app:app", "Env": ["PATH=/bin", "A=b=c"], "Entrypoint": ["/bin/sh", "-c"],
                        "Cmd": ["echo \\"hi\\""], "WorkingDir": "/w", "Labels": {"a": "1", "é": "ü"},
                        "StopSignal": "SIGTERM", "ExposedPorts": {"80/tcp": {}, "53/udp": {"x": [true, 1, null, "s"]}},
                        "Volumes": {"/data": {}}, "Healthcheck": {"Test": ["NONE"]}},
             "rootfs": {"type": "layers", "diff_ids": ["\(d1)", "\(d2)"]},
             "history": [{"created": "2026-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD", "empty_layer": true},
                         {"comment": "c"}, {}]}
            """
        assertSameReading(ImageConfiguration.self, full, ImageConfiguration.init(json:))
        let minimal = """
            {"architecture":"riscv64","os":"linux","config":null,"rootfs":{"type":"layers","diff_ids":[]}}
            """
        assertSameReading(ImageConfiguration.self, minimal, ImageConfiguration.init(json:))
        assertSameReading(ImageConfiguration.self, minimal.replacingOccurrences(of: "null", with: "{}"), ImageConfiguration.init(json:))
        assertBothReject(ImageConfiguration.self, minimal.replacingOccurrences(of: "\"os\":\"linux\",", with: ""), ImageConfiguration.init(json:))
        assertBothReject(ImageConfiguration.self, minimal.replacingOccurrences(of: "null", with: "{\"Env\":\"A=1\"}"), ImageConfiguration.init(json:))
        assertBothReject(ImageConfiguration.self, minimal.replacingOccurrences(of: "null", with: "{\"Labels\":{\"a\":1}}"), ImageConfiguration.init(json:))
        assertBothReject(ImageConfiguration.self, minimal.replacingOccurrences(of: "[]", with: "[\"sha256:x\"]"), ImageConfiguration.init(json:))
    }

    func testTagIndexReadsAsJSONDecoderReadsIt() throws {
        let records = [
            ImageRecord(name: "docker.io/library/busybox:latest", digest: try Digest(parsing: d1), mediaType: MediaType.ociManifest,
                        platform: Platform(os: "linux", architecture: "riscv64"), indexDigest: try Digest(parsing: d2),
                        source: "docker.io/library/busybox"),
            ImageRecord(name: "localhost:5000/x@\(d3)", digest: try Digest(parsing: d3), mediaType: MediaType.dockerManifest,
                        platform: Platform(os: "linux", architecture: "arm64", variant: "v8")),
        ]
        // As the store writes it.
        let written = String(decoding: try JSON.encode(TagIndexFile(images: records), pretty: true), as: UTF8.self)
        assertSameReading(TagIndexFileReading.self, written) { TagIndexFile(json: $0).map(TagIndexFileReading.init) }
        XCTAssertEqual(TagIndexFile(json: JSONReader.parse(Array(written.utf8))!)?.images, records)
        assertBothReject(TagIndexFileReading.self, #"{"images": []}"#) { TagIndexFile(json: $0).map(TagIndexFileReading.init) }
        assertBothReject(TagIndexFileReading.self, #"{"version": 1, "images": [{"name": "x"}]}"#) {
            TagIndexFile(json: $0).map(TagIndexFileReading.init)
        }
    }
}

/// TagIndexFile compared by value (it is not Equatable itself).
private struct TagIndexFileReading: Decodable, Equatable {
    var version: Int
    var images: [ImageRecord]
    init(_ file: TagIndexFile) { version = file.version; images = file.images }
    init(from decoder: any Decoder) throws { self.init(try TagIndexFile(from: decoder)) }
}
