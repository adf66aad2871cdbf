import XCTest
@testable import LinuxKernel
final class LinuxKernelSmokeTests: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
