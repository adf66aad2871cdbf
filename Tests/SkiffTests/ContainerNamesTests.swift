import Foundation
import OCI
import XCTest
@testable import Skiff

/// The container name index ($SKIFF_HOME/container-names): names are unique, freed on removal,
/// taken over when stale, and built from the records for a store that has none.
final class ContainerNamesTests: XCTestCase {
    private var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "skiff-names-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    private func record(_ name: String) -> ContainerRecord {
        let process = ContainerRecord.ProcessSpec(arguments: ["sh"], environment: [], workingDirectory: "/", userSpec: "",
                                                  uid: 0, gid: 0, groups: [], interactive: false)
        return ContainerRecord(id: ContainerStore.newID(), name: name, created: Timestamp.now(), image: "i", imageName: "i",
                               imageDigest: "sha256:00", process: process, hostname: "h", readOnly: false, tmpfs: [], mounts: [],
                               autoRemove: false, labels: [:], limits: nil, state: .init())
    }

    private func assertNameInUse(_ store: ContainerStore, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let other = record(name)
        XCTAssertThrowsError(try store.create(other), file: file, line: line) { error in
            XCTAssertEqual((error as? SkiffError)?.code, .invalidArgument, file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.directory(other.id)), "nothing left behind", file: file, line: line)
    }

    func testNamesAreUniqueAndFreedOnRemoval() throws {
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        let first = record("web")
        try store.create(first)
        assertNameInUse(store, "web")
        try store.remove(first, force: false)
        let second = record("web")
        try store.create(second)
        XCTAssertEqual(try store.find("web").id, second.id)
    }

    func testGeneratedNamesAreReserved() throws {
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        var names = Set<String>()
        for _ in 0..<30 {
            let r = record("")
            try store.create(r)
            names.insert(try store.load(r.id).name)
        }
        XCTAssertEqual(names.count, 30)
        XCTAssertFalse(names.contains(""))
        for name in names.prefix(3) { assertNameInUse(store, name) }
    }

    func testStaleNameIsTakenOver() throws {
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        let crashed = record("db")
        try store.create(crashed)
        // A Skiff killed after removing the directory, before releasing the name.
        try FileManager.default.removeItem(atPath: store.directory(crashed.id))
        let next = record("db")
        try store.create(next)
        XCTAssertEqual(try store.find("db").id, next.id)
    }

    func testIndexIsBuiltForAnOlderStore() throws {
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        try store.create(record("old"))
        // As a store written before the index existed.
        try FileManager.default.removeItem(atPath: root + "/container-names")
        assertNameInUse(store, "old")
        try store.create(record("new"))
        assertNameInUse(store, "new")
    }
}
