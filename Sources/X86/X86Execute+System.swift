// Flag instructions (pushf, popf, lahf, sahf, cmc, clc, stc, cld, std), cpuid, rdtsc (one X86Op) and the
// SSE control state (ldmxcsr, stmxcsr, fxsave, fxrstor).
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    func executeSystem(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let r = regs
        if p.pointee.op == .flagSystem { return executeFlagOp(p) }
        guard p.pointee.op == .sseControl else { return X86Status.illegal }
        switch p.pointee.cond {
        case X86SSEControl.ldmxcsr:
            guard let v = read(address(p), UInt32.self) else { return X86Status.fault }
            if v & ~X86CPU.mxcsrMask != 0 { return X86Status.generalProtection }
            r[X86Registers.mxcsr] = UInt64(v)
        case X86SSEControl.stmxcsr:
            guard write(address(p), UInt32(truncatingIfNeeded: r[X86Registers.mxcsr])) else { return X86Status.fault }
        case X86SSEControl.fxsave:
            let a = address(p)
            if a & 15 != 0 { return X86Status.generalProtection }
            guard probeWrite(a, 512) else { return X86Status.fault }
            var area = [UInt8](repeating: 0, count: 512)
            fxsaveImage(&area)
            for i in 0..<64 {
                var w: UInt64 = 0
                for j in 0..<8 { w |= UInt64(area[i * 8 + j]) << UInt64(8 * j) }
                guard write(a &+ UInt64(i * 8), w) else { return X86Status.fault }
            }
        case X86SSEControl.fxrstor:
            let a = address(p)
            if a & 15 != 0 { return X86Status.generalProtection }
            var area = [UInt8](repeating: 0, count: 512)
            for i in 0..<64 {
                guard let w = read(a &+ UInt64(i * 8), UInt64.self) else { return X86Status.fault }
                for j in 0..<8 { area[i * 8 + j] = UInt8(truncatingIfNeeded: w >> UInt64(8 * j)) }
            }
            let mx = UInt32(area[24]) | UInt32(area[25]) << 8 | UInt32(area[26]) << 16 | UInt32(area[27]) << 24
            if mx & ~X86CPU.mxcsrMask != 0 { return X86Status.generalProtection }
            fxrstorImage(area)
        default:
            return X86Status.illegal
        }
        return X86Status.next
    }

    /// pushf, popf, lahf, sahf, cmc, clc, stc, cld, std, cpuid, rdtsc (`X86Op.flagSystem`, the
    /// instruction in `cond`).
    func executeFlagOp(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let r = regs
        switch p.pointee.cond {
        case X86FlagOp.pushf:
            let s = p.pointee.size
            let sp = r[X86Registers.rsp] &- (UInt64(1) << UInt64(s))
            guard store(sp, s, flagsValue()) else { return X86Status.fault }
            r[X86Registers.rsp] = sp
        case X86FlagOp.popf:
            let s = p.pointee.size
            let sp = r[X86Registers.rsp]
            guard let v = load(sp, s) else { return X86Status.fault }
            r[X86Registers.rsp] = sp &+ (UInt64(1) << UInt64(s))
            setFlagsValue(s == 1 ? (flagsValue() & ~0xffff) | v : v)
        case X86FlagOp.lahf:
            setReg(1, 0, (flagsValue() & 0xd5) | 2)
        case X86FlagOp.sahf:
            materializeFlags()
            r[X86Registers.flags] = (r[X86Registers.flags] & ~UInt64(0xd5)) | (reg(1, 0) & 0xd5)
        case X86FlagOp.cmc:
            materializeFlags()
            r[X86Registers.flags] ^= X86Flags.cf
        case X86FlagOp.clc:
            materializeFlags()
            r[X86Registers.flags] &= ~X86Flags.cf
        case X86FlagOp.stc:
            materializeFlags()
            r[X86Registers.flags] |= X86Flags.cf
        case X86FlagOp.cld:
            r[X86Registers.flags] &= ~X86Flags.df
        case X86FlagOp.std:
            r[X86Registers.flags] |= X86Flags.df
        case X86FlagOp.cpuid:
            let (a, b, c, d) = X86CPU.cpuid(leaf: UInt32(truncatingIfNeeded: r[X86Registers.rax]),
                                            subleaf: UInt32(truncatingIfNeeded: r[X86Registers.rcx]))
            r[X86Registers.rax] = UInt64(a)
            r[X86Registers.rbx] = UInt64(b)
            r[X86Registers.rcx] = UInt64(c)
            r[X86Registers.rdx] = UInt64(d)
        case X86FlagOp.rdtsc:
            let t = timeSource?() ?? instructionsRetired
            r[X86Registers.rax] = t & 0xffff_ffff
            r[X86Registers.rdx] = t >> 32
        default:
            return X86Status.illegal
        }
        return X86Status.next
    }

    /// MXCSR bits that may be set (FZ, RC, the masks, DAZ, the flags).
    static let mxcsrMask: UInt32 = 0xffff

    /// The 512-byte FXSAVE image of the x87, MXCSR and xmm state (64-bit format).
    public func fxsaveImage(_ area: inout [UInt8]) {
        let r = regs
        func put16(_ o: Int, _ v: UInt64) { area[o] = UInt8(truncatingIfNeeded: v); area[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
        func put64(_ o: Int, _ v: UInt64) { for j in 0..<8 { area[o + j] = UInt8(truncatingIfNeeded: v >> UInt64(8 * j)) } }
        put16(0, r[X86Registers.fpuControl])
        put16(2, x87StatusWord)
        // Abridged tag word: one bit per physical register, 1 = valid.
        area[4] = UInt8(truncatingIfNeeded: ~r[X86Registers.fpuTags] & 0xff)
        put64(24, r[X86Registers.mxcsr] | UInt64(X86CPU.mxcsrMask) << 32)
        for i in 0..<8 {
            let physical = (Int(r[X86Registers.fpuTop]) + i) & 7
            put64(32 + 16 * i, r[X86Registers.fpu + 2 * physical])
            put16(40 + 16 * i, r[X86Registers.fpu + 2 * physical + 1])
        }
        for i in 0..<16 {
            put64(160 + 16 * i, r[X86Registers.xmm + 2 * i])
            put64(168 + 16 * i, r[X86Registers.xmm + 2 * i + 1])
        }
    }

    public func fxrstorImage(_ area: [UInt8]) {
        let r = regs
        func get16(_ o: Int) -> UInt64 { UInt64(area[o]) | UInt64(area[o + 1]) << 8 }
        func get64(_ o: Int) -> UInt64 { var v: UInt64 = 0; for j in 0..<8 { v |= UInt64(area[o + j]) << UInt64(8 * j) }; return v }
        r[X86Registers.fpuControl] = get16(0)
        let status = get16(2)
        r[X86Registers.fpuTop] = (status >> 11) & 7
        r[X86Registers.fpuStatus] = status & ~0x3800
        r[X86Registers.fpuTags] = ~UInt64(area[4]) & 0xff
        r[X86Registers.mxcsr] = get64(24) & 0xffff_ffff
        for i in 0..<8 {
            let physical = (Int(r[X86Registers.fpuTop]) + i) & 7
            r[X86Registers.fpu + 2 * physical] = get64(32 + 16 * i)
            r[X86Registers.fpu + 2 * physical + 1] = get16(40 + 16 * i)
        }
        for i in 0..<16 {
            r[X86Registers.xmm + 2 * i] = get64(160 + 16 * i)
            r[X86Registers.xmm + 2 * i + 1] = get64(168 + 16 * i)
        }
    }
}
