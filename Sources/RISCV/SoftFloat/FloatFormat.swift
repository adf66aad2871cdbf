// IEEE 754 binary32/binary64 parameters, exception flags, rounding modes and the unpacked form
// the software floating-point operations work on. Values are passed as raw bits in a UInt64
// (binary32 in the low 32 bits).

/// fflags bits.
struct FloatFlags: OptionSet {
    let rawValue: UInt8
    static let inexact = FloatFlags(rawValue: 1)
    static let underflow = FloatFlags(rawValue: 2)
    static let overflow = FloatFlags(rawValue: 4)
    static let divideByZero = FloatFlags(rawValue: 8)
    static let invalid = FloatFlags(rawValue: 16)
}

/// The five IEEE rounding modes, numbered as in the frm field.
enum RoundingMode: UInt8 {
    case nearestEven = 0, towardZero = 1, down = 2, up = 3, nearestMaxMagnitude = 4
}

struct FloatFormat {
    /// Precision including the hidden bit (24 or 53).
    let precision: Int
    let exponentBits: Int

    static let single = FloatFormat(precision: 24, exponentBits: 8)
    static let double = FloatFormat(precision: 53, exponentBits: 11)

    var fractionBits: Int { precision - 1 }
    var width: Int { precision + exponentBits }
    var bias: Int { (1 << (exponentBits - 1)) - 1 }
    var minExponent: Int { 1 - bias }
    var maxExponent: Int { bias }
    var fractionMask: UInt64 { (1 << UInt64(fractionBits)) - 1 }
    var exponentMask: UInt64 { (1 << UInt64(exponentBits)) - 1 }
    var signBit: UInt64 { 1 << UInt64(width - 1) }
    var infinity: UInt64 { exponentMask << UInt64(fractionBits) }
    var largestFinite: UInt64 { infinity - 1 }
    var canonicalNaN: UInt64 { infinity | 1 << UInt64(fractionBits - 1) }
    var quietBit: UInt64 { 1 << UInt64(fractionBits - 1) }
}

/// What kind of value a bit pattern holds.
enum FloatClass {
    case zero, finite, infinity, quietNaN, signalingNaN
    var isNaN: Bool { self == .quietNaN || self == .signalingNaN }
}

/// A finite nonzero value: (-1)^sign × (significand / 2^62) × 2^exponent with the significand
/// normalised to [2^62, 2^63); low bits may carry a sticky 1 for discarded nonzero bits.
struct Unpacked {
    var sign: Bool
    var exponent: Int
    var significand: UInt64
}

extension FloatFormat {
    func classify(_ bits: UInt64) -> FloatClass {
        let e = (bits >> UInt64(fractionBits)) & exponentMask
        let f = bits & fractionMask
        if e == exponentMask {
            if f == 0 { return .infinity }
            return f & quietBit != 0 ? .quietNaN : .signalingNaN
        }
        if e == 0 && f == 0 { return .zero }
        return .finite
    }

    func isSignaling(_ bits: UInt64) -> Bool { classify(bits) == .signalingNaN }
    func isNaN(_ bits: UInt64) -> Bool { classify(bits).isNaN }
    func sign(_ bits: UInt64) -> Bool { bits & signBit != 0 }

    /// Unpacks a finite nonzero value (normal or subnormal).
    func unpack(_ bits: UInt64) -> Unpacked {
        let e = Int((bits >> UInt64(fractionBits)) & exponentMask)
        let f = bits & fractionMask
        let shiftUp = UInt64(62 - fractionBits)
        if e == 0 {
            let s = f << shiftUp
            let k = s.leadingZeroBitCount - 1
            return Unpacked(sign: sign(bits), exponent: minExponent - k, significand: s << UInt64(k))
        }
        return Unpacked(sign: sign(bits), exponent: e - bias, significand: (f | 1 << UInt64(fractionBits)) << shiftUp)
    }

    func zero(_ negative: Bool) -> UInt64 { negative ? signBit : 0 }
    func infinity(_ negative: Bool) -> UInt64 { infinity | (negative ? signBit : 0) }
}
