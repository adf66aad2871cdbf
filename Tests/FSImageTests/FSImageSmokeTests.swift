import XCTest
@testable import FSImage
final class FSImageSmokeTests: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
