// fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber as RISC-V F 2.2 specifies), the
// comparisons feq (quiet) and flt/fle (signaling), and fclass.

extension SoftFloat {
    /// fmin (`max` false) / fmax: a NaN operand yields the other operand, two NaNs the canonical
    /// NaN; -0 orders below +0; signaling NaNs raise invalid.
    static func minMax(_ a: UInt64, _ b: UInt64, max: Bool, _ fmt: FloatFormat, _ flags: inout FloatFlags) -> UInt64 {
        let an = fmt.isNaN(a), bn = fmt.isNaN(b)
        if fmt.isSignaling(a) || fmt.isSignaling(b) { flags.insert(.invalid) }
        if an && bn { return fmt.canonicalNaN }
        if an { return b }
        if bn { return a }
        let aLess = less(a, b, fmt) || (fmt.sign(a) && !fmt.sign(b) && isZero(a, fmt) && isZero(b, fmt))
        return aLess != max ? a : b
    }

    static func isZero(_ a: UInt64, _ fmt: FloatFormat) -> Bool { a & ~fmt.signBit == 0 }

    /// a < b for non-NaN values (IEEE: -0 == +0).
    static func less(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat) -> Bool {
        let sa = fmt.sign(a), sb = fmt.sign(b)
        let ma = a & ~fmt.signBit, mb = b & ~fmt.signBit
        if ma == 0 && mb == 0 { return false }
        if sa != sb { return sa }
        return sa ? ma > mb : ma < mb
    }

    /// feq (quiet: invalid only for signaling NaNs).
    static func equal(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ flags: inout FloatFlags) -> Bool {
        if fmt.isNaN(a) || fmt.isNaN(b) {
            if fmt.isSignaling(a) || fmt.isSignaling(b) { flags.insert(.invalid) }
            return false
        }
        return a == b || (isZero(a, fmt) && isZero(b, fmt))
    }

    /// flt / fle (signaling: invalid for any NaN).
    static func lessThan(_ a: UInt64, _ b: UInt64, orEqual: Bool, _ fmt: FloatFormat, _ flags: inout FloatFlags) -> Bool {
        if fmt.isNaN(a) || fmt.isNaN(b) {
            flags.insert(.invalid)
            return false
        }
        if less(a, b, fmt) { return true }
        return orEqual && (a == b || (isZero(a, fmt) && isZero(b, fmt)))
    }

    /// fclass: one bit set among -inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf,
    /// signaling NaN, quiet NaN.
    static func classMask(_ a: UInt64, _ fmt: FloatFormat) -> UInt64 {
        let negative = fmt.sign(a)
        switch fmt.classify(a) {
        case .infinity: return negative ? 1 << 0 : 1 << 7
        case .zero: return negative ? 1 << 3 : 1 << 4
        case .signalingNaN: return 1 << 8
        case .quietNaN: return 1 << 9
        case .finite:
            let subnormal = (a >> UInt64(fmt.fractionBits)) & fmt.exponentMask == 0
            if negative { return subnormal ? 1 << 2 : 1 << 1 }
            return subnormal ? 1 << 5 : 1 << 6
        }
    }
}
