import XCTest
@testable import RISCV
final class RISCVSmokeTests: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
