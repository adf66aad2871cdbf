import RISCVNative

// The block shared by the Swift side and compiled x86-64 guest code, and the register roles of
// compiled code (x86-64 System V host):
//
//   rbx  the guest CPU's register file (`X86Registers`: an operand is [rbx + its byte offset])
//   r14  this context, r15 the instruction budget left (exits subtract what they retired)
//   rax  the guest flags saved around a TLB probe (lahf + seto)
//   rcx, rdx, rsi, rdi, r8, r9  scratch: rdx a memory operand's guest address, rsi its host one
//
// The guest's arithmetic flags live in the host's RFLAGS while compiled code runs: `enter`
// loads them from the flags word, the epilogue stores them back (Trampolines).

enum GuestContext {
    static let regsOffset: Int32 = 0
    static let readTLBOffset: Int32 = 8
    static let writeTLBOffset: Int32 = 16
    static let budgetOffset: Int32 = 24
    static let pcOffset: Int32 = 32
    /// The tier's jump cache (RISCVNative's `JumpCache`): guest pc -> compiled block, for returns.
    static let jumpCacheOffset: Int32 = 40
    static let size = 64
}

// Exit codes in eax are RISCVNative's `NativeExit`; rbx, r14 and r15 its `X86Register`
// roles `guestRegisters`, `context` and `budget`.
