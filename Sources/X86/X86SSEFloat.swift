// SSE floating point as MXCSR says, in integers only (identical on every host and in wasm32):
// the five arithmetic operations and the conversions rounded per MXCSR.RC, with the exception
// flags the hardware accrues (IE DE ZE OE UE PE), DAZ (denormal operands read as zeros) and FTZ
// (tiny results flushed to zero, raising UE and PE). The exact arithmetic is the x87's
// (`X87Math`), rounded to the single or double format's precision and range; NaNs follow SSE's
// rules (the first NaN operand, quieted; the default NaN for an invalid operation).
// `X86Execute+MXCSR.swift` calls this only when the host's own round-to-nearest result cannot
// be used as it is. The masked response is computed here; an unmasked exception is taken by
// `X86Execute+SIMDException.swift`.

/// add, sub, mul, div, sqrt (sqrt reads only its second operand).
package enum X86FloatOperation: UInt8 {
    case add, sub, mul, div, sqrt
}

enum X86SSEFloat {
    // MXCSR bits.
    static let invalid: UInt32 = 0x01, denormal: UInt32 = 0x02, zeroDivide: UInt32 = 0x04
    static let overflow: UInt32 = 0x08, underflow: UInt32 = 0x10, precision: UInt32 = 0x20
    static let denormalsAreZero: UInt32 = 0x40, flushToZero: UInt32 = 0x8000
    /// Not MXCSR's (its bits 16-31 are reserved): set while an instruction runs with underflow
    /// unmasked (`withSIMDExceptions`), when every tiny result raises UE, exact or not, and
    /// FTZ does not apply.
    static let reportTiny: UInt32 = 0x1_0000
    /// Likewise with overflow unmasked: the flags of the result rounded with an unbounded
    /// exponent (precision only when that is inexact).
    static let reportOverflow: UInt32 = 0x2_0000

    @inline(__always) static func roundingMode(_ mxcsr: UInt32) -> UInt8 { UInt8((mxcsr >> 13) & 3) }

    // MARK: Raw bits of either format (single: the low 32 bits)

    @inline(__always) static func signBit(_ single: Bool) -> UInt64 { single ? 0x8000_0000 : 1 << 63 }
    @inline(__always) static func quietBit(_ single: Bool) -> UInt64 { single ? 0x0040_0000 : 1 << 51 }
    @inline(__always) static func isNaN(_ v: UInt64, _ single: Bool) -> Bool {
        single ? X86Float.isNaN32(UInt32(truncatingIfNeeded: v)) : X86Float.isNaN64(v)
    }
    @inline(__always) static func isSignalingNaN(_ v: UInt64, _ single: Bool) -> Bool {
        isNaN(v, single) && v & quietBit(single) == 0
    }
    @inline(__always) static func isDenormal(_ v: UInt64, _ single: Bool) -> Bool {
        single ? v & 0x7f80_0000 == 0 && v & 0x007f_ffff != 0
               : v & 0x7ff0_0000_0000_0000 == 0 && v & 0x000f_ffff_ffff_ffff != 0
    }
    @inline(__always) static func defaultNaN(_ single: Bool) -> UInt64 {
        single ? UInt64(X86Float.defaultNaN32) : X86Float.defaultNaN64
    }

    /// An operand as the operation reads it: a denormal is a zero of its sign under DAZ.
    @inline(__always) static func operand(_ v: UInt64, _ single: Bool, _ mxcsr: UInt32) -> UInt64 {
        mxcsr & denormalsAreZero != 0 && isDenormal(v, single) ? v & signBit(single) : v
    }

    /// The flags a comparison raises (cmp*, comis*, ucomis*, min*, max*): invalid for a
    /// signaling NaN (for any NaN when `signaling`), else denormal for a denormal operand.
    static func compareFlags(_ a: UInt64, _ b: UInt64, single: Bool, signaling: Bool, mxcsr: UInt32) -> UInt32 {
        let a = operand(a, single, mxcsr), b = operand(b, single, mxcsr)
        if isNaN(a, single) || isNaN(b, single) {
            return signaling || isSignalingNaN(a, single) || isSignalingNaN(b, single) ? invalid : 0
        }
        return isDenormal(a, single) || isDenormal(b, single) ? denormal : 0
    }

    // MARK: Arithmetic

    /// a op b rounded per MXCSR, and the flags it raises.
    static func arithmetic(_ op: X86FloatOperation, _ a: UInt64, _ b: UInt64, single: Bool, mxcsr: UInt32) -> (UInt64, UInt32) {
        let a = op == .sqrt ? 0 : operand(a, single, mxcsr), b = operand(b, single, mxcsr)
        let aNaN = isNaN(a, single), bNaN = isNaN(b, single)
        if aNaN || bNaN {
            let signaling = isSignalingNaN(a, single) || isSignalingNaN(b, single)
            return ((aNaN ? a : b) | quietBit(single), signaling ? invalid : 0)
        }
        let (x, fx) = X87Math.fromBinary(a, single: single)
        let (y, fy) = X87Math.fromBinary(b, single: single)
        var rounding = X87Rounding(mode: roundingMode(mxcsr), single: single)
        rounding.overflowUnmasked = mxcsr & reportOverflow != 0
        rounding.underflowUnmasked = mxcsr & reportTiny != 0
        let v: X87Float, f: UInt16
        switch op {
        case .add: (v, f) = X87Math.add(x, y, rounding)
        case .sub: (v, f) = X87Math.add(x, y.negated, rounding)
        case .mul: (v, f) = X87Math.multiply(x, y, rounding)
        case .div: (v, f) = X87Math.divide(x, y, rounding)
        case .sqrt: (v, f) = X87Math.squareRoot(y, rounding)
        }
        if v.isNaN { return (defaultNaN(single), invalid) }
        // A division by zero does not report its denormal dividend.
        let flags = UInt32(f & 0x3f) | (UInt32(f) & zeroDivide != 0 ? 0 : UInt32(fx | fy) & denormal)
        return result(X87Math.toBinary(v, mode: 0, single: single).0, flags, single: single, mxcsr: mxcsr)
    }

    /// A rounded result under FTZ: a tiny one (denormal, or rounded up to the smallest normal
    /// from below with UE raised) becomes a zero of its sign, raising UE and PE.
    @inline(__always) static func result(_ v: UInt64, _ flags: UInt32, single: Bool, mxcsr: UInt32) -> (UInt64, UInt32) {
        if mxcsr & reportTiny != 0 { return (v, flags) }     // no FTZ; tininess raised by the rounding
        if mxcsr & flushToZero != 0 && (isDenormal(v, single) || flags & underflow != 0) {
            return (v & signBit(single), flags | underflow | precision)
        }
        return (v, flags)
    }

    // MARK: Conversions

    /// cvtss2sd (`fromSingle`) and cvtsd2ss: the value in the other format.
    static func convert(_ v: UInt64, fromSingle: Bool, mxcsr: UInt32) -> (UInt64, UInt32) {
        let v = operand(v, fromSingle, mxcsr)
        if isNaN(v, fromSingle) {
            let r = fromSingle ? X86Float.widen(UInt32(truncatingIfNeeded: v)) : UInt64(X86Float.narrow(v))
            return (r, isSignalingNaN(v, fromSingle) ? invalid : 0)
        }
        let (x, fx) = X87Math.fromBinary(v, single: fromSingle)
        let (r, f) = X87Math.toBinary(x, mode: roundingMode(mxcsr), single: !fromSingle,
                                      overflowUnmasked: mxcsr & reportOverflow != 0, underflowUnmasked: mxcsr & reportTiny != 0)
        return result(r, UInt32(f & 0x3f) | UInt32(fx) & denormal, single: !fromSingle, mxcsr: mxcsr)
    }

    /// cvtsi2ss/sd, cvtdq2ps: a signed integer rounded per MXCSR.RC (inexact: PE).
    static func fromInteger(_ v: Int64, single: Bool, mxcsr: UInt32) -> (UInt64, UInt32) {
        let (r, f) = X87Math.toBinary(X87Math.fromInteger(v), mode: roundingMode(mxcsr), single: single)
        return (r, UInt32(f) & precision)
    }

    /// cvt(t)ss2si, cvt(t)sd2si, cvt(t)ps2dq, cvt(t)pd2dq: a signed integer of `size` (2: 32,
    /// 3: 64 bits), rounded per MXCSR.RC or truncated; NaN and out-of-range values give the
    /// "integer indefinite" and raise IE, inexact results PE.
    static func toInteger(_ v: UInt64, single: Bool, size: UInt8, truncate: Bool, mxcsr: UInt32) -> (UInt64, UInt32) {
        let (x, _) = X87Math.fromBinary(operand(v, single, mxcsr), single: single)
        let (r, f) = X87Math.toInteger(x, size: size, mode: truncate ? 3 : roundingMode(mxcsr))
        return (r, UInt32(f) & (invalid | precision))
    }
}
