// 80-bit extended precision arithmetic for the x87 unit, in integers only, so that every host
// and wasm32 give the same bits: add, subtract, multiply, divide, square root, partial
// remainder, round to integer, scale, comparison, and conversions to and from the single,
// double and integer formats, each rounded as the control word's RC (and, for the five basic
// operations, PC) says, with the exception flags the status word keeps. NaNs follow x87's
// rules: a signaling NaN raises invalid and is quieted; of two NaNs the larger significand
// wins; an invalid operation (or an unnormal operand) gives the "indefinite" (negative quiet NaN).

/// An x87 register value: the sign and the biased 15-bit exponent, and the 64-bit significand
/// with its explicit integer bit.
package struct X87Float: Equatable {
    package var se: UInt16
    package var m: UInt64

    package init(se: UInt16, m: UInt64) { self.se = se; self.m = m }

    static let indefinite = X87Float(se: 0xffff, m: 0xc000_0000_0000_0000)
    static let one = X87Float(se: 0x3fff, m: 1 << 63)
    static func zero(_ negative: Bool) -> X87Float { X87Float(se: negative ? 0x8000 : 0, m: 0) }
    static func infinity(_ negative: Bool) -> X87Float { X87Float(se: negative ? 0xffff : 0x7fff, m: 1 << 63) }

    var negative: Bool { se & 0x8000 != 0 }
    var biasedExponent: Int { Int(se & 0x7fff) }
    var isNaN: Bool { se & 0x7fff == 0x7fff && m << 1 != 0 && m >> 63 == 1 }
    var isSignalingNaN: Bool { isNaN && m & (1 << 62) == 0 }
    var isInfinity: Bool { se & 0x7fff == 0x7fff && m == 1 << 63 }
    var isZero: Bool { se & 0x7fff == 0 && m == 0 }
    /// Unnormals, pseudo-infinities and pseudo-NaNs: invalid operands on every x87 since the 387.
    var isUnsupported: Bool { se & 0x7fff != 0 && m >> 63 == 0 }
    var isDenormal: Bool { se & 0x7fff == 0 && m != 0 }
    var negated: X87Float { X87Float(se: se ^ 0x8000, m: m) }
    var absolute: X87Float { X87Float(se: se & 0x7fff, m: m) }
    var quieted: X87Float { X87Float(se: se, m: m | 1 << 62) }
}

/// Status-word exception flags.
enum X87Exception {
    static let invalid: UInt16 = 0x01, denormal: UInt16 = 0x02, zeroDivide: UInt16 = 0x04
    static let overflow: UInt16 = 0x08, underflow: UInt16 = 0x10, precision: UInt16 = 0x20
    static let stackFault: UInt16 = 0x40
    /// Not an exception: C1's place in the status word, set when rounding incremented the
    /// significand (the x87 reports the rounding direction there).
    static let roundedUp: UInt16 = 0x200
}

/// How a result is rounded: RC (0 nearest even, 1 down, 2 up, 3 toward zero), the number of
/// significand bits (PC: 24, 53 or 64) and the exponent range (unbiased): the extended format's
/// for the x87, the single or double format's for SSE (`X86SSEFloat`), whose results are then
/// exact in an extended value.
struct X87Rounding {
    var mode: UInt8
    var bits: Int
    var emin = 1 - X87Math.bias
    var emax = X87Math.bias
    /// The x87's unmasked overflow and underflow responses (OM, UM clear in the control word):
    /// a result out of range is delivered with its exponent bias-adjusted (2^-24576 or 2^24576)
    /// and the flag raised (underflow for every tiny result, exact ones included).
    var overflowUnmasked = false
    var underflowUnmasked = false

    /// From a control word: RC and PC (PC 1 is reserved and behaves as 64 bits here).
    init(controlWord cw: UInt64, usePrecision: Bool) {
        mode = UInt8((cw >> 10) & 3)
        overflowUnmasked = cw & 0x08 == 0
        underflowUnmasked = cw & 0x10 == 0
        switch (cw >> 8) & 3 {
        case 0 where usePrecision: bits = 24
        case 2 where usePrecision: bits = 53
        default: bits = 64
        }
    }
    init(mode: UInt8, bits: Int) { self.mode = mode; self.bits = bits }
    /// The single (`single`) or double format's precision and range.
    init(mode: UInt8, single: Bool) {
        self.mode = mode
        bits = single ? 24 : 53
        emin = single ? -126 : -1022
        emax = single ? 127 : 1023
    }
}

/// A finite nonzero value being computed: (hi + lo / 2^64) * 2^(exp - 63), hi normalised (bit
/// 63 set); bits below lo's last are folded into it (sticky).
struct X87Wide: Equatable {
    var negative: Bool
    var exp: Int
    var hi: UInt64
    var lo: UInt64
}

enum X87Math {
    static let bias = 16383
    /// The exponent adjustment of an unmasked overflow's or underflow's result (3 * 2^13).
    static let biasAdjust = 24576

    // MARK: 128-bit helpers

    /// (hi, lo) >> n with every bit shifted out folded into the lowest bit.
    static func shiftRightSticky(_ hi: UInt64, _ lo: UInt64, _ n: Int) -> (UInt64, UInt64) {
        if n <= 0 { return (hi, lo) }
        if n < 64 {
            let sticky: UInt64 = lo << UInt64(64 - n) != 0 ? 1 : 0
            return (hi >> UInt64(n), (lo >> UInt64(n)) | (hi << UInt64(64 - n)) | sticky)
        }
        if n < 128 {
            let out = n == 64 ? lo : (lo != 0 || hi << UInt64(128 - n) != 0 ? 1 : 0)
            return (0, (hi >> UInt64(n - 64)) | (out != 0 ? 1 : 0))
        }
        return (0, hi | lo != 0 ? 1 : 0)
    }

    /// Shifts (hi, lo), not zero, left until hi's top bit is set; returns the shift too.
    static func normalize(_ hi: UInt64, _ lo: UInt64) -> (UInt64, UInt64, Int) {
        if hi == 0 {
            let z = lo.leadingZeroBitCount
            return (lo << UInt64(z), 0, 64 + z)
        }
        let z = hi.leadingZeroBitCount
        if z == 0 { return (hi, lo, 0) }
        return ((hi << UInt64(z)) | (lo >> UInt64(64 - z)), lo << UInt64(z), z)
    }

    // MARK: Unpacking

    /// A finite nonzero operand as a wide value (denormals normalised).
    static func wide(_ x: X87Float) -> X87Wide {
        if x.biasedExponent == 0 {
            let z = x.m.leadingZeroBitCount
            return X87Wide(negative: x.negative, exp: 1 - bias - z, hi: x.m << UInt64(z), lo: 0)
        }
        return X87Wide(negative: x.negative, exp: x.biasedExponent - bias, hi: x.m, lo: 0)
    }

    /// The NaN result of an operation with operands a and b (at least one a NaN), and whether
    /// it raised invalid (a signaling NaN).
    static func propagateNaN(_ a: X87Float, _ b: X87Float) -> (X87Float, UInt16) {
        let flags = a.isSignalingNaN || b.isSignalingNaN ? X87Exception.invalid : 0
        if a.isNaN && b.isNaN {
            // A quiet NaN wins over a signaling one; else the larger significand.
            if a.isSignalingNaN != b.isSignalingNaN { return ((a.isSignalingNaN ? b : a).quieted, flags) }
            let ma = a.m | 1 << 62, mb = b.m | 1 << 62
            if ma != mb { return ((ma > mb ? a : b).quieted, flags) }
            return ((a.se <= b.se ? a : b).quieted, flags)
        }
        return ((a.isNaN ? a : b).quieted, flags)
    }

    /// Flags for operands that are denormal.
    static func denormalFlag(_ a: X87Float, _ b: X87Float) -> UInt16 {
        a.isDenormal || b.isDenormal ? X87Exception.denormal : 0
    }

    // MARK: Rounding

    /// A wide value rounded to `bits` significand bits within the exponent range emin...emax
    /// (unbiased): (exponent, significand with the top bit set unless denormal or zero,
    /// infinity?, flags). A denormal result has exponent emin and a significand without its
    /// top bit.
    /// With `overflowUnmasked` (`underflowUnmasked`), a result above emax (tiny: below 2^emin
    /// after rounding, exact or not) is rounded with an unbounded exponent instead, exp out of
    /// the range, and raises overflow (underflow) with the precision flag and C1 of that
    /// rounding: the unmasked responses (the x87 then adjusts the exponent; SSE traps).
    static func round(_ w: X87Wide, bits: Int, mode: UInt8, emin: Int, emax: Int,
                      overflowUnmasked: Bool = false, underflowUnmasked: Bool = false)
        -> (exp: Int, sig: UInt64, infinite: Bool, flags: UInt16) {
        if _slowPath(overflowUnmasked || underflowUnmasked) {
            let u = round(w, bits: bits, mode: mode, emin: Int(Int32.min), emax: Int(Int32.max))
            if u.exp > emax && overflowUnmasked { return (u.exp, u.sig, false, u.flags | X87Exception.overflow) }
            if u.exp < emin && underflowUnmasked { return (u.exp, u.sig, false, u.flags | X87Exception.underflow) }
        }
        var hi = w.hi, lo = w.lo, e = w.exp
        let drop = UInt64(64 - bits)
        let unit: UInt64 = 1 << drop
        let keepMask: UInt64 = ~(unit &- 1)
        var tiny = false
        if e < emin {
            // Tininess after rounding, as x86 detects it: below 2^emin even when rounded to
            // `bits` bits with an unbounded exponent.
            tiny = !(e == emin - 1 && hi & keepMask == keepMask && roundsUp(hi, lo, drop: drop, mode: mode, negative: w.negative))
            (hi, lo) = shiftRightSticky(hi, lo, emin - e)
            e = emin
        }
        var kept = hi & keepMask
        let inexact = hi & ~keepMask != 0 || lo != 0
        var flags: UInt16 = inexact ? X87Exception.precision : 0
        if roundsUp(hi, lo, drop: drop, mode: mode, negative: w.negative) {
            flags |= X87Exception.roundedUp
            let (sum, carry) = kept.addingReportingOverflow(unit)
            if carry { kept = 1 << 63; e += 1 } else { kept = sum }
        }
        if tiny && inexact { flags |= X87Exception.underflow }
        if e > emax {
            flags |= X87Exception.overflow | X87Exception.precision
            let toInfinity: Bool
            switch mode {
            case 0: toInfinity = true
            case 1: toInfinity = w.negative
            case 2: toInfinity = !w.negative
            default: toInfinity = false
            }
            if toInfinity { return (emax + 1, 1 << 63, true, flags | X87Exception.roundedUp) }
            return (emax, keepMask, false, flags & ~X87Exception.roundedUp)
        }
        return (e, kept, false, flags)
    }

    /// Whether rounding (hi, lo) to its top 64 - `drop` bits (RC `mode`) increments them.
    static func roundsUp(_ hi: UInt64, _ lo: UInt64, drop: UInt64, mode: UInt8, negative: Bool) -> Bool {
        let unit: UInt64 = 1 << drop
        let rest = hi & (unit &- 1)
        let inexact = rest != 0 || lo != 0
        switch mode {
        case 0:
            if drop == 0 { return lo > 1 << 63 || (lo == 1 << 63 && hi & 1 != 0) }
            let half = unit >> 1
            return rest > half || (rest == half && (lo != 0 || hi & unit != 0))
        case 1: return inexact && negative
        case 2: return inexact && !negative
        default: return false
        }
    }

    /// A wide value rounded to an extended register value (with a narrower range, a value of
    /// that format: its denormals are normal extended values).
    static func pack(_ w: X87Wide, _ r: X87Rounding) -> (X87Float, UInt16) {
        let (e, sig, infinite, flags) = round(w, bits: r.bits, mode: r.mode, emin: r.emin, emax: r.emax,
                                              overflowUnmasked: r.overflowUnmasked, underflowUnmasked: r.underflowUnmasked)
        let sign: UInt16 = w.negative ? 0x8000 : 0
        if _slowPath(!infinite && (e > r.emax || (e < r.emin && sig >> 63 != 0))) {
            // Unmasked overflow or underflow. SSE (a narrower range) traps and discards the
            // value; the x87 delivers it with the exponent bias-adjusted, rounded again (still
            // out of range, as fscale's can be, it takes the masked response there).
            guard r.emin == 1 - bias else { return (X87Float(se: sign, m: 0), flags) }
            var adjusted = w, plain = r
            adjusted.exp += e > r.emax ? -biasAdjust : biasAdjust
            plain.overflowUnmasked = false
            plain.underflowUnmasked = false
            let (v, f) = pack(adjusted, plain)
            return (v, f | flags & (X87Exception.overflow | X87Exception.underflow))
        }
        if infinite { return (X87Float(se: sign | 0x7fff, m: 1 << 63), flags) }
        if sig >> 63 == 0 {
            if sig == 0 || r.emin == 1 - bias { return (X87Float(se: sign, m: sig), flags) }
            let z = sig.leadingZeroBitCount
            return (X87Float(se: sign | UInt16(e - z + bias), m: sig << UInt64(z)), flags)
        }
        return (X87Float(se: sign | UInt16(e + bias), m: sig), flags)
    }

    // MARK: Arithmetic

    /// a + b (b's sign flipped first for a subtraction).
    static func add(_ a: X87Float, _ b: X87Float, _ r: X87Rounding) -> (X87Float, UInt16) {
        if a.isUnsupported || b.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if a.isNaN || b.isNaN { return propagateNaN(a, b) }
        let flags = denormalFlag(a, b)
        if a.isInfinity || b.isInfinity {
            if a.isInfinity && b.isInfinity && a.negative != b.negative { return (.indefinite, X87Exception.invalid) }
            return (a.isInfinity ? a : b, flags)
        }
        if a.isZero && b.isZero {
            if a.negative == b.negative { return (a, flags) }
            return (.zero(r.mode == 1), flags)
        }
        if a.isZero || b.isZero {
            let (v, f) = pack(wide(a.isZero ? b : a), r)
            return (v, f | flags)
        }
        var x = wide(a), y = wide(b)
        if y.exp > x.exp || (y.exp == x.exp && y.hi > x.hi) { swap(&x, &y) }
        let (yh, yl) = shiftRightSticky(y.hi, 0, x.exp - y.exp)
        var w = X87Wide(negative: x.negative, exp: x.exp, hi: 0, lo: 0)
        if x.negative == y.negative {
            let (lo, c1) = x.lo.addingReportingOverflow(yl)
            var (hi, c2) = x.hi.addingReportingOverflow(yh)
            if c1 { let (h, c3) = hi.addingReportingOverflow(1); hi = h; c2 = c2 || c3 }
            if c2 {
                let (h, l) = shiftRightSticky(hi, lo, 1)
                w.hi = h | 1 << 63; w.lo = l; w.exp += 1
            } else {
                w.hi = hi; w.lo = lo
            }
        } else {
            let (lo, borrow) = x.lo.subtractingReportingOverflow(yl)
            let hi = x.hi &- yh &- (borrow ? 1 : 0)
            if hi == 0 && lo == 0 { return (.zero(r.mode == 1), flags) }
            let (h, l, z) = normalize(hi, lo)
            w.hi = h; w.lo = l; w.exp -= z
        }
        let (v, f) = pack(w, r)
        return (v, f | flags)
    }

    static func multiply(_ a: X87Float, _ b: X87Float, _ r: X87Rounding) -> (X87Float, UInt16) {
        if a.isUnsupported || b.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if a.isNaN || b.isNaN { return propagateNaN(a, b) }
        let flags = denormalFlag(a, b)
        let negative = a.negative != b.negative
        if a.isInfinity || b.isInfinity {
            if a.isZero || b.isZero { return (.indefinite, X87Exception.invalid) }
            return (.infinity(negative), flags)
        }
        if a.isZero || b.isZero { return (.zero(negative), flags) }
        let x = wide(a), y = wide(b)
        var (hi, lo) = x.hi.multipliedFullWidth(by: y.hi)
        var e = x.exp + y.exp + 1
        if hi >> 63 == 0 {
            hi = hi << 1 | lo >> 63
            lo <<= 1
            e -= 1
        }
        let (v, f) = pack(X87Wide(negative: negative, exp: e, hi: hi, lo: lo), r)
        return (v, f | flags)
    }

    static func divide(_ a: X87Float, _ b: X87Float, _ r: X87Rounding) -> (X87Float, UInt16) {
        if a.isUnsupported || b.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if a.isNaN || b.isNaN { return propagateNaN(a, b) }
        let flags = denormalFlag(a, b)
        let negative = a.negative != b.negative
        if a.isInfinity {
            if b.isInfinity { return (.indefinite, X87Exception.invalid) }
            return (.infinity(negative), flags)
        }
        if b.isInfinity { return (.zero(negative), flags) }
        if b.isZero {
            if a.isZero { return (.indefinite, X87Exception.invalid) }
            return (.infinity(negative), X87Exception.zeroDivide)   // a denormal dividend unreported (host)
        }
        if a.isZero { return (.zero(negative), flags) }
        let x = wide(a), y = wide(b)
        // Q = x.hi * 2^127 / y.hi, 128 bits, in [2^126, 2^128).
        let (q1, r1) = y.hi.dividingFullWidth((high: x.hi >> 1, low: x.hi << 63))
        let (q2, r2) = y.hi.dividingFullWidth((high: r1, low: 0))
        var hi = q1, lo = q2 | (r2 != 0 ? 1 : 0)
        var e = x.exp - y.exp
        if hi >> 63 == 0 {
            hi = hi << 1 | lo >> 63
            lo = lo << 1 | (lo & 1)
            e -= 1
        }
        let (v, f) = pack(X87Wide(negative: negative, exp: e, hi: hi, lo: lo), r)
        return (v, f | flags)
    }

    static func squareRoot(_ a: X87Float, _ r: X87Rounding) -> (X87Float, UInt16) {
        if a.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if a.isNaN { return propagateNaN(a, a) }
        if a.isZero { return (a, 0) }
        if a.negative { return (.indefinite, X87Exception.invalid) }
        if a.isInfinity { return (a, 0) }
        let flags = a.isDenormal ? X87Exception.denormal : 0
        let x = wide(a)
        // N = significand * 2^64 (odd exponent) or * 2^63 (even), in [2^126, 2^128).
        let odd = x.exp & 1 != 0
        let nHi = odd ? x.hi : x.hi >> 1
        let nLo: UInt64 = odd ? 0 : x.hi << 63
        let (root, remHi, remLo) = integerSquareRoot(nHi, nLo)
        // The exact root is never halfway: the remainder says whether it is above root + 1/2.
        let above = remHi != 0 || remLo > root
        let lo: UInt64 = remHi == 0 && remLo == 0 ? 0 : (above ? 0xc000_0000_0000_0000 : 0x4000_0000_0000_0000)
        let e = (odd ? x.exp - 1 : x.exp) / 2
        let (v, f) = pack(X87Wide(negative: false, exp: e, hi: root, lo: lo), r)
        return (v, f | flags)
    }

    /// The 64-bit integer square root of the 128-bit (hi, lo) and the remainder (hi, lo).
    static func integerSquareRoot(_ nHi: UInt64, _ nLo: UInt64) -> (UInt64, UInt64, UInt64) {
        var remHi: UInt64 = 0, remLo: UInt64 = 0, root: UInt64 = 0
        for i in 0..<64 {
            // Bring down the next two bits of N.
            let shift = 126 - 2 * i
            let two = shift >= 64 ? (nHi >> UInt64(shift - 64)) & 3 : (nLo >> UInt64(shift)) & 3
            remHi = remHi << 2 | remLo >> 62
            remLo = remLo << 2 | two
            // trial = 4 * root + 1 (up to 66 bits).
            let tHi = root >> 62, tLo = root << 2 | 1
            if remHi > tHi || (remHi == tHi && remLo >= tLo) {
                let (l, borrow) = remLo.subtractingReportingOverflow(tLo)
                remHi = remHi &- tHi &- (borrow ? 1 : 0)
                remLo = l
                root = root << 1 | 1
            } else {
                root <<= 1
            }
        }
        return (root, remHi, remLo)
    }

    // MARK: Comparison

    /// The order of a and b: -1, 0, 1, or nil when unordered; flags: invalid for a signaling
    /// NaN (any NaN when `signaling`) or an unsupported operand.
    static func compare(_ a: X87Float, _ b: X87Float, signaling: Bool) -> (Int?, UInt16) {
        if a.isUnsupported || b.isUnsupported { return (nil, X87Exception.invalid) }
        if a.isNaN || b.isNaN {
            let invalid = signaling || a.isSignalingNaN || b.isSignalingNaN
            return (nil, invalid ? X87Exception.invalid : 0)
        }
        let flags = denormalFlag(a, b)
        if a.isZero && b.isZero { return (0, flags) }
        if a.negative != b.negative { return (a.negative ? -1 : 1, flags) }
        // Same sign: compare magnitudes (denormals have exponent 0 and no integer bit).
        let ka = (UInt64(a.se & 0x7fff), a.m), kb = (UInt64(b.se & 0x7fff), b.m)
        if ka == kb { return (0, flags) }
        let less = ka < kb
        return ((less != a.negative) ? -1 : 1, flags)
    }

    // MARK: Conversions

    static func fromDouble(_ v: UInt64) -> (X87Float, UInt16) { fromBinary(v, single: false) }
    static func fromSingle(_ v: UInt32) -> (X87Float, UInt16) { fromBinary(UInt64(v), single: true) }

    /// A double (`single`: a float, in the low 32 bits) widened exactly; a signaling NaN is
    /// quieted and raises invalid, a denormal raises the denormal flag.
    static func fromBinary(_ v: UInt64, single: Bool) -> (X87Float, UInt16) {
        let fracBits = single ? 23 : 52, expBits = single ? 8 : 11, formatBias = single ? 127 : 1023
        let sign: UInt16 = v >> UInt64(fracBits + expBits) & 1 != 0 ? 0x8000 : 0
        let expAllOnes = (1 << expBits) - 1
        let e = Int(truncatingIfNeeded: v >> UInt64(fracBits)) & expAllOnes
        let frac = v & ((1 << UInt64(fracBits)) - 1)
        let shift = UInt64(63 - fracBits)
        if e == expAllOnes {
            if frac == 0 { return (X87Float(se: sign | 0x7fff, m: 1 << 63), 0) }
            let quiet = frac >> UInt64(fracBits - 1) != 0
            return (X87Float(se: sign | 0x7fff, m: 1 << 63 | 1 << 62 | frac << shift), quiet ? 0 : X87Exception.invalid)
        }
        if e == 0 {
            if frac == 0 { return (X87Float(se: sign, m: 0), 0) }
            let z = frac.leadingZeroBitCount
            return (X87Float(se: sign | UInt16(1 - formatBias + bias - (z - Int(shift))), m: frac << UInt64(z)), X87Exception.denormal)
        }
        return (X87Float(se: sign | UInt16(e - formatBias + bias), m: 1 << 63 | frac << shift), 0)
    }

    static func fromInteger(_ v: Int64) -> X87Float {
        if v == 0 { return .zero(false) }
        let magnitude = v.magnitude
        let z = magnitude.leadingZeroBitCount
        return X87Float(se: (v < 0 ? 0x8000 : 0) | UInt16(63 - z + bias), m: magnitude << UInt64(z))
    }

    /// x rounded to a double (`single`: to a float), as the low bits of the result.
    /// (The unmasked flags: `round`'s; the value is then meaningless.)
    static func toBinary(_ x: X87Float, mode: UInt8, single: Bool,
                         overflowUnmasked: Bool = false, underflowUnmasked: Bool = false) -> (UInt64, UInt16) {
        let fracBits = single ? 23 : 52
        let expBits = single ? 8 : 11
        let formatBias = single ? 127 : 1023
        let sign: UInt64 = x.negative ? 1 << UInt64(fracBits + expBits) : 0
        let expAllOnes = UInt64((1 << expBits) - 1) << UInt64(fracBits)
        if x.isUnsupported {
            return (single ? 0xffc0_0000 : 0xfff8_0000_0000_0000, X87Exception.invalid)
        }
        if x.isNaN {
            let payload = (x.m >> UInt64(63 - fracBits)) & ((1 << UInt64(fracBits)) - 1)
            return (sign | expAllOnes | payload | 1 << UInt64(fracBits - 1), x.isSignalingNaN ? X87Exception.invalid : 0)
        }
        if x.isInfinity { return (sign | expAllOnes, 0) }
        if x.isZero { return (sign, 0) }
        var w = wide(x)
        w.negative = x.negative
        let (e, sig, infinite, f) = round(w, bits: fracBits + 1, mode: mode, emin: 1 - formatBias, emax: formatBias,
                                          overflowUnmasked: overflowUnmasked, underflowUnmasked: underflowUnmasked)
        // No denormal flag for a denormal extended operand (fst, as on the host; SSE's
        // operands come widened from their format, where it was raised).
        let flags = f
        if infinite || e > formatBias { return (sign | expAllOnes, flags) }
        if e < 1 - formatBias { return (sign, flags) }
        let frac = sig >> UInt64(63 - fracBits)
        if sig >> 63 == 0 { return (sign | frac, flags) }
        return (sign | UInt64(e + formatBias) << UInt64(fracBits) | (frac & ((1 << UInt64(fracBits)) - 1)), flags)
    }

    /// x rounded to an integer value (RC `mode`): the magnitude (nil if 2^64 or more), and the
    /// flags (precision when inexact, roundedUp when the magnitude was incremented).
    static func integerPart(_ x: X87Float, mode: UInt8) -> (UInt64?, UInt16) {
        let w = wide(x)
        let fractionBits = 63 - w.exp
        if fractionBits <= 0 { return (fractionBits < 0 ? nil : w.hi, 0) }
        let (int, rest) = shiftRightSticky(w.hi, 0, fractionBits)
        let inexact = rest != 0
        var up = false
        switch mode {
        case 0: up = rest > 1 << 63 || (rest == 1 << 63 && int & 1 != 0)
        case 1: up = inexact && x.negative
        case 2: up = inexact && !x.negative
        default: up = false
        }
        let flags: UInt16 = (inexact ? X87Exception.precision : 0) | (up ? X87Exception.roundedUp : 0)
        if up {
            let (sum, carry) = int.addingReportingOverflow(1)
            return (carry ? nil : sum, flags)
        }
        return (int, flags)
    }

    /// fist/fistp/fisttp: x as a signed integer of `size` (1: 16, 2: 32, 3: 64 bits); NaN,
    /// infinity and out-of-range values give the "integer indefinite" and raise invalid.
    static func toInteger(_ x: X87Float, size: UInt8, mode: UInt8) -> (UInt64, UInt16) {
        let bits = 8 << UInt64(size)
        let indefinite: UInt64 = 1 << (bits - 1)
        if x.isUnsupported || x.isNaN || x.isInfinity { return (indefinite, X87Exception.invalid) }
        if x.isZero { return (0, 0) }
        let (magnitude, flags) = integerPart(x, mode: mode)     // no DE for a denormal (host)
        guard let magnitude, magnitude <= (x.negative ? indefinite : indefinite - 1) else {
            return (indefinite, X87Exception.invalid)
        }
        let v = x.negative ? 0 &- magnitude : magnitude
        return (bits == 64 ? v : v & ((1 << bits) - 1), flags)
    }

    /// frndint: x rounded to an integral value.
    static func roundToIntegral(_ x: X87Float, mode: UInt8) -> (X87Float, UInt16) {
        if x.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if x.isNaN { return propagateNaN(x, x) }
        if x.isInfinity || x.isZero { return (x, 0) }
        let w = wide(x)
        if w.exp >= 63 { return (x, 0) }
        let (magnitude, rounding) = integerPart(x, mode: mode)
        let flags = rounding | (x.isDenormal ? X87Exception.denormal : 0)
        guard let magnitude, magnitude != 0 else { return (.zero(x.negative), flags) }
        let z = magnitude.leadingZeroBitCount
        let v = X87Float(se: (x.negative ? 0x8000 : 0) | UInt16(63 - z + bias), m: magnitude << UInt64(z))
        return (v, flags)
    }

    /// fscale: a * 2^trunc(b).
    static func scale(_ a: X87Float, _ b: X87Float, _ r: X87Rounding) -> (X87Float, UInt16) {
        if a.isUnsupported || b.isUnsupported { return (.indefinite, X87Exception.invalid) }
        if a.isNaN || b.isNaN { return propagateNaN(a, b) }
        let flags = denormalFlag(a, b)
        if b.isInfinity {
            if b.negative { return a.isInfinity ? (.indefinite, X87Exception.invalid) : (.zero(a.negative), flags) }
            return a.isZero ? (.indefinite, X87Exception.invalid) : (a.isInfinity ? a : .infinity(a.negative), flags)
        }
        // (A denormal scaled by 0 is still a tiny result: with underflow unmasked it is adjusted.)
        if a.isZero || a.isInfinity || (b.isZero && !(a.isDenormal && r.underflowUnmasked)) { return (a, flags) }
        let (magnitude, _) = integerPart(b, mode: 3)
        let k = min(Int(clamping: magnitude ?? UInt64.max), 1 << 20)
        var w = wide(a)
        w.exp += b.negative ? -k : k
        var rounding = X87Rounding(mode: r.mode, bits: 64)     // PC does not apply
        rounding.overflowUnmasked = r.overflowUnmasked
        rounding.underflowUnmasked = r.underflowUnmasked
        let (v, f) = pack(w, rounding)
        return (v, f | flags)
    }

    /// fprem (`nearest` false: truncated quotient) and fprem1 (quotient rounded to nearest):
    /// the partial remainder of a / b, the quotient's low three bits, and whether the
    /// reduction is complete (else C2 is set and the instruction is executed again). The
    /// quotient is nil for a NaN or invalid operation (the condition codes are then undefined).
    static func remainder(_ a: X87Float, _ b: X87Float, nearest: Bool)
        -> (X87Float, quotient: UInt64?, complete: Bool, flags: UInt16) {
        if a.isUnsupported || b.isUnsupported { return (.indefinite, nil, true, X87Exception.invalid) }
        if a.isNaN || b.isNaN { let (v, f) = propagateNaN(a, b); return (v, nil, true, f) }
        let flags = denormalFlag(a, b)
        if a.isInfinity || b.isZero { return (.indefinite, nil, true, X87Exception.invalid) }
        if a.isZero || b.isInfinity { return (a, 0, true, flags) }
        let x = wide(a), y = wide(b)
        var d = x.exp - y.exp
        if d < 0 {
            // |a| < |b|: the quotient is 0 (fprem), or 1 when |a| > |b| / 2 (fprem1).
            if !nearest || d < -1 { return (a, 0, true, flags) }
        }
        var complete = true
        if d >= 64 {
            // A partial step: reduce the exponent difference by 32...63 bits.
            complete = false
            d = 32 + (d - 32) % 32
        }
        // x.hi * 2^max(d,0) = q * y.hi + rem, by long division.
        var rem = x.hi, q: UInt64 = 0
        var remExp = y.exp   // rem is in units of 2^(remExp - 63)
        if d >= 0 {
            if rem >= y.hi { rem -= y.hi; q = 1 }
            for _ in 0..<d {
                let (twice, carry) = rem.addingReportingOverflow(rem)
                q <<= 1
                if carry || twice >= y.hi { rem = twice &- y.hi; q |= 1 } else { rem = twice }
            }
            if !complete { remExp = x.exp - d }
        } else {
            remExp = x.exp   // d == -1: rem = |a|, q = 0
        }
        var negative = x.negative
        if nearest && complete {
            // Round the quotient to nearest: compare rem with y / 2 in rem's units.
            let halfCompare: Int
            if d >= 0 {
                let (twice, carry) = rem.addingReportingOverflow(rem)
                halfCompare = carry || twice > y.hi ? 1 : (twice == y.hi ? 0 : -1)
            } else {
                halfCompare = rem > y.hi ? 1 : (rem == y.hi ? 0 : -1)   // rem is a / 2 in y's units
            }
            if halfCompare > 0 || (halfCompare == 0 && q & 1 != 0) {
                // rem - y: negative, so the result is y - rem with the other sign.
                if d >= 0 { rem = y.hi - rem } else {
                    // |a| in units of 2^(x.exp - 63) against y = 2 * ... : compute y - |a| exactly.
                    let (hi, lo) = (y.hi, UInt64(0))
                    let (ah, al) = shiftRightSticky(x.hi, 0, 1)
                    let (l, borrow) = lo.subtractingReportingOverflow(al)
                    let h = hi &- ah &- (borrow ? 1 : 0)
                    let (nh, nl, z) = normalize(h, l)
                    return (pack(X87Wide(negative: !negative, exp: y.exp - z, hi: nh, lo: nl), X87Rounding(mode: 0, bits: 64)).0, 1, true, flags)
                }
                q &+= 1
                negative.toggle()
            }
        }
        if rem == 0 { return (.zero(x.negative), q & 7, complete, flags) }
        let z = rem.leadingZeroBitCount
        let (v, _) = pack(X87Wide(negative: negative, exp: remExp - z, hi: rem << UInt64(z), lo: 0), X87Rounding(mode: 0, bits: 64))
        return (v, q & 7, complete, flags)
    }

    /// fxtract: (exponent, significand) of a.
    static func extract(_ a: X87Float) -> (X87Float, X87Float, UInt16) {
        if a.isUnsupported { return (.indefinite, .indefinite, X87Exception.invalid) }
        if a.isNaN { let (v, f) = propagateNaN(a, a); return (v, v, f) }
        if a.isInfinity { return (.infinity(false), a, 0) }
        if a.isZero { return (.infinity(true), a, X87Exception.zeroDivide) }
        let w = wide(a)
        return (fromInteger(Int64(w.exp)), X87Float(se: (a.negative ? 0x8000 : 0) | UInt16(bias), m: w.hi),
                a.isDenormal ? X87Exception.denormal : 0)
    }

    /// The constants of fld1, fldl2t, fldl2e, fldpi, fldlg2, fldln2, fldz (D9 E8...EE): the x87
    /// keeps them with more bits than 64 and rounds them per RC; the irrational ones are never
    /// exact, so "up" always rounds up, "nearest" when the 65th bit is set.
    static func constant(_ which: Int, mode: UInt8) -> X87Float {
        // (biased exponent, top 64 bits, 65th bit)
        let table: [(UInt16, UInt64, Bool)] = [
            (0x3fff, 0x8000_0000_0000_0000, false),
            (0x4000, 0xd49a_784b_cd1b_8afe, false),     // log2(10)
            (0x3fff, 0xb8aa_3b29_5c17_f0bb, true),      // log2(e)
            (0x4000, 0xc90f_daa2_2168_c234, true),      // pi
            (0x3ffd, 0x9a20_9a84_fbcf_f798, true),      // log10(2)
            (0x3ffe, 0xb172_17f7_d1cf_79ab, true),      // ln(2)
        ]
        if which >= table.count { return .zero(false) }
        let (e, m, roundBit) = table[which]
        let up = which != 0 && (mode == 2 || (mode == 0 && roundBit))
        return X87Float(se: e, m: up ? m + 1 : m)
    }
}
