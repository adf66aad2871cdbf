import Foundation
import Logging
import OCI
import XCTest
@testable import Skiff

/// `skiff run --rootfs` turns set-up failures into SkiffErrors with the exit statuses docker and
/// shells use, before any guest code runs.
final class RootfsRunnerErrorTests: XCTestCase {
    private let logger = Logger(label: "test")

    func testMissingRootDirectoryIsNotFoundAndExits125() throws {
        let config = RootfsRunConfiguration(rootfs: "/nonexistent/skiff-test-root", command: ["/bin/true"])
        do {
            _ = try RootfsRunner.run(config, logger: logger)
            XCTFail("running from a missing root filesystem succeeded")
        } catch {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertTrue(error.message.contains("/nonexistent/skiff-test-root"), error.message)
            XCTAssertEqual(error.runExitStatus, 125)
        }
    }

    func testCommandMissingFromPathExits127() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-empty-root-\(getpid())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let config = RootfsRunConfiguration(rootfs: root.path, command: ["no-such-command"])
        do {
            _ = try RootfsRunner.run(config, logger: logger)
            XCTFail("a command missing from PATH ran")
        } catch {
            XCTAssertEqual(error.code, .commandNotFound)
            XCTAssertEqual(error.runExitStatus, 127)
        }
    }
}
