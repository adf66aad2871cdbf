// Why `X86CPU.run` returned control to the kernel.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

public enum X86Stop: Equatable {
    /// `syscall`; rip points at it (the kernel steps past it when it has served the call).
    case syscall
    /// `int3`; rip points after it (SIGTRAP).
    case breakpoint
    /// An undefined or unimplemented encoding (#UD); rip at it (SIGILL).
    case illegalInstruction
    /// A general-protection fault: a privileged instruction, a misaligned SSE operand, `int n`;
    /// rip at the instruction (SIGSEGV with si_addr 0).
    case generalProtection
    /// Division by zero or a quotient that does not fit (#DE); rip at it (SIGFPE).
    case divideError
    /// An SSE instruction raised an exception MXCSR unmasks (#XM); rip at it, nothing changed
    /// but MXCSR's flags (SIGFPE).
    case simdException
    /// A waiting x87 instruction found an unmasked exception pending (the status word's ES,
    /// #MF); rip at it (SIGFPE).
    case x87Exception
    /// A load, store or instruction fetch faulted; rip at the faulting instruction.
    case memoryFault(MemoryFault)
    /// The instruction budget is used up; rip at the next instruction to run.
    case budgetExhausted
}
