// Running the real parts the registry tests need (docker-registry, skopeo, htpasswd, openssl,
// python3, tar) and scratch directories. A missing tool fails the test loudly; scripts/setup.sh
// installs them.

import Foundation
import XCTest
@testable import OCI
#if canImport(Glibc)
import Glibc
#endif

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The absolute path of `name` on PATH, or an error naming the Debian package to install.
func requireTool(_ name: String, package: String) throws -> String {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if access(path, X_OK) == 0 { return path }
    }
    throw TestSetupError("\(name) is not installed: apt-get install \(package) (scripts/setup.sh does)")
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion, capturing its output.
@discardableResult
func runTool(_ executable: String, _ arguments: [String], stdin: String? = nil,
             environment: [String: String]? = nil, check: Bool = true) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    // stderr goes to a file so a chatty child cannot block on a full pipe while stdout is read.
    let errPath = NSTemporaryDirectory() + "skiff-stderr-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let out = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    let result = ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                               stderr: String(decoding: errData, as: UTF8.self))
    if check && result.status != 0 {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
    }
    return result
}

/// A server process running for the duration of a test; stopped by `stop` or deinit.
final class BackgroundProcess {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGKILL: children started from a test thread may inherit a mask that blocks SIGTERM.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw TestSetupError("cannot bind a free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
func waitForPort(_ port: Int, process: BackgroundProcess, timeout: Double = 20) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        close(fd)
        if connected { return }
        if !process.process.isRunning {
            throw TestSetupError("\(process.process.executableURL!.path) exited early: \(process.log)")
        }
        usleep(50_000)
    }
    throw TestSetupError("nothing listens on port \(port) after \(timeout) s: \(process.log)")
}

/// A directory under /tmp removed when the test ends.
final class Scratch {
    let path: String

    init(_ label: String) throws {
        var template = Array("/tmp/skiff-\(label)-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw TestSetupError("mkdtemp failed") }
        path = String(cString: p)
    }

    func sub(_ name: String) -> String {
        let p = path + "/" + name
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The fixture directory (scripts/fixtures.sh), failing loudly if it was not laid out.
func fixtureRoot(_ name: String) throws -> String {
    let base = ProcessInfo.processInfo.environment["SKIFF_FIXTURES"] ?? NSHomeDirectory() + "/.cache/skiff-fixtures"
    let root = base + "/rootfs/" + name
    guard FileManager.default.fileExists(atPath: root + "/.complete") else {
        throw TestSetupError("fixture \(root) is missing: run scripts/fixtures.sh")
    }
    return root
}

/// The repository's top directory (for tests/oci/*.py).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}()

/// A test case with a scratch directory and an empty image store in it, fresh for each test.
class StoreTestCase: XCTestCase {
    var scratch: Scratch!
    var store: ImageStore!
    var scratchLabel: String { "oci" }

    override func setUpWithError() throws {
        scratch = try Scratch(scratchLabel)
        store = try ImageStore(root: scratch.sub("home"))
    }

    override func tearDown() {
        store = nil
        scratch = nil
    }
}
