// The image commands end to end: the built `skiff` binary against a real registry, with its
// own $SKIFF_HOME.

import Foundation
import XCTest
@testable import OCI

final class ImageCommandLineTests: XCTestCase {
    var scratch: Scratch!
    var skiff: String!
    var home: String!

    override func setUpWithError() throws {
        scratch = try Scratch("oci-cli")
        home = scratch.sub("home")
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        skiff = dir + "/skiff"
        guard FileManager.default.isExecutableFile(atPath: skiff) else {
            throw TestSetupError("\(skiff!) is missing: swift build --build-tests (or --product skiff) first")
        }
    }

    override func tearDown() { scratch = nil }

    @discardableResult
    func cli(_ args: [String], stdin: String? = nil, expect status: Int32 = 0,
             file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let r = try runTool(skiff, args, stdin: stdin,
                            environment: ["SKIFF_HOME": home, "HOME": scratch.path, "DOCKER_CONFIG": scratch.path + "/docker"],
                            check: false)
        XCTAssertEqual(r.status, status, "skiff \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        return r
    }

    func testPullImagesInspectTagPushSaveImportRmiPrune() throws {
        let registry = try TestRegistry(in: scratch)
        defer { registry.stop() }
        let skopeo = try requireTool("skopeo", package: "skopeo")
        let layer = scratch.path + "/bb.tar.gz"
        try makeTarLayer(of: try fixtureRoot("busybox"), to: layer)
        let layout = try LayoutWriter(scratch.sub("layout"))
        let image = try layout.image(layers: [(layer, MediaType.ociLayerGzip)])
        try layout.add(image, tag: "v1")
        try runTool(skopeo, ["copy", "--dest-tls-verify=false", "oci:\(layout.directory):v1", "docker://\(registry.host)/cli/bb:v1"])
        let ref = "\(registry.host)/cli/bb:v1"

        // Not a terminal: no progress display; -q prints only the reference.
        XCTAssertEqual(try cli(["pull", "-q", ref]).stdout, ref + "\n")
        let pulled = try cli(["pull", ref]).stdout
        XCTAssertTrue(pulled.contains("downloaded 0 of 1 layers"), pulled)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(home!)/rootfs/\(image.manifestDigest.encoded).skfs"))

        let images = try cli(["images"]).stdout
        let row = images.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(row.first.map { Array($0.prefix(4)) }, ["\(registry.host)/cli/bb", "v1", image.manifestDigest.short, "linux/riscv64"], images)

        let inspect = try JSONSerialization.jsonObject(with: Data(try cli(["inspect", ref]).stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(inspect[0]["digest"] as? String, image.manifestDigest.description)
        XCTAssertNotNil(inspect[0]["rootFilesystem"] as? String)

        try cli(["tag", ref, "\(registry.host)/cli/copy:v2"])
        let pushed = try cli(["push", "\(registry.host)/cli/copy:v2"]).stdout
        XCTAssertTrue(pushed.contains("mounted 2"), pushed)
        try runTool(skopeo, ["inspect", "--tls-verify=false", "docker://\(registry.host)/cli/copy:v2"])

        let archive = scratch.path + "/saved.tar"
        try cli(["save", "-o", archive, ref])
        try cli(["rmi", ref, "\(registry.host)/cli/copy:v2"])
        XCTAssertEqual(try cli(["images", "-q"]).stdout, "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home + "/blobs/sha256"), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home + "/rootfs"), [])

        let imported = try cli(["import", archive]).stdout
        XCTAssertTrue(imported.contains("Imported \(ref)"), imported)
        XCTAssertTrue(try cli(["prune"]).stdout.hasPrefix("Removed 0 blobs"))

        // Errors: one clear line, non-zero status.
        let missing = try cli(["inspect", "nothing:here"], expect: 1)
        XCTAssertEqual(missing.stderr, "skiff: no image 'nothing:here' in the local store (see skiff images; skiff pull nothing:here)\n")
        let badPlatform = try cli(["pull", "--platform", "riscv64", ref], expect: 1)
        XCTAssertTrue(badPlatform.stderr.contains("invalid platform 'riscv64'"), badPlatform.stderr)
        let noPlatform = try cli(["pull", "--platform", "linux/s390x", ref], expect: 1)
        XCTAssertTrue(noPlatform.stderr.contains("is a linux/riscv64 image, not linux/s390x"), noPlatform.stderr)
    }

    func testLoginWithPasswordOnStandardInput() throws {
        let registry = try TestRegistry(in: scratch, auth: .htpasswd(user: "carol", password: "pw-carol"))
        defer { registry.stop() }
        let bad = try cli(["login", "-u", "carol", "--password-stdin", registry.host], stdin: "wrong\n", expect: 1)
        XCTAssertTrue(bad.stderr.contains("refused the login of carol"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/auth.json"))

        let ok = try cli(["login", "-u", "carol", "--password-stdin", registry.host], stdin: "pw-carol\n")
        XCTAssertTrue(ok.stdout.hasPrefix("Login Succeeded"), ok.stdout)
        let attributes = try FileManager.default.attributesOfItem(atPath: home + "/auth.json")
        XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o600)
        let saved = try String(contentsOfFile: home + "/auth.json", encoding: .utf8)
        XCTAssertTrue(saved.contains(Data("carol:pw-carol".utf8).base64EncodedString()), saved)

        // The saved credentials are used: a push to the protected registry works.
        let tarball = scratch.path + "/root.tar"
        try makeTarLayer(of: try fixtureRoot("busybox"), to: tarball, compression: "")
        try cli(["import", tarball, "\(registry.host)/carol/bb:1"])
        try cli(["push", "-q", "\(registry.host)/carol/bb:1"])

        try cli(["logout", registry.host])
        let denied = try cli(["push", "\(registry.host)/carol/bb:1"], expect: 1)
        XCTAssertTrue(denied.stderr.contains("requires a login"), denied.stderr)
    }

    func testKilledPullLeavesNoEntryAndPruneCleansUp() throws {
        let image = try makeSmallImage(in: scratch)
        let fake = try FakeRegistry(in: scratch, routes: fakeRegistryRoutes(image, layer: [FakeRegistry.Response(body: image.layer, stall: 60_000)]))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: skiff)
        p.arguments = ["pull", "-q", "\(fake.host)/x:latest"]
        p.environment = ProcessInfo.processInfo.environment.merging(["SKIFF_HOME": home]) { $1 }
        try p.run()
        // Wait until the layer is partly written in tmp/, then kill the process outright.
        let deadline = Date().addingTimeInterval(30)
        func partial() -> UInt64 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: home + "/tmp")) ?? []
            return names.compactMap { try? FileManager.default.attributesOfItem(atPath: home + "/tmp/" + $0)[.size] as? UInt64 }.max() ?? 0
        }
        while partial() < 60_000 && Date() < deadline && p.isRunning { usleep(20_000) }
        XCTAssertGreaterThanOrEqual(partial(), 60_000, "the download should be under way")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        fake.server.stop()

        // The partial layer never entered blobs/; nothing is tagged.
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(home!)/blobs/sha256/\(image.layerDescriptor.digest.encoded)"))
        XCTAssertEqual(try cli(["images", "-q"]).stdout, "")
        let pruned = try cli(["prune"]).stdout
        // The staged (verified, uncommitted) config and the partial layer.
        XCTAssertTrue(pruned.contains("2 temporary files"), pruned)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home + "/tmp"), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home + "/blobs/sha256"), [])
    }
}
