// BMI1, BMI2 (`X86Op.bmi`, decoded in Decoder+VEX.swift) and, beside the bit scans, TZCNT and
// LZCNT (`bitScan` with cond 2 and 3). Flags as the SDM defines them; the ones it leaves
// undefined are computed as for a logical operation on the result (SF, ZF, PF; AF clear).

/// The BMI operations; operands: reg (ModRM reg), rm (r/m), v (the VEX.vvvv register).
package enum X86BMI: UInt8 {
    case andn      // reg = ~v & rm
    case bextr     // reg = bits of rm from v[7:0], v[15:8] of them
    case blsi      // v = rm & -rm
    case blsmsk    // v = rm ^ (rm - 1)
    case blsr      // v = rm & (rm - 1)
    case bzhi      // reg = rm with the bits from v[7:0] up cleared
    case pdep      // reg = v's low bits deposited at rm's set bits
    case pext      // reg = v's bits at rm's set bits, packed low
    case mulx      // reg:v = rdx * rm (unsigned; no flags)
    case sarx, shlx, shrx   // reg = rm shifted by v (masked count; no flags)
    case rorx      // reg = rm rotated right by imm (no flags)
}

extension X86CPU {
    func executeBMI(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        guard let op = X86BMI(rawValue: p.pointee.cond) else { return X86Status.illegal }
        let s = p.pointee.size
        let bits = X86Flags.bits(Int(s)), m = X86Flags.mask(Int(s))
        let x: UInt64
        if p.pointee.attrs & X86Attrs.memory != 0 {
            guard let v = load(address(p), s) else { return X86Status.fault }
            x = v
        } else {
            x = reg(p.pointee.rm, s)
        }
        let d = p.pointee.reg
        let vreg = UInt8(truncatingIfNeeded: p.pointee.imm)
        let v = op == .rorx ? 0 : reg(vreg, s)
        /// SF ZF PF of the result, CF and OF as given.
        func flags(_ res: UInt64, carry: Bool) {
            setArithmeticFlags(X86CPU.resultFlags(res, s) | (carry ? X86Flags.cf : 0))
        }
        switch op {
        case .andn:
            let r = ~v & x & m
            setReg(d, s, r)
            flags(r, carry: false)
        case .bextr:
            let start = v & 0xff, length = (v >> 8) & 0xff
            var r = start >= bits ? 0 : x >> start
            if length < bits { r &= (1 << length) - 1 }
            setReg(d, s, r)
            // SF AF PF are undefined in the manuals; AMD's CPUs set AF and clear SF.
            setArithmeticFlags((X86CPU.resultFlags(r, s) & ~X86Flags.sf) | X86Flags.af)
        case .blsi:
            let r = x & (0 &- x) & m
            setReg(vreg, s, r)
            flags(r, carry: x != 0)
        case .blsmsk:
            let r = (x ^ (x &- 1)) & m
            setReg(vreg, s, r)
            flags(r, carry: x == 0)
        case .blsr:
            let r = x & (x &- 1) & m
            setReg(vreg, s, r)
            flags(r, carry: x == 0)
        case .bzhi:
            let n = v & 0xff
            let r = n < bits ? x & ((1 << n) - 1) : x
            setReg(d, s, r)
            flags(r, carry: n > bits - 1)
        case .pdep:
            var r: UInt64 = 0, mask = x, k: UInt64 = 0
            while mask != 0 {
                let low = mask & (0 &- mask)
                if (v >> k) & 1 != 0 { r |= low }
                mask &= mask &- 1
                k += 1
            }
            setReg(d, s, r)
        case .pext:
            var r: UInt64 = 0, mask = x, k: UInt64 = 0
            while mask != 0 {
                let low = mask & (0 &- mask)
                if v & low != 0 { r |= 1 << k }
                mask &= mask &- 1
                k += 1
            }
            setReg(d, s, r)
        case .mulx:
            let a = reg(X86Registers.offset(2), s)
            let (hi, lo): (UInt64, UInt64)
            if s == 3 {
                (hi, lo) = a.multipliedFullWidth(by: x)
            } else {
                let product = a &* x
                (hi, lo) = (product >> 32, product & m)
            }
            setReg(vreg, s, lo)
            setReg(d, s, hi)   // written last: the high half wins when both are one register
        case .sarx:
            setReg(d, s, UInt64(bitPattern: Int64(bitPattern: X86CPU.signExtend(x, s)) >> Int64(v & (bits - 1))) & m)
        case .shlx:
            setReg(d, s, (x << (v & (bits - 1))) & m)
        case .shrx:
            setReg(d, s, x >> (v & (bits - 1)))
        case .rorx:
            let n = p.pointee.imm & (bits - 1)
            setReg(d, s, n == 0 ? x : ((x >> n) | (x << (bits - n))) & m)
        }
        return X86Status.next
    }

    /// tzcnt (`leading` false) and lzcnt of x, of size s: the count (the operand's width when
    /// x is 0); CF when x is 0, ZF when the count is 0.
    func countZeros(_ p: UnsafeMutablePointer<X86Instruction>, _ x: UInt64, leading: Bool) {
        let s = p.pointee.size
        let bits = X86Flags.bits(Int(s))
        let count: UInt64
        if x == 0 {
            count = bits
        } else {
            count = leading ? UInt64(x.leadingZeroBitCount) - (64 - bits) : UInt64(x.trailingZeroBitCount)
        }
        setReg(p.pointee.reg, s, count)
        // OF SF AF PF are undefined in the manuals; AMD's CPUs keep OF and clear the others.
        setArithmeticFlags(flagsValue() & X86Flags.of | (count == 0 ? X86Flags.zf : 0) | (x == 0 ? X86Flags.cf : 0))
    }
}
