// The portable tar reader (ImageLayers.TarStream, used by converted modules for images the web
// page pulls) against libarchive (LayerArchive, used by `skiff pull`): the same layers must give
// byte-identical filesystem images; corrupt and hostile streams must give a LayerError.

import FSImage
import Foundation
import ImageLayers
@testable import OCI
import XCTest

/// A tar file's bytes, handed out in small uneven reads (to cross header and data boundaries).
final class BytesStream: LayerByteStream {
    let bytes: [UInt8]
    var at = 0
    var read = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        read += 1
        let n = min(buffer.count, bytes.count - at, [1, 700, 4096, 333, 65536][read % 5])
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[at..<at + n])) }
        at += n
        return n
    }
}

final class PortableTarReaderTests: XCTestCase {
    /// The image the portable reader builds from `layers` (plain tar files).
    func portableImage(_ layers: [String]) throws -> [UInt8] {
        let sink = FSImageMemorySink()
        let builder = try FSImageBuilder(sink: sink)
        let flattener = LayerFlattener(builder: builder)
        for (i, path) in layers.enumerated() {
            let stream = TarStream(BytesStream(Array(try Data(contentsOf: URL(fileURLWithPath: path)))), name: "layer \(i + 1)")
            try flattener.apply(stream, number: UInt32(i + 1), name: "\(i + 1)")
        }
        _ = try builder.finish()
        return sink.bytes
    }

    /// The image libarchive's reader builds from the same layers.
    func libarchiveImage(_ layers: [String]) throws -> [UInt8] {
        let sink = FSImageMemorySink()
        let builder = try FSImageBuilder(sink: sink)
        let flattener = LayerFlattener(builder: builder)
        for (i, path) in layers.enumerated() {
            try flattener.apply(try LayerArchive(path: path), number: UInt32(i + 1), name: "\(i + 1)")
        }
        _ = try builder.finish()
        return sink.bytes
    }

    func entries(longNames: Bool) -> [TarEntry] {
        let deep = longNames ? String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 90) : "d/e"
        return [
            .dir("etc"),
            .file("etc/hostname", "box\n", mode: 0o644, uid: 0, gid: 0, mtime: 1_600_000_000),
            .file("empty", ""),
            .file("block512", String(repeating: "x", count: 512)),
            .file("odd", String(repeating: "y", count: 100_003), mode: 0o4755, uid: 1000, gid: 1000),
            .dir(deep, mode: 0o700, uid: 7, gid: 8),
            .file(deep + "/" + (longNames ? String(repeating: "f", count: 120) : "f"), "deep\n"),
            .symlink("link", longNames ? "/" + String(repeating: "t", count: 150) : "etc/hostname"),
            .hardLink("hard", "odd"),
            TarEntry(path: "dev/null", kind: .characterDevice(1, 3), mode: 0o666),
            TarEntry(path: "dev/sda", kind: .blockDevice(8, 0), mode: 0o660),
            TarEntry(path: "fifo", kind: .fifo, mode: 0o600),
            .file(".wh.gone", ""),
        ]
    }

    func testSameImageAsLibarchiveForEveryFormat() throws {
        let scratch = try LayerScratch()
        for (format, long) in [(TarFormat.pax, true), (.gnu, true), (.ustar, false)] {
            var layers = [try scratch.layer(entries(longNames: long), format: format).path]
            // A second layer: whiteouts, an opaque directory, replacements, pax times with nanoseconds.
            layers.append(try scratch.layer([
                .file("etc/.wh..wh..opq", ""), .file("etc/motd", "hi\n", mtime: 1_700_000_001, nanoseconds: format == .pax ? 123_456_789 : 0),
                .file(".wh.odd", ""), .file("block512", "replaced"),
                .file("big-uid", "u", uid: format == .ustar ? 1 : 3_000_000_000, gid: 5),
            ], format: format).path)
            let portable = try portableImage(layers)
            XCTAssertEqual(portable, try libarchiveImage(layers), "format \(format)")
            try portable.withUnsafeBytes { try FSImageReader($0).validate() }
        }
    }

    /// Archives written by GNU tar itself, in its own and the POSIX format.
    func testGNUTarArchives() throws {
        let scratch = try LayerScratch()
        let tree = scratch.directory + "/tree"
        let long = tree + "/" + String(repeating: "n", count: 120) + "/" + String(repeating: "m", count: 130)
        try FileManager.default.createDirectory(atPath: long, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 70_000).write(to: URL(fileURLWithPath: long + "/data"))
        try FileManager.default.createSymbolicLink(atPath: tree + "/ln", withDestinationPath: String(repeating: "s", count: 200))
        for format in ["gnu", "posix", "oldgnu"] {
            let path = scratch.directory + "/\(format).tar"
            let tar = Process()
            tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
            tar.arguments = ["--format=\(format)", "-C", tree, "-cf", path, "."]
            try tar.run()
            tar.waitUntilExit()
            XCTAssertEqual(tar.terminationStatus, 0)
            XCTAssertEqual(try portableImage([path]), try libarchiveImage([path]), format)
        }
    }

    func assertFails(_ bytes: [UInt8], mentioning fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        let builder = try! FSImageBuilder(sink: FSImageMemorySink())
        do {
            try LayerFlattener(builder: builder).apply(TarStream(BytesStream(bytes), name: "layer 1"), number: 1, name: "1")
            XCTFail("accepted; expected an error mentioning '\(fragment)'", file: file, line: line)
        } catch {
            XCTAssertTrue(error.description.contains(fragment), "'\(error.description)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testCorruptStreamsAreRefused() throws {
        let scratch = try LayerScratch()
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: try scratch.layer(entries(longNames: true)).path)))
        var badSum = good
        badSum[0] ^= 1
        assertFails(badSum, mentioning: "checksum")
        assertFails(Array(good[0..<700]), mentioning: "truncated")
        assertFails(Array(good[0..<300]), mentioning: "truncated")
        // A pax header claiming 1 GiB of records; a sparse file; an unknown entry type.
        assertFails(header(type: "x", size: 1 << 30), mentioning: "extended header")
        assertFails(header(type: "S", size: 0), mentioning: "sparse")
        assertFails(header(type: "Z", size: 0), mentioning: "unsupported type")
        assertFails(header(type: "x", size: 12) + Array("99 path=a\n\0\0".utf8) + [UInt8](repeating: 0, count: 500), mentioning: "pax")
        var negative = header(type: "0", size: 0)
        negative.replaceSubrange(124..<136, with: [UInt8](repeating: 0xff, count: 12))
        fixChecksum(&negative)
        assertFails(negative, mentioning: "size")
    }

    /// Random corruption of a valid layer: an error or an image, never a crash or a hang.
    func testRandomCorruptionNeverCrashes() throws {
        let scratch = try LayerScratch()
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: try scratch.layer(entries(longNames: true), format: .pax).path)))
        var generator = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                bytes[Int.random(in: 0..<min(bytes.count, 4096), using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let builder = try FSImageBuilder(sink: FSImageMemorySink())
            do {
                try LayerFlattener(builder: builder).apply(TarStream(BytesStream(bytes), name: "l"), number: 1, name: "1")
                _ = try builder.finish()
            } catch {
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 0)
    }

    func header(type: Character, size: Int) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        h.replaceSubrange(0..<4, with: Array("file".utf8))
        let octal = Array(String(size, radix: 8).utf8)
        h.replaceSubrange(124..<124 + octal.count, with: octal)
        h[156] = type.asciiValue!
        h.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        fixChecksum(&h)
        return h
    }

    func fixChecksum(_ h: inout [UInt8]) {
        h.replaceSubrange(148..<156, with: [UInt8](repeating: UInt8(ascii: " "), count: 8))
        let sum = h.reduce(0) { $0 + Int($1) }
        let digits = Array(String(format: "%06o", sum).utf8) + [0, UInt8(ascii: " ")]
        h.replaceSubrange(148..<156, with: digits)
    }
}
