// D9 F0...FF's transcendental instructions on the register stack: f2xm1, fsin, fcos (st0
// replaced), fsincos and fptan (st0 replaced and a second value pushed), fpatan, fyl2x,
// fyl2xp1 (st1 replaced, then popped). The values are X87Transcendental.swift's.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    func executeX87Transcendental(_ code: UInt8) -> UInt8 {
        // RC, with the unmasked overflow and underflow responses as bits 2 and 3
        // (`X87Math.transcendentalResult`).
        let cw = regs[X86Registers.fpuControl]
        let mode = x87RoundingMode | (cw & 0x08 == 0 ? 4 : 0) | (cw & 0x10 == 0 ? 8 : 0)
        guard let a = st(0) else {
            x87Underflow()
            setST(0, .indefinite)
            if code == 0xf2 || code == 0xfb { x87Push(.indefinite) }
            else if code == 0xf1 || code == 0xf3 || code == 0xf9 { x87BinaryResult(.indefinite) }
            return X86Status.next
        }
        switch code {
        case 0xf0:
            let (v, f) = X87Math.exp2Minus1(a, mode: mode)
            x87Raise(f)
            setST(0, v)
        case 0xfe, 0xff, 0xfb:
            guard let r = X87Math.sineCosine(a, mode: mode) else { return x87OutOfRange() }
            switch code {
            case 0xfe: x87Raise(r.sinFlags); setST(0, r.sin)
            case 0xff: x87Raise(r.cosFlags); setST(0, r.cos)
            default:
                // C1 is the sine's rounding direction (the host's), the exceptions both ones'.
                x87Raise((r.sinFlags | r.cosFlags) & ~X87Exception.roundedUp | r.sinFlags & X87Exception.roundedUp)
                setST(0, r.sin)
                x87Push(r.cos)
            }
            x87SetC2(false)
        case 0xf2:
            guard let (v, f) = X87Math.tangent(a, mode: mode) else { return x87OutOfRange() }
            x87Raise(f)
            setST(0, v)
            // A NaN (or the indefinite of an invalid operand) is pushed in 1.0's place.
            x87Push(v.isNaN ? v : .one)
            x87SetC2(false)
        default:
            guard let b = st(1) else { x87Underflow(); x87BinaryResult(.indefinite); return X86Status.next }
            let (v, f): (X87Float, UInt16)
            switch code {
            case 0xf1: (v, f) = X87Math.logarithm(b, a, plusOne: false, mode: mode)
            case 0xf9: (v, f) = X87Math.logarithm(b, a, plusOne: true, mode: mode)
            default: (v, f) = X87Math.arctangent(b, a, mode: mode)
            }
            x87Raise(f)
            x87BinaryResult(v)
        }
        return X86Status.next
    }

    /// st1 = v, then pop.
    func x87BinaryResult(_ v: X87Float) {
        setST(1, v)
        x87Pop()
    }

    /// |st0| ≥ 2^63 for fsin, fcos, fsincos, fptan: C2 set, st0 unchanged, nothing pushed.
    func x87OutOfRange() -> UInt8 {
        x87Raise(0)
        x87SetC2(true)
        return X86Status.next
    }

    func x87SetC2(_ on: Bool) {
        let s = regs[X86Registers.fpuStatus] & ~UInt64(0x400)
        regs[X86Registers.fpuStatus] = s | (on ? 0x400 : 0)
    }
}
