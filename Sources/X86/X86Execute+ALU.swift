// Shifts and rotates (all counts, with and without carry; shld/shrd), multiplication and
// division, bit tests and scans, xadd and cmpxchg. Each leaves the CPU unchanged when it
// reports a fault, so the instruction can run again once the kernel has resolved it.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    /// Materialised flags with CF and OF replaced (rotates).
    @inline(__always) func setCarryOverflow(_ carry: UInt64, _ overflow: UInt64) {
        materializeFlags()
        let r = regs
        r[X86Registers.flags] = (r[X86Registers.flags] & ~(X86Flags.cf | X86Flags.of))
            | (carry & 1) | ((overflow & 1) << 11)
    }

    /// SF, ZF and PF of a result of size `s`.
    @inline(__always) static func resultFlags(_ res: UInt64, _ s: UInt8) -> UInt64 {
        var f = X86Flags.parity(res)
        if res == 0 { f |= X86Flags.zf }
        if res & X86Flags.signBit(Int(s)) != 0 { f |= X86Flags.sf }
        return f
    }

    func executeShift(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let s = p.pointee.size
        let memoryOperand = p.pointee.attrs & X86Attrs.memory != 0
        let a = memoryOperand ? address(p) : 0
        let v: UInt64
        if memoryOperand {
            guard let x = load(a, s) else { return X86Status.fault }
            v = x
        } else {
            v = reg(p.pointee.reg, s)
        }
        let count = p.pointee.attrs & X86Attrs.countCL != 0 ? regs[X86Registers.rcx] & 0xff : p.pointee.imm
        let n = count & (s == 3 ? 63 : 31)
        if n == 0 {
            // Nothing shifts and no flag changes, but a 32-bit register is still written
            // (its upper half cleared).
            if !memoryOperand && s == 2 { setReg(p.pointee.reg, 2, v) }
            return X86Status.next
        }
        let bits = X86Flags.bits(Int(s)), m = X86Flags.mask(Int(s))
        @inline(__always) func msb(_ x: UInt64) -> UInt64 { (x >> (bits - 1)) & 1 }
        @inline(__always) func put(_ res: UInt64) -> Bool {
            if memoryOperand { return store(a, s, res) }
            setReg(p.pointee.reg, s, res)
            return true
        }

        switch p.pointee.op {
        case .shldR, .shldM, .shrdR, .shrdM:
            // Destination in reg (register form) or memory; source register in rm / reg.
            let source = reg(memoryOperand ? p.pointee.reg : p.pointee.rm, s)
            let left = p.pointee.op == .shldR || p.pointee.op == .shldM
            // The manuals leave AF, OF past a count of 1, and the 16-bit forms' counts 17-31
            // undefined; AMD's CPUs (this CPUID's vendor) set AF, give OF as for a count of 1
            // (shld: CF xor the sign of the destination's own shifted bits; shrd: the result's
            // two top bits differ), and for counts past 16 shift the destination out entirely:
            // the result is the source rotated by count - 16, CF clear.
            let res: UInt64, carry: UInt64, overflow: UInt64
            if n > bits {
                let k = n - bits
                res = (left ? (source << k) | (source >> (bits - k)) : (source >> k) | (source << (bits - k))) & m
                carry = 0
            } else if left {
                res = ((v << n) | (source &>> (bits &- n))) & m
                carry = (v &>> (bits &- n)) & 1
            } else {
                res = ((v >> n) | (source &<< (bits &- n))) & m
                carry = (v >> (n &- 1)) & 1
            }
            if left {
                overflow = carry ^ (n >= bits ? 0 : msb(v << n))
            } else {
                overflow = msb(res) ^ ((res >> (bits - 2)) & 1)
            }
            guard put(res) else { return X86Status.fault }
            setArithmeticFlags(X86CPU.resultFlags(res, s) | carry | X86Flags.af | (overflow << 11))
            return X86Status.next
        default:
            break
        }

        switch p.pointee.cond {
        case 0:   // rol
            let c = n % bits
            let res = c == 0 ? v : ((v << c) | (v >> (bits - c))) & m
            guard put(res) else { return X86Status.fault }
            setCarryOverflow(res & 1, msb(res) ^ (res & 1))
        case 1:   // ror
            let c = n % bits
            let res = c == 0 ? v : ((v >> c) | (v << (bits - c))) & m
            guard put(res) else { return X86Status.fault }
            setCarryOverflow(msb(res), msb(res) ^ ((res >> (bits - 2)) & 1))
        case 2:   // rcl
            let c = s < 2 ? n % (bits + 1) : n
            var res = v, carry = carryFlag()
            for _ in 0..<c {
                let out = msb(res)
                res = ((res << 1) | carry) & m
                carry = out
            }
            guard put(res) else { return X86Status.fault }
            setCarryOverflow(carry, msb(res) ^ carry)
        case 3:   // rcr
            let c = s < 2 ? n % (bits + 1) : n
            var res = v, carry = carryFlag()
            for _ in 0..<c {
                let out = res & 1
                res = (res >> 1) | (carry << (bits - 1))
                carry = out
            }
            guard put(res) else { return X86Status.fault }
            setCarryOverflow(carry, msb(res) ^ ((res >> (bits - 2)) & 1))
        case 5:   // shr
            let res = v >> n
            guard put(res) else { return X86Status.fault }
            setFlags(X86Flags.shr, s, v, n, res)
        case 7:   // sar
            let res = UInt64(bitPattern: Int64(bitPattern: X86CPU.signExtend(v, s)) >> Int64(n)) & m
            guard put(res) else { return X86Status.fault }
            setFlags(X86Flags.sar, s, v, n, res)
        default:  // shl, sal
            let res = (v << n) & m
            guard put(res) else { return X86Status.fault }
            setFlags(X86Flags.shl, s, v, n, res)
        }
        return X86Status.next
    }

    func executeMultiply(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let s = p.pointee.size
        let m = X86Flags.mask(Int(s)), bits = X86Flags.bits(Int(s))
        let r = regs
        let src: UInt64
        if p.pointee.attrs & X86Attrs.memory != 0 {
            guard let x = load(address(p), s) else { return X86Status.fault }
            src = x
        } else {
            src = reg(p.pointee.op == .imulRR || p.pointee.op == .imulRM ? p.pointee.rm : p.pointee.rm, s)
        }

        if p.pointee.op == .imulRR || p.pointee.op == .imulRM {
            imul(p, src)
            return X86Status.next
        }

        let rax = reg(0, s)
        let rdxOffset = X86Registers.offset(X86Registers.rdx)
        switch p.pointee.cond {
        case 4:   // mul
            let low: UInt64, high: UInt64
            if s == 3 {
                let product = rax.multipliedFullWidth(by: src)
                (high, low) = (product.high, product.low)
            } else {
                let product = rax &* src
                (high, low) = ((product >> bits) & m, product & m)
            }
            storeWide(s, high: high, low: low)
            setMultiplyFlags(overflow: high != 0)
        case 5:   // imul (one operand)
            let low: UInt64, high: UInt64
            if s == 3 {
                let product = Int64(bitPattern: rax).multipliedFullWidth(by: Int64(bitPattern: src))
                (high, low) = (UInt64(bitPattern: product.high), product.low)
            } else {
                let product = UInt64(bitPattern: Int64(bitPattern: X86CPU.signExtend(rax, s)) &* Int64(bitPattern: X86CPU.signExtend(src, s)))
                (high, low) = ((product >> bits) & m, product & m)
            }
            storeWide(s, high: high, low: low)
            let overflow = high != (low & X86Flags.signBit(Int(s)) != 0 ? m : 0)
            setMultiplyFlags(overflow: overflow)
        case 6:   // div
            if src == 0 { return X86Status.divideError }
            let high = s == 0 ? (reg(0, 1) >> 8) & 0xff : reg(rdxOffset, s)
            let low = rax
            if high >= src { return X86Status.divideError }
            let q: UInt64, rem: UInt64
            if s == 3 {
                (q, rem) = src.dividingFullWidth((high, low))
            } else {
                let dividend = high << bits | low
                (q, rem) = (dividend / src, dividend % src)
            }
            storeQuotient(s, q, rem)
            setDivideFlags()
        default:  // idiv
            if src == 0 { return X86Status.divideError }
            let high = s == 0 ? (reg(0, 1) >> 8) & 0xff : reg(rdxOffset, s)
            let low = rax
            let divisor = Int64(bitPattern: X86CPU.signExtend(src, s))
            let q: Int64, rem: Int64
            if s == 3 {
                guard let result = X86CPU.signedDivide(high: high, low: low, by: divisor) else { return X86Status.divideError }
                (q, rem) = result
            } else {
                let dividend = Int64(bitPattern: X86CPU.signExtend(high << bits | low, s + 1))
                let (quotient, overflow) = dividend.dividedReportingOverflow(by: divisor)
                if overflow { return X86Status.divideError }
                let limit = Int64(1) << Int64(bits - 1)
                if quotient >= limit || quotient < -limit { return X86Status.divideError }
                (q, rem) = (quotient, dividend.remainderReportingOverflow(dividingBy: divisor).partialValue)
            }
            storeQuotient(s, UInt64(bitPattern: q) & m, UInt64(bitPattern: rem) & m)
            setDivideFlags()
        }
        _ = r
        return X86Status.next
    }

    /// A division's flags, all undefined in the manuals: AMD's CPUs (this CPUID's vendor) keep CF
    /// and OF, set AF and clear SF, ZF and PF.
    @inline(__always) func setDivideFlags() {
        setArithmeticFlags(flagsValue() & (X86Flags.cf | X86Flags.of) | X86Flags.af)
    }

    /// rdx:rax (or ax for bytes) <- high:low.
    @inline(__always) func storeWide(_ s: UInt8, high: UInt64, low: UInt64) {
        if s == 0 {
            setReg(0, 1, high << 8 | low)
        } else {
            setReg(0, s, low)
            setReg(X86Registers.offset(X86Registers.rdx), s, high)
        }
    }

    /// al/ah or rax/rdx <- quotient/remainder.
    @inline(__always) func storeQuotient(_ s: UInt8, _ q: UInt64, _ rem: UInt64) {
        if s == 0 {
            setReg(0, 1, rem << 8 | q)
        } else {
            setReg(0, s, q)
            setReg(X86Registers.offset(X86Registers.rdx), s, rem)
        }
    }

    @_transparent func imul(_ p: UnsafeMutablePointer<X86Instruction>, _ src: UInt64) { core.imul(p, src, p.pointee.size) }

    /// The low half of a signed product of size `s` and whether it overflowed.
    @inline(__always) static func signedProduct(_ a: UInt64, _ b: UInt64, _ s: UInt8) -> (UInt64, Bool) {
        if s == 3 {
            let (v, overflow) = Int64(bitPattern: a).multipliedReportingOverflow(by: Int64(bitPattern: b))
            return (UInt64(bitPattern: v), overflow)
        }
        let product = Int64(bitPattern: signExtend(a, s)) &* Int64(bitPattern: signExtend(b, s))
        let low = UInt64(bitPattern: product) & X86Flags.mask(Int(s))
        return (low, Int64(bitPattern: signExtend(low, s)) != product)
    }

    /// rdx:rax / divisor, signed, or nil when the quotient does not fit (#DE).
    static func signedDivide(high: UInt64, low: UInt64, by divisor: Int64) -> (Int64, Int64)? {
        let negative = Int64(bitPattern: high) < 0
        var magnitudeHigh = high, magnitudeLow = low
        if negative {
            magnitudeLow = ~low &+ 1
            magnitudeHigh = ~high &+ (magnitudeLow == 0 ? 1 : 0)
        }
        let d = divisor.magnitude
        if magnitudeHigh >= d { return nil }
        let (q, rem) = d.dividingFullWidth((magnitudeHigh, magnitudeLow))
        let quotientNegative = negative != (divisor < 0)
        if quotientNegative {
            if q > UInt64(1) << 63 { return nil }
            return (Int64(bitPattern: 0 &- q), negative ? -Int64(bitPattern: rem) : Int64(bitPattern: rem))
        }
        if q >= UInt64(1) << 63 { return nil }
        return (Int64(bitPattern: q), negative ? -Int64(bitPattern: rem) : Int64(bitPattern: rem))
    }

    func executeBits(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let s = p.pointee.size
        let bits = X86Flags.bits(Int(s))
        switch p.pointee.op {
        case .btRR, .btRI:
            let v = reg(p.pointee.reg, s)
            let bit = (p.pointee.op == .btRR ? reg(p.pointee.rm, s) : p.pointee.imm) & (bits - 1)
            let carry = (v >> bit) & 1
            if p.pointee.cond != 0 { setReg(p.pointee.reg, s, X86CPU.bitOperation(p.pointee.cond, v, bit)) }
            setCarry(carry)
        case .btMR, .btMI:
            var a = address(p)
            let bit: UInt64
            if p.pointee.op == .btMR {
                let offset = Int64(bitPattern: X86CPU.signExtend(reg(p.pointee.reg, s), s))
                a = a &+ UInt64(bitPattern: offset >> 3)
                bit = UInt64(bitPattern: offset) & 7
            } else {
                let b = p.pointee.imm & (bits - 1)
                a = a &+ (b >> 3)
                bit = b & 7
            }
            guard let v = read(a, UInt8.self) else { return X86Status.fault }
            if p.pointee.cond != 0 {
                guard write(a, UInt8(truncatingIfNeeded: X86CPU.bitOperation(p.pointee.cond, UInt64(v), bit))) else { return X86Status.fault }
            }
            setCarry((UInt64(v) >> bit) & 1)
        default:   // bsf, bsr, tzcnt, lzcnt, popcnt
            let v: UInt64
            if p.pointee.op == .bitScanRM {
                guard let x = load(address(p), s) else { return X86Status.fault }
                v = x
            } else {
                v = reg(p.pointee.rm, s)
            }
            if p.pointee.cond == 2 || p.pointee.cond == 3 {
                countZeros(p, v, leading: p.pointee.cond == 3)
                return X86Status.next
            }
            if p.pointee.cond == 4 {
                setReg(p.pointee.reg, s, UInt64(v.nonzeroBitCount))
                setArithmeticFlags(v == 0 ? X86Flags.zf : 0)
                return X86Status.next
            }
            // ZF: the source was 0 (the destination then stays as it was). The manuals leave the
            // other flags undefined; AMD's CPUs (this CPUID's vendor) set them as for a logic
            // result of the index: CF OF SF AF clear, PF its parity (0's for a zero source).
            if v == 0 {
                setArithmeticFlags(X86Flags.zf | X86Flags.parity(0))
            } else {
                let index = UInt64(p.pointee.cond == 0 ? v.trailingZeroBitCount : 63 - v.leadingZeroBitCount)
                setReg(p.pointee.reg, s, index)
                setArithmeticFlags(X86Flags.parity(index))
            }
        }
        return X86Status.next
    }

    @inline(__always) static func bitOperation(_ kind: UInt8, _ v: UInt64, _ bit: UInt64) -> UInt64 {
        switch kind {
        case 1: return v | (1 << bit)
        case 2: return v & ~(1 << bit)
        default: return v ^ (1 << bit)
        }
    }

    @inline(__always) func setCarry(_ c: UInt64) {
        materializeFlags()
        let r = regs
        r[X86Registers.flags] = (r[X86Registers.flags] & ~X86Flags.cf) | c
    }

    func executeExchange(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let s = p.pointee.size
        let m = X86Flags.mask(Int(s))
        switch p.pointee.op {
        case .xaddRR:
            let d = reg(p.pointee.reg, s), src = reg(p.pointee.rm, s)
            let sum = (d &+ src) & m
            setReg(p.pointee.rm, s, d)
            setReg(p.pointee.reg, s, sum)
            setFlags(X86Flags.add, s, d, src, sum)
        case .xaddMR:
            let a = address(p)
            guard let d = load(a, s) else { return X86Status.fault }
            let src = reg(p.pointee.reg, s)
            let sum = (d &+ src) & m
            guard store(a, s, sum) else { return X86Status.fault }
            setReg(p.pointee.reg, s, d)
            setFlags(X86Flags.add, s, d, src, sum)
        case .cmpxchgRR:
            let acc = reg(0, s), d = reg(p.pointee.reg, s)
            setFlags(X86Flags.sub, s, acc, d, (acc &- d) & m)
            if acc == d { setReg(p.pointee.reg, s, reg(p.pointee.rm, s)) } else { setReg(0, s, d) }
        case .cmpxchgMR:
            let a = address(p)
            guard let d = load(a, s) else { return X86Status.fault }
            let acc = reg(0, s)
            guard store(a, s, acc == d ? reg(p.pointee.reg, s) : d) else { return X86Status.fault }
            setFlags(X86Flags.sub, s, acc, d, (acc &- d) & m)
            if acc != d { setReg(0, s, d) }
        default:   // cmpxchg8b / cmpxchg16b
            let a = address(p)
            let r = regs
            if s == 4 {
                if a & 15 != 0 { return X86Status.generalProtection }
                guard let lo = read(a, UInt64.self), let hi = read(a &+ 8, UInt64.self) else { return X86Status.fault }
                let equal = lo == r[X86Registers.rax] && hi == r[X86Registers.rdx]
                if equal {
                    guard probeWrite(a, 16), write(a, r[X86Registers.rbx]), write(a &+ 8, r[X86Registers.rcx]) else { return X86Status.fault }
                } else {
                    guard probeWrite(a, 16) else { return X86Status.fault }
                    r[X86Registers.rax] = lo
                    r[X86Registers.rdx] = hi
                }
                setZero(equal)
            } else {
                guard let v = read(a, UInt64.self) else { return X86Status.fault }
                let expected = (r[X86Registers.rdx] & 0xffff_ffff) << 32 | (r[X86Registers.rax] & 0xffff_ffff)
                let equal = v == expected
                if equal {
                    guard write(a, (r[X86Registers.rcx] & 0xffff_ffff) << 32 | (r[X86Registers.rbx] & 0xffff_ffff)) else { return X86Status.fault }
                } else {
                    guard write(a, v) else { return X86Status.fault }
                    r[X86Registers.rax] = v & 0xffff_ffff
                    r[X86Registers.rdx] = v >> 32
                }
                setZero(equal)
            }
        }
        return X86Status.next
    }

    @inline(__always) func setZero(_ z: Bool) {
        materializeFlags()
        let r = regs
        r[X86Registers.flags] = (r[X86Registers.flags] & ~X86Flags.zf) | (z ? X86Flags.zf : 0)
    }
}

extension X86Core {
    /// imul r, r (dest *= src) or imul r, r, imm (dest = src * imm), for the run loop without
    /// `executeMultiply`'s dispatch (CoreMark's matrix loop is full of them). Out of line: inlined
    /// into the run loop, it cost the whole loop registers (the instruction pointer was spilled
    /// and reloaded at every dispatch).
    /// An arm per operand size (16, 32, 64 bits), so that each has the size a constant.
    @inline(never) func imulRegister(_ p: UnsafeMutablePointer<X86Instruction>) {
        switch p.pointee.size {
        case 1: imul(p, reg(p.pointee.rm, 1), 1)
        case 2: imul(p, reg(p.pointee.rm, 2), 2)
        default: imul(p, reg(p.pointee.rm, 3), 3)
        }
    }

    /// imul r, r/m (dest *= src) or imul r, r/m, imm (dest = src * imm), with `src` the r/m
    /// operand's value and `s` the operand size.
    @_transparent func imul(_ p: UnsafeMutablePointer<X86Instruction>, _ src: UInt64, _ s: UInt8) {
        let immediate = p.pointee.attrs & X86Attrs.immediate != 0
        let a = immediate ? src : reg(p.pointee.reg, s)
        let b = immediate ? p.pointee.imm & X86Flags.mask(Int(s)) : src
        let (low, overflow) = X86CPU.signedProduct(a, b, s)
        setReg(p.pointee.reg, s, low)
        setMultiplyFlags(overflow: overflow)
    }
}
