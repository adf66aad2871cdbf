import XCTest
@testable import X86

/// Programs from Programs/ run on the host CPU and on X86CPU; their outputs (one line per
/// instruction result, with the flags the instruction defines) must be identical.
final class X86DifferentialTests: XCTestCase {
    func assertMatchesHost(_ program: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try XCTSkipUnless(HostToolchain.available, "needs an x86-64 Linux host with gcc")
        let elf = try HostToolchain.build(program)
        defer { try? FileManager.default.removeItem(at: elf) }
        let expected = String(decoding: try HostToolchain.run(elf.path, []), as: UTF8.self).split(separator: "\n")
        let cpu = X86TestProgram.load(Array(try Data(contentsOf: elf)))
        let result = X86TestProgram.run(cpu)
        XCTAssertNil(result.stop, "stopped at rip \(String(result.rip, radix: 16))", file: file, line: line)
        XCTAssertEqual(result.exitCode, 0, file: file, line: line)
        let actual = String(decoding: result.output, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(expected.last, "done", file: file, line: line)
        var mismatches = 0
        for (e, a) in zip(expected, actual) where e != a {
            mismatches += 1
            if mismatches <= 40 { XCTFail("host: \(e)\nskiff: \(a)", file: file, line: line) }
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(expected.count) lines differ", file: file, line: line)
        XCTAssertEqual(expected.count, actual.count, file: file, line: line)
    }

    /// Every ALU form of every size over edge operands, flags in both states: results and
    /// defined flags; conditions after compares, tests, adds, decs and shifts.
    func testIntegerMatchesHost() throws {
        try assertMatchesHost("alu")
    }
}
