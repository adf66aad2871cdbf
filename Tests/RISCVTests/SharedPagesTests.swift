import XCTest
@testable import RISCV

/// Shared pages: every mapping of a `SharedPages` object sees every store at once (no copying
/// between address spaces), fork keeps them shared while private pages stay copy-on-write, and
/// the object keeps its contents when mappings go away.
final class SharedPagesTests: XCTestCase {
    func testTwoAddressSpacesSeeEachOthersStores() throws {
        let pages = SharedPages(pageCount: 4)
        let a = GuestMemory(), b = GuestMemory()
        a.mapShared(at: 0x10000, length: 0x4000, protection: [.read, .write], pages: pages, firstPage: 0)
        b.mapShared(at: 0x80000, length: 0x2000, protection: [.read, .write], pages: pages, firstPage: 2)
        try a.store(UInt64(0x1122_3344_5566_7788), at: 0x12ffc)      // pages 2 and 3, straddling
        XCTAssertEqual(try b.load(UInt64.self, at: 0x80ffc), 0x1122_3344_5566_7788)
        try b.store(UInt32(7), at: 0x80000)
        XCTAssertEqual(try a.load(UInt32.self, at: 0x12000), 7)
        var out = [UInt8](repeating: 0xff, count: 8)
        out.withUnsafeMutableBytes { pages.read(at: 2 * 4096, into: $0) }
        XCTAssertEqual(out, [7, 0, 0, 0, 0, 0, 0, 0])
    }

    func testForkKeepsSharedPagesSharedAndPrivatePagesCopyOnWrite() throws {
        let pages = SharedPages(pageCount: 1)
        let parent = GuestMemory()
        parent.mapShared(at: 0x10000, length: 0x1000, protection: [.read, .write], pages: pages, firstPage: 0)
        parent.map(at: 0x20000, length: 0x1000, protection: [.read, .write])
        try parent.store(UInt8(1), at: 0x20000)
        let child = parent.fork()                // the shared page was never touched before fork
        try child.store(UInt8(42), at: 0x10010)
        try child.store(UInt8(2), at: 0x20000)
        XCTAssertEqual(try parent.load(UInt8.self, at: 0x10010), 42)
        XCTAssertEqual(try parent.load(UInt8.self, at: 0x20000), 1)
        let grandchild = child.fork()
        try parent.store(UInt8(43), at: 0x10010)
        XCTAssertEqual(try grandchild.load(UInt8.self, at: 0x10010), 43)
    }

    func testContentsOutliveMappingsAndRemapReplacesSharing() throws {
        let pages = SharedPages(pageCount: 2)
        var bytes: [UInt8] = Array("file".utf8)
        bytes.withUnsafeBytes { pages.write(at: 4096 + 10, from: $0) }
        let m = GuestMemory()
        m.mapShared(at: 0x10000, length: 0x2000, protection: [.read, .write], pages: pages, firstPage: 0)
        XCTAssertEqual(try m.load(UInt32.self, at: 0x1100a), UInt32(littleEndian: 0x656c_6966))   // "file"
        try m.store(UInt8(9), at: 0x10000)
        m.unmap(at: 0x10000, length: 0x2000)
        let again = GuestMemory()
        again.mapShared(at: 0x40000, length: 0x1000, protection: [.read], pages: pages, firstPage: 0)
        XCTAssertEqual(try again.load(UInt8.self, at: 0x40000), 9)
        // Mapping private memory over a shared range ends the sharing there.
        again.map(at: 0x40000, length: 0x1000, protection: [.read, .write])
        try again.store(UInt8(5), at: 0x40000)
        bytes = [0]
        bytes.withUnsafeMutableBytes { pages.read(at: 0, into: $0) }
        XCTAssertEqual(bytes, [9])
    }
}
