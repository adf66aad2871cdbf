// Test scaffolding only: runs a static, freestanding x86-64 ELF (Programs/, built with
// -nostdlib against rt.h; loaded by ELFTestSupport) on an X86CPU, serving write and exit; the
// same binary run natively is the reference.
import Foundation
import ELFTestSupport
@testable import RISCV
@testable import X86

struct X86ProgramResult {
    var output: [UInt8] = []
    var exitCode: Int? = nil
    var stop: X86Stop? = nil
    var rip: UInt64 = 0
    var instructions: UInt64 = 0
}

enum X86TestProgram {
    static func load(_ elf: [UInt8]) -> X86CPU {
        let image = ELFTestImage(elf, machine: ELFTestImage.x86_64)
        let cpu = X86CPU(memory: image.memory)
        cpu.reset()
        cpu.rip = image.entry
        cpu.setRegister(4, image.stackPointer)
        return cpu
    }

    static func run(_ cpu: X86CPU, maxInstructions: UInt64 = 20_000_000_000) -> X86ProgramResult {
        var result = X86ProgramResult()
        while cpu.instructionsRetired < maxInstructions {
            let stop = cpu.run(instructionBudget: 1 << 22)
            switch stop {
            case .budgetExhausted:
                continue
            case .syscall:
                let n = cpu.register(0)
                switch n {
                case 1:
                    var bytes = [UInt8](repeating: 0, count: Int(cpu.register(2)))
                    bytes.withUnsafeMutableBytes { try! cpu.memory.read(at: cpu.register(6), into: $0) }
                    result.output += bytes
                    cpu.setRegister(0, UInt64(bytes.count))
                case 60, 231:
                    result.exitCode = Int(cpu.register(7))
                    result.rip = cpu.rip
                    result.instructions = cpu.instructionsRetired
                    return result
                default:
                    cpu.setRegister(0, UInt64(bitPattern: -38))
                }
                cpu.rip += 2
            default:
                result.stop = stop
                result.rip = cpu.rip
                result.instructions = cpu.instructionsRetired
                return result
            }
        }
        return result
    }
}

/// Building the programs with the host's compiler and running them natively.
enum HostToolchain {
    static var available: Bool {
        #if arch(x86_64) && os(Linux)
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/gcc")
        #else
        return false
        #endif
    }

    static let programs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Programs")

    static func build(_ name: String, flags: [String] = ["-O1"]) throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-x86-\(name)-\(getpid())")
        try run("/usr/bin/gcc", flags + ["-static", "-nostdlib", "-ffreestanding", "-fno-builtin", "-mno-red-zone",
                                          "-fno-stack-protector", "-I", programs.path, "-o", out.path,
                                          programs.appendingPathComponent(name + ".c").path])
        return out
    }

    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "HostToolchain", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(path) \(arguments.joined(separator: " ")) failed"])
        }
        return data
    }
}
