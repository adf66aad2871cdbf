// Test scaffolding only (never shipped): runs a static, freestanding riscv64 ELF (built with
// -nostdlib, see Programs/rt.h; loaded by ELFTestSupport) on a hart, serving just the write and
// exit system calls.
import Foundation
import ELFTestSupport
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
    /// A hart at the entry of the ELF's segments, mapped into a fresh address space.
    static func load(_ elf: [UInt8]) -> Hart {
        let image = ELFTestImage(elf, machine: ELFTestImage.riscv64)
        let hart = Hart(memory: image.memory)
        hart.pc = image.entry
        hart.setX(2, image.stackPointer)
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
