// SSE float operations as the instructions call them: the result bits, with the exception
// flags accrued in MXCSR. The common case takes the host's own arithmetic: round to nearest,
// no DAZ or FTZ, PE already set (it is, after a program's first inexact operation), ordinary
// operands (normal or zero) and a normal result above the lowest binade, or an exact zero from
// a zero operand. Then no flag can be raised but PE, and the host's result is the correctly
// rounded one. Conversions take it when they are exact (widening a normal float, an integer
// that fits the significand) or, to an integer, truncate or round to nearest a value well
// inside the range. Everything else goes to `X86SSEFloat`, exact in integers.

extension X86CPU {
    /// MXCSR with PE set and RC, DAZ, FTZ clear, masked by `fastMask`.
    static let fastMXCSR: UInt32 = 0x20
    static let fastMask: UInt32 = 0xe060

    @inline(__always) func raiseSSE(_ flags: UInt32) {
        regs[X86Registers.mxcsr] |= UInt64(flags)
    }

    /// Whether the host's nearest result r of a op b raises no flag but PE (see above).
    @inline(__always) static func plain(_ a: UInt64, _ b: UInt64, _ r: UInt64, single: Bool) -> Bool {
        let shift: UInt64 = single ? 23 : 52, top: UInt64 = single ? 0xff : 0x7ff
        let magnitude: UInt64 = single ? 0x7fff_ffff : 0x7fff_ffff_ffff_ffff
        let ea = (a >> shift) & top, eb = (b >> shift) & top, er = (r >> shift) & top
        let zeroA = a & magnitude == 0, zeroB = b & magnitude == 0
        guard (ea != 0 && ea != top) || zeroA, (eb != 0 && eb != top) || zeroB else { return false }
        if er >= 2 && er != top { return true }
        return r & magnitude == 0 && (zeroA || zeroB)
    }

    /// a op b (sqrt: of b) in the host's arithmetic (round to nearest).
    @inline(__always) static func host<F: BinaryFloatingPoint>(_ op: X86FloatOperation, _ x: F, _ y: F) -> F {
        switch op {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .sqrt: return y.squareRoot()
        }
    }

    /// Single-precision a op b (sqrt: of b) per MXCSR.
    @inline(__always) func float32(_ op: X86FloatOperation, _ a: UInt32, _ b: UInt32) -> UInt32 {
        let m = mxcsr
        if m & X86CPU.fastMask == X86CPU.fastMXCSR {
            let r = X86CPU.host(op, Float(bitPattern: a), Float(bitPattern: b))
            if X86CPU.plain(op == .sqrt ? 0 : UInt64(a), UInt64(b), UInt64(r.bitPattern), single: true) {
                return r.bitPattern
            }
        }
        let (r, flags) = X86SSEFloat.arithmetic(op, UInt64(a), UInt64(b), single: true, mxcsr: m)
        raiseSSE(flags)
        return UInt32(truncatingIfNeeded: r)
    }

    /// Double-precision a op b (sqrt: of b) per MXCSR.
    @inline(__always) func float64(_ op: X86FloatOperation, _ a: UInt64, _ b: UInt64) -> UInt64 {
        let m = mxcsr
        if m & X86CPU.fastMask == X86CPU.fastMXCSR {
            let r = X86CPU.host(op, Double(bitPattern: a), Double(bitPattern: b))
            if X86CPU.plain(op == .sqrt ? 0 : a, b, r.bitPattern, single: false) {
                return r.bitPattern
            }
        }
        let (r, flags) = X86SSEFloat.arithmetic(op, a, b, single: false, mxcsr: m)
        raiseSSE(flags)
        return r
    }

    /// The flags of comparing a and b (`signaling`: any NaN is invalid), accrued; returns the
    /// operands as compared (DAZ).
    @inline(__always) func compareOperands(_ a: UInt64, _ b: UInt64, single: Bool, signaling: Bool) -> (UInt64, UInt64) {
        let m = mxcsr
        raiseSSE(X86SSEFloat.compareFlags(a, b, single: single, signaling: signaling, mxcsr: m))
        return (X86SSEFloat.operand(a, single, m), X86SSEFloat.operand(b, single, m))
    }

    /// cvtss2sd (`fromSingle`) / cvtsd2ss per MXCSR. Widening a normal or zero float is exact.
    @inline(__always) func convertFloat(_ v: UInt64, fromSingle: Bool) -> UInt64 {
        let m = mxcsr
        if fromSingle && m & X86SSEFloat.denormalsAreZero == 0 {
            let e = (v >> 23) & 0xff
            if (e != 0 && e != 0xff) || v & 0x7fff_ffff == 0 {
                return Double(Float(bitPattern: UInt32(truncatingIfNeeded: v))).bitPattern
            }
        }
        let (r, flags) = X86SSEFloat.convert(v, fromSingle: fromSingle, mxcsr: m)
        raiseSSE(flags)
        return r
    }

    /// cvtsi2ss/sd, cvtdq2ps per MXCSR; an integer that fits the significand converts exactly.
    @inline(__always) func floatFromInteger(_ v: Int64, single: Bool) -> UInt64 {
        if v.magnitude < (single ? 1 << 24 : 1 << 53) {
            return single ? UInt64(Float(v).bitPattern) : Double(v).bitPattern
        }
        let (r, flags) = X86SSEFloat.fromInteger(v, single: single, mxcsr: mxcsr)
        raiseSSE(flags)
        return r
    }

    /// cvt(t)s*2si, cvt(t)p*2dq per MXCSR. A value well inside the integer range, truncated or
    /// rounded to nearest, converts with the host's rounding (PE when inexact).
    @inline(__always) func floatToInteger(_ v: UInt64, single: Bool, size: UInt8, truncate: Bool) -> UInt64 {
        let m = mxcsr
        if m & X86SSEFloat.denormalsAreZero == 0 && (truncate || X86SSEFloat.roundingMode(m) == 0) {
            let x = single ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: v))) : Double(bitPattern: v)
            if x.magnitude < 2147483647.0 {
                let t = x.rounded(truncate ? .towardZero : .toNearestOrEven)
                if t != x { raiseSSE(X86SSEFloat.precision) }
                let n = Int64(t)
                return size == 3 ? UInt64(bitPattern: n) : UInt64(UInt32(truncatingIfNeeded: n))
            }
        }
        let (r, flags) = X86SSEFloat.toInteger(v, single: single, size: size, truncate: truncate, mxcsr: m)
        raiseSSE(flags)
        return r
    }

    /// min/max: the second operand when either is NaN or both are zero (IE for any NaN).
    @inline(__always) func min32(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (x, y) = compareOperands(UInt64(a), UInt64(b), single: true, signaling: true)
        return X86Float.min32(UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y))
    }
    @inline(__always) func max32(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (x, y) = compareOperands(UInt64(a), UInt64(b), single: true, signaling: true)
        return X86Float.max32(UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y))
    }
    @inline(__always) func min64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (x, y) = compareOperands(a, b, single: false, signaling: true)
        return X86Float.min64(x, y)
    }
    @inline(__always) func max64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (x, y) = compareOperands(a, b, single: false, signaling: true)
        return X86Float.max64(x, y)
    }

    /// cmpps/cmpss predicates 0...7; lt, le, nlt, nle raise IE for any NaN, the others for a
    /// signaling one.
    @inline(__always) func compare32(_ a: UInt32, _ b: UInt32, _ predicate: UInt64) -> Bool {
        let signaling = predicate & 3 == 1 || predicate & 3 == 2
        let (x, y) = compareOperands(UInt64(a), UInt64(b), single: true, signaling: signaling)
        return X86Float.compare32(UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: y), predicate)
    }
    @inline(__always) func compare64(_ a: UInt64, _ b: UInt64, _ predicate: UInt64) -> Bool {
        let signaling = predicate & 3 == 1 || predicate & 3 == 2
        let (x, y) = compareOperands(a, b, single: false, signaling: signaling)
        return X86Float.compare64(x, y, predicate)
    }

    /// roundps/pd/ss/sd: v rounded to an integral value by the immediate's mode (or MXCSR.RC
    /// when its bit 2 is set); IE for a signaling NaN, PE when inexact unless bit 3 is set.
    func roundFloat(_ v: UInt64, single: Bool, imm: UInt64) -> UInt64 {
        let m = mxcsr
        let mode = imm & 4 != 0 ? UInt64(m >> 13) & 3 : imm & 3
        let x = X86SSEFloat.operand(v, single, m)
        let r = single ? UInt64(X86Float.round32(UInt32(truncatingIfNeeded: x), mode)) : X86Float.round64(x, mode)
        if X86SSEFloat.isNaN(x, single) {
            if X86SSEFloat.isSignalingNaN(x, single) { raiseSSE(X86SSEFloat.invalid) }
        } else if r != x && imm & 8 == 0 {
            raiseSSE(X86SSEFloat.precision)
        }
        return r
    }
}
