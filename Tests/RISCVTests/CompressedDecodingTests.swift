import Foundation
import XCTest
@testable import RISCV

/// Every 16-bit encoding against the GNU toolchain as an independent oracle: objdump names each
/// one (or marks it reserved); the non-control-flow ones are re-assembled as 32-bit instructions
/// (`.option norvc`) and both forms are executed on identical machine states, which must end
/// identical. Reserved encodings must be illegal instructions; HINTs must change nothing.
final class CompressedDecodingTests: XCTestCase {
    static let objdump = "/usr/bin/riscv64-linux-gnu-objdump"
    static let assembler = "/usr/bin/riscv64-linux-gnu-as"
    static let objcopy = "/usr/bin/riscv64-linux-gnu-objcopy"

    func testEveryCompressedEncodingAgainstTheGNUToolchain() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.objdump)
                          && FileManager.default.isExecutableFile(atPath: Self.assembler), "riscv64 binutils not installed")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-rvc-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let encodings = (0..<65536).map { UInt16($0) }.filter { $0 & 3 != 3 }
        var blob = Data()
        for e in encodings { blob.append(UInt8(e & 0xff)); blob.append(UInt8(e >> 8)) }
        let bin = dir.appendingPathComponent("c16.bin")
        try blob.write(to: bin)
        let listing = String(decoding: try CrossToolchain.shell([Self.objdump, "-D", "-b", "binary", "-m", "riscv:rv64",
                                                                 "-M", "numeric", bin.path]).output, as: UTF8.self)
        // offset -> text
        var text: [Int: String] = [:]
        for line in listing.split(separator: "\n") {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cols.count >= 3, let off = Int(cols[0].trimmingCharacters(in: .whitespaces).dropLast(), radix: 16) else { continue }
            text[off] = cols[2...].joined(separator: " ").trimmingCharacters(in: .whitespaces)
        }
        XCTAssertEqual(text.count, encodings.count)

        var reserved: [UInt16] = [], hints: [UInt16] = [], plain: [(UInt16, String)] = []
        for (i, e) in encodings.enumerated() {
            let t = text[i * 2] ?? ""
            let mnemonic = t.split(separator: " ").first.map(String.init) ?? ""
            switch mnemonic {
            case ".2byte", "unimp": reserved.append(e)
            // c.addi16sp with nzimm = 0 is reserved (ISA manual); binutils prints it as addi.
            case _ where e == 0x6101: reserved.append(e)
            case "c.nop", "c.li", "c.lui", "c.mv", "c.add", "c.slli", "c.slli64", "c.srli64", "c.srai64": hints.append(e)
            case "j", "jr", "jalr", "ret", "beqz", "bnez", "ebreak": break     // control flow: HartTests
            default: plain.append((e, t))
            }
        }
        XCTAssertGreaterThan(plain.count, 40000)
        // Every valid 16-bit instruction decodes with a length of one 2-byte slot, to a
        // compressed-form operation (the run loop derives the length from it) or to one of the
        // rarer 32-bit operations whose arms step by the slot's `len` (their compressed values
        // went to fused operations: Op.swift).
        let steppedByLength: [Op] = [.srai, .sub, .subw, .fld, .fsd]
        for e in plain.map({ $0.0 }) + hints {
            let d = CompressedDecoder.decode(UInt32(e), pc: 0x1000)
            XCTAssertEqual(d.len, 1, "0x\(String(e, radix: 16))")
            XCTAssertTrue(d.op.isCompressed || steppedByLength.contains(d.op), "0x\(String(e, radix: 16)): \(d.op)")
        }

        // Reserved encodings decode to illegal instructions carrying the 16-bit encoding.
        for e in reserved {
            let d = CompressedDecoder.decode(UInt32(e), pc: 0x1000)
            XCTAssertEqual(d.op, .illegal, "0x\(String(e, radix: 16)) is reserved")
        }

        // The 32-bit expansions, assembled by GNU as.
        var source = ".option norvc\n"
        for (_, t) in plain { source += t + "\n" }
        let asmFile = dir.appendingPathComponent("x.s"), obj = dir.appendingPathComponent("x.o"), raw = dir.appendingPathComponent("x.bin")
        try source.write(to: asmFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CrossToolchain.shell([Self.assembler, "-march=rv64gc", "-o", obj.path, asmFile.path]).status, 0)
        XCTAssertEqual(try CrossToolchain.shell([Self.objcopy, "-O", "binary", "-j", ".text", obj.path, raw.path]).status, 0)
        let words = [UInt8](try Data(contentsOf: raw))
        XCTAssertEqual(words.count, plain.count * 4, "each expansion is one 32-bit instruction")

        // Every compressed instruction at base16 + 4k followed by c.ebreak; every expansion at
        // base32 + 8k followed by ebreak.
        let m = Machine([])
        m.memory.map(at: Self.base16, length: 0x40000, protection: [.read, .execute])
        m.memory.map(at: Self.base32, length: 0x80000, protection: [.read, .execute])
        var halves: [UInt16] = [], longs: [UInt32] = []
        for (k, (e, _)) in plain.enumerated() {
            halves += [e, 0x9002]
            longs += [UInt32(words[4 * k]) | UInt32(words[4 * k + 1]) << 8 | UInt32(words[4 * k + 2]) << 16
                      | UInt32(words[4 * k + 3]) << 24, A.ebreak]
        }
        m.loadHalves(halves, at: Self.base16)
        m.load(longs, at: Self.base32)
        var failures = 0
        for (k, (e, t)) in plain.enumerated() {
            let w = longs[2 * k]
            let a = run(m, at: Self.base16 + 4 * UInt64(k), seed: UInt64(k))
            let b = run(m, at: Self.base32 + 8 * UInt64(k), seed: UInt64(k))
            if a != b {
                failures += 1
                if failures < 20 { XCTFail("0x\(String(e, radix: 16)) (\(t)) differs from its expansion 0x\(String(w, radix: 16))") }
            }
        }
        XCTAssertEqual(failures, 0)

        // HINTs: no architectural effect besides advancing the pc.
        var hintCode: [UInt16] = []
        for e in hints { hintCode += [e, 0x9002] }
        m.loadHalves(hintCode, at: Self.base16)
        for (k, e) in hints.enumerated() {
            let before = state(m, seed: UInt64(k))
            let after = run(m, at: Self.base16 + 4 * UInt64(k), seed: UInt64(k))
            XCTAssertEqual(before, after, "HINT 0x\(String(e, radix: 16)) must not change state")
        }
    }

    struct State: Equatable {
        var x: [UInt64], f: [UInt64], data: [UInt8], stop: String
    }

    /// Registers: random, except x2 and x8...x15 (the compressed base registers) point into the
    /// data page so loads and stores land there.
    func setUp(_ m: Machine, seed: UInt64) {
        var s = seed &* 0x9e37_79b9_7f4a_7c15 | 1
        func rnd() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        for i in 1..<32 { m.hart.setX(i, rnd()) }
        for i in [2, 8, 9, 10, 11, 12, 13, 14, 15] { m.hart.setX(i, Machine.dataBase + 0x400 + (rnd() & 0x3f8)) }
        for i in 0..<32 { m.hart.setF(i, rnd()) }
        m.hart.fcsr = 0
        var words = [UInt64](repeating: 0, count: 256)          // the 2 KiB the accesses can reach
        for i in 0..<256 { words[i] = rnd() }
        words.withUnsafeBytes { try! m.memory.write(at: Machine.dataBase + 0x400, from: $0) }
    }

    func state(_ m: Machine, seed: UInt64) -> State {
        setUp(m, seed: seed)
        return capture(m, stop: "breakpoint")
    }

    func capture(_ m: Machine, stop: String) -> State {
        var data = [UInt8](repeating: 0, count: 2048)
        data.withUnsafeMutableBytes { try! m.memory.read(at: Machine.dataBase + 0x400, into: $0) }
        return State(x: (0..<32).map { m.hart.x($0) }, f: (0..<32).map { m.hart.f($0) }, data: data, stop: stop)
    }

    static let base16: UInt64 = 0x100_0000
    static let base32: UInt64 = 0x200_0000

    func run(_ m: Machine, at pc: UInt64, seed: UInt64) -> State {
        setUp(m, seed: seed)
        m.hart.pc = pc
        let stop = m.run(budget: 10)
        let name: String
        switch stop {
        case .breakpoint: name = "breakpoint"
        case .memoryFault(let f): name = "fault \(f.address)"
        case .illegalInstruction: name = "illegal"
        default: name = "other"
        }
        return capture(m, stop: name)
    }
}
