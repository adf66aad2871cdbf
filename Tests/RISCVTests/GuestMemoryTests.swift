import XCTest
@testable import RISCV

final class GuestMemoryTests: XCTestCase {
    func testMapReadWriteAndZeroFill() throws {
        let m = GuestMemory()
        m.map(at: 0x1000, length: 0x3000, protection: [.read, .write])
        XCTAssertEqual(try m.load(UInt64.self, at: 0x1ff8), 0)
        try m.store(UInt64(0x1122_3344_5566_7788), at: 0x1ffc)      // straddles two pages
        XCTAssertEqual(try m.load(UInt32.self, at: 0x1ffc), 0x5566_7788)
        XCTAssertEqual(try m.load(UInt32.self, at: 0x2000), 0x1122_3344)
        XCTAssertEqual(m.protection(at: 0x3fff), [.read, .write])
        XCTAssertNil(m.protection(at: 0x4000))
        XCTAssertNil(m.protection(at: 0xfff))
    }

    func testUnmappedAndProtectionFaults() throws {
        let m = GuestMemory()
        m.map(at: 0x1000, length: 0x1000, protection: [.read])
        XCTAssertThrowsError(try m.store(UInt8(1), at: 0x1000)) { e in
            let f = e as! MemoryFault
            XCTAssertEqual(f.address, 0x1000)
            XCTAssertEqual(f.kind, .write)
            XCTAssertFalse(f.isUnmapped)
        }
        XCTAssertThrowsError(try m.load(UInt8.self, at: 0x2000)) { e in
            let f = e as! MemoryFault
            XCTAssertEqual(f.address, 0x2000)
            XCTAssertTrue(f.isUnmapped)
        }
        // A forced write (the kernel loading a read-only segment) succeeds.
        var v: UInt32 = 0xdead_beef
        try withUnsafeBytes(of: &v) { try m.write(at: 0x1004, from: $0, force: true) }
        XCTAssertEqual(try m.load(UInt32.self, at: 0x1004), 0xdead_beef)
    }

    func testFaultingWriteAcrossPagesWritesNothing() throws {
        let m = GuestMemory()
        m.map(at: 0x1000, length: 0x1000, protection: [.read, .write])
        m.map(at: 0x2000, length: 0x1000, protection: [.read])
        let bytes = [UInt8](repeating: 0xaa, count: 16)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { b in try m.write(at: 0x1ff8, from: b) }) { e in
            XCTAssertEqual((e as! MemoryFault).address, 0x2000)
        }
        XCTAssertEqual(try m.load(UInt64.self, at: 0x1ff8), 0)
    }

    func testProtectAndUnmap() throws {
        let m = GuestMemory()
        m.map(at: 0x1000, length: 0x2000, protection: [.read, .write])
        try m.store(UInt32(7), at: 0x1000)
        XCTAssertTrue(m.protect(at: 0x1000, length: 0x1000, protection: [.read]))
        XCTAssertThrowsError(try m.store(UInt32(8), at: 0x1000))
        XCTAssertEqual(try m.load(UInt32.self, at: 0x1000), 7)
        XCTAssertFalse(m.protect(at: 0x1000, length: 0x3000, protection: [.read]))  // 0x3000 unmapped
        XCTAssertEqual(m.protection(at: 0x2000), [.read, .write], "a failed protect changes nothing")
        m.unmap(at: 0x1000, length: 0x1000)
        XCTAssertNil(m.protection(at: 0x1000))
        XCTAssertThrowsError(try m.load(UInt32.self, at: 0x1000))
        // Remapping gives fresh zero pages.
        m.map(at: 0x1000, length: 0x1000, protection: [.read, .write])
        XCTAssertEqual(try m.load(UInt32.self, at: 0x1000), 0)
    }

    func testForkIsCopyOnWriteAndIsolated() throws {
        let parent = GuestMemory()
        parent.map(at: 0x10000, length: 0x2000, protection: [.read, .write])
        try parent.store(UInt64(1), at: 0x10000)
        try parent.store(UInt64(2), at: 0x11000)
        let child = parent.fork()
        XCTAssertEqual(try child.load(UInt64.self, at: 0x10000), 1)
        try child.store(UInt64(10), at: 0x10000)
        try parent.store(UInt64(20), at: 0x11000)
        XCTAssertEqual(try parent.load(UInt64.self, at: 0x10000), 1)
        XCTAssertEqual(try child.load(UInt64.self, at: 0x10000), 10)
        XCTAssertEqual(try parent.load(UInt64.self, at: 0x11000), 20)
        XCTAssertEqual(try child.load(UInt64.self, at: 0x11000), 2)
        // Mapping changes in one do not affect the other.
        child.unmap(at: 0x10000, length: 0x1000)
        XCTAssertEqual(try parent.load(UInt64.self, at: 0x10000), 1)
    }

    func testForkIsolationThroughGuestStores() throws {
        // The parent's write TLB must not keep pointing at a now-shared frame.
        let m = Machine([A.sd(5, 6, 0), A.ebreak])
        m.hart.setX(6, Machine.dataBase)
        m.hart.setX(5, 1)
        XCTAssertEqual(m.run(), .breakpoint)        // warms the write TLB
        let child = m.memory.fork()
        m.hart.pc = Machine.codeBase
        m.hart.setX(5, 2)
        XCTAssertEqual(m.run(), .breakpoint)
        XCTAssertEqual(try m.memory.load(UInt64.self, at: Machine.dataBase), 2)
        XCTAssertEqual(try child.load(UInt64.self, at: Machine.dataBase), 1)
    }

    func testReadCString() throws {
        let m = GuestMemory()
        m.map(at: 0x1000, length: 0x2000, protection: [.read, .write])
        let s = Array("hello".utf8) + [0]
        s.withUnsafeBytes { try! m.write(at: 0x1ffd, from: $0) }
        XCTAssertEqual(try m.readCString(at: 0x1ffd, maxLength: 100), Array("hello".utf8))
        XCTAssertEqual(try m.readCString(at: 0x1ffd, maxLength: 3), Array("hel".utf8))
        try [UInt8(97), 98].withUnsafeBytes { try m.write(at: 0x2ffe, from: $0) }
        XCTAssertThrowsError(try m.readCString(at: 0x2ffe, maxLength: 100))  // runs off the mapping
        XCTAssertEqual(try m.readCString(at: 0x2ffe, maxLength: 2), Array("ab".utf8))
    }
}
