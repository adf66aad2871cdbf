import ModuleBundle
import XCTest
@testable import Skiff

/// `skiff convert --compress`: blocks compressed by zlib (BlockCompressor) and decompressed by the
/// module's own DEFLATE decoder (ModuleBundle's Inflate), which must agree on every kind of data
/// and refuse corrupt blocks without reading or writing outside its buffers.
final class ConvertCompressionTests: XCTestCase {
    func samples() -> [(String, [UInt8])] {
        var random = [UInt8](repeating: 0, count: 70_000)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in random.indices { x ^= x << 13; x ^= x >> 7; x ^= x << 17; random[i] = UInt8(truncatingIfNeeded: x) }
        let text = Array(String(repeating: "root:x:0:0:root:/root:/bin/sh\nthe quick brown fox jumps over the lazy dog 0123456789\n", count: 900).utf8)
        var mixed: [UInt8] = []
        for i in 0..<65_536 { mixed.append(i % 7 == 0 ? random[i] : UInt8(i % 251 < 40 ? 0 : i % 13)) }
        return [("empty", []), ("one byte", [42]), ("zeros", [UInt8](repeating: 0, count: 65_536)), ("text", text),
                ("random", random), ("mixed", mixed), ("long runs", (0..<65_536).map { UInt8($0 / 4000) })]
    }

    func testInflateReadsWhatZlibWrites() throws {
        for (name, data) in samples() {
            for level: Int32 in [0, 1, 6, 9] {
                let packed = try XCTUnwrap(data.withUnsafeBytes { BlockCompressor.deflate($0, level: level) }, name)
                var out = [UInt8](repeating: 0xAA, count: data.count)
                let n = try packed.withUnsafeBytes { p in try out.withUnsafeMutableBytes { try Inflate.decompress(p, into: $0) } }
                XCTAssertEqual(n, data.count, "\(name) level \(level)")
                XCTAssertEqual(out, data, "\(name) level \(level)")
            }
        }
    }

    func testCorruptBlocksAreErrors() throws {
        let text = samples().first { $0.0 == "mixed" }!.1
        let packed = try XCTUnwrap(text.withUnsafeBytes { BlockCompressor.deflate($0, level: 9) })
        var out = [UInt8](repeating: 0, count: text.count)
        // Truncated streams, a too-small output, and bytes flipped all over: an error or (for a
        // flip that still decodes) different bytes, never a crash.
        for cut in [0, 1, 2, packed.count / 2, packed.count - 1] {
            XCTAssertThrowsError(try Array(packed[0..<cut]).withUnsafeBytes { p in try out.withUnsafeMutableBytes { try Inflate.decompress(p, into: $0) } })
        }
        var small = [UInt8](repeating: 0, count: text.count - 1)
        XCTAssertThrowsError(try packed.withUnsafeBytes { p in try small.withUnsafeMutableBytes { try Inflate.decompress(p, into: $0) } })
        for i in stride(from: 0, to: packed.count, by: max(1, packed.count / 200)) {
            var bad = packed
            bad[i] ^= 0x5A
            _ = try? bad.withUnsafeBytes { p in try out.withUnsafeMutableBytes { try Inflate.decompress(p, into: $0) } }
        }
        XCTAssertThrowsError(try [UInt8]([0x07]).withUnsafeBytes { p in try out.withUnsafeMutableBytes { try Inflate.decompress(p, into: $0) } })
    }

    func testBlocksAndIndex() throws {
        let data = samples().flatMap { $0.1 }
        let output = try data.withUnsafeBytes { try BlockCompressor(blockSize: 4096).compress($0) }
        XCTAssertEqual(output.offsets.count, (data.count + 4095) / 4096 + 1)
        XCTAssertEqual(output.offsets.last, UInt64(output.stream.count))
        XCTAssertLessThan(output.stream.count, data.count)
        for i in 0..<(output.offsets.count - 1) {
            let plain = Array(data[(i * 4096)..<min(data.count, (i + 1) * 4096)])
            let block = Array(output.stream[Int(output.offsets[i])..<Int(output.offsets[i + 1])])
            if block.count == plain.count {
                XCTAssertEqual(block, plain) // stored: compressing would not have helped
                continue
            }
            var out = [UInt8](repeating: 0, count: plain.count)
            _ = try block.withUnsafeBytes { p in try out.withUnsafeMutableBytes { try Inflate.decompress(p, into: $0) } }
            XCTAssertEqual(out, plain, "block \(i)")
        }
    }
}
