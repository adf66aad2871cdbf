#if !SKIFF_SINGLE_MODULE
import RISCV
import X86
#endif

/// x86-64's rt_sigframe, as arch/x86/kernel/signal_64.c builds it: below the stack (past the
/// 128-byte red zone, or at the top of the alternate stack) the 512-byte FXSAVE image of the
/// x87/SSE state (64-byte aligned), then the frame: the return address (the sa_restorer glibc
/// always gives), the ucontext (uc_flags, uc_link, uc_stack, the 256-byte sigcontext with the
/// registers and a pointer to the FP image, uc_sigmask) and the siginfo. The frame's address
/// is 8 modulo 16, as after a call. The handler gets rdi = signo, rsi = &info, rdx = &uc, a
/// clear direction flag and a fresh FP state.
extension X86CPU {
    static let signalFrameSize: UInt64 = 8 + 304 + 128
    static let frameUcontext = 8
    static let frameSigcontext = 8 + 40
    static let frameSigmask = 8 + 296
    static let frameInfo: UInt64 = 8 + 304
    static let fxsaveSize: UInt64 = 512
    /// Registers in sigcontext order (r8...r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp).
    static let sigcontextRegisters = [8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4]

    func enterSignalHandler(_ t: Task, frameTop: UInt64, info: [UInt8], action: SignalAction,
                            context: SignalContext) -> Bool {
        let fpState = (frameTop &- X86CPU.fxsaveSize) & ~63
        let frame = ((fpState &- X86CPU.signalFrameSize) & ~15) &- 8
        var image = [UInt8](repeating: 0, count: Int(X86CPU.fxsaveSize))
        fxsaveImage(&image)

        var w = ByteWriter(capacity: Int(X86CPU.signalFrameSize))
        let restorer = action.flags & SignalFlags.restorer != 0 ? action.restorer : t.process.signalTrampoline
        w.u64(restorer)                               // pretcode
        w.u64(6)                                      // uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
        w.u64(0)                                      // uc_link
        w.u64(context.alternateStack.base)
        w.i32(context.alternateStack.flags)
        w.u32(0)
        w.u64(context.alternateStack.size)
        for i in X86CPU.sigcontextRegisters { w.u64(register(i)) }
        w.u64(rip)
        w.u64(rflags)
        w.u16(0x33); w.u16(0); w.u16(0); w.u16(0x2b)  // cs, gs, fs, ss
        let signo = UInt64(info[0]) | UInt64(info[1]) << 8
        let faultAddress = signo == UInt64(Signal.SIGSEGV) || signo == UInt64(Signal.SIGBUS)
            ? ByteReader(info).u64(16) : 0
        w.u64(0)                                      // err
        w.u64(0)                                      // trapno
        w.u64(context.mask)                           // oldmask
        w.u64(faultAddress)                           // cr2
        w.u64(fpState)                                // fpstate
        w.zeros(64)                                   // reserved1
        w.u64(context.mask)                           // uc_sigmask
        w.append(info)
        if (try? t.copyOut(image, to: fpState)) == nil { return false }
        if (try? t.copyOut(w.bytes, to: frame)) == nil { return false }

        setRegister(7, signo)
        setRegister(6, frame + X86CPU.frameInfo)
        setRegister(2, frame + UInt64(X86CPU.frameUcontext))
        setRegister(0, 0)
        setRegister(4, frame)
        rip = action.handler
        rflags = rflags & ~UInt64(0x400)               // DF
        resetFloatingPointState()
        return true
    }

    /// The FP state signal handlers start with (Linux's init_fpstate).
    func resetFloatingPointState() {
        var image = [UInt8](repeating: 0, count: Int(X86CPU.fxsaveSize))
        image[0] = 0x7f; image[1] = 0x03                      // fcw 0x37f
        let mx = X86CPU.defaultMXCSR
        image[24] = UInt8(truncatingIfNeeded: mx); image[25] = UInt8(truncatingIfNeeded: mx >> 8)
        fxrstorImage(image)
    }

    func returnFromSignalHandler(_ t: Task) -> SignalContext? {
        let frame = register(4) &- 8
        guard let bytes = try? t.copyIn(frame, count: Int(X86CPU.signalFrameSize)) else { return nil }
        let r = ByteReader(bytes)
        let sc = X86CPU.frameSigcontext
        let fpState = r.u64(sc + 184)
        if fpState != 0 {
            guard let image = try? t.copyIn(fpState, count: Int(X86CPU.fxsaveSize)) else { return nil }
            fxrstorImage(image)
            mxcsr = mxcsr & 0xffff
        }
        for (i, n) in X86CPU.sigcontextRegisters.enumerated() { setRegister(n, r.u64(sc + 8 * i)) }
        rip = r.u64(sc + 128)
        // Only the flags a program may change (Linux's FIX_EFLAGS).
        let fixable: UInt64 = 0x4_0000 | 0x800 | 0x400 | 0x100 | 0xd5 | 0x1_0000
        rflags = (rflags & ~fixable) | (r.u64(sc + 136) & fixable)
        let uc = X86CPU.frameUcontext
        return SignalContext(mask: r.u64(X86CPU.frameSigmask), alternateStack: (r.u64(uc + 16), r.u64(uc + 32), r.i32(uc + 24)))
    }
}
