// MMX: mm0...mm7 are the significands of the x87 registers by physical number. Every MMX
// instruction but emms sets TOP to 0 and tags all eight registers valid; writing mmN also sets
// its sign and exponent to all ones; emms tags them all empty. fxsave/fxrstor and the signal
// frame's fpstate carry them as the x87 registers they are.
//
// Operations that exist for xmm (X86SSE, X86SSE4) run on that code: the mm operands are put in
// the hidden xmm registers 16 and 17 (X86Registers.scratch), arranged so that the 128-bit
// operation's low (or high) half is the 64-bit one, and the result is taken back from there.
// The rest (moves, emms, maskmovq, the conversions between mm and xmm) are `X86MMX`.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// `X86Instruction.cond` of `.mmxOther`.
enum X86MMX: UInt8 {
    case load            // movq mm, mm/m64
    case store           // movq mm/m64, mm; movntq
    case emms
    case maskmovq        // bytes of reg where rm's byte has its top bit set, to [rdi]
    case maskmovdqu      // the same for xmm registers (SSE2)
    case cvtpi2ps, cvtpi2pd          // xmm reg <- two int32 of mm/m64
    case cvtps2pi, cvttps2pi         // mm reg <- two floats of xmm/m64
    case cvtpd2pi, cvttpd2pi         // mm reg <- two doubles of xmm/m128
    case movq2dq, movdq2q
}

extension X86CPU {
    @inline(__always) func mm(_ i: UInt8) -> UInt64 { regs[X86Registers.fpu + 2 * Int(i & 7)] }

    func setMM(_ i: UInt8, _ v: UInt64) {
        regs[X86Registers.fpu + 2 * Int(i & 7)] = v
        regs[X86Registers.fpu + 2 * Int(i & 7) + 1] = 0xffff
    }

    /// The x87-to-MMX transition: TOP 0, every register valid.
    func enterMMX() {
        regs[X86Registers.fpuTop] = 0
        regs[X86Registers.fpuTags] = 0
    }

    /// Runs `q` (an xmm operation on the scratch registers) and returns its status.
    private func runVector(_ q: inout X86Instruction, ssse3: Bool) -> UInt8 {
        withUnsafeMutablePointer(to: &q) { ssse3 ? executeSSE4($0) : executeSSE($0) }
    }

    /// `.mmx` (cond: X86SSE) and `.mmxSSSE3` (cond: X86SSE4): an xmm operation on mm operands.
    func executeMMX(_ p: UnsafeMutablePointer<X86Instruction>, ssse3: Bool) -> UInt8 {
        if _slowPath(x87ExceptionPending) { return X86Status.x87Exception }
        var q = p.pointee
        let a = X86Registers.scratch, b = X86Registers.scratch + 1
        let sse = ssse3 ? nil : X86SSE(rawValue: q.cond)
        let sse4 = ssse3 ? X86SSE4(rawValue: q.cond) : nil
        // reg a general-purpose register (pextrw, pmovmskb); rm one, or memory of another size.
        let toGPR = sse == .pextrw || sse == .pmovmskb
        let fromGPR = sse == .pinsrw || sse == .movdToXMM || sse == .movdFromXMM
        var s: UInt64 = 0
        if !fromGPR {
            if q.attrs & X86Attrs.memory != 0 {
                guard let v = read(address(p), UInt64.self) else { return X86Status.fault }
                s = v
                q.attrs &= ~X86Attrs.memory
            } else {
                s = mm(q.rm)
            }
            q.rm = b
        }
        enterMMX()
        let d = toGPR ? 0 : mm(q.reg)
        var high = false
        switch (sse, sse4) {
        case (.packsswb?, _), (.packuswb?, _), (.packssdw?, _),
             (_, .phaddw?), (_, .phaddd?), (_, .phaddsw?), (_, .phsubw?), (_, .phsubd?), (_, .phsubsw?):
            // The destination's and the source's lanes side by side in one register.
            setXMM(a, d, s); setXMM(b, s, 0)
        case (.punpckhbw?, _), (.punpckhwd?, _), (.punpckhdq?, _):
            setXMM(a, 0, d); setXMM(b, 0, s)
            high = true
        case (_, .pshufb?):
            setXMM(a, d, d); setXMM(b, s, 0)   // indices 8-15 pick the same bytes as 0-7
        case (_, .palignr?):
            setXMM(a, 0, 0); setXMM(b, s, d)   // (d:s) >> imm bytes
        default:
            setXMM(a, d, 0); setXMM(b, s, 0)
        }
        if !toGPR { q.reg = a }
        let status = runVector(&q, ssse3: ssse3)
        guard status == X86Status.next else { return status }
        if !toGPR && sse != .movdFromXMM { setMM(p.pointee.reg, high ? xmmHigh(a) : xmmLow(a)) }
        return X86Status.next
    }

    /// The bytes of v whose mask byte has its top bit set, stored at a...a+7.
    private func maskedStore(_ v: UInt64, mask: UInt64, at a: UInt64) -> UInt8 {
        for i in 0..<8 where mask >> UInt64(8 * i + 7) & 1 != 0 {
            guard write(a &+ UInt64(i), UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) else { return X86Status.fault }
        }
        return X86Status.next
    }

    /// `.mmxOther`: moves, emms, maskmovq and the conversions between mm and xmm.
    func executeMMXOther(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        guard let op = X86MMX(rawValue: p.pointee.cond) else { return X86Status.illegal }
        if _slowPath(x87ExceptionPending) && op != .maskmovdqu { return X86Status.x87Exception }
        let isMemory = p.pointee.attrs & X86Attrs.memory != 0
        let reg = p.pointee.reg, rm = p.pointee.rm
        /// The 64-bit mm (or memory) source in rm.
        func source() -> UInt64? { isMemory ? read(address(p), UInt64.self) : mm(rm) }
        switch op {
        case .emms:
            regs[X86Registers.fpuTags] = 0xff
        case .load:
            guard let v = source() else { return X86Status.fault }
            enterMMX()
            setMM(reg, v)
        case .store:
            enterMMX()
            if isMemory {
                guard write(address(p), mm(reg)) else { return X86Status.fault }
            } else {
                setMM(rm, mm(reg))
            }
        case .maskmovq:
            enterMMX()
            return maskedStore(mm(reg), mask: mm(rm), at: regs[X86Registers.rdi])
        case .maskmovdqu:
            let base = regs[X86Registers.rdi]
            let status = maskedStore(xmmLow(reg), mask: xmmLow(rm), at: base)
            guard status == X86Status.next else { return status }
            return maskedStore(xmmHigh(reg), mask: xmmHigh(rm), at: base &+ 8)
        case .movq2dq:
            enterMMX()
            setXMM(reg, mm(rm), 0)
        case .movdq2q:
            enterMMX()
            setMM(reg, xmmLow(rm))
        case .cvtpi2ps, .cvtpi2pd:
            // Only a register source is an MMX access (and makes the transition).
            guard let v = source() else { return X86Status.fault }
            if !isMemory { enterMMX() }
            let scratch = X86Registers.scratch
            setXMM(scratch + 1, v, 0)
            var q = p.pointee
            q.attrs &= ~X86Attrs.memory
            q.rm = scratch + 1
            if op == .cvtpi2pd {
                q.cond = X86SSE.cvtdq2pd.rawValue
                return runVector(&q, ssse3: false)
            }
            q.reg = scratch
            q.cond = X86SSE.cvtdq2ps.rawValue
            let status = runVector(&q, ssse3: false)
            guard status == X86Status.next else { return status }
            setXMM(reg, xmmLow(scratch), xmmHigh(reg))
        case .cvtps2pi, .cvttps2pi, .cvtpd2pi, .cvttpd2pi:
            let scratch = X86Registers.scratch
            var q = p.pointee
            q.reg = scratch
            if op == .cvtps2pi || op == .cvttps2pi {
                // Two floats only: the other lanes zero, so they raise no flags.
                let v: UInt64
                if isMemory {
                    guard let x = read(address(p), UInt64.self) else { return X86Status.fault }
                    v = x
                } else {
                    v = xmmLow(rm)
                }
                setXMM(scratch + 1, v, 0)
                q.attrs &= ~X86Attrs.memory
                q.rm = scratch + 1
                q.cond = (op == .cvtps2pi ? X86SSE.cvtps2dq : X86SSE.cvttps2dq).rawValue
            } else {
                q.cond = (op == .cvtpd2pi ? X86SSE.cvtpd2dq : X86SSE.cvttpd2dq).rawValue
            }
            let status = runVector(&q, ssse3: false)
            guard status == X86Status.next else { return status }
            enterMMX()
            setMM(reg, xmmLow(scratch))
        }
        return X86Status.next
    }
}
