// Why `Hart.run` returned control to the kernel.

public enum StopReason: Equatable {
    /// `ecall`; pc points at it (the kernel advances pc by 4 when it has served the call).
    case ecall
    /// `ebreak` or `c.ebreak`; pc points at it (SIGTRAP).
    case breakpoint
    /// An illegal or unsupported encoding (its raw bits; 16 bits for compressed); pc at it (SIGILL).
    case illegalInstruction(UInt32)
    /// A load, store, AMO or instruction fetch faulted; pc at the faulting instruction.
    case memoryFault(MemoryFault)
    /// The instruction budget is used up; pc at the next instruction to run.
    case budgetExhausted
}
