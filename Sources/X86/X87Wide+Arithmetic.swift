// 128-bit floating arithmetic on X87Wide for the x87 transcendental instructions
// (X87Transcendental.swift): a value is ±(hi·2^64 + lo)·2^(exp − 127) with hi's top bit set, or
// zero when hi is 0. Every operation truncates to 128 bits, so a result built from a few dozen
// of them is within about 2^-120 of the exact value: far below the 2^-64 of an extended
// significand, so that rounding it once gives the correctly rounded result except for values
// within 2^-120 of a rounding boundary. Integers only, so every host and wasm32 agree.

extension X87Wide {
    static let zero = X87Wide(negative: false, exp: 0, hi: 0, lo: 0)
    static let one = X87Wide(negative: false, exp: 0, hi: 1 << 63, lo: 0)
    /// pi, log2(e) and ln(2), their first 128 bits (truncated).
    static let pi = X87Wide(negative: false, exp: 1, hi: 0xc90f_daa2_2168_c234, lo: 0xc4c6_628b_80dc_1cd1)
    static let log2e = X87Wide(negative: false, exp: 0, hi: 0xb8aa_3b29_5c17_f0bb, lo: 0xbe87_fed0_691d_3e88)
    static let ln2 = X87Wide(negative: false, exp: -1, hi: 0xb172_17f7_d1cf_79ab, lo: 0xc9e3_b398_03f2_f6af)

    var isZero: Bool { hi == 0 }
    var negated: X87Wide { X87Wide(negative: !negative, exp: exp, hi: hi, lo: lo) }
    func scaled(_ k: Int) -> X87Wide { isZero ? self : X87Wide(negative: negative, exp: exp + k, hi: hi, lo: lo) }

    /// An unsigned 128-bit integer (hi, lo) times 2^scale, normalised.
    init(integerHi: UInt64, lo: UInt64, scale: Int, negative: Bool) {
        if integerHi == 0 && lo == 0 { self = .zero; return }
        let (h, l, z) = X87Math.normalize(integerHi, lo)
        self.init(negative: negative, exp: 127 - z + scale, hi: h, lo: l)
    }

    init(integer v: UInt64, negative: Bool = false) {
        self.init(integerHi: 0, lo: v, scale: 0, negative: negative)
    }

    /// |a| < |b| (magnitudes, normalised or zero).
    static func magnitudeLess(_ a: X87Wide, _ b: X87Wide) -> Bool {
        if a.isZero || b.isZero { return !b.isZero }
        if a.exp != b.exp { return a.exp < b.exp }
        return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo
    }

    static func + (a: X87Wide, b: X87Wide) -> X87Wide {
        if a.isZero { return b }
        if b.isZero { return a }
        let (x, y) = magnitudeLess(a, b) ? (b, a) : (a, b)
        let d = x.exp - y.exp
        // y aligned to x, truncated; when bits were shifted out of a subtrahend, one more unit
        // is subtracted: every result here is then at or below the exact magnitude (what the
        // final rounding's sticky bit assumes), even when y is far below x's last bit.
        let (sh, sl) = X87Math.shiftRightSticky(y.hi, y.lo, d)
        var (yh, yl) = (sh, d > 0 ? sl & ~1 : sl)
        if x.negative != y.negative && d > 0 && sl & 1 != 0 {
            let (l, c) = yl.addingReportingOverflow(1)
            yl = l
            if c { yh &+= 1 }
        }
        if x.negative == y.negative {
            let (lo, c1) = x.lo.addingReportingOverflow(yl)
            var (hi, c2) = x.hi.addingReportingOverflow(yh)
            if c1 { let (h, c3) = hi.addingReportingOverflow(1); hi = h; c2 = c2 || c3 }
            if !c2 { return X87Wide(negative: x.negative, exp: x.exp, hi: hi, lo: lo) }
            return X87Wide(negative: x.negative, exp: x.exp + 1, hi: 1 << 63 | hi >> 1, lo: lo >> 1 | hi << 63)
        }
        let (lo, borrow) = x.lo.subtractingReportingOverflow(yl)
        let hi = x.hi &- yh &- (borrow ? 1 : 0)
        return X87Wide(integerHi: hi, lo: lo, scale: x.exp - 127, negative: x.negative)
    }

    static func - (a: X87Wide, b: X87Wide) -> X87Wide { a + b.negated }

    static func * (a: X87Wide, b: X87Wide) -> X87Wide {
        if a.isZero || b.isZero { return .zero }
        let p1 = a.hi.multipliedFullWidth(by: b.hi)
        let p2 = a.hi.multipliedFullWidth(by: b.lo)
        let p3 = a.lo.multipliedFullWidth(by: b.hi)
        let p4 = a.lo.multipliedFullWidth(by: b.lo)
        // Words 3 2 1 of the 256-bit product (word 0 only carries into word 1: dropped).
        var (w1, c) = p2.low.addingReportingOverflow(p3.low)
        var carry: UInt64 = c ? 1 : 0
        (w1, c) = w1.addingReportingOverflow(p4.high)
        carry += c ? 1 : 0
        var (w2, d) = p1.low.addingReportingOverflow(p2.high)
        var carry3: UInt64 = d ? 1 : 0
        (w2, d) = w2.addingReportingOverflow(p3.high)
        carry3 += d ? 1 : 0
        (w2, d) = w2.addingReportingOverflow(carry)
        carry3 += d ? 1 : 0
        let w3 = p1.high &+ carry3
        let negative = a.negative != b.negative
        if w3 >> 63 != 0 { return X87Wide(negative: negative, exp: a.exp + b.exp + 1, hi: w3, lo: w2) }
        return X87Wide(negative: negative, exp: a.exp + b.exp, hi: w3 << 1 | w2 >> 63, lo: w2 << 1 | w1 >> 63)
    }

    /// self · n for a small integer n.
    func times(_ n: UInt64) -> X87Wide { self * X87Wide(integer: n) }

    /// self / n for an integer n > 0.
    func divided(by n: UInt64) -> X87Wide {
        if isZero { return self }
        let (q1, r1) = (hi / n, hi % n)
        let (q0, r0) = n.dividingFullWidth((high: r1, low: lo))
        let (qm, _) = n.dividingFullWidth((high: r0, low: 0))
        // (q1, q0, qm) · 2^(exp - 127 - 64), normalised to its top 128 bits.
        let z = q1 != 0 ? q1.leadingZeroBitCount : 64 + q0.leadingZeroBitCount
        let (h, l): (UInt64, UInt64)
        if z == 0 { (h, l) = (q1, q0) }
        else if z < 64 { (h, l) = (q1 << UInt64(z) | q0 >> UInt64(64 - z), q0 << UInt64(z) | qm >> UInt64(64 - z)) }
        else if z == 64 { (h, l) = (q0, qm) }
        else { (h, l) = (q0 << UInt64(z - 64) | qm >> UInt64(128 - z), qm << UInt64(z - 64)) }
        return X87Wide(negative: negative, exp: exp - z, hi: h, lo: l)
    }

    /// a / b (b not zero), by restoring division: 128 quotient bits.
    static func / (a: X87Wide, b: X87Wide) -> X87Wide {
        if a.isZero { return a }
        var rHi = a.hi, rLo = a.lo, carry = false
        var e = a.exp - b.exp
        if rHi < b.hi || (rHi == b.hi && rLo < b.lo) {
            carry = rHi >> 63 != 0
            rHi = rHi << 1 | rLo >> 63; rLo <<= 1
            e -= 1
        }
        var qHi: UInt64 = 0, qLo: UInt64 = 0
        for _ in 0..<128 {
            let ge = carry || rHi > b.hi || (rHi == b.hi && rLo >= b.lo)
            qHi = qHi << 1 | qLo >> 63
            qLo = qLo << 1 | (ge ? 1 : 0)
            if ge {
                let (l, borrow) = rLo.subtractingReportingOverflow(b.lo)
                rHi = rHi &- b.hi &- (borrow ? 1 : 0)
                rLo = l
            }
            carry = rHi >> 63 != 0
            rHi = rHi << 1 | rLo >> 63; rLo <<= 1
        }
        return X87Wide(negative: a.negative != b.negative, exp: e, hi: qHi, lo: qLo)
    }

    /// Σ term_n, where term_0 = first and term_n = step(term_(n-1), n), up to the first term
    /// below 2^-130 of `first`.
    static func series(_ first: X87Wide, _ step: (X87Wide, UInt64) -> X87Wide) -> X87Wide {
        var sum = first, term = first
        var n: UInt64 = 1
        while n < 400 {
            term = step(term, n)
            if term.isZero { break }
            // A term far below the sum still decides the direction of the final rounding.
            sum = sum + term
            if term.exp < first.exp - 130 { break }
            n += 1
        }
        return sum
    }
}
