// Fast paths for the common F/D instructions: the host's IEEE arithmetic rounds to nearest-even
// exactly as the ISA does, so when the rounding mode is RNE and the result is a normal number
// above the underflow threshold, only the inexact flag needs work — and none once inexact is
// already accrued in fflags (the usual state of a program doing floating point). Before that,
// inexactness is decided with error-free transformations, but only where their error terms
// cannot underflow. Anything else returns false and takes the exact software path.

enum FastFloatOperation {
    case add, sub, mul, div, sqrt, madd, msub, nmsub, nmadd
}

extension Hart {
    /// Whether the instruction rounds to nearest-even (statically or via frm).
    @inline(__always) func roundsToNearestEven(_ p: UnsafeMutablePointer<DecodedInstruction>, _ fcsr: UInt64) -> Bool {
        let rm = p.pointee.rm
        return rm == 0 || (rm == 7 && fcsr & 0xe0 == 0)
    }

    @inline(__always)
    func fastDouble(_ p: UnsafeMutablePointer<DecodedInstruction>, _ op: FastFloatOperation) -> Bool {
        let fcsr = regs[Registers.fcsr]
        guard roundsToNearestEven(p, fcsr) else { return false }
        let a = Double(bitPattern: regs[p.rs1]), b = Double(bitPattern: regs[p.rs2])
        // Fused forms as c' + a' × b with the negations folded into the operands.
        let fa = op == .nmsub || op == .nmadd ? -a : a
        let c0 = Double(bitPattern: regs[p.rs3])
        let fc = op == .msub || op == .nmadd ? -c0 : c0
        let result: Double
        switch op {
        case .add: result = a + b
        case .sub: result = a - b
        case .mul: result = a * b
        case .div: result = a / b
        case .sqrt: result = a.squareRoot()
        case .madd, .msub, .nmsub, .nmadd: result = fc.addingProduct(fa, b)
        }
        let bits = result.bitPattern
        // Normal, finite and above the smallest normal (tininess is decided after rounding).
        guard (bits & 0x7fff_ffff_ffff_ffff) &- 0x0010_0000_0000_0001 < 0x7fdf_ffff_ffff_ffff else { return false }
        if fcsr & 1 == 0 {
            let inexact: Bool
            switch op {
            case .add, .sub:
                let b2 = op == .add ? b : -b
                let bb = result - a
                inexact = (a - (result - bb)) + (b2 - bb) != 0
            case .mul:
                guard (bits >> 52) & 0x7ff > 60 else { return false }
                inexact = (-result).addingProduct(a, b) != 0
            case .div:
                guard (regs[p.rs1] >> 52) & 0x7ff > 60, (regs[p.rs2] >> 52) & 0x7ff != 0 else { return false }
                inexact = a.addingProduct(-result, b) != 0
            case .sqrt:
                guard (regs[p.rs1] >> 52) & 0x7ff > 60 else { return false }
                inexact = a.addingProduct(-result, result) != 0
            case .madd, .msub, .nmsub, .nmadd:
                // Exact when the product is exact and so is its sum with c (TwoSum).
                let product = fa * b
                let pe = (product.bitPattern >> 52) & 0x7ff
                guard pe > 60 && pe < 0x7ff, (-product).addingProduct(fa, b) == 0, product + fc == result else { return false }
                let bb = result - product
                inexact = (product - (result - bb)) + (fc - bb) != 0
            }
            if inexact { regs[Registers.fcsr] = fcsr | 1 }
        }
        regs[p.rd] = bits
        return true
    }

    /// Single precision goes through Double: products of singles are exact there, and a single
    /// fused multiply-add is the double sum rounded to odd, then to single (53 >= 2 × 24 + 2 bits
    /// make that double rounding innocuous). No fmaf: WebAssembly's libc emulates it with
    /// floating-point environment tricks that do not work there.
    @inline(__always)
    func fastSingle(_ p: UnsafeMutablePointer<DecodedInstruction>, _ op: FastFloatOperation) -> Bool {
        let fcsr = regs[Registers.fcsr]
        guard roundsToNearestEven(p, fcsr) else { return false }
        let a = Double(Float(bitPattern: UInt32(truncatingIfNeeded: readS(p.pointee.rs1))))
        let b = Double(Float(bitPattern: UInt32(truncatingIfNeeded: readS(p.pointee.rs2))))
        // `wide` is the operation in double precision (correctly rounded, or rounded to odd for
        // the fused forms); `lost` says whether that double rounding discarded anything.
        var wide: Double
        var lost = false
        switch op {
        case .add, .sub, .madd, .msub, .nmsub, .nmadd:
            let x: Double, y: Double
            if op == .add || op == .sub {
                x = a
                y = op == .add ? b : -b
            } else {
                let c = Double(Float(bitPattern: UInt32(truncatingIfNeeded: readS(p.pointee.rs3))))
                x = (op == .nmsub || op == .nmadd ? -a : a) * b                  // exact
                y = op == .msub || op == .nmadd ? -c : c
            }
            wide = x + y
            let bb = wide - x
            let err = (x - (wide - bb)) + (y - bb)                              // TwoSum: exact error
            if err != 0 {
                lost = true
                if wide.bitPattern & 1 == 0 { wide = err > 0 ? wide.nextUp : wide.nextDown }   // round to odd
            }
        case .mul: wide = a * b                                                  // exact
        case .div: wide = a / b
        case .sqrt: wide = a.squareRoot()
        }
        let result = Float(wide)
        let bits = result.bitPattern
        guard (bits & 0x7fff_ffff) &- 0x0080_0001 < 0x7eff_ffff else { return false }
        if fcsr & 1 == 0 {
            let r = Double(result)
            let inexact: Bool
            switch op {
            case .div: inexact = r * b != a                                      // products of singles are exact
            case .sqrt: inexact = r * r != a
            default: inexact = lost || r != wide
            }
            if inexact { regs[Registers.fcsr] = fcsr | 1 }
        }
        writeS(p.pointee.rd, UInt64(bits))
        return true
    }

    /// feq.d / flt.d / fle.d without NaN operands raise no flags.
    @inline(__always)
    func fastCompareDouble(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = Double(bitPattern: regs[p.rs1]), b = Double(bitPattern: regs[p.rs2])
        if a.isNaN || b.isNaN { return false }
        let r: Bool
        switch p.pointee.op {
        case .feqD: r = a == b
        case .fltD: r = a < b
        default: r = a <= b
        }
        regs[p.rd] = r ? 1 : 0
        return true
    }

    /// fcvt.d.w / fcvt.d.l / fcvt.d.s / fcvt.s.d / fcvt.w.d / fcvt.l.d in the common cases.
    @inline(__always)
    func fastConvert(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let fcsr = regs[Registers.fcsr]
        let x = regs[p.rs1]
        switch p.pointee.op {
        case .fcvtDW:
            regs[p.rd] = Double(Int32(truncatingIfNeeded: x)).bitPattern      // always exact
            return true
        case .fcvtDS:
            let s = readS(p.pointee.rs1)
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: s))
            if f.isNaN { return false }
            regs[p.rd] = Double(f).bitPattern                                  // always exact
            return true
        case .fcvtDL:
            guard roundsToNearestEven(p, fcsr) else { return false }
            let v = Int64(bitPattern: x)
            let d = Double(v)
            if fcsr & 1 == 0 && d.magnitude >= 9007199254740992.0 && Int64(exactly: d) != v {
                regs[Registers.fcsr] = fcsr | 1
            }
            regs[p.rd] = d.bitPattern
            return true
        case .fcvtSD:
            guard roundsToNearestEven(p, fcsr) else { return false }
            let d = Double(bitPattern: x)
            let f = Float(d)
            let bits = f.bitPattern
            guard (bits & 0x7fff_ffff) &- 0x0080_0001 < 0x7eff_ffff else { return false }
            if fcsr & 1 == 0 && Double(f) != d { regs[Registers.fcsr] = fcsr | 1 }
            writeS(p.pointee.rd, UInt64(bits))
            return true
        default:
            // fcvt.w.d / fcvt.l.d with rtz (C casts) or rne.
            let d = Double(bitPattern: x)
            let t: Double
            if p.pointee.rm == 1 {
                t = d.rounded(.towardZero)
            } else if roundsToNearestEven(p, fcsr) {
                t = d.rounded(.toNearestOrEven)
            } else {
                return false
            }
            let v: Int64
            if p.pointee.op == .fcvtWD {
                guard t >= -2147483648.0 && t <= 2147483647.0 else { return false }
                v = Int64(t)
            } else {
                guard t >= -9223372036854775808.0 && t < 9223372036854775808.0 else { return false }
                v = Int64(t)
            }
            if t != d { regs[Registers.fcsr] = fcsr | 1 }
            regs[p.rd] = UInt64(bitPattern: v)
            return true
        }
    }
}
