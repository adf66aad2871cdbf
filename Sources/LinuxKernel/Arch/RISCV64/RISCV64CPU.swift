#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// riscv64's Linux ABI on the RISC-V hart: `ecall` with the number in a7 and arguments in
/// a0-a5, the result in a0; sp is x2, the thread pointer x4.
extension Hart: GuestCPU {
    var architecture: Architecture { .riscv64 }
    var programCounter: UInt64 { pc }
    var stackPointer: UInt64 {
        get { x(2) }
        set { setX(2, newValue) }
    }

    func run(instructionBudget: Int) -> GuestStop {
        switch run(instructionBudget: instructionBudget) as StopReason {
        case .ecall: return .systemCall
        case .budgetExhausted: return .budgetExhausted
        case .memoryFault(let f): return .memoryFault(f)
        case .breakpoint: return .signal(Signal.SIGTRAP, code: 1, address: pc)        // TRAP_BRKPT
        case .illegalInstruction: return .signal(Signal.SIGILL, code: 1, address: pc)  // ILL_ILLOPC
        }
    }

    func systemCall() -> SystemCallRegisters {
        SystemCallRegisters(number: Int(truncatingIfNeeded: x(17)),
                            arguments: (x(10), x(11), x(12), x(13), x(14), x(15)))
    }

    func finishSystemCall(_ result: Int64) {
        setX(10, UInt64(bitPattern: result))
        pc &+= 4
    }

    func makeClone(memory: GuestMemory) -> any GuestCPU {
        let hart = Hart(memory: memory)
        hart.copyState(from: self)
        hart.timeSource = timeSource
        hart.finishSystemCall(0)
        return hart
    }

    func setThreadPointer(_ value: UInt64) { setX(4, value) }

    func startProgram(memory: GuestMemory, entry: UInt64, stackPointer: UInt64) {
        self.memory = memory
        for i in 1..<32 { setX(i, 0) }
        for i in 0..<32 { setF(i, 0) }
        fcsr = 0
        pc = entry
        setX(2, stackPointer)
        clearReservation()
    }
}
