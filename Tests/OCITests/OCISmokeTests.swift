import XCTest
@testable import OCI
final class OCISmokeTests: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
