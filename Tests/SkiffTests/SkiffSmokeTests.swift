import XCTest
@testable import Skiff
final class SkiffSmokeTests: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
