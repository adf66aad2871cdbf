#if !SKIFF_SINGLE_MODULE
import X86
#endif

/// SIGFPE's si_code for a floating-point exception, as Linux's `fpu__exception_code` computes
/// it: the exceptions both flagged and unmasked (the x87's from its status and control words,
/// SSE's from MXCSR), of which invalid wins, then divide-by-zero, overflow, underflow or
/// denormal, precision. (Linux never reports FPE_FLTSUB here.)
enum X86_64FloatException {
    static let FPE_FLTDIV: Int32 = 3, FPE_FLTOVF: Int32 = 4, FPE_FLTUND: Int32 = 5
    static let FPE_FLTRES: Int32 = 6, FPE_FLTINV: Int32 = 7

    static func code(x87: Bool, of cpu: X86CPU) -> Int32 {
        let pending: UInt64
        if x87 {
            pending = cpu.regs[X86Registers.fpuStatus] & ~cpu.regs[X86Registers.fpuControl]
        } else {
            let mxcsr = cpu.regs[X86Registers.mxcsr]
            pending = mxcsr & ~(mxcsr >> 7)
        }
        if pending & 0x01 != 0 { return FPE_FLTINV }
        if pending & 0x04 != 0 { return FPE_FLTDIV }
        if pending & 0x08 != 0 { return FPE_FLTOVF }
        if pending & 0x12 != 0 { return FPE_FLTUND }
        if pending & 0x20 != 0 { return FPE_FLTRES }
        return 0
    }
}
