// Test scaffolding only (never shipped): loads the PT_LOAD segments of a static, freestanding
// riscv64 ELF (built with -nostdlib, see Programs/rt.h) and runs it on a hart, serving just the
// write and exit system calls.
import Foundation
@testable import RISCV

struct TestProgramResult {
    var output: [UInt8] = []
    var exitCode: Int? = nil
    /// A stop other than ecall/budget (an unexpected trap), if the program died of one.
    var trap: StopReason? = nil
    var pc: UInt64 = 0
    var instructions: UInt64 = 0
}

enum TestProgramLoader {
    static func u16(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(b[o]) | UInt64(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt64 { u16(b, o) | u16(b, o + 2) << 16 }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { u32(b, o) | u32(b, o + 4) << 32 }

    /// Maps the ELF's segments into a fresh address space and returns a hart at its entry.
    static func load(_ elf: [UInt8]) -> Hart {
        precondition(elf.count > 64 && elf[0] == 0x7f && elf[1] == 0x45 && elf[4] == 2, "not an ELF64")
        let memory = GuestMemory()
        let phoff = Int(u64(elf, 32)), phentsize = Int(u16(elf, 54)), phnum = Int(u16(elf, 56))
        var pages: [UInt64: MemoryProtection] = [:]
        var segments: [(UInt64, Int, Int)] = []
        for i in 0..<phnum {
            let p = phoff + i * phentsize
            guard u32(elf, p) == 1 else { continue }               // PT_LOAD
            let flags = u32(elf, p + 4)
            let offset = Int(u64(elf, p + 8)), vaddr = u64(elf, p + 16)
            let filesz = Int(u64(elf, p + 32)), memsz = u64(elf, p + 40)
            var prot: MemoryProtection = []
            if flags & 4 != 0 { prot.insert(.read) }
            if flags & 2 != 0 { prot.insert(.write) }
            if flags & 1 != 0 { prot.insert(.execute) }
            var page = vaddr & ~0xfff
            while page < vaddr + memsz {
                pages[page, default: []].formUnion(prot)
                page += 0x1000
            }
            segments.append((vaddr, offset, filesz))
        }
        for page in pages.keys { memory.map(at: page, length: 0x1000, protection: [.read, .write]) }
        for (vaddr, offset, filesz) in segments where filesz > 0 {
            elf[offset..<offset + filesz].withUnsafeBytes { try! memory.write(at: vaddr, from: $0, force: true) }
        }
        for (page, prot) in pages { _ = memory.protect(at: page, length: 0x1000, protection: prot) }
        let stackTop: UInt64 = 0x7fff_0000
        memory.map(at: stackTop - 0x10_0000, length: 0x10_0000, protection: [.read, .write])
        let hart = Hart(memory: memory)
        hart.pc = u64(elf, 24)
        hart.setX(2, stackTop - 0x1000)
        return hart
    }

    /// Runs until exit, a trap, or `maxInstructions`.
    static func run(_ hart: Hart, maxInstructions: UInt64 = 20_000_000_000) -> TestProgramResult {
        var result = TestProgramResult()
        while hart.instructionsRetired < maxInstructions {
            let stop = hart.run(instructionBudget: 1 << 22)
            switch stop {
            case .budgetExhausted:
                continue
            case .ecall:
                let n = hart.x(17)
                if n == 64 {
                    let len = Int(hart.x(12))
                    var buf = [UInt8](repeating: 0, count: len)
                    buf.withUnsafeMutableBytes { try! hart.memory.read(at: hart.x(11), into: $0) }
                    result.output += buf
                    hart.setX(10, UInt64(len))
                } else if n == 93 || n == 94 {
                    result.exitCode = Int(Int32(truncatingIfNeeded: hart.x(10)))
                    result.instructions = hart.instructionsRetired
                    result.pc = hart.pc
                    return result
                } else {
                    hart.setX(10, UInt64(bitPattern: -38))
                }
                hart.pc += 4
            default:
                result.trap = stop
                result.pc = hart.pc
                result.instructions = hart.instructionsRetired
                return result
            }
        }
        result.instructions = hart.instructionsRetired
        return result
    }
}

/// Cross-compiles test programs and runs the reference emulator; tests skip when the riscv64
/// toolchain or qemu is not installed.
enum CrossToolchain {
    static let programsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Programs")
    static let compiler = "/usr/bin/riscv64-linux-gnu-gcc"
    static let qemu = "/usr/bin/qemu-riscv64-static"

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: compiler) && FileManager.default.isExecutableFile(atPath: qemu)
    }

    static func shell(_ args: [String]) throws -> (status: Int32, output: Data) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }

    /// Compiles Programs/NAME.c (freestanding, static) and returns the ELF path.
    static func build(_ name: String, flags: [String] = ["-O2", "-march=rv64gc"]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-riscv-tests")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent(name + "-" + flags.joined().filter { $0.isLetter || $0.isNumber }).path
        let src = programsDirectory.appendingPathComponent(name + ".c").path
        let r = try shell([compiler] + flags + ["-static", "-nostdlib", "-ffreestanding", "-fno-builtin",
                                                "-I", programsDirectory.path, "-o", out, src])
        guard r.status == 0 else { throw NSError(domain: "cc", code: Int(r.status)) }
        return out
    }

    static func runQemu(_ path: String) throws -> [UInt8] {
        [UInt8](try shell([qemu, path]).output)
    }

    static func runHart(_ path: String) throws -> TestProgramResult {
        let elf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return TestProgramLoader.run(TestProgramLoader.load(elf))
    }
}
