// One F/D computational instruction executed from outside the run loop (the native tier calls
// this for floating point it does not compile): the same fast paths as the run loop, else the
// exact software path.

extension Hart {
    /// Executes the F/D operation at `p` (anything but loads, stores and moves). Returns false,
    /// changing nothing, if it is illegal (dynamic rounding with an invalid frm).
    package func executeFloatingPoint(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let fast: Bool
        switch p.pointee.op {
        case .faddD: fast = fastDouble(p, .add)
        case .fsubD: fast = fastDouble(p, .sub)
        case .fmulD: fast = fastDouble(p, .mul)
        case .fdivD: fast = fastDouble(p, .div)
        case .fsqrtD: fast = fastDouble(p, .sqrt)
        case .fmaddD: fast = fastDouble(p, .madd)
        case .fmsubD: fast = fastDouble(p, .msub)
        case .fnmsubD: fast = fastDouble(p, .nmsub)
        case .fnmaddD: fast = fastDouble(p, .nmadd)
        case .faddS: fast = fastSingle(p, .add)
        case .fsubS: fast = fastSingle(p, .sub)
        case .fmulS: fast = fastSingle(p, .mul)
        case .fdivS: fast = fastSingle(p, .div)
        case .fsqrtS: fast = fastSingle(p, .sqrt)
        case .fmaddS: fast = fastSingle(p, .madd)
        case .fmsubS: fast = fastSingle(p, .msub)
        case .fnmsubS: fast = fastSingle(p, .nmsub)
        case .fnmaddS: fast = fastSingle(p, .nmadd)
        case .feqD, .fltD, .fleD: fast = fastCompareDouble(p)
        case .fcvtDW, .fcvtDL, .fcvtDS, .fcvtSD, .fcvtWD, .fcvtLD: fast = fastConvert(p)
        default: fast = false
        }
        return fast || executeFloat(p.pointee)
    }
}

extension Op {
    /// F/D operations other than loads, stores and register moves (`executeFloatingPoint`).
    package var isFloatingPointComputation: Bool {
        switch self {
        case .faddS, .fsubS, .fmulS, .fdivS, .fsqrtS, .fminS, .fmaxS, .fmaddS, .fmsubS, .fnmsubS, .fnmaddS,
             .faddD, .fsubD, .fmulD, .fdivD, .fsqrtD, .fminD, .fmaxD, .fmaddD, .fmsubD, .fnmsubD, .fnmaddD,
             .fsgnjS, .fsgnjnS, .fsgnjxS, .fsgnjD, .fsgnjnD, .fsgnjxD,
             .fcvtWS, .fcvtWUS, .fcvtLS, .fcvtLUS, .fcvtSW, .fcvtSWU, .fcvtSL, .fcvtSLU,
             .fcvtWD, .fcvtWUD, .fcvtLD, .fcvtLUD, .fcvtDW, .fcvtDWU, .fcvtDL, .fcvtDLU, .fcvtSD, .fcvtDS,
             .feqS, .fltS, .fleS, .feqD, .fltD, .fleD, .fclass:
            return true
        default:
            return false
        }
    }
}
