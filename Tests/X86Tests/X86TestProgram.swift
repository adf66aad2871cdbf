// Test scaffolding only: loads a static, freestanding x86-64 ELF (Programs/, built with
// -nostdlib against rt.h) into a fresh address space and runs it on an X86CPU, serving write
// and exit; the same binary run natively is the reference.
import Foundation
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
    static func u16(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(b[o]) | UInt64(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt64 { u16(b, o) | u16(b, o + 2) << 16 }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { u32(b, o) | u32(b, o + 4) << 32 }

    static func load(_ elf: [UInt8]) -> X86CPU {
        precondition(elf.count > 64 && elf[0] == 0x7f && elf[4] == 2 && u16(elf, 18) == 62, "not an x86-64 ELF64")
        let memory = GuestMemory()
        let phoff = Int(u64(elf, 32)), phentsize = Int(u16(elf, 54)), phnum = Int(u16(elf, 56))
        var pages: [UInt64: MemoryProtection] = [:]
        var segments: [(UInt64, Int, Int)] = []
        for i in 0..<phnum {
            let p = phoff + i * phentsize
            guard u32(elf, p) == 1 else { continue }
            let flags = u32(elf, p + 4)
            let offset = Int(u64(elf, p + 8)), vaddr = u64(elf, p + 16)
            let filesz = Int(u64(elf, p + 32)), memsz = u64(elf, p + 40)
            var prot: MemoryProtection = []
            if flags & 4 != 0 { prot.insert(.read) }
            if flags & 2 != 0 { prot.insert(.write) }
            if flags & 1 != 0 { prot.insert(.execute) }
            var page = vaddr & ~0xfff
            while page < vaddr + memsz { pages[page, default: []].formUnion(prot); page += 0x1000 }
            segments.append((vaddr, offset, filesz))
        }
        for page in pages.keys { memory.map(at: page, length: 0x1000, protection: [.read, .write]) }
        for (vaddr, offset, filesz) in segments where filesz > 0 {
            elf[offset..<offset + filesz].withUnsafeBytes { try! memory.write(at: vaddr, from: $0, force: true) }
        }
        for (page, prot) in pages { _ = memory.protect(at: page, length: 0x1000, protection: prot) }
        let stackTop: UInt64 = 0x7fff_0000
        memory.map(at: stackTop - 0x10_0000, length: 0x10_0000, protection: [.read, .write])
        let cpu = X86CPU(memory: memory)
        cpu.reset()
        cpu.rip = u64(elf, 24)
        cpu.setRegister(4, stackTop - 0x1000)
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
