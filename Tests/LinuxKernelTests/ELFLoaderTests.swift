import XCTest
@testable import LinuxKernel
import RISCV

/// The initial stack is laid out as Linux does, `#!` lines parse as Linux parses them, and bad
/// executables fail with the errno and message a user needs.
final class ELFLoaderTests: XCTestCase {
    func testInitialStackLayout() throws {
        let space = AddressSpace(memory: GuestMemory())
        let random = (0..<16).map { UInt8($0 * 3) }
        let argv = [Array("prog".utf8), Array("arg one".utf8)]
        let envp = [Array("A=1".utf8), Array("PATH=/bin".utf8)]
        let stack = try InitialStack.build(in: space, arguments: argv, environment: envp, executableName: Array("/bin/prog".utf8),
                                           auxiliary: [(AuxVector.pageSize, 4096), (AuxVector.entry, 0x1234)],
                                           random: random, executable: false)
        let m = space.memory
        let sp = stack.stackPointer
        XCTAssertEqual(sp % 16, 0)
        XCTAssertEqual(try m.load(UInt64.self, at: sp), 2, "argc")
        func string(_ a: UInt64) throws -> String { String(decoding: try m.readCString(at: a, maxLength: 100), as: UTF8.self) }
        XCTAssertEqual(try string(try m.load(UInt64.self, at: sp + 8)), "prog")
        XCTAssertEqual(try string(try m.load(UInt64.self, at: sp + 16)), "arg one")
        XCTAssertEqual(try m.load(UInt64.self, at: sp + 24), 0)
        XCTAssertEqual(try string(try m.load(UInt64.self, at: sp + 32)), "A=1")
        XCTAssertEqual(try string(try m.load(UInt64.self, at: sp + 40)), "PATH=/bin")
        XCTAssertEqual(try m.load(UInt64.self, at: sp + 48), 0)
        var aux: [UInt64: UInt64] = [:]
        var keys: [UInt64] = []
        var p = sp + 56
        while true {
            let k = try m.load(UInt64.self, at: p), v = try m.load(UInt64.self, at: p + 8)
            keys.append(k)
            if k == 0 { break }
            aux[k] = v
            p += 16
        }
        XCTAssertEqual(keys, [6, 9, 25, 31, 0], "given entries, then AT_RANDOM, AT_EXECFN, AT_NULL")
        var r = [UInt8](repeating: 0, count: 16)
        try r.withUnsafeMutableBytes { try m.read(at: aux[25]!, into: $0) }
        XCTAssertEqual(r, random)
        XCTAssertEqual(try string(aux[31]!), "/bin/prog")
        // Linux order from the top: NULL word, execfn, envp strings, argv strings.
        XCTAssertEqual(aux[31]!, AddressLayout.stackTop - 8 - 10)
        XCTAssertEqual(stack.environmentAddresses[1], aux[31]! - 10)
        XCTAssertEqual(stack.environmentAddresses[0], stack.environmentAddresses[1] - 4)
        XCTAssertEqual(stack.argumentAddresses[1], stack.environmentAddresses[0] - 8)
        XCTAssertEqual(stack.argumentAddresses[0], stack.argumentAddresses[1] - 5)
        XCTAssertLessThan(stack.randomAddress + 16, stack.argumentAddresses[0] + 16)
        XCTAssertEqual(try m.load(UInt64.self, at: AddressLayout.stackTop - 8), 0)
    }

    func testHugeArgumentsAreE2BIG() {
        let space = AddressSpace(memory: GuestMemory())
        let big = [UInt8](repeating: 0x61, count: 3 << 20)
        XCTAssertThrowsError(try InitialStack.build(in: space, arguments: [big], environment: [], executableName: [0x61],
                                                    auxiliary: [], random: [UInt8](repeating: 0, count: 16), executable: false)) {
            XCTAssertEqual($0 as? Errno, .E2BIG)
        }
    }

    func testScriptHeaderParsing() {
        func parse(_ s: String) -> (String?, String?)? {
            guard let h = ScriptHeader.parse(Array(s.utf8)) else { return nil }
            return (h.interpreter.map { String(decoding: $0, as: UTF8.self) }, h.argument.map { String(decoding: $0, as: UTF8.self) })
        }
        XCTAssertNil(parse("\u{7f}ELF"))
        XCTAssertEqual(parse("#!/bin/sh\necho")!.0, "/bin/sh")
        XCTAssertNil(parse("#!/bin/sh\necho")!.1)
        XCTAssertEqual(parse("#! /usr/bin/env  python3 -u  \n")!.0, "/usr/bin/env")
        XCTAssertEqual(parse("#! /usr/bin/env  python3 -u  \n")!.1, "python3 -u", "one argument: the rest of the line")
        XCTAssertEqual(parse("#!/bin/sh\r\n")!.0, "/bin/sh\r", "a CR stays part of the name, as on Linux")
        XCTAssertNil(parse("#!   \n")!.0)
    }

    /// A minimal riscv64 ELF: `li a0, 42; li a7, 93; ecall` at `base` + 0x78; `type` 3 makes
    /// it position-independent.
    static func tinyELF(machine: UInt16 = 243, truncate: Int? = nil, type: UInt16 = 2, base: UInt64 = 0x10000) -> [UInt8] {
        var w = ByteWriter()
        w.append([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); w.zeros(8)
        w.u16(type); w.u16(machine); w.u32(1); w.u64(base + 0x78); w.u64(64); w.u64(0)
        w.u32(0); w.u16(64); w.u16(56); w.u16(1); w.u16(64); w.u16(0); w.u16(0)
        w.u32(1); w.u32(5); w.u64(0); w.u64(base); w.u64(base); w.u64(0x84); w.u64(0x84); w.u64(0x1000)
        for insn: UInt32 in [0x02a0_0513, 0x05d0_0893, 0x0000_0073] { w.u32(insn) }
        var bytes = w.bytes
        if let t = truncate { bytes.removeSubrange(t...) }
        return bytes
    }

    func install(_ f: KernelFixture, _ name: String, _ bytes: [UInt8], mode: Int = 0o755) throws {
        let url = f.root.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    func testTinyProgramRunsAndExits() throws {
        let f = try KernelFixture()
        try install(f, "tiny", Self.tinyELF())
        let k = Kernel(host: f.host)
        k.mountHostDirectory(try KernelFixture.open(f.root.path), at: "/", readOnly: false)
        try k.start(path: "/tiny", arguments: ["tiny"], environment: [], workingDirectory: "/")
        XCTAssertEqual(k.run(), .exited(42))
    }

    /// A position-independent program linked at a high address loads at the executable base as
    /// on Linux (the load bias is "negative": found by the elf fuzzer, Fuzz/Harnesses/elf.swift,
    /// as an arithmetic overflow trap in the loader).
    func testPIELinkedHighLoadsAtTheExecutableBase() throws {
        let f = try KernelFixture()
        try install(f, "high-pie", Self.tinyELF(type: 3, base: 0x0029_0000_0001_0000))
        let k = Kernel(host: f.host)
        k.mountHostDirectory(try KernelFixture.open(f.root.path), at: "/", readOnly: false)
        try k.start(path: "/high-pie", arguments: ["high-pie"], environment: [], workingDirectory: "/")
        XCTAssertEqual(k.run(), .exited(42))
    }

    /// A PT_INTERP whose offset lies past Int64.max makes execve fail with EINVAL, as Linux's
    /// kernel_read does (checked on the host kernel with an x86-64 file); found by the elf fuzzer
    /// in CI's first run of it as a host trap (the loader made the offset a signed file position).
    func testInterpreterAtAnOffsetPastInt64IsEINVAL() throws {
        let f = try KernelFixture()
        var bytes = Self.tinyELF()
        var w = ByteWriter()
        w.append(Array(bytes[64..<120]))   // its PT_LOAD, then a PT_INTERP of 11 bytes at 2^64 - 182
        w.u32(3); w.u32(4); w.u64(0xffff_ffff_ffff_ff4a); w.u64(0); w.u64(0); w.u64(11); w.u64(11); w.u64(1)
        var table = ByteWriter()
        table.u64(UInt64(bytes.count))
        bytes.replaceSubrange(32..<40, with: table.bytes)   // e_phoff: the two headers at the end
        bytes[56] = 2                                       // e_phnum
        try install(f, "far-interpreter", bytes + w.bytes)
        let k = Kernel(host: f.host)
        k.mountHostDirectory(try KernelFixture.open(f.root.path), at: "/", readOnly: false)
        XCTAssertThrowsError(try k.start(path: "/far-interpreter", arguments: ["far-interpreter"], environment: [],
                                         workingDirectory: "/")) {
            XCTAssertEqual($0 as? Errno, .EINVAL)
        }
        XCTAssertTrue((k.diagnostic ?? "").contains("corrupt ELF file"), k.diagnostic ?? "")
    }

    /// Segments needing more than mmap's largest mapping (16 GiB) are ENOMEM, not minutes of page
    /// bookkeeping (the elf fuzzer found a 12 GiB .bss taking 3.6 s under the sanitizers).
    func testHugeBSSIsENOMEM() throws {
        let f = try KernelFixture()
        var bytes = Self.tinyELF()
        var size = ByteWriter()
        size.u64(32 << 30)
        bytes.replaceSubrange(104..<112, with: size.bytes)   // p_memsz of its PT_LOAD: 32 GiB
        try install(f, "huge-bss", bytes)
        let k = Kernel(host: f.host)
        k.mountHostDirectory(try KernelFixture.open(f.root.path), at: "/", readOnly: false)
        XCTAssertThrowsError(try k.start(path: "/huge-bss", arguments: ["huge-bss"], environment: [], workingDirectory: "/")) {
            XCTAssertEqual($0 as? Errno, .ENOMEM)
        }
        XCTAssertTrue((k.diagnostic ?? "").contains("16 GiB"), k.diagnostic ?? "")
    }

    func testBadExecutablesFailClearly() throws {
        let f = try KernelFixture()
        // x86-64 (62) runs since the second guest CPU (issue 12); another machine is refused.
        try install(f, "arm64", Self.tinyELF(machine: 183))
        try install(f, "short", Self.tinyELF(truncate: 100))
        try install(f, "noexec", Self.tinyELF(), mode: 0o644)
        try install(f, "script", Array("#!/missing/interpreter\n".utf8))
        try install(f, "text", Array("just text\n".utf8))
        func failure(_ path: String) -> (Errno?, String) {
            let k = Kernel(host: f.host)
            k.mountHostDirectory(try! KernelFixture.open(f.root.path), at: "/", readOnly: false)
            do { try k.start(path: path, arguments: [path], environment: [], workingDirectory: "/"); return (nil, "") } catch {
                return (error, k.diagnostic ?? "")
            }
        }
        var (e, message) = failure("/arm64")
        XCTAssertEqual(e, .ENOEXEC); XCTAssertTrue(message.contains("AArch64"), message)
        (e, message) = failure("/short")
        XCTAssertEqual(e, .ENOEXEC); XCTAssertTrue(message.contains("truncated"), message)
        (e, message) = failure("/noexec")
        XCTAssertEqual(e, .EACCES)
        (e, message) = failure("/script")
        XCTAssertEqual(e, .ENOENT); XCTAssertTrue(message.contains("bad interpreter"), message)
        (e, message) = failure("/text")
        XCTAssertEqual(e, .ENOEXEC)
        (e, message) = failure("/missing")
        XCTAssertEqual(e, .ENOENT)
    }
}
