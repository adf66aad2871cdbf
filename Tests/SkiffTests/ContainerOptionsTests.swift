import Foundation
import LinuxKernel
import OCI
import XCTest
@testable import Skiff

/// `skiff run` options checked as docker checks them, and the process settings derived from an
/// image config.
final class ContainerOptionsTests: XCTestCase {
    func testVolumeSpecifications() throws {
        let dir = NSTemporaryDirectory() + "skiff-options-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try ContainerOptions.parseVolume("\(dir)/made:/data/./x/:ro")
        XCTAssertEqual(m, ContainerRecord.BindMount(source: dir + "/made", target: "/data/x", readOnly: true))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/made"), "-v creates a missing host directory, as docker")
        XCTAssertFalse(try ContainerOptions.parseVolume("\(dir):/d:rw").readOnly)
        for (bad, words) in [("x", "HOST-DIR:CONTAINER-PATH"), ("name:/x", "named volume"), ("\(dir):x", "must be absolute"),
                             ("\(dir):/", "root"), ("\(dir):/a/../b", "'..'"), ("\(dir):/x:nope", "unknown option"),
                             ("\(dir):/x:ro:rw", "HOST-DIR")] {
            XCTAssertThrowsError(try ContainerOptions.parseVolume(bad), bad) { error in
                let message = (error as! SkiffError).message
                XCTAssertTrue(message.contains(words), "\(bad): \(message)")
            }
        }
    }

    func testMountSpecifications() throws {
        let dir = NSTemporaryDirectory()
        let m = try ContainerOptions.parseMount("type=bind,src=\(dir),dst=/m,readonly")
        XCTAssertEqual(m.target, "/m")
        XCTAssertTrue(m.readOnly)
        XCTAssertFalse(try ContainerOptions.parseMount("type=bind,source=\(dir),target=/m,readonly=false").readOnly)
        for (bad, words) in [("source=\(dir),target=/m", "type is required"), ("type=tmpfs,target=/m", "only type=bind"),
                             ("type=bind,target=/m", "source is required"), ("type=bind,source=\(dir)", "target is required"),
                             ("type=bind,source=/nonexistent/skiff,target=/m", "does not exist"),
                             ("type=bind,source=\(dir),target=/m,color=red", "unknown field")] {
            XCTAssertThrowsError(try ContainerOptions.parseMount(bad), bad) { error in
                let message = (error as! SkiffError).message
                XCTAssertTrue(message.contains(words), "\(bad): \(message)")
            }
        }
    }

    func testMemoryValues() throws {
        XCTAssertEqual(try ContainerOptions.parseMemory("512m"), 512 << 20)
        XCTAssertEqual(try ContainerOptions.parseMemory("1G"), 1 << 30)
        XCTAssertEqual(try ContainerOptions.parseMemory("8192k"), 8 << 20)
        XCTAssertEqual(try ContainerOptions.parseMemory("10000000"), 10_000_000)
        for bad in ["", "m", "12x", "-1m", "1m", "99999999999999999999g"] {
            XCTAssertThrowsError(try ContainerOptions.parseMemory(bad), bad)
        }
    }

    func testEnvironmentOrder() {
        let env = ContainerCreator.environment(image: ["PATH=/img", "A=1", "HOME=/img-home"], settings: ["A=2", "B", "C=x=y"],
                                               hostname: "h", home: "/home/u")
        XCTAssertEqual(env, ["PATH=/img", "HOSTNAME=h", "A=2", "HOME=/img-home", "B=", "C=x=y"])
        let plain = ContainerCreator.environment(image: [], settings: [], hostname: "h", home: "/root")
        XCTAssertEqual(plain, ["PATH=" + RootfsRunner.defaultPath, "HOSTNAME=h", "HOME=/root"])
    }

    func testContainerNames() {
        for good in ["a", "web-1", "x.y_z", "9lives"] { XCTAssertTrue(ContainerCreator.validName(good), good) }
        for bad in ["", "-a", "_a", "a/b", "a b", "é"] { XCTAssertFalse(ContainerCreator.validName(bad), bad) }
    }

    func testUserResolution() throws {
        let r = ContainerUserResolver(
            passwd: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nbroken line\n",
            group: "root:x:0:\nstaff:x:50:app,other\nwheel:x:10:app\n")
        XCTAssertEqual(try r.resolve(""), .init(user: ContainerUser(uid: 0, gid: 0, groups: [0]), home: "/root"))
        XCTAssertEqual(try r.resolve("app"), .init(user: ContainerUser(uid: 1000, gid: 1000, groups: [1000, 50, 10]), home: "/home/app"))
        XCTAssertEqual(try r.resolve("app:staff"), .init(user: ContainerUser(uid: 1000, gid: 50, groups: [50]), home: "/home/app"))
        XCTAssertEqual(try r.resolve("1000"), .init(user: ContainerUser(uid: 1000, gid: 1000, groups: [1000, 50, 10]), home: "/home/app"))
        XCTAssertEqual(try r.resolve("4242:7"), .init(user: ContainerUser(uid: 4242, gid: 7, groups: [7]), home: "/"))
        XCTAssertThrowsError(try r.resolve("ghost"))
        XCTAssertThrowsError(try r.resolve("app:ghosts"))
    }
}

/// Container records kept under $SKIFF_HOME/containers.
final class ContainerStoreTests: XCTestCase {
    func testRecordsPersistAndAreFoundByNameOrIdPrefix() throws {
        let root = NSTemporaryDirectory() + "skiff-store-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        let id = ContainerStore.newID()
        XCTAssertEqual(id.count, 64)
        let process = ContainerRecord.ProcessSpec(arguments: ["sh"], environment: ["A=1"], workingDirectory: "/", userSpec: "app",
                                                  uid: 1000, gid: 1000, groups: [10], interactive: false)
        var record = ContainerRecord(id: id, name: "kept", created: Timestamp.now(), image: "img", imageName: "docker.io/library/img:latest",
                                     imageDigest: "sha256:00", process: process, hostname: "h", readOnly: false, tmpfs: ["/t"],
                                     mounts: [.init(source: "/s", target: "/d", readOnly: true)], autoRemove: false,
                                     labels: ["k": "v"], limits: .init(memory: 1 << 30, pids: 5), state: .init())
        try store.create(record)
        XCTAssertEqual(try store.load(id), record)
        XCTAssertEqual(try store.find("kept"), record)
        XCTAssertEqual(try store.find(String(id.prefix(5))), record)
        XCTAssertThrowsError(try store.create(record), "a second container with the same name")
        record.state.status = .exited
        record.state.exitCode = 3
        try store.save(record)
        XCTAssertEqual(try store.find(id).state.exitCode, 3)
        XCTAssertEqual(record.statusText().prefix(10), "Exited (3)")
        try store.remove(record, force: false)
        XCTAssertThrowsError(try store.find("kept"))
        XCTAssertEqual(store.all(), [])
    }

    func testStaleRunningStateShowsAsExited() throws {
        let root = NSTemporaryDirectory() + "skiff-store-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        let process = ContainerRecord.ProcessSpec(arguments: ["sh"], environment: [], workingDirectory: "/", userSpec: "",
                                                  uid: 0, gid: 0, groups: [], interactive: false)
        var record = ContainerRecord(id: ContainerStore.newID(), name: "crashed", created: Timestamp.now(), image: "i", imageName: "i",
                                     imageDigest: "sha256:00", process: process, hostname: "h", readOnly: false, tmpfs: [], mounts: [],
                                     autoRemove: false, labels: [:], limits: nil, state: .init())
        record.state.status = .running
        record.state.pid = 999_999
        try store.create(record)
        // No skiff process holds its lock: it died without recording the end.
        XCTAssertFalse(store.isRunning(record))
        XCTAssertEqual(store.current(record).state.status, .exited)
        try store.remove(record, force: false)
    }
}
