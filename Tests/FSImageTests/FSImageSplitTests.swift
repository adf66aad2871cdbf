import FSImage
import XCTest

/// A split image (what a converted module opens): header and tables in memory, file contents
/// read through a content source on demand. It must read exactly what the whole image reads.
final class FSImageSplitTests: XCTestCase {
    /// Serves contents from a copy of the whole image and records what was asked.
    final class Source: FSImageContentSource {
        let image: [UInt8]
        var requests: [(UInt64, Int)] = []
        init(_ image: [UInt8]) { self.image = image }
        func readImage(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
            requests.append((offset, buffer.count))
            image.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<Int(offset) + buffer.count])) }
            return true
        }
    }

    func testSplitReaderReadsWhatTheWholeImageHolds() throws {
        let big = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let image = try buildImage { b in
            let etc = try b.addDirectory("etc", in: b.root)
            try b.addFile("passwd", in: etc, Array("root:x:0:0::/root:/bin/sh\n"), FSImageAttributes(permissions: 0o644))
            try b.addFile("big", in: b.root, big, FSImageAttributes(permissions: 0o755))
            try b.addFile("empty", in: b.root, [], FSImageAttributes(permissions: 0o600))
            try b.link(b.makeSymlink(target: Array("etc/passwd"), FSImageAttributes(permissions: 0o777)), as: Array("link"), in: b.root)
        }.bytes
        let source = Source(image)
        try image.withUnsafeBytes { whole in
            let full = try FSImageReader(whole)
            let tablesOffset = full.tablesOffset
            XCTAssertGreaterThanOrEqual(tablesOffset, full.dataOffset + full.dataSize)
            let header = UnsafeRawBufferPointer(rebasing: whole[0..<128])
            let tables = Array(whole[Int(tablesOffset)...])
            try tables.withUnsafeBytes { tableBytes in
                let split = try FSImageReader(header: header, tables: tableBytes, tablesOffset: tablesOffset, contents: source)
                XCTAssertFalse(split.hasContentsInMemory)
                XCTAssertEqual(split.inodeCount, full.inodeCount)
                for path in ["/etc", "/etc/passwd", "/big", "/empty", "/link"] {
                    let a = try XCTUnwrap(try full.resolve(path)), b = try XCTUnwrap(try split.resolve(path))
                    XCTAssertEqual(a, b, path)
                    let ia = try full.inode(a), ib = try split.inode(b)
                    XCTAssertEqual(ia.mode, ib.mode, path)
                    XCTAssertEqual(ia.size, ib.size, path)
                }
                XCTAssertEqual(Array(try split.readlink(try split.inode(split.resolve("/link")!))), Array("etc/passwd".utf8))
                let file = try split.inode(split.resolve("/big")!)
                XCTAssertThrowsError(try split.contents(of: file))
                // Reads at odd offsets and lengths, and past the end.
                var buffer = [UInt8](repeating: 0, count: 5000)
                for offset in [0, 1, 4095, 4096, 12_345, 19_999, 20_000, 30_000] {
                    let n = try buffer.withUnsafeMutableBytes { try split.read(file, at: UInt64(offset), into: $0) }
                    XCTAssertEqual(n, max(0, min(5000, 20_000 - offset)), "offset \(offset)")
                    XCTAssertEqual(Array(buffer[0..<n]), Array(big[min(offset, big.count)..<min(offset, big.count) + n]))
                }
                // Every request stays inside the contents area.
                for (offset, count) in source.requests {
                    XCTAssertGreaterThanOrEqual(offset, split.dataOffset)
                    XCTAssertLessThanOrEqual(offset + UInt64(count), split.dataOffset + split.dataSize)
                }
                let empty = try split.inode(split.resolve("/empty")!)
                XCTAssertEqual(try buffer.withUnsafeMutableBytes { try split.read(empty, at: 0, into: $0) }, 0)
            }
            // Tables that do not reach the image's end, or a window that starts inside the contents.
            let short = Array(whole[Int(tablesOffset)..<(whole.count - 1)])
            try short.withUnsafeBytes { b in
                XCTAssertThrowsError(try FSImageReader(header: header, tables: b, tablesOffset: tablesOffset, contents: source))
            }
            let early = Array(whole[Int(full.dataOffset)...])
            try early.withUnsafeBytes { b in
                XCTAssertThrowsError(try FSImageReader(header: header, tables: b, tablesOffset: full.dataOffset, contents: source))
            }
        }
    }
}
