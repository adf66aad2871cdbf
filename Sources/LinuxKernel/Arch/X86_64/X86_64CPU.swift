#if !SKIFF_SINGLE_MODULE
import RISCV
import X86
#endif

/// x86-64's Linux ABI on the x86-64 CPU: `syscall` with the number in rax and arguments in rdi,
/// rsi, rdx, r10, r8, r9; the result in rax, and rcx and r11 clobbered (the return address and
/// rflags, as the instruction leaves them). The thread pointer is the FS base.
extension X86CPU: GuestCPU {
    var architecture: Architecture { .x86_64 }
    var programCounter: UInt64 { rip }
    var stackPointer: UInt64 {
        get { register(4) }
        set { setRegister(4, newValue) }
    }

    func run(instructionBudget: Int) -> GuestStop {
        switch run(instructionBudget: instructionBudget) as X86Stop {
        case .syscall: return .systemCall
        case .budgetExhausted: return .budgetExhausted
        case .memoryFault(let f): return enterVsyscall(f) ? .systemCall : .memoryFault(f)
        case .breakpoint: return .signal(Signal.SIGTRAP, code: 0x80, address: 0)            // SI_KERNEL
        case .illegalInstruction: return .signal(Signal.SIGILL, code: 2, address: rip)      // ILL_ILLOPN
        case .divideError: return .signal(Signal.SIGFPE, code: 1, address: rip)             // FPE_INTDIV
        case .generalProtection: return .signal(Signal.SIGSEGV, code: 0x80, address: 0)     // SI_KERNEL
        case .simdException:
            return .signal(Signal.SIGFPE, code: X86_64FloatException.code(x87: false, of: self), address: rip)
        case .x87Exception:
            return .signal(Signal.SIGFPE, code: X86_64FloatException.code(x87: true, of: self), address: rip)
        }
    }

    func systemCall() -> SystemCallRegisters {
        SystemCallRegisters(number: Int(truncatingIfNeeded: register(0)),
                            arguments: (register(7), register(6), register(2), register(10), register(8), register(9)))
    }

    func finishSystemCall(_ result: Int64) {
        setRegister(0, UInt64(bitPattern: result))
        if X86_64Vsyscall.systemCall(at: rip) != nil { return leaveVsyscall() }
        rip &+= 2
        setRegister(1, rip)
        setRegister(11, rflags)
    }

    func makeClone(memory: GuestMemory) -> any GuestCPU {
        let cpu = X86CPU(memory: memory)
        cpu.copyState(from: self)
        cpu.timeSource = timeSource
        cpu.finishSystemCall(0)
        return cpu
    }

    func setThreadPointer(_ value: UInt64) { fsBase = value }

    func clearReservation() {}

    func startProgram(memory: GuestMemory, entry: UInt64, stackPointer: UInt64) {
        self.memory = memory
        reset()
        rip = entry
        setRegister(4, stackPointer)
    }
}
