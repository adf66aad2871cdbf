import XCTest
@testable import LinuxKernel
import RISCV

/// The kernel's mapping records stay in step with the pages: mmap placement, splitting on
/// munmap/mprotect, MAP_FIXED(_NOREPLACE), mremap, brk and /proc/self/maps.
final class AddressSpaceTests: XCTestCase {
    let page = AddressLayout.pageSize
    let rw = UInt64(3), anonPrivate = UInt64(0x22)

    func testRegionSplittingOnUnmapAndProtect() {
        let space = AddressSpace(memory: GuestMemory())
        let base: UInt64 = 0x4000_0000
        space.insert(MemoryRegion(start: base, end: base + 8 * page, protection: [.read, .write]))
        space.unmap(base + 2 * page, base + 3 * page)
        XCTAssertEqual(space.regions.map { [$0.start, $0.end] }, [[base, base + 2 * page], [base + 3 * page, base + 8 * page]])
        XCTAssertNil(space.memory.protection(at: base + 2 * page))
        XCTAssertTrue(space.protect(base + 4 * page, base + 5 * page, [.read]))
        XCTAssertEqual(space.regions.count, 4)
        XCTAssertEqual(space.memory.protection(at: base + 4 * page), [.read])
        XCTAssertEqual(space.memory.protection(at: base + 5 * page), [.read, .write])
        XCTAssertFalse(space.protect(base, base + 4 * page, [.read]), "a hole makes mprotect fail")
        XCTAssertEqual(space.memory.protection(at: base), [.read, .write], "and changes nothing")
    }

    func testFindFreeIsTopDownBelowMmapBase() {
        let space = AddressSpace(memory: GuestMemory())
        let a = space.findFree(length: 4 * page)!
        XCTAssertEqual(a, AddressLayout.mmapBase - 4 * page)
        space.insert(MemoryRegion(start: a, end: a + 4 * page, protection: [.read]))
        XCTAssertEqual(space.findFree(length: page), a - page)
        XCTAssertTrue(space.isFree(a - page, a))
        XCTAssertFalse(space.isFree(a, a + page))
    }

    func testMmapMunmapMprotectThroughSystemCalls() throws {
        let f = try KernelFixture()
        let a = f.call(222, 0, 3 * page, rw, anonPrivate, UInt64.max, 0)
        XCTAssertGreaterThan(a, 0)
        let addr = UInt64(a)
        XCTAssertEqual(addr & (page - 1), 0)
        // Fresh anonymous memory reads as zero and is writable.
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: addr + page), 0)
        try f.task.memory.store(UInt64(0xfeed), at: addr + page)
        // MAP_FIXED_NOREPLACE over it fails; MAP_FIXED replaces with zero pages.
        XCTAssertEqual(f.call(222, addr + page, page, rw, anonPrivate | 0x100000, UInt64.max, 0), f.errno(.EEXIST))
        XCTAssertEqual(f.call(222, addr + page, page, rw, anonPrivate | 0x10, UInt64.max, 0), Int64(addr + page))
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: addr + page), 0)
        // munmap the middle page: two regions remain, the hole faults.
        XCTAssertEqual(f.call(215, addr + page, page), 0)
        XCTAssertNil(f.task.memory.protection(at: addr + page))
        XCTAssertNotNil(f.task.process.addressSpace.region(containing: addr))
        XCTAssertNotNil(f.task.process.addressSpace.region(containing: addr + 2 * page))
        XCTAssertEqual(f.call(226, addr, 3 * page, 1), f.errno(.ENOMEM), "mprotect across the hole")
        XCTAssertEqual(f.call(226, addr, page, 1), 0)
        XCTAssertThrowsError(try f.task.memory.store(UInt8(1), at: addr))
        // Argument errors.
        XCTAssertEqual(f.call(222, 0, 0, rw, anonPrivate, UInt64.max, 0), f.errno(.EINVAL), "length 0")
        XCTAssertEqual(f.call(222, 0, page, rw, 0x20, UInt64.max, 0), f.errno(.EINVAL), "neither shared nor private")
        XCTAssertEqual(f.call(215, addr + 1, page), f.errno(.EINVAL), "unaligned munmap")
        XCTAssertEqual(f.call(222, 0, page, rw, 0x02, 77, 0), f.errno(.EBADF), "file mapping of a bad descriptor")
    }

    func testFileMappingPrivateAndShared() throws {
        let f = try KernelFixture()
        try f.write("data", String(repeating: "a", count: 5000))
        let fd = f.call(56, atFDCWD, f.place("/data"), UInt64(LinuxOpenFlags.readWrite), 0)
        let priv = UInt64(f.call(222, 0, 2 * page, rw, 0x02, UInt64(fd), 0))
        // Private file pages are filled on first touch: a guest access faults until then.
        XCTAssertThrowsError(try f.task.memory.load(UInt8.self, at: priv))
        XCTAssertTrue(f.task.process.addressSpace.fillFault(at: priv + 4999))
        XCTAssertEqual(try f.task.memory.load(UInt8.self, at: priv + 4999), 0x61)
        XCTAssertEqual(try f.task.memory.load(UInt8.self, at: priv + 5000), 0, "past the end of file")
        XCTAssertFalse(f.task.process.addressSpace.fillFault(at: priv), "nothing left to fill")
        try f.task.memory.store(UInt8(0x62), at: priv)
        let shared = UInt64(f.call(222, 0, 2 * page, rw, 0x01, UInt64(fd), 0))
        XCTAssertEqual(try f.task.memory.load(UInt8.self, at: shared), 0x61, "private writes stay private")
        try f.task.memory.store(UInt8(0x7a), at: shared + 1)
        XCTAssertEqual(f.call(227, shared, page, 4), 0)   // msync(MS_SYNC)
        let contents = try Data(contentsOf: f.root.appendingPathComponent("data"))
        XCTAssertEqual(contents.count, 5000, "write-back never grows the file")
        XCTAssertEqual(contents[1], 0x7a)
        XCTAssertEqual(contents[0], 0x61)
        // /proc/self/maps names the file and shows p/s.
        let maps = String(decoding: ProcFS(kernel: f.kernel).mapsFile(f.task.process), as: UTF8.self)
        XCTAssertTrue(maps.contains("rw-p 00000000"), maps)
        XCTAssertTrue(maps.contains("rw-s 00000000"), maps)
        XCTAssertTrue(maps.contains(" /data\n"), maps)
    }

    func testLazyFileMappingsRespectProtectionAndKernelCopies() throws {
        let f = try KernelFixture()
        try f.write("lib", String(repeating: "z", count: 3 * Int(page)))
        let fd = f.call(56, atFDCWD, f.place("/lib"), 0, 0)
        let a = UInt64(f.call(222, 0, 3 * page, 1, 0x02, UInt64(fd), 0))   // PROT_READ, MAP_PRIVATE
        // mprotect while pending keeps the pages pending; the fill then applies the new protection.
        XCTAssertEqual(f.call(226, a, page, 3), 0)
        XCTAssertThrowsError(try f.task.memory.load(UInt8.self, at: a))
        XCTAssertEqual(try f.task.load(UInt8.self, at: a + 10), 0x7a, "kernel reads fill the page")
        try f.task.memory.store(UInt8(1), at: a)
        // write(2) from a pending page copies the file's bytes.
        let out = f.call(56, atFDCWD, f.place("/out"), UInt64(LinuxOpenFlags.create | LinuxOpenFlags.writeOnly), 0o644)
        XCTAssertEqual(f.call(64, UInt64(out), a + 2 * page, 4), 4)
        XCTAssertEqual(try String(contentsOf: f.root.appendingPathComponent("out"), encoding: .utf8), "zzzz")
        // A read-only page stays read-only once filled.
        XCTAssertTrue(f.task.process.addressSpace.fillFault(at: a + page))
        XCTAssertThrowsError(try f.task.memory.store(UInt8(1), at: a + page))
    }

    func testMremapGrowsInPlaceOrMovesKeepingContents() throws {
        let f = try KernelFixture()
        let a = UInt64(f.call(222, 0, 2 * page, rw, anonPrivate, UInt64.max, 0))
        try f.task.memory.store(UInt64(0x1122_3344), at: a + 8)
        // Block the pages above so it has to move.
        _ = f.call(222, a + 2 * page, page, rw, anonPrivate | 0x10, UInt64.max, 0)
        XCTAssertEqual(f.call(216, a, 2 * page, 4 * page, 0, 0), f.errno(.ENOMEM), "no MREMAP_MAYMOVE")
        let b = UInt64(f.call(216, a, 2 * page, 4 * page, 1, 0))
        XCTAssertNotEqual(b, a)
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: b + 8), 0x1122_3344)
        XCTAssertEqual(try f.task.memory.load(UInt64.self, at: b + 3 * page), 0)
        XCTAssertNil(f.task.memory.protection(at: a), "the old range is gone")
        // Shrinking stays in place.
        XCTAssertEqual(f.call(216, b, 4 * page, page, 0, 0), Int64(b))
        XCTAssertNil(f.task.memory.protection(at: b + page))
    }

    func testBrkGrowsAndShrinks() throws {
        let f = try KernelFixture()
        let space = f.task.process.addressSpace
        space.brkStart = 0x2000_0000
        space.brk = space.brkStart
        XCTAssertEqual(f.call(214, 0), 0x2000_0000, "brk(0) reports the break")
        XCTAssertEqual(f.call(214, 0x2000_3001), 0x2000_3001)
        try f.task.memory.store(UInt8(1), at: 0x2000_3000)
        XCTAssertEqual(f.call(214, 0x2000_1000), 0x2000_1000)
        XCTAssertNil(f.task.memory.protection(at: 0x2000_1000))
        XCTAssertEqual(f.call(214, 0x1000), 0x2000_1000, "below the start: unchanged")
    }
}
