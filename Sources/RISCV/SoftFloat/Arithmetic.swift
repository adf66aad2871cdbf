// Correctly rounded add, multiply, divide, square root and fused multiply-add for binary32 and
// binary64 in every rounding mode, with exact IEEE flags and RISC-V NaN rules (every NaN result
// is the canonical NaN; signaling NaN inputs raise invalid).

/// A 128-bit unsigned integer, just what the fused multiply-add and square root need.
struct U128: Comparable {
    var hi: UInt64
    var lo: UInt64

    static func < (a: U128, b: U128) -> Bool { a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo }
    static func + (a: U128, b: U128) -> U128 {
        let (lo, c) = a.lo.addingReportingOverflow(b.lo)
        return U128(hi: a.hi &+ b.hi &+ (c ? 1 : 0), lo: lo)
    }
    static func - (a: U128, b: U128) -> U128 {
        let (lo, c) = a.lo.subtractingReportingOverflow(b.lo)
        return U128(hi: a.hi &- b.hi &- (c ? 1 : 0), lo: lo)
    }
    static func product(_ a: UInt64, _ b: UInt64) -> U128 {
        let p = a.multipliedFullWidth(by: b)
        return U128(hi: p.high, lo: p.low)
    }
    var isZero: Bool { hi == 0 && lo == 0 }
    var leadingZeroBitCount: Int { hi != 0 ? hi.leadingZeroBitCount : 64 + lo.leadingZeroBitCount }

    func shiftedLeft(_ n: Int) -> U128 {
        if n == 0 { return self }
        if n >= 64 { return U128(hi: lo << UInt64(n - 64), lo: 0) }
        return U128(hi: hi << UInt64(n) | lo >> UInt64(64 - n), lo: lo << UInt64(n))
    }

    /// Shift right, OR-ing discarded bits into bit 0.
    func shiftedRightJam(_ n: Int) -> U128 {
        if n <= 0 { return self }
        if n >= 128 { return U128(hi: 0, lo: isZero ? 0 : 1) }
        if n >= 64 {
            let lost = (n == 64 ? 0 : hi << UInt64(128 - n)) | lo
            return U128(hi: 0, lo: (n == 64 ? hi : hi >> UInt64(n - 64)) | (lost != 0 ? 1 : 0))
        }
        let lost = lo << UInt64(64 - n)
        return U128(hi: hi >> UInt64(n), lo: (hi << UInt64(64 - n) | lo >> UInt64(n)) | (lost != 0 ? 1 : 0))
    }
}

extension SoftFloat {
    /// The canonical NaN, raising invalid if any operand is a signaling NaN.
    static func propagateNaN(_ fmt: FloatFormat, _ a: UInt64, _ b: UInt64? = nil, _ c: UInt64? = nil,
                             flags: inout FloatFlags) -> UInt64 {
        if fmt.isSignaling(a) || (b.map { fmt.isSignaling($0) } ?? false) || (c.map { fmt.isSignaling($0) } ?? false) {
            flags.insert(.invalid)
        }
        return fmt.canonicalNaN
    }

    /// a + b (or a - b when `subtract`).
    static func add(_ a: UInt64, _ b0: UInt64, subtract: Bool, _ fmt: FloatFormat, _ rm: RoundingMode,
                    _ flags: inout FloatFlags) -> UInt64 {
        let b = subtract ? b0 ^ fmt.signBit : b0
        let ca = fmt.classify(a), cb = fmt.classify(b)
        if ca.isNaN || cb.isNaN { return propagateNaN(fmt, a, b, flags: &flags) }
        if ca == .infinity {
            if cb == .infinity && fmt.sign(a) != fmt.sign(b) {
                flags.insert(.invalid)
                return fmt.canonicalNaN
            }
            return a
        }
        if cb == .infinity { return b }
        if ca == .zero && cb == .zero {
            if fmt.sign(a) == fmt.sign(b) { return a }
            return fmt.zero(rm == .down)
        }
        if ca == .zero { return b }
        if cb == .zero { return a }
        var x = fmt.unpack(a), y = fmt.unpack(b)
        if x.exponent < y.exponent || (x.exponent == y.exponent && x.significand < y.significand) {
            swap(&x, &y)
        }
        let ys = shiftRightJam(y.significand, x.exponent - y.exponent)
        var exp = x.exponent
        if x.sign == y.sign {
            var s = x.significand + ys
            if s >= 1 << 63 {
                s = shiftRightJam(s, 1)
                exp += 1
            }
            return roundPack(x.sign, exp, s, fmt, rm, &flags)
        }
        var s = x.significand - ys
        if s == 0 { return fmt.zero(rm == .down) }
        let k = s.leadingZeroBitCount - 1
        s <<= UInt64(k)
        exp -= k
        return roundPack(x.sign, exp, s, fmt, rm, &flags)
    }

    static func multiply(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode,
                         _ flags: inout FloatFlags) -> UInt64 {
        let ca = fmt.classify(a), cb = fmt.classify(b)
        if ca.isNaN || cb.isNaN { return propagateNaN(fmt, a, b, flags: &flags) }
        let negative = fmt.sign(a) != fmt.sign(b)
        if ca == .infinity || cb == .infinity {
            if ca == .zero || cb == .zero {
                flags.insert(.invalid)
                return fmt.canonicalNaN
            }
            return fmt.infinity(negative)
        }
        if ca == .zero || cb == .zero { return fmt.zero(negative) }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        let p = U128.product(x.significand, y.significand)        // in [2^124, 2^126)
        var s = p.hi << 2 | p.lo >> 62 | (p.lo & ((1 << 62) - 1) != 0 ? 1 : 0)
        var exp = x.exponent + y.exponent
        if s >= 1 << 63 {
            s = shiftRightJam(s, 1)
            exp += 1
        }
        return roundPack(negative, exp, s, fmt, rm, &flags)
    }

    static func divide(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode,
                       _ flags: inout FloatFlags) -> UInt64 {
        let ca = fmt.classify(a), cb = fmt.classify(b)
        if ca.isNaN || cb.isNaN { return propagateNaN(fmt, a, b, flags: &flags) }
        let negative = fmt.sign(a) != fmt.sign(b)
        if ca == .infinity {
            if cb == .infinity {
                flags.insert(.invalid)
                return fmt.canonicalNaN
            }
            return fmt.infinity(negative)
        }
        if cb == .infinity { return fmt.zero(negative) }
        if cb == .zero {
            if ca == .zero {
                flags.insert(.invalid)
                return fmt.canonicalNaN
            }
            flags.insert(.divideByZero)
            return fmt.infinity(negative)
        }
        if ca == .zero { return fmt.zero(negative) }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        var n = x.significand
        var exp = x.exponent - y.exponent
        if n < y.significand {
            n <<= 1
            exp -= 1
        }
        // q = n × 2^62 / d, in [2^62, 2^63).
        let (q, r) = y.significand.dividingFullWidth((high: n >> 2, low: n << 62))
        return roundPack(negative, exp, q | (r != 0 ? 1 : 0), fmt, rm, &flags)
    }

    static func squareRoot(_ a: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        let ca = fmt.classify(a)
        if ca.isNaN { return propagateNaN(fmt, a, flags: &flags) }
        if ca == .zero { return a }
        if fmt.sign(a) {
            flags.insert(.invalid)
            return fmt.canonicalNaN
        }
        if ca == .infinity { return a }
        let x = fmt.unpack(a)
        // sqrt(sig/2^62 × 2^e) = sqrt(N)/2^62 × 2^(e/2) with N = sig × 2^62 (× 2 for odd e).
        var e = x.exponent
        var n = U128(hi: x.significand >> 2, lo: x.significand << 62)
        if e & 1 != 0 {
            n = n.shiftedLeft(1)
            e -= 1
        }
        var r = isqrt(n)
        let exact = U128.product(r, r) == n
        if !exact { r |= 1 }
        return roundPack(false, e / 2, r, fmt, rm, &flags)
    }

    /// floor(sqrt(n)) for 2^124 <= n < 2^127.
    static func isqrt(_ n: U128) -> UInt64 {
        let approx = (Double(n.hi) * 18446744073709551616.0 + Double(n.lo)).squareRoot()
        var r = approx >= 18446744073709551615.0 ? UInt64.max : UInt64(approx)
        // One Newton step from a 53-bit estimate is exact to within one; then fix up.
        if r > 0 && n.hi < r {
            let (q, _) = r.dividingFullWidth((high: n.hi, low: n.lo))
            let (sum, carry) = r.addingReportingOverflow(q)
            r = carry ? (sum >> 1) | (1 << 63) : sum >> 1
        }
        while U128.product(r, r) > n { r -= 1 }
        while r < UInt64.max && !(U128.product(r + 1, r + 1) > n) { r += 1 }
        return r
    }

    /// ±(a × b) ± c with a single rounding: `negateProduct` / `negateAddend` select fmadd,
    /// fmsub, fnmsub and fnmadd.
    static func fusedMultiplyAdd(_ a: UInt64, _ b: UInt64, _ c0: UInt64, negateProduct: Bool, negateAddend: Bool,
                                 _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        let c = negateAddend ? c0 ^ fmt.signBit : c0
        let ca = fmt.classify(a), cb = fmt.classify(b), cc = fmt.classify(c)
        let infTimesZero = (ca == .infinity && cb == .zero) || (ca == .zero && cb == .infinity)
        if ca.isNaN || cb.isNaN || cc.isNaN {
            // RISC-V: ∞ × 0 raises invalid even when the addend is a quiet NaN.
            if infTimesZero { flags.insert(.invalid) }
            return propagateNaN(fmt, a, b, c, flags: &flags)
        }
        if infTimesZero {
            flags.insert(.invalid)
            return fmt.canonicalNaN
        }
        let productNegative = (fmt.sign(a) != fmt.sign(b)) != negateProduct
        if ca == .infinity || cb == .infinity {
            if cc == .infinity && fmt.sign(c) != productNegative {
                flags.insert(.invalid)
                return fmt.canonicalNaN
            }
            return fmt.infinity(productNegative)
        }
        if cc == .infinity { return c }
        if ca == .zero || cb == .zero {
            if cc == .zero {
                if fmt.sign(c) == productNegative { return c }
                return fmt.zero(rm == .down)
            }
            return c
        }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        if cc == .zero {
            // Exact product rounded once: the multiply path with the product's sign.
            let prod = multiply(a & ~fmt.signBit, b & ~fmt.signBit, fmt, rm == .down && productNegative ? .up
                                : rm == .up && productNegative ? .down : rm, &flags)
            return productNegative ? prod | fmt.signBit : prod
        }
        // Both terms as (value = X / 2^125 × 2^e) with X in [2^125, 2^126).
        var p = U128.product(x.significand, y.significand)     // in [2^124, 2^126)
        var ep = x.exponent + y.exponent
        if p.hi >> 61 != 0 { ep += 1 } else { p = p.shiftedLeft(1) }
        let z = fmt.unpack(c)
        var q = U128(hi: z.significand >> 1, lo: z.significand << 63)
        var eq = z.exponent
        var pNeg = productNegative, qNeg = z.sign
        if ep < eq || (ep == eq && p < q) {
            swap(&p, &q)
            swap(&ep, &eq)
            swap(&pNeg, &qNeg)
        }
        q = q.shiftedRightJam(ep - eq)
        var sum: U128
        var exp = ep
        if pNeg == qNeg {
            sum = p + q
            if sum.hi >> 62 != 0 {
                sum = sum.shiftedRightJam(1)
                exp += 1
            }
        } else {
            sum = p - q
            if sum.isZero { return fmt.zero(rm == .down) }
            let k = sum.leadingZeroBitCount - 2
            sum = sum.shiftedLeft(k)
            exp -= k
        }
        // Down to 64 bits: [2^125, 2^126) -> [2^62, 2^63) with sticky.
        let s = sum.shiftedRightJam(63)
        return roundPack(pNeg, exp, s.lo, fmt, rm, &flags)
    }
}
