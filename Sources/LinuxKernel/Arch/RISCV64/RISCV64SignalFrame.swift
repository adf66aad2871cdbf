#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// riscv64's rt_sigframe: siginfo (128 bytes), then the ucontext (uc_flags, uc_link, uc_stack,
/// the 128-byte uc_sigmask, then at 176 the mcontext: pc, x1-x31, f0-f31, fcsr). Handlers
/// return through ra, which points at the trampoline page (riscv64 Linux's vDSO does this).
extension Hart {
    /// sizeof(struct rt_sigframe) on riscv64: siginfo (128) + ucontext (960).
    static let signalFrameSize: UInt64 = 1088
    static let ucontextOffset: UInt64 = 128
    /// uc_mcontext within ucontext (after uc_flags, uc_link, uc_stack, the 128-byte uc_sigmask, aligned to 16).
    static let mcontextOffset: UInt64 = 176

    func enterSignalHandler(_ t: Task, frameTop: UInt64, info: [UInt8], action: SignalAction,
                            context: SignalContext) -> Bool {
        let frame = (frameTop - Hart.signalFrameSize) & ~15
        var w = ByteWriter(capacity: Int(Hart.signalFrameSize))
        w.append(info)
        // ucontext
        w.u64(0)                                  // uc_flags
        w.u64(0)                                  // uc_link
        w.u64(context.alternateStack.base)
        w.i32(context.alternateStack.flags)
        w.u32(0)
        w.u64(context.alternateStack.size)
        w.u64(context.mask)                       // uc_sigmask
        w.zeros(Int(Hart.ucontextOffset + Hart.mcontextOffset) - w.bytes.count)
        w.u64(pc)
        for i in 1..<32 { w.u64(x(i)) }
        for i in 0..<32 { w.u64(f(i)) }
        w.u32(fcsr)
        w.zeros(Int(Hart.signalFrameSize) - w.bytes.count)
        if (try? t.copyOut(w.bytes, to: frame)) == nil { return false }
        setX(1, t.process.signalTrampoline)
        setX(2, frame)
        setX(10, UInt64(info[0]) | UInt64(info[1]) << 8)   // si_signo
        setX(11, frame)
        setX(12, frame + Hart.ucontextOffset)
        pc = action.handler
        return true
    }

    func returnFromSignalHandler(_ t: Task) -> SignalContext? {
        let frame = x(2)
        guard let bytes = try? t.copyIn(frame, count: Int(Hart.signalFrameSize)) else { return nil }
        let r = ByteReader(bytes)
        let uc = Int(Hart.ucontextOffset)
        let mc = uc + Int(Hart.mcontextOffset)
        pc = r.u64(mc)
        for i in 1..<32 { setX(i, r.u64(mc + 8 * i)) }
        for i in 0..<32 { setF(i, r.u64(mc + 256 + 8 * i)) }
        fcsr = r.u32(mc + 512) & 0xff
        return SignalContext(mask: r.u64(uc + 40), alternateStack: (r.u64(uc + 16), r.u64(uc + 32), r.i32(uc + 24)))
    }
}
