// Unmasked SSE exceptions (#XM, SIGFPE). While MXCSR masks every exception (what programs
// almost always run with) nothing here runs. Otherwise each SSE instruction runs once with all
// exceptions masked and its flags cleared, so that it computes its masked response and reports
// every flag it raises through `raiseSSE`; when one of them is unmasked the instruction is
// undone (the register file restored: no SSE float instruction writes memory) and MXCSR gets
// the flags the hardware writes (Intel SDM vol. 1, 11.5.1): when an unmasked pre-computation
// exception (invalid, denormal, divide-by-zero) occurred in any element, only the
// pre-computation flags of all elements, as nothing was computed; else, for an unmasked
// post-computation one (overflow, underflow, inexact), every flag raised. With overflow or
// underflow unmasked they are detected as the hardware does then (`X86SSEFloat.reportTiny`,
// `reportOverflow`): any tiny result raises underflow, exact ones included, FTZ does not
// apply, and precision is that of the result rounded with an unbounded exponent.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    /// MXCSR's six mask bits (IM DM ZM OM UM PM).
    static let sseMasks: UInt64 = 0x1f80

    /// Whether MXCSR unmasks any exception (then `withSIMDExceptions` runs the instruction).
    @inline(__always) var sseExceptionUnmasked: Bool {
        regs[X86Registers.mxcsr] & X86CPU.sseMasks != X86CPU.sseMasks
    }

    /// Runs `body` (an SSE instruction) as described above; X86Status.simdException when it
    /// raised an unmasked exception (nothing changed but MXCSR's flags, rip at it).
    func withSIMDExceptions(_ body: () -> UInt8) -> UInt8 {
        let r = regs
        let real = r[X86Registers.mxcsr]
        return withRegisterSnapshot { (saved) -> UInt8 in
            let underflowUnmasked = real & UInt64(X86SSEFloat.underflow) << 7 == 0
            let overflowUnmasked = real & UInt64(X86SSEFloat.overflow) << 7 == 0
            r[X86Registers.mxcsr] = (real & ~0x3f) | X86CPU.sseMasks
                | (underflowUnmasked ? UInt64(X86SSEFloat.reportTiny) : 0)
                | (overflowUnmasked ? UInt64(X86SSEFloat.reportOverflow) : 0)
            let status = body()
            let raised = r[X86Registers.mxcsr] & 0x3f
            let unmasked = raised & ~(real >> 7)
            guard unmasked != 0 && status == X86Status.next else {
                r[X86Registers.mxcsr] = real | raised
                return status
            }
            r.update(from: saved, count: X86Registers.count)
            let before = raised & UInt64(X86SSEFloat.invalid | X86SSEFloat.denormal | X86SSEFloat.zeroDivide)
            r[X86Registers.mxcsr] = real | (unmasked & before != 0 ? before : raised)
            return X86Status.simdException
        }
    }
}
