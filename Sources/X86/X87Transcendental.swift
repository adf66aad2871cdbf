// The x87 transcendental functions, as the host CPU (an AMD EPYC, and Intel's documented
// behaviour) computes them, from the 128-bit arithmetic of X87Wide+Arithmetic.swift:
//
// - fsin, fcos, fsincos, fptan reduce their argument by multiples of pi/2 where pi is the
//   66-bit value the hardware keeps (0x3.243f6a8885a308d3 · 2^-64; Intel SDM vol. 1, 8.3.8):
//   r = |x| − k·pi66/2 exactly, k the nearest integer, then sin/cos/tan of r + k·pi/2. Near
//   multiples of pi the result is therefore far from the true sin(x) (as on the hardware);
//   |x| ≥ 2^63 leaves the operand unchanged and sets C2.
// - fpatan: atan2(st1, st0); fyl2x: st1 · log2(st0); fyl2xp1: st1 · log2(st0 + 1);
//   f2xm1: 2^st0 − 1 (|st0| > 1 leaves st0 unchanged, as the host does).
//
// Results are rounded once, per RC, to 64 bits (PC does not apply to these instructions), so
// they are the correctly rounded values; the host's are within one unit in the last place of
// them and differ in the last bit for 0.4 % (fcos) to 3.1 % (fyl2xp1) of random arguments
// (tests/amd64/x87_transcendental.c, docs/x86-64.md). Like the host: the precision flag is set
// for every finite nonzero result (exact ones included), C1 says whether it was rounded up.

extension X87Math {
    /// pi66 as a 66-bit integer (pi66 = Pi66 · 2^-64), and pi66 / 2 = Pi66 · 2^-65.
    static let pi66Hi: UInt64 = 3, pi66Lo: UInt64 = 0x243f_6a88_85a3_08d3

    /// A computed value rounded per RC (`mode`'s low bits) to 64 bits; `exact` when w is the
    /// exact result. Bits 2 and 3 of `mode`: overflow and underflow unmasked (the result is
    /// then bias-adjusted, as `pack` does).
    static func transcendentalResult(_ w: X87Wide, exact: Bool = false, mode: UInt8) -> (X87Float, UInt16) {
        if w.isZero { return (.zero(w.negative), exact ? 0 : X87Exception.precision) }
        var v = w
        if !exact { v.lo |= 1 }
        var rounding = X87Rounding(mode: mode & 3, bits: 64)
        rounding.overflowUnmasked = mode & 4 != 0
        rounding.underflowUnmasked = mode & 8 != 0
        let (r, f) = pack(v, rounding)
        // Tiny results raise underflow even when exact (the host treats every result as inexact).
        let tiny = r.isDenormal || r.isZero ? X87Exception.underflow : 0
        return (r, f | tiny | X87Exception.precision)
    }

    // MARK: sin, cos, tan

    /// |x| (finite, nonzero, below 2^63) as r + k·pi66/2 with |r| ≤ pi66/4: (r exactly, k).
    static func reduceQuadrant(_ x: X87Float) -> (r: X87Wide, k: UInt64) {
        let w = wide(x)
        if w.exp < -1 { return (X87Wide(negative: false, exp: w.exp, hi: w.hi, lo: 0), 0) }
        // N = |x| · 2^65 as a 128-bit integer; q, rem = N divided by Pi66.
        let s = w.exp + 2   // 1...64
        let nHi = s == 64 ? w.hi : w.hi >> UInt64(64 - s)
        let nLo = s == 64 ? 0 : w.hi << UInt64(s)
        var remHi: UInt64 = 0, remLo: UInt64 = 0, q: UInt64 = 0
        for i in stride(from: 127, through: 0, by: -1) {
            let bit = (i >= 64 ? nHi >> UInt64(i - 64) : nLo >> UInt64(i)) & 1
            remHi = remHi << 1 | remLo >> 63
            remLo = remLo << 1 | bit
            q <<= 1
            if remHi > pi66Hi || (remHi == pi66Hi && remLo >= pi66Lo) {
                let (l, borrow) = remLo.subtractingReportingOverflow(pi66Lo)
                remHi = remHi &- pi66Hi &- (borrow ? 1 : 0)
                remLo = l
                q |= 1
            }
        }
        // Nearest: when rem > Pi66 / 2, k = q + 1 and r = rem − Pi66 (Pi66 is odd: no ties).
        let twiceHi = remHi << 1 | remLo >> 63, twiceLo = remLo << 1
        if twiceHi > pi66Hi || (twiceHi == pi66Hi && twiceLo > pi66Lo) {
            let (l, borrow) = pi66Lo.subtractingReportingOverflow(remLo)
            let h = pi66Hi &- remHi &- (borrow ? 1 : 0)
            return (X87Wide(integerHi: h, lo: l, scale: -65, negative: true), q &+ 1)
        }
        return (X87Wide(integerHi: remHi, lo: remLo, scale: -65, negative: false), q)
    }

    /// sin r and cos r for |r| ≤ pi/4, by their Taylor series.
    static func sineCosine(_ r: X87Wide) -> (sin: X87Wide, cos: X87Wide) {
        let r2 = r * r
        let s = X87Wide.series(r) { t, n in (t * r2).divided(by: 2 * n * (2 * n + 1)).negated }
        let c = X87Wide.series(.one) { t, n in (t * r2).divided(by: (2 * n - 1) * 2 * n).negated }
        return (s, c)
    }

    /// fsin, fcos and fsincos: sin x and cos x with each one's flags; nil when |x| ≥ 2^63.
    static func sineCosine(_ x: X87Float, mode: UInt8)
        -> (sin: X87Float, sinFlags: UInt16, cos: X87Float, cosFlags: UInt16)? {
        if x.isUnsupported || x.isInfinity {
            return (.indefinite, X87Exception.invalid, .indefinite, X87Exception.invalid)
        }
        if x.isNaN { let (v, f) = propagateNaN(x, x); return (v, f, v, f) }
        if x.isZero { return (x, 0, .one, 0) }
        if x.biasedExponent >= bias + 63 { return nil }
        let denormal = x.isDenormal ? X87Exception.denormal : 0
        let (r, k) = reduceQuadrant(x)
        let (s, c) = sineCosine(r)
        var sine = [s, c, s.negated, c.negated][Int(k & 3)]
        let cosine = [c, s.negated, c.negated, s][Int(k & 3)]
        if x.negative { sine = sine.negated }
        let (sv, sf) = transcendentalResult(sine, mode: mode)
        let (cv, cf) = transcendentalResult(cosine, mode: mode)
        return (sv, sf | denormal, cv, cf | denormal)
    }

    /// fptan: tan x; nil when |x| ≥ 2^63.
    static func tangent(_ x: X87Float, mode: UInt8) -> (X87Float, UInt16)? {
        if x.isUnsupported || x.isInfinity { return (.indefinite, X87Exception.invalid) }
        if x.isNaN { return propagateNaN(x, x) }
        if x.isZero { return (x, 0) }
        if x.biasedExponent >= bias + 63 { return nil }
        let (r, k) = reduceQuadrant(x)
        let (s, c) = sineCosine(r)
        var t = k & 1 == 0 ? s / c : (c / s).negated
        if x.negative { t = t.negated }
        let (v, f) = transcendentalResult(t, mode: mode)
        return (v, f | (x.isDenormal ? X87Exception.denormal : 0))
    }

    // MARK: atan

    /// Σ s^(2n+1) / (2n+1), the terms' signs alternating when `alternating` (atan s; else atanh s).
    static func oddPowerSeries(_ s: X87Wide, alternating: Bool) -> X87Wide {
        if s.isZero { return s }
        var s2 = s * s
        if alternating { s2 = s2.negated }
        var sum = s, power = s
        var n: UInt64 = 1
        while n < 400 {
            power = power * s2
            let term = power.divided(by: 2 * n + 1)
            sum = sum + term   // a term far below the sum still decides the final rounding's direction
            if term.exp < s.exp - 130 { break }
            n += 1
        }
        return sum
    }

    /// atan t for 0 ≤ t ≤ 1: t ≥ 1/2 by atan t = pi/4 + atan((t − 1) / (t + 1)), 1/4 ≤ t < 1/2 by
    /// atan t = atan(1/4) + atan((t − 1/4) / (1 + t/4)), then the Taylor series below 1/4.
    static func arctangent(_ t: X87Wide) -> X87Wide {
        let quarter = X87Wide.one.scaled(-2)
        if t.isZero || t.exp < -2 || t == quarter { return oddPowerSeries(t, alternating: true) }
        if t.exp >= -1 {
            let u = (t - .one) / (t + .one)   // in [-1/3, 0]
            return X87Wide.pi.scaled(-2) - arctangent(u.negated)
        }
        return arctangent(quarter) + arctangent((t - quarter) / (.one + t.scaled(-2)))
    }

    /// fpatan: atan2(y, x), the angle of (x, y) in (−pi, pi].
    static func arctangent(_ y: X87Float, _ x: X87Float, mode: UInt8) -> (X87Float, UInt16) {
        if y.isUnsupported || x.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if y.isNaN || x.isNaN { return propagateNaN(y, x) }
        let flags = denormalFlag(y, x)
        let angle: X87Wide
        if y.isZero {
            if !x.negative { return (y, flags) }
            angle = .pi
        } else if x.isZero || (y.isInfinity && !x.isInfinity) {
            angle = X87Wide.pi.scaled(-1)
        } else if y.isInfinity {
            angle = x.negative ? X87Wide.pi.scaled(-2).times(3) : X87Wide.pi.scaled(-2)
        } else if x.isInfinity {
            if !x.negative { return (.zero(y.negative), flags) }
            angle = .pi
        } else {
            var a = wide(y), b = wide(x)
            a.negative = false; b.negative = false
            let first = X87Wide.magnitudeLess(b, a) ? X87Wide.pi.scaled(-1) - arctangent(b / a) : arctangent(a / b)
            angle = x.negative ? X87Wide.pi - first : first
        }
        let (v, f) = transcendentalResult(y.negative ? angle.negated : angle, mode: mode)
        return (v, f | flags)
    }

    // MARK: log2, 2^x

    /// 2·atanh(s) / ln 2 = log2((1 + s) / (1 − s)), by the series of atanh.
    static func log2Ratio(_ s: X87Wide) -> X87Wide {
        if s.isZero { return s }
        return (oddPowerSeries(s, alternating: false) * X87Wide.log2e).scaled(1)
    }

    /// log2 of a positive finite wide value, and whether it is exact (a power of two).
    static func log2(_ w: X87Wide) -> (X87Wide, exact: Bool) {
        if w.hi == 1 << 63 && w.lo == 0 {
            return (X87Wide(integer: UInt64(w.exp.magnitude), negative: w.exp < 0), true)
        }
        // w = 2^e · m with m in [sqrt(1/2), sqrt(2)).
        var e = w.exp
        var m = X87Wide(negative: false, exp: 0, hi: w.hi, lo: w.lo)
        if m.hi > 0xb504_f333_f9de_6484 { m.exp = -1; e += 1 }
        let l = log2Ratio((m - .one) / (m + .one))
        return (X87Wide(integer: UInt64(e.magnitude), negative: e < 0) + l, false)
    }

    /// fyl2x (`plusOne` false): y · log2(x); fyl2xp1: y · log2(x + 1).
    static func logarithm(_ y: X87Float, _ x: X87Float, plusOne: Bool, mode: UInt8) -> (X87Float, UInt16) {
        if y.isUnsupported || x.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if y.isNaN || x.isNaN { return propagateNaN(y, x) }
        let flags = denormalFlag(y, x)
        // log2 of the argument: −inf, a finite value (nil: zero), or +inf.
        let argumentZero = plusOne ? (x.negative && x.biasedExponent == bias && x.m == 1 << 63) : x.isZero
        let belowMinusOne = x.negative && (x.biasedExponent > bias || (x.biasedExponent == bias && x.m != 1 << 63))
        let argumentNegative = plusOne ? belowMinusOne : x.negative && !x.isZero
        if plusOne && (argumentZero || belowMinusOne) && !x.isInfinity {
            // Outside fyl2xp1's domain (documented as undefined), the host gives ±0 or ±inf for
            // a zero or infinite y (y's sign flipped) and x itself otherwise.
            if y.isZero || y.isInfinity { return (y.negated, 0) }
            return (x, flags | X87Exception.precision)
        }
        if argumentZero {
            // log2(0) = −inf: y · −inf, zero-divide; 0 · inf is invalid.
            // (A denormal y raises no denormal flag here, as on the host.)
            if y.isZero { return (.indefinite, X87Exception.invalid) }
            return (.infinity(!y.negative), y.isInfinity ? 0 : X87Exception.zeroDivide)
        }
        if argumentNegative { return (.indefinite, X87Exception.invalid) }
        if x.isInfinity {
            if y.isZero { return (.indefinite, X87Exception.invalid) }
            return (.infinity(y.negative), flags)
        }
        let l: X87Wide, exact: Bool
        if plusOne {
            if x.isZero { (l, exact) = (.zero, true) }
            else if x.biasedExponent < bias - 1 {
                var xw = wide(x)
                xw.negative = x.negative
                (l, exact) = (log2Ratio(xw / (X87Wide.one.scaled(1) + xw)), false)
            } else {
                var xw = wide(x)
                xw.negative = x.negative
                (l, exact) = log2(.one + xw)
            }
        } else {
            (l, exact) = log2(wide(x))
        }
        if l.isZero {
            // log2(1) = +0 (fyl2xp1: ±0 with x's sign): y · ±0; inf · 0 is invalid.
            if y.isInfinity { return (.indefinite, X87Exception.invalid) }
            return (.zero(y.negative != (plusOne && x.negative)), flags)
        }
        if y.isInfinity { return (.infinity(y.negative != l.negative), flags) }
        if y.isZero { return (.zero(y.negative != l.negative), flags) }
        var yw = wide(y)
        yw.negative = y.negative
        let (v, f) = transcendentalResult(yw * l, exact: exact, mode: mode)
        return (v, f | flags)
    }

    /// f2xm1: 2^x − 1 for |x| ≤ 1, by the series of e^z − 1 with z = x · ln 2; larger |x| leave
    /// x unchanged (with the precision flag), as the host does.
    static func exp2Minus1(_ x: X87Float, mode: UInt8) -> (X87Float, UInt16) {
        if x.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if x.isNaN { return propagateNaN(x, x) }
        if x.isZero { return (x, 0) }
        if x.isInfinity { return (x.negative ? X87Float.one.negated : x, 0) }
        let flags = x.isDenormal ? X87Exception.denormal : 0
        if x.biasedExponent > bias || (x.biasedExponent == bias && x.m != 1 << 63) {
            return (x, X87Exception.precision)
        }
        if x.biasedExponent == bias {
            // ±1: the host's value is just below 1 or −1/2 (1 − 2^-64 when rounding down).
            let below = x.negative ? X87Wide(negative: true, exp: -1, hi: 1 << 63, lo: 1) : X87Wide(negative: false, exp: -1, hi: ~0, lo: ~0)
            return transcendentalResult(below, mode: mode)
        }
        var z = wide(x) * X87Wide.ln2
        z.negative = x.negative
        let sum = X87Wide.series(z) { t, n in (t * z).divided(by: n + 1) }
        let (v, f) = transcendentalResult(sum, mode: mode)
        return (v, f | flags)
    }
}
