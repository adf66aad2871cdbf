import Foundation
import OCI
import XCTest
@testable import Skiff

/// config.json written and read by hand (ContainerRecordJSON.swift) against the record's Codable
/// conformance: the written record decodes to the same record both ways and holds exactly what
/// JSONEncoder would write; the quick reader reads JSONEncoder's files as JSONDecoder does, and
/// leaves to JSONDecoder what it cannot read.
final class ContainerRecordJSONTests: XCTestCase {
    private func record(full: Bool) -> ContainerRecord {
        let process = ContainerRecord.ProcessSpec(arguments: ["sh", "-c", "echo \"a\\b\"\t\n\u{01}é😀"],
                                                  environment: ["PATH=/bin", "Q=/x/y"], workingDirectory: "/w d",
                                                  userSpec: full ? "app:app" : "", uid: 4_000_000_000, gid: 1000,
                                                  groups: full ? [10, 4_000_000_000] : [], interactive: full)
        var state = ContainerRecord.State()
        if full {
            state = .init(status: .exited, exitCode: -1, startedAt: "2026-11-21T08:45:40.123Z",
                          finishedAt: "2026-11-21T08:45:41.000Z", pid: 2_000_000_000)
        }
        return ContainerRecord(
            id: String(repeating: "ab", count: 32), name: "n.1-x", created: "2026-11-21T08:45:40.123Z", image: "img:1",
            imageName: "docker.io/library/img:1", imageDigest: "sha256:" + String(repeating: "0", count: 64),
            process: process, hostname: "h", readOnly: full, tmpfs: full ? ["/t", "/u"] : [],
            mounts: full ? [.init(source: "/s", target: "/d", readOnly: true), .init(source: "/a b", target: "/c", readOnly: false)] : [],
            autoRemove: !full, labels: full ? ["b": "2", "a": "1", "é": "\""] : [:],
            limits: full ? .init(memory: UInt64.max, pids: Int.max) : nil,
            network: full ? .init(mode: "none", publish: ["8080:80", "127.0.0.1:53:53/udp"]) : nil,
            tty: full ? true : nil, reapsOrphans: full ? false : nil, state: state)
    }

    private func quickly(_ bytes: [UInt8]) -> ContainerRecord? {
        JSONReader.parse(bytes).flatMap(ContainerRecord.init(json:))
    }

    func testWrittenRecordDecodesToTheSameRecord() throws {
        var partial = record(full: true)
        partial.limits = .init(memory: nil, pids: 5)
        partial.state.pid = nil
        partial.state.status = .running
        for r in [record(full: true), record(full: false), partial] {
            XCTAssertEqual(try JSONDecoder().decode(ContainerRecord.self, from: Data(r.jsonBytes())), r)
            // Limits of 19 and 20 digits are beyond the quick reader: JSONDecoder reads that record.
            XCTAssertEqual(quickly(r.jsonBytes()), r.limits?.memory == UInt64.max ? nil : r)
        }
        var small = record(full: true)
        small.limits = .init(memory: 1 << 40, pids: 100)
        XCTAssertEqual(quickly(small.jsonBytes()), small)
    }

    func testQuickReaderReadsWhatJSONEncoderWrote() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var r = record(full: true)
        r.limits = .init(memory: 1 << 30, pids: 100)
        XCTAssertEqual(quickly(Array(try encoder.encode(r))), r)
        XCTAssertEqual(quickly(Array(try encoder.encode(record(full: false)))), record(full: false))
    }

    func testQuickReaderLeavesBadRecordsToJSONDecoder() throws {
        let good = String(decoding: record(full: false).jsonBytes(), as: UTF8.self)
        for bad in [good.replacingOccurrences(of: "\"status\" : \"created\"", with: "\"status\" : \"paused\""),
                    good.replacingOccurrences(of: "\"gid\" : 1000", with: "\"gid\" : -1"),
                    good.replacingOccurrences(of: "\"uid\" : 4000000000", with: "\"uid\" : 5000000000"),
                    good.replacingOccurrences(of: "\"readOnly\" : false", with: "\"readOnly\" : 0"),
                    good.replacingOccurrences(of: "\"hostname\" : \"h\",", with: "")] {
            XCTAssertNotEqual(bad, good)
            XCTAssertNil(quickly(Array(bad.utf8)), bad)
            XCTAssertThrowsError(try JSONDecoder().decode(ContainerRecord.self, from: Data(bad.utf8)))
        }
    }

    func testWrittenRecordHoldsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for full in [true, false] {
            let r = record(full: full)
            let byHand = try JSONSerialization.jsonObject(with: Data(r.jsonBytes())) as? NSDictionary
            let byEncoder = try JSONSerialization.jsonObject(with: try encoder.encode(r)) as? NSDictionary
            XCTAssertNotNil(byHand)
            XCTAssertEqual(byHand, byEncoder, "a field of ContainerRecord missing from jsonBytes()?")
        }
    }

    func testStoreSavesAndLoadsTheRecord() throws {
        let root = NSTemporaryDirectory() + "skiff-record-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try ContainerStore(imageStore: try ImageStore(root: root))
        let r = record(full: true)
        try store.create(r)
        XCTAssertEqual(try store.load(r.id), r)
    }
}
