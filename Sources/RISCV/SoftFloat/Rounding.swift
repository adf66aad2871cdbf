// Rounding an exact (or sticky-marked) result to a format under any of the five rounding modes,
// with IEEE flags: overflow, underflow (tininess detected after rounding, as RISC-V specifies)
// and inexact.

enum SoftFloat {
    /// Shifts right, OR-ing any bits shifted out into bit 0 ("jamming").
    @inline(__always) static func shiftRightJam(_ v: UInt64, _ n: Int) -> UInt64 {
        if n <= 0 { return v }
        if n >= 64 { return v != 0 ? 1 : 0 }
        return (v >> UInt64(n)) | (v << UInt64(64 - n) != 0 ? 1 : 0)
    }

    /// Whether to add one unit in the last place, given the kept magnitude's lowest bit, the
    /// discarded bits `rest` and the value of half a unit `half` (rest < 2 × half).
    @inline(__always)
    static func roundsUp(_ rm: RoundingMode, negative: Bool, odd: Bool, rest: UInt64, half: UInt64) -> Bool {
        switch rm {
        case .nearestEven: return rest > half || (rest == half && odd)
        case .nearestMaxMagnitude: return rest >= half
        case .towardZero: return false
        case .down: return negative && rest != 0
        case .up: return !negative && rest != 0
        }
    }

    /// Rounds (-1)^sign × (sig / 2^62) × 2^exp, sig in [2^62, 2^63), to `fmt`.
    static func roundPack(_ negative: Bool, _ exponent: Int, _ sig: UInt64, _ fmt: FloatFormat,
                          _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        let extra = 63 - fmt.precision                 // discarded low bits of a normal result
        let half = UInt64(1) << UInt64(extra - 1)
        let restMask = (UInt64(1) << UInt64(extra)) - 1
        var exp = exponent
        var s = sig
        var tiny = false
        if exp < fmt.minExponent {
            // Tiny after rounding unless rounding to `precision` bits with an unbounded exponent
            // carries the value up to 2^minExponent.
            let q = s >> UInt64(extra)
            let up = roundsUp(rm, negative: negative, odd: q & 1 != 0, rest: s & restMask, half: half)
            tiny = !(exp == fmt.minExponent - 1 && up && q + 1 == UInt64(1) << UInt64(fmt.precision))
            s = shiftRightJam(s, fmt.minExponent - exp)
            exp = fmt.minExponent
        }
        let rest = s & restMask
        var q = s >> UInt64(extra)
        if roundsUp(rm, negative: negative, odd: q & 1 != 0, rest: rest, half: half) {
            q += 1
            if q == UInt64(1) << UInt64(fmt.precision) {
                q >>= 1
                exp += 1
            }
        }
        if rest != 0 {
            flags.insert(.inexact)
            if tiny { flags.insert(.underflow) }
        }
        if exp > fmt.maxExponent {
            flags.formUnion([.overflow, .inexact])
            let toInfinity: Bool
            switch rm {
            case .nearestEven, .nearestMaxMagnitude: toInfinity = true
            case .towardZero: toInfinity = false
            case .down: toInfinity = negative
            case .up: toInfinity = !negative
            }
            return (toInfinity ? fmt.infinity : fmt.largestFinite) | (negative ? fmt.signBit : 0)
        }
        // q carries the hidden bit, which lands in the exponent field: a subnormal (exp at the
        // minimum, hidden bit clear) packs with exponent field 0, one that rounded up to the
        // smallest normal with field 1.
        let biased = UInt64(exp + fmt.bias - 1)
        return (negative ? fmt.signBit : 0) | ((biased << UInt64(fmt.fractionBits)) &+ q)
    }

    /// Rounds a nonzero integer magnitude to `fmt`.
    static func fromInteger(_ negative: Bool, _ magnitude: UInt64, _ fmt: FloatFormat,
                            _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        let lz = magnitude.leadingZeroBitCount
        let sig = shiftRightJam(magnitude << UInt64(lz), 1)
        return roundPack(negative, 63 - lz, sig, fmt, rm, &flags)
    }
}
