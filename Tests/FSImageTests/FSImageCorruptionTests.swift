import FSImage
import XCTest

/// Corrupt and truncated images must give FSImageError, never a crash or an out-of-bounds read.
final class FSImageCorruptionTests: XCTestCase {
    func sampleImage() throws -> [UInt8] {
        try buildImage { b in
            let d = try b.addDirectory("dir", in: b.root)
            let f = try b.addFile("file", in: d, Array(repeating: 7, count: 5000), FSImageAttributes(permissions: 0o644))
            try b.link(f, as: Array("link"), in: b.root)
            try b.link(b.makeSymlink(target: Array("dir/file"), FSImageAttributes(permissions: 0o777)), as: Array("sym"), in: b.root)
            let sub = try b.addDirectory("sub", in: d)
            try b.addFile("x", in: sub, Array("x"), FSImageAttributes(permissions: 0o600))
            try b.link(try b.makeSpecialFile(.characterDevice, major: 1, minor: 5, FSImageAttributes(permissions: 0o666)), as: Array("zero"), in: sub)
        }.bytes
    }

    /// Opens and reads everything; returns nil on success or the error.
    func readAll(_ image: [UInt8], validating: Bool) -> FSImageError? {
        image.withUnsafeBytes { buffer in
            do throws(FSImageError) {
                let r = try FSImageReader(buffer)
                if validating { try r.validate() }
                // walkEverything throws `any Error` only because of XCTest helpers; it throws FSImageError.
                do { try r.walkEverything(limit: 1000) } catch let e as FSImageError { throw e } catch { XCTFail("\(error)") }
                return nil
            } catch {
                return error
            }
        }
    }

    func testIntactImageReads() throws {
        XCTAssertNil(readAll(try sampleImage(), validating: true))
    }

    func testEveryTruncationIsRejected() throws {
        let image = try sampleImage()
        for length in 0..<image.count {
            guard let error = readAll(Array(image[0..<length]), validating: false) else {
                XCTFail("image truncated to \(length) of \(image.count) bytes was accepted")
                continue
            }
            if length >= 8 {
                guard case .truncated = error else { XCTFail("length \(length): \(error.message)"); continue }
            }
        }
    }

    func testHeaderChecks() throws {
        let image = try sampleImage()
        func patched(_ offset: Int, _ value: UInt8) -> [UInt8] { var c = image; c[offset] = value; return c }
        guard case .badMagic? = readAll(patched(0, 0x58), validating: false) else { return XCTFail("bad magic accepted") }
        guard case .unsupportedVersion(2)? = readAll(patched(8, 2), validating: false) else { return XCTFail("version 2 accepted") }
        XCTAssertNotNil(readAll(patched(20, 1), validating: false), "unknown flag accepted")
        XCTAssertNotNil(readAll(patched(16, 0x11), validating: false), "odd page size accepted")
        XCTAssertNotNil(readAll(patched(36, 2), validating: false), "root inode 2 accepted")
        // Huge counts and offsets in every table field.
        for field in stride(from: 24, to: 104, by: 8) {
            var c = image
            for i in 0..<8 { c[field + i] = 0xFF }
            // contentBytes (96) is informational: only validate() cross-checks it.
            XCTAssertNotNil(readAll(c, validating: field == 96), "header field at \(field) = all ones accepted")
        }
        XCTAssertEqual(readAll([], validating: false).map { $0.message }, "filesystem image truncated: 0 of 128 bytes present")
    }

    /// Flips bytes of the metadata (tables and header) one position at a time; every result must
    /// either read cleanly or fail with an error. validate() must catch what reading does not.
    func testByteFlipsInMetadataNeverCrash() throws {
        let image = try sampleImage()
        let tablesStart = try image.withUnsafeBytes { Int(try FSImageReader($0).dataOffset + (try FSImageReader($0).dataSize)) }
        let positions = Array(0..<128) + Array(tablesStart..<image.count)
        var rejected = 0
        for position in positions {
            for value: UInt8 in [0x00, 0xFF, image[position] ^ 0x01, image[position] &+ 0x40] where value != image[position] {
                var c = image
                c[position] = value
                if readAll(c, validating: true) != nil { rejected += 1 }
                _ = readAll(c, validating: false)
            }
        }
        XCTAssertGreaterThan(rejected, positions.count, "validate() should reject most metadata corruption")
    }

    func testRandomGarbageNeverCrashes() throws {
        let image = try sampleImage()
        var x: UInt64 = 0x9E3779B97F4A7C15
        func random() -> UInt64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
        let tablesStart = image.count - 1000
        for _ in 0..<3000 {
            var c = image
            for _ in 0..<(1 + Int(random() % 6)) {
                let at = random() % 2 == 0 ? Int(random() % 128) : tablesStart + Int(random() % 1000)
                c[at] = UInt8(truncatingIfNeeded: random())
            }
            _ = readAll(c, validating: true)
            _ = readAll(c, validating: false)
        }
    }

    func testValidateCatchesStructuralLies() throws {
        let image = try sampleImage()
        let (inodeTable, direntTable) = try image.withUnsafeBytes { b -> (Int, Int) in
            let h = Array(b[0..<128])
            func u64(_ o: Int) -> Int { Int(h[o..<o + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) }
            return (u64(40), u64(56))
        }
        // nlink of the hard-linked file (inode of "link") set wrong.
        var wrongLinks = image
        try image.withUnsafeBytes { b in
            let r = try FSImageReader(b)
            let file = try r.stat("/dir/file")
            wrongLinks[inodeTable + Int(file.number - 1) * 64 + 12] = 7
        }
        guard case .corrupt? = readAll(wrongLinks, validating: true) else { return XCTFail("wrong nlink accepted") }
        // Entries of the root swapped out of order: lookup may miss, validate must object.
        var unsorted = image
        for i in 0..<16 { unsorted.swapAt(direntTable + i, direntTable + 16 + i) }
        guard case .corrupt? = readAll(unsorted, validating: true) else { return XCTFail("unsorted entries accepted") }
        // A directory entry pointing at the root again (a cycle).
        var cycle = image
        cycle[direntTable] = 1; cycle[direntTable + 1] = 0; cycle[direntTable + 2] = 0; cycle[direntTable + 3] = 0
        XCTAssertNotNil(readAll(cycle, validating: true), "cycle to the root accepted")
    }
}
