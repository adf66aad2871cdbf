// Conversions between floating-point formats and integers (fcvt.*), with RISC-V's saturation
// rules: NaN and too-large positive values give the largest integer, too-negative values the
// smallest (0 for unsigned), raising only invalid; in-range results raise inexact if rounded.

/// The integer destinations of fcvt.{w,wu,l,lu}.*.
enum IntegerKind {
    case int32, uint32, int64, uint64

    var isSigned: Bool { self == .int32 || self == .int64 }
    /// Largest representable magnitude for positive and negative results.
    var maxPositive: UInt64 {
        switch self {
        case .int32: return UInt64(Int32.max)
        case .uint32: return UInt64(UInt32.max)
        case .int64: return UInt64(Int64.max)
        case .uint64: return UInt64.max
        }
    }
    var maxNegative: UInt64 {
        switch self {
        case .int32: return UInt64(Int32.max) + 1
        case .int64: return UInt64(Int64.max) + 1
        default: return 0
        }
    }
    /// The register value (32-bit results are sign-extended) of the saturated extremes.
    var maxValue: UInt64 {
        switch self {
        case .int32: return UInt64(bitPattern: Int64(Int32.max))
        case .uint32: return UInt64.max      // 0xffffffff sign-extended
        case .int64: return UInt64(bitPattern: Int64.max)
        case .uint64: return UInt64.max
        }
    }
    var minValue: UInt64 {
        switch self {
        case .int32: return UInt64(bitPattern: Int64(Int32.min))
        case .int64: return UInt64(bitPattern: Int64.min)
        default: return 0
        }
    }
}

extension SoftFloat {
    /// fcvt.{w,wu,l,lu}.{s,d}: the integer register value and flags.
    static func toInteger(_ a: UInt64, _ fmt: FloatFormat, _ kind: IntegerKind, _ rm: RoundingMode,
                          _ flags: inout FloatFlags) -> UInt64 {
        switch fmt.classify(a) {
        case .quietNaN, .signalingNaN:
            flags.insert(.invalid)
            return kind.maxValue
        case .infinity:
            flags.insert(.invalid)
            return fmt.sign(a) ? kind.minValue : kind.maxValue
        case .zero:
            return 0
        case .finite:
            break
        }
        let x = fmt.unpack(a)
        // Integer magnitude and rounding of sig × 2^(exp - 62).
        var magnitude: UInt64
        var inexact = false
        if x.exponent >= 64 {
            flags.insert(.invalid)
            return x.sign ? kind.minValue : kind.maxValue
        } else if x.exponent >= 62 {
            magnitude = x.significand << UInt64(x.exponent - 62)
        } else {
            let shift = 62 - x.exponent                // >= 1
            let q = shift >= 64 ? 0 : x.significand >> UInt64(shift)
            let rest: UInt64, half: UInt64
            if shift >= 64 {
                rest = x.significand; half = UInt64(1) << 63   // value < 1/2: rest below half
            } else {
                rest = x.significand & ((UInt64(1) << UInt64(shift)) - 1)
                half = UInt64(1) << UInt64(shift - 1)
            }
            magnitude = q
            inexact = rest != 0
            if roundsUp(rm, negative: x.sign, odd: q & 1 != 0, rest: rest, half: half) { magnitude += 1 }
        }
        let limit = x.sign ? kind.maxNegative : kind.maxPositive
        if magnitude > limit {
            flags.insert(.invalid)
            return x.sign ? kind.minValue : kind.maxValue
        }
        if inexact { flags.insert(.inexact) }
        let value = x.sign ? 0 &- magnitude : magnitude
        switch kind {
        case .int32, .uint32: return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
        case .int64, .uint64: return value
        }
    }

    /// fcvt.{s,d}.{w,wu,l,lu}: `value` is the source register.
    static func fromInteger(_ value: UInt64, _ kind: IntegerKind, _ fmt: FloatFormat, _ rm: RoundingMode,
                            _ flags: inout FloatFlags) -> UInt64 {
        let v: UInt64
        let negative: Bool
        switch kind {
        case .int32:
            let s = Int64(Int32(truncatingIfNeeded: value))
            negative = s < 0; v = s.magnitude
        case .uint32:
            negative = false; v = value & 0xffff_ffff
        case .int64:
            let s = Int64(bitPattern: value)
            negative = s < 0; v = s.magnitude
        case .uint64:
            negative = false; v = value
        }
        if v == 0 { return 0 }
        return fromInteger(negative, v, fmt, rm, &flags)
    }

    /// fcvt.s.d and fcvt.d.s.
    static func convert(_ a: UInt64, from src: FloatFormat, to dst: FloatFormat, _ rm: RoundingMode,
                        _ flags: inout FloatFlags) -> UInt64 {
        switch src.classify(a) {
        case .quietNaN, .signalingNaN:
            _ = propagateNaN(src, a, flags: &flags)
            return dst.canonicalNaN
        case .infinity: return dst.infinity(src.sign(a))
        case .zero: return dst.zero(src.sign(a))
        case .finite:
            let x = src.unpack(a)
            return roundPack(x.sign, x.exponent, x.significand, dst, rm, &flags)
        }
    }
}
