import XCTest
@testable import RISCV

/// Every F/D computational instruction over special and random operands in all rounding modes
/// (static and dynamic), compared bit for bit — result and fflags — with qemu-riscv64.
final class FloatDifferentialTests: XCTestCase {
    func testFloatingPointMatchesQemu() throws {
        try XCTSkipUnless(CrossToolchain.available, "riscv64 cross compiler or qemu not installed")
        let elf = try CrossToolchain.build("fpdiff")
        let expected = String(decoding: try CrossToolchain.runQemu(elf), as: UTF8.self).split(separator: "\n")
        let result = try CrossToolchain.runHart(elf)
        XCTAssertNil(result.trap, "trap at pc \(String(result.pc, radix: 16))")
        XCTAssertEqual(result.exitCode, 0)
        let actual = String(decoding: result.output, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(expected.last, "done")
        var mismatches = 0
        for (e, a) in zip(expected, actual) where e != a {
            mismatches += 1
            if mismatches <= 40 { XCTFail("qemu: \(e)\nhart: \(a)") }
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(expected.count) lines differ")
        XCTAssertEqual(expected.count, actual.count)
    }
}
