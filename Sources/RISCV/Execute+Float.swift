// F and D instructions on the hart: NaN-boxing of singles, rounding-mode selection (static or
// dynamic frm), fflags accrual, and the choice between the host's round-to-nearest arithmetic
// (fast path, when its result and flags are provably those of the ISA) and the software
// implementation in SoftFloat/ (every other case).

extension Hart {
    package static let boxMask: UInt64 = 0xffff_ffff_0000_0000

    /// A single-precision operand: the low 32 bits if properly NaN-boxed, else the canonical NaN.
    @inline(__always) func readS(_ i: UInt8) -> UInt64 {
        let v = regs[Int(i)]
        return v & Hart.boxMask == Hart.boxMask ? v & 0xffff_ffff : 0x7fc0_0000
    }

    @inline(__always) func writeS(_ i: UInt8, _ v: UInt64) {
        regs[Int(i)] = v | Hart.boxMask
    }

    @inline(__always) func accrue(_ flags: FloatFlags) {
        regs[Registers.fcsr] |= UInt64(flags.rawValue)
    }

    /// The rounding mode of an instruction, or nil when dynamic and frm holds an invalid mode.
    @inline(__always) func roundingMode(_ d: DecodedInstruction) -> RoundingMode? {
        let rm = d.rm == 7 ? UInt8(truncatingIfNeeded: regs[Registers.fcsr] >> 5) & 7 : d.rm
        return RoundingMode(rawValue: rm)
    }

    /// Executes any F/D operation other than loads and stores exactly. Returns false if the
    /// instruction is illegal (dynamic rounding mode with an invalid frm).
    @inline(never)
    func executeFloat(_ d: DecodedInstruction) -> Bool {
        let S = FloatFormat.single, D = FloatFormat.double
        var flags = FloatFlags()
        let rd = d.rd
        // Operations that do not round ignore rm; the others need a valid one.
        switch d.op {
        case .fsgnjS, .fsgnjnS, .fsgnjxS:
            let a = readS(d.rs1), b = readS(d.rs2)
            let sign: UInt64
            switch d.op {
            case .fsgnjS: sign = b & 0x8000_0000
            case .fsgnjnS: sign = ~b & 0x8000_0000
            default: sign = (a ^ b) & 0x8000_0000
            }
            writeS(rd, (a & 0x7fff_ffff) | sign)
            return true
        case .fsgnjD, .fsgnjnD, .fsgnjxD:
            let a = regs[Int(d.rs1)], b = regs[Int(d.rs2)]
            let bit: UInt64 = 1 << 63
            let sign: UInt64
            switch d.op {
            case .fsgnjD: sign = b & bit
            case .fsgnjnD: sign = ~b & bit
            default: sign = (a ^ b) & bit
            }
            regs[Int(rd)] = (a & ~bit) | sign
            return true
        case .fmvXW:
            regs[Int(rd)] = sext32(regs[Int(d.rs1)])
            return true
        case .fmvWX:
            writeS(rd, regs[Int(d.rs1)] & 0xffff_ffff)
            return true
        case .fmvXD:
            regs[Int(rd)] = regs[Int(d.rs1)]
            return true
        case .fmvDX:
            regs[Int(rd)] = regs[Int(d.rs1)]
            return true
        case .fclass:
            regs[Int(rd)] = d.imm == 0 ? SoftFloat.classMask(readS(d.rs1), S) : SoftFloat.classMask(regs[Int(d.rs1)], D)
            return true
        case .fminS, .fmaxS:
            writeS(rd, SoftFloat.minMax(readS(d.rs1), readS(d.rs2), max: d.op == .fmaxS, S, &flags))
            accrue(flags)
            return true
        case .fminD, .fmaxD:
            regs[Int(rd)] = SoftFloat.minMax(regs[Int(d.rs1)], regs[Int(d.rs2)], max: d.op == .fmaxD, D, &flags)
            accrue(flags)
            return true
        case .feqS, .fltS, .fleS:
            let a = readS(d.rs1), b = readS(d.rs2)
            let r = d.op == .feqS ? SoftFloat.equal(a, b, S, &flags)
                : SoftFloat.lessThan(a, b, orEqual: d.op == .fleS, S, &flags)
            regs[Int(rd)] = r ? 1 : 0
            accrue(flags)
            return true
        case .feqD, .fltD, .fleD:
            let a = regs[Int(d.rs1)], b = regs[Int(d.rs2)]
            let r = d.op == .feqD ? SoftFloat.equal(a, b, D, &flags)
                : SoftFloat.lessThan(a, b, orEqual: d.op == .fleD, D, &flags)
            regs[Int(rd)] = r ? 1 : 0
            accrue(flags)
            return true
        default:
            break
        }

        guard let rm = roundingMode(d) else { return false }
        switch d.op {
        case .faddS, .fsubS:
            writeS(rd, SoftFloat.add(readS(d.rs1), readS(d.rs2), subtract: d.op == .fsubS, S, rm, &flags))
        case .faddD, .fsubD:
            regs[Int(rd)] = SoftFloat.add(regs[Int(d.rs1)], regs[Int(d.rs2)], subtract: d.op == .fsubD, D, rm, &flags)
        case .fmulS:
            writeS(rd, SoftFloat.multiply(readS(d.rs1), readS(d.rs2), S, rm, &flags))
        case .fmulD:
            regs[Int(rd)] = SoftFloat.multiply(regs[Int(d.rs1)], regs[Int(d.rs2)], D, rm, &flags)
        case .fdivS:
            writeS(rd, SoftFloat.divide(readS(d.rs1), readS(d.rs2), S, rm, &flags))
        case .fdivD:
            regs[Int(rd)] = SoftFloat.divide(regs[Int(d.rs1)], regs[Int(d.rs2)], D, rm, &flags)
        case .fsqrtS:
            writeS(rd, SoftFloat.squareRoot(readS(d.rs1), S, rm, &flags))
        case .fsqrtD:
            regs[Int(rd)] = SoftFloat.squareRoot(regs[Int(d.rs1)], D, rm, &flags)
        case .fmaddS, .fmsubS, .fnmsubS, .fnmaddS:
            writeS(rd, SoftFloat.fusedMultiplyAdd(readS(d.rs1), readS(d.rs2), readS(d.rs3),
                                                  negateProduct: d.op == .fnmsubS || d.op == .fnmaddS,
                                                  negateAddend: d.op == .fmsubS || d.op == .fnmaddS, S, rm, &flags))
        case .fmaddD, .fmsubD, .fnmsubD, .fnmaddD:
            regs[Int(rd)] = SoftFloat.fusedMultiplyAdd(regs[Int(d.rs1)], regs[Int(d.rs2)], regs[Int(d.rs3)],
                                                       negateProduct: d.op == .fnmsubD || d.op == .fnmaddD,
                                                       negateAddend: d.op == .fmsubD || d.op == .fnmaddD, D, rm, &flags)
        case .fcvtWS: regs[Int(rd)] = SoftFloat.toInteger(readS(d.rs1), S, .int32, rm, &flags)
        case .fcvtWUS: regs[Int(rd)] = SoftFloat.toInteger(readS(d.rs1), S, .uint32, rm, &flags)
        case .fcvtLS: regs[Int(rd)] = SoftFloat.toInteger(readS(d.rs1), S, .int64, rm, &flags)
        case .fcvtLUS: regs[Int(rd)] = SoftFloat.toInteger(readS(d.rs1), S, .uint64, rm, &flags)
        case .fcvtWD: regs[Int(rd)] = SoftFloat.toInteger(regs[Int(d.rs1)], D, .int32, rm, &flags)
        case .fcvtWUD: regs[Int(rd)] = SoftFloat.toInteger(regs[Int(d.rs1)], D, .uint32, rm, &flags)
        case .fcvtLD: regs[Int(rd)] = SoftFloat.toInteger(regs[Int(d.rs1)], D, .int64, rm, &flags)
        case .fcvtLUD: regs[Int(rd)] = SoftFloat.toInteger(regs[Int(d.rs1)], D, .uint64, rm, &flags)
        case .fcvtSW: writeS(rd, SoftFloat.fromInteger(regs[Int(d.rs1)], .int32, S, rm, &flags))
        case .fcvtSWU: writeS(rd, SoftFloat.fromInteger(regs[Int(d.rs1)], .uint32, S, rm, &flags))
        case .fcvtSL: writeS(rd, SoftFloat.fromInteger(regs[Int(d.rs1)], .int64, S, rm, &flags))
        case .fcvtSLU: writeS(rd, SoftFloat.fromInteger(regs[Int(d.rs1)], .uint64, S, rm, &flags))
        case .fcvtDW: regs[Int(rd)] = SoftFloat.fromInteger(regs[Int(d.rs1)], .int32, D, rm, &flags)
        case .fcvtDWU: regs[Int(rd)] = SoftFloat.fromInteger(regs[Int(d.rs1)], .uint32, D, rm, &flags)
        case .fcvtDL: regs[Int(rd)] = SoftFloat.fromInteger(regs[Int(d.rs1)], .int64, D, rm, &flags)
        case .fcvtDLU: regs[Int(rd)] = SoftFloat.fromInteger(regs[Int(d.rs1)], .uint64, D, rm, &flags)
        case .fcvtSD: writeS(rd, SoftFloat.convert(regs[Int(d.rs1)], from: D, to: S, rm, &flags))
        case .fcvtDS: regs[Int(rd)] = SoftFloat.convert(readS(d.rs1), from: S, to: D, rm, &flags)
        default:
            return false
        }
        accrue(flags)
        return true
    }
}
