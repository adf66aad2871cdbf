import Foundation
import XCTest
@testable import LinuxKernel
import PosixHost
import RISCV

/// A kernel over a fresh temporary root directory, with an init task whose address space has a
/// scratch region for system call arguments.
final class KernelFixture {
    let root: URL
    let host = PosixHost()
    let kernel: Kernel
    let task: Task
    /// Scratch memory for strings and structures passed to system calls.
    let scratch: UInt64 = 0x1000_0000
    private var scratchUsed: UInt64 = 0

    init(readOnly: Bool = false, configuration: KernelConfiguration = KernelConfiguration()) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-kernel-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        kernel = Kernel(host: host, configuration: configuration)
        let fd = try KernelFixture.open(root.path)
        kernel.mountHostDirectory(fd, at: "/", readOnly: readOnly)
        task = kernel.createInitTask()
        task.process.addressSpace.insert(MemoryRegion(start: scratch, end: scratch + 0x10000, protection: [.read, .write]))
    }

    static func open(_ path: String) throws -> HostFD {
        do { return try PosixHost.openDirectory(path) } catch { throw XCTSkip("cannot open \(path): \(error.name)") }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ relative: String, _ contents: String = "") throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: false, encoding: .utf8)
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent(relative), withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(relative).path, withDestinationPath: target)
    }

    /// Copies bytes into the scratch region; returns their guest address.
    func place(_ bytes: [UInt8]) -> UInt64 {
        let at = scratch + scratchUsed
        scratchUsed += UInt64(bytes.count + 15) & ~15
        bytes.withUnsafeBytes { try! task.memory.write(at: at, from: $0) }
        return at
    }

    func place(_ string: String) -> UInt64 { place(Array(string.utf8) + [0]) }

    func buffer(_ size: Int) -> UInt64 { place([UInt8](repeating: 0, count: size)) }

    func read(_ address: UInt64, _ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { try! task.memory.read(at: address, into: $0) }
        return out
    }

    /// Makes system call `number` with `args` from the init task; returns a0.
    @discardableResult
    func call(_ number: Int, _ args: UInt64...) -> Int64 { call(on: task, number, args) }

    /// The same from another task (a forked child, a thread).
    @discardableResult
    func call(on task: Task, _ number: Int, _ args: [UInt64]) -> Int64 {
        let hart = task.hart
        hart.pc = 0x1000
        for (i, a) in args.enumerated() { hart.setX(10 + i, a) }
        for i in args.count..<6 { hart.setX(10 + i, 0) }
        hart.setX(17, UInt64(number))
        kernel.handleSystemCall(task)
        return Int64(bitPattern: hart.x(10))
    }

    func errno(_ e: Errno) -> Int64 { -Int64(e.rawValue) }
}

/// Linux's AT_FDCWD as a register value.
let atFDCWD = UInt64(bitPattern: -100)
