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

/// What compiled code returns in eax.
enum GuestExit {
    /// Continue at the context's pc (look up the block there).
    static let plain: UInt32 = 0
    /// The interpreter must execute the instruction at the context's pc.
    static let interpret: UInt32 = 1
    /// From here on: a chainable exit (`value - firstLink` indexes the tier's link sites).
    static let firstLink: UInt32 = 2
}

extension X86Register {
    static let guestRegisters = X86Register.rbx
    static let context = X86Register.r14
    static let budget = X86Register.r15
}
