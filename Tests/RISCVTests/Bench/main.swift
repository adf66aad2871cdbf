// Test scaffolding (not part of any product): runs a freestanding riscv64 ELF on the hart with
// the test loader and reports instructions and time on stderr. Built by scripts/bench-hart.sh
// together with Sources/RISCV (release, -Ounchecked) as one module.
import Foundation

let elf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1])))
let hart = TestProgramLoader.load(elf)
let start = Date()
let result = TestProgramLoader.run(hart)
let seconds = Date().timeIntervalSince(start)
FileHandle.standardOutput.write(Data(result.output))
let mips = Double(result.instructions) / seconds / 1e6
FileHandle.standardError.write(Data("hart: \(result.instructions) instructions in \(String(format: "%.3f", seconds)) s (\(Int(mips)) MIPS)\n".utf8))
exit(Int32(result.exitCode ?? 1))
