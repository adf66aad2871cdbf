// Decoding of 32-bit instructions (RV64IMAFD, Zicsr, Zifencei, Zba, Zbb, Zbs) into the
// pre-decoded form. Anything not listed decodes to `illegal`. Register fields are mapped into
// the register file layout (`Registers`); branch and jump targets inside the instruction's own
// page become slot deltas so that taking them needs no address arithmetic.

package enum Decoder {
    @inline(__always) static func bits(_ raw: UInt32, _ hi: UInt32, _ lo: UInt32) -> UInt32 {
        (raw >> lo) & ((1 << (hi - lo + 1)) - 1)
    }

    static func immI(_ raw: UInt32) -> Int32 { Int32(bitPattern: raw) >> 20 }
    static func immS(_ raw: UInt32) -> Int32 {
        (Int32(bitPattern: raw) >> 25) << 5 | Int32(bits(raw, 11, 7))
    }
    static func immB(_ raw: UInt32) -> Int32 {
        (Int32(bitPattern: raw) >> 31) << 12 | Int32(bits(raw, 7, 7)) << 11
            | Int32(bits(raw, 30, 25)) << 5 | Int32(bits(raw, 11, 8)) << 1
    }
    static func immJ(_ raw: UInt32) -> Int32 {
        (Int32(bitPattern: raw) >> 31) << 20 | Int32(bits(raw, 19, 12)) << 12
            | Int32(bits(raw, 20, 20)) << 11 | Int32(bits(raw, 30, 21)) << 1
    }

    /// A jump/branch `offset` bytes away from `pc`: in-page targets become the slot delta.
    static func isInPage(_ pc: UInt64, _ offset: Int32) -> Bool {
        let target = pc &+ UInt64(bitPattern: Int64(offset))
        return target >> 12 == pc >> 12
    }

    package static func decode(_ raw: UInt32, pc: UInt64) -> DecodedInstruction {
        let rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), rs2 = bits(raw, 24, 20)
        let f3 = bits(raw, 14, 12), f7 = raw >> 25
        let illegal = DecodedInstruction.illegal(raw, len: 2)
        func r(_ op: Op) -> DecodedInstruction {
            DecodedInstruction(op: op, rd: Registers.x(rd), rs1: Registers.xs(rs1), rs2: Registers.xs(rs2))
        }
        func i(_ op: Op, _ imm: Int32) -> DecodedInstruction {
            DecodedInstruction(op: op, rd: Registers.x(rd), rs1: Registers.xs(rs1), imm: imm)
        }
        switch raw & 0x7f {
        case 0x37: return DecodedInstruction(op: .li, rd: Registers.x(rd), imm: Int32(bitPattern: raw & 0xffff_f000))
        case 0x17: return DecodedInstruction(op: .auipc, rd: Registers.x(rd), imm: Int32(bitPattern: raw & 0xffff_f000))
        case 0x6f:
            let off = immJ(raw)
            if isInPage(pc, off) { return DecodedInstruction(op: .jal, rd: Registers.x(rd), imm: off >> 1) }
            return DecodedInstruction(op: .jalFar, rd: Registers.x(rd), imm: off)
        case 0x67:
            return f3 == 0 ? i(.jalr, immI(raw)) : illegal
        case 0x63:
            let ops: [Op] = [.beq, .bne, .illegal, .illegal, .blt, .bge, .bltu, .bgeu]
            let op = ops[Int(f3)]
            if op == .illegal { return illegal }
            let off = immB(raw)
            let cond = UInt8(f3 < 4 ? f3 : f3 - 2)   // 0 beq, 1 bne, 2 blt, 3 bge, 4 bltu, 5 bgeu
            if isInPage(pc, off) {
                return DecodedInstruction(op: op, rs1: Registers.xs(rs1), rs2: Registers.xs(rs2), rm: cond, imm: off >> 1)
            }
            return DecodedInstruction(op: .branchFar, rs1: Registers.xs(rs1), rs2: Registers.xs(rs2), rm: cond, imm: off)
        case 0x03:
            let ops: [Op] = [.lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, .illegal]
            return ops[Int(f3)] == .illegal ? illegal : i(ops[Int(f3)], immI(raw))
        case 0x23:
            let ops: [Op] = [.sb, .sh, .sw, .sd]
            if f3 > 3 { return illegal }
            return DecodedInstruction(op: ops[Int(f3)], rs1: Registers.xs(rs1), rs2: Registers.xs(rs2), imm: immS(raw))
        case 0x13: return decodeOpImm(raw, rd: rd, rs1: rs1, f3: f3) ?? illegal
        case 0x1b: return decodeOpImm32(raw, rd: rd, rs1: rs1, f3: f3) ?? illegal
        case 0x33:
            guard var d = decodeOp(f7: f7, f3: f3, rs2: rs2).map(r) else { return illegal }
            if d.op == .bitSingle {
                let which: SingleBit = f7 == 0x14 ? .bset : f7 == 0x34 ? .binv : f3 == 5 ? .bext : .bclr
                d.imm = which.rawValue
            }
            return d
        case 0x3b: return decodeOp32(f7: f7, f3: f3, rs2: rs2).map(r) ?? illegal
        case 0x0f:
            if f3 == 0 { return DecodedInstruction(op: .fence) }
            if f3 == 1 { return DecodedInstruction(op: .fenceI) }
            return illegal
        case 0x73:
            if f3 == 0 {
                if raw == 0x0000_0073 { return DecodedInstruction(op: .ecall) }
                if raw == 0x0010_0073 { return DecodedInstruction(op: .ebreak) }
                return illegal
            }
            if f3 == 4 { return illegal }
            return DecodedInstruction(op: .csr, rd: Registers.x(rd), rs1: UInt8(rs1), rm: UInt8(f3),
                                      imm: Int32(raw >> 20))
        case 0x2f: return decodeAtomic(raw, rd: rd, rs1: rs1, rs2: rs2, f3: f3) ?? illegal
        case 0x07:
            if f3 == 2 { return DecodedInstruction(op: .flw, rd: Registers.f(rd), rs1: Registers.xs(rs1), imm: immI(raw)) }
            if f3 == 3 { return DecodedInstruction(op: .fld, rd: Registers.f(rd), rs1: Registers.xs(rs1), imm: immI(raw)) }
            return illegal
        case 0x27:
            if f3 == 2 { return DecodedInstruction(op: .fsw, rs1: Registers.xs(rs1), rs2: Registers.f(rs2), imm: immS(raw)) }
            if f3 == 3 { return DecodedInstruction(op: .fsd, rs1: Registers.xs(rs1), rs2: Registers.f(rs2), imm: immS(raw)) }
            return illegal
        case 0x43, 0x47, 0x4b, 0x4f:
            return decodeFusedMultiplyAdd(raw, rd: rd, rs1: rs1, rs2: rs2, f3: f3) ?? illegal
        case 0x53:
            return decodeOpFP(raw, rd: rd, rs1: rs1, rs2: rs2, f3: f3, f7: f7) ?? illegal
        default:
            return illegal
        }
    }

    static func decodeOpImm(_ raw: UInt32, rd: UInt32, rs1: UInt32, f3: UInt32) -> DecodedInstruction? {
        let imm = immI(raw)
        let shamt = Int32(bits(raw, 25, 20))
        let f6 = raw >> 26, f12 = raw >> 20
        func i(_ op: Op, _ v: Int32) -> DecodedInstruction {
            DecodedInstruction(op: op, rd: Registers.x(rd), rs1: Registers.xs(rs1), imm: v)
        }
        switch f3 {
        case 0: return i(.addi, imm)
        case 2: return i(.slti, imm)
        case 3: return i(.sltiu, imm)
        case 4: return i(.xori, imm)
        case 6: return i(.ori, imm)
        case 7: return i(.andi, imm)
        case 1:
            switch f6 {
            case 0x00: return i(.slli, shamt)
            case 0x12: return i(.bclri, shamt)
            case 0x0a: return i(.bseti, shamt)
            case 0x1a: return i(.binvi, shamt)
            default: break
            }
            switch f12 {
            case 0x600: return i(.bitCount, BitCount.clz.rawValue)
            case 0x601: return i(.bitCount, BitCount.ctz.rawValue)
            case 0x602: return i(.bitCount, BitCount.cpop.rawValue)
            case 0x604: return i(.sextB, 0)
            case 0x605: return i(.sextH, 0)
            default: return nil
            }
        default: // 5
            switch f6 {
            case 0x00: return i(.srli, shamt)
            case 0x10: return i(.srai, shamt)
            case 0x18: return i(.rori, shamt)
            case 0x12: return i(.bexti, shamt)
            default: break
            }
            switch f12 {
            case 0x287: return i(.bitCount, BitCount.orcB.rawValue)
            case 0x6b8: return i(.rev8, 0)
            default: return nil
            }
        }
    }

    static func decodeOpImm32(_ raw: UInt32, rd: UInt32, rs1: UInt32, f3: UInt32) -> DecodedInstruction? {
        let f7 = raw >> 25, f12 = raw >> 20
        func i(_ op: Op, _ v: Int32) -> DecodedInstruction {
            DecodedInstruction(op: op, rd: Registers.x(rd), rs1: Registers.xs(rs1), imm: v)
        }
        switch f3 {
        case 0: return i(.addiw, immI(raw))
        case 1:
            if f7 == 0 { return i(.slliw, Int32(bits(raw, 24, 20))) }
            if raw >> 26 == 0x02 { return i(.slliUw, Int32(bits(raw, 25, 20))) }
            switch f12 {
            case 0x600: return i(.bitCount, BitCount.clzw.rawValue)
            case 0x601: return i(.bitCount, BitCount.ctzw.rawValue)
            case 0x602: return i(.bitCount, BitCount.cpopw.rawValue)
            default: return nil
            }
        case 5:
            switch f7 {
            case 0x00: return i(.srliw, Int32(bits(raw, 24, 20)))
            case 0x20: return i(.sraiw, Int32(bits(raw, 24, 20)))
            case 0x30: return i(.roriw, Int32(bits(raw, 24, 20)))
            default: return nil
            }
        default: return nil
        }
    }

    static func decodeOp(f7: UInt32, f3: UInt32, rs2: UInt32) -> Op? {
        switch f7 {
        case 0x00: return [Op.add, .sll, .slt, .sltu, .xor, .srl, .or, .and][Int(f3)]
        case 0x20:
            switch f3 {
            case 0: return .sub
            case 5: return .sra
            case 4: return .xnor
            case 6: return .orn
            case 7: return .andn
            default: return nil
            }
        case 0x01: return [Op.mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu][Int(f3)]
        case 0x10: return [nil, nil, Op.sh1add, nil, .sh2add, nil, .sh3add, nil][Int(f3)]
        case 0x05: return [nil, nil, nil, nil, Op.min, .minu, .max, .maxu][Int(f3)]
        case 0x30: return f3 == 1 ? .rol : f3 == 5 ? .ror : nil
        case 0x24: return f3 == 1 || f3 == 5 ? .bitSingle : nil
        case 0x14: return f3 == 1 ? .bitSingle : nil
        case 0x34: return f3 == 1 ? .bitSingle : nil
        default: return nil
        }
    }

    static func decodeOp32(f7: UInt32, f3: UInt32, rs2: UInt32) -> Op? {
        switch f7 {
        case 0x00: return f3 == 0 ? .addw : f3 == 1 ? .sllw : f3 == 5 ? .srlw : nil
        case 0x20: return f3 == 0 ? .subw : f3 == 5 ? .sraw : nil
        case 0x01: return [Op.mulw, nil, nil, nil, .divw, .divuw, .remw, .remuw][Int(f3)]
        case 0x04:
            if f3 == 0 { return .addUw }
            if f3 == 4 && rs2 == 0 { return .zextH }
            return nil
        case 0x10: return [nil, nil, Op.sh1addUw, nil, .sh2addUw, nil, .sh3addUw, nil][Int(f3)]
        case 0x30: return f3 == 1 ? .rolw : f3 == 5 ? .rorw : nil
        default: return nil
        }
    }

    static func decodeAtomic(_ raw: UInt32, rd: UInt32, rs1: UInt32, rs2: UInt32, f3: UInt32) -> DecodedInstruction? {
        guard f3 == 2 || f3 == 3 else { return nil }
        let isD = f3 == 3
        let f5 = raw >> 27
        var d = DecodedInstruction(op: .illegal, rd: Registers.x(rd), rs1: Registers.xs(rs1), rs2: Registers.xs(rs2))
        switch f5 {
        case 0x02:
            if rs2 != 0 { return nil }
            d.op = isD ? .lrD : .lrW
            return d
        case 0x03:
            d.op = isD ? .scD : .scW
            return d
        default:
            let a: AtomicOperation
            switch f5 {
            case 0x01: a = .swap
            case 0x00: a = .add
            case 0x04: a = .xor
            case 0x0c: a = .and
            case 0x08: a = .or
            case 0x10: a = .min
            case 0x14: a = .max
            case 0x18: a = .minu
            case 0x1c: a = .maxu
            default: return nil
            }
            d.op = isD ? .amoD : .amoW
            d.rm = a.rawValue
            return d
        }
    }

    /// A rounding-mode field is valid if it is a static mode (0...4) or dynamic (7).
    static func validRoundingMode(_ rm: UInt32) -> Bool { rm <= 4 || rm == 7 }

    static func decodeFusedMultiplyAdd(_ raw: UInt32, rd: UInt32, rs1: UInt32, rs2: UInt32, f3: UInt32) -> DecodedInstruction? {
        let fmt = bits(raw, 26, 25)
        guard fmt <= 1, validRoundingMode(f3) else { return nil }
        let ops: [Op] = fmt == 0 ? [.fmaddS, .fmsubS, .fnmsubS, .fnmaddS] : [.fmaddD, .fmsubD, .fnmsubD, .fnmaddD]
        let op = ops[Int(((raw & 0x7f) - 0x43) >> 2)]
        return DecodedInstruction(op: op, rd: Registers.f(rd), rs1: Registers.f(rs1), rs2: Registers.f(rs2),
                                  rs3: Registers.f(raw >> 27), rm: UInt8(f3))
    }

    static func decodeOpFP(_ raw: UInt32, rd: UInt32, rs1: UInt32, rs2: UInt32, f3: UInt32, f7: UInt32) -> DecodedInstruction? {
        let rmOK = validRoundingMode(f3)
        // Operand kinds: f = FP register, x = integer register.
        func fff(_ op: Op) -> DecodedInstruction? {
            DecodedInstruction(op: op, rd: Registers.f(rd), rs1: Registers.f(rs1), rs2: Registers.f(rs2), rm: UInt8(f3))
        }
        func xff(_ op: Op) -> DecodedInstruction? {
            DecodedInstruction(op: op, rd: Registers.x(rd), rs1: Registers.f(rs1), rs2: Registers.f(rs2), rm: UInt8(f3))
        }
        func xf(_ op: Op) -> DecodedInstruction? {
            DecodedInstruction(op: op, rd: Registers.x(rd), rs1: Registers.f(rs1), rm: UInt8(f3))
        }
        func fx(_ op: Op) -> DecodedInstruction? {
            DecodedInstruction(op: op, rd: Registers.f(rd), rs1: Registers.xs(rs1), rm: UInt8(f3))
        }
        switch f7 {
        case 0x00: return rmOK ? fff(.faddS) : nil
        case 0x01: return rmOK ? fff(.faddD) : nil
        case 0x04: return rmOK ? fff(.fsubS) : nil
        case 0x05: return rmOK ? fff(.fsubD) : nil
        case 0x08: return rmOK ? fff(.fmulS) : nil
        case 0x09: return rmOK ? fff(.fmulD) : nil
        case 0x0c: return rmOK ? fff(.fdivS) : nil
        case 0x0d: return rmOK ? fff(.fdivD) : nil
        case 0x2c: return rmOK && rs2 == 0 ? fff(.fsqrtS) : nil
        case 0x2d: return rmOK && rs2 == 0 ? fff(.fsqrtD) : nil
        case 0x10: return f3 <= 2 ? fff([Op.fsgnjS, .fsgnjnS, .fsgnjxS][Int(f3)]) : nil
        case 0x11: return f3 <= 2 ? fff([Op.fsgnjD, .fsgnjnD, .fsgnjxD][Int(f3)]) : nil
        case 0x14: return f3 <= 1 ? fff(f3 == 0 ? .fminS : .fmaxS) : nil
        case 0x15: return f3 <= 1 ? fff(f3 == 0 ? .fminD : .fmaxD) : nil
        case 0x20: return rmOK && rs2 == 1 ? fff(.fcvtSD) : nil
        case 0x21: return rmOK && rs2 == 0 ? fff(.fcvtDS) : nil
        case 0x50: return f3 <= 2 ? xff([Op.fleS, .fltS, .feqS][Int(f3)]) : nil
        case 0x51: return f3 <= 2 ? xff([Op.fleD, .fltD, .feqD][Int(f3)]) : nil
        case 0x60: return rmOK && rs2 <= 3 ? xf([Op.fcvtWS, .fcvtWUS, .fcvtLS, .fcvtLUS][Int(rs2)]) : nil
        case 0x61: return rmOK && rs2 <= 3 ? xf([Op.fcvtWD, .fcvtWUD, .fcvtLD, .fcvtLUD][Int(rs2)]) : nil
        case 0x68: return rmOK && rs2 <= 3 ? fx([Op.fcvtSW, .fcvtSWU, .fcvtSL, .fcvtSLU][Int(rs2)]) : nil
        case 0x69: return rmOK && rs2 <= 3 ? fx([Op.fcvtDW, .fcvtDWU, .fcvtDL, .fcvtDLU][Int(rs2)]) : nil
        case 0x70:
            if rs2 != 0 { return nil }
            if f3 == 1, var d = xf(.fclass) { d.imm = 0; return d }
            return f3 == 0 ? xf(.fmvXW) : nil
        case 0x71:
            if rs2 != 0 { return nil }
            if f3 == 1, var d = xf(.fclass) { d.imm = 1; return d }
            return f3 == 0 ? xf(.fmvXD) : nil
        case 0x78: return f3 == 0 && rs2 == 0 ? fx(.fmvWX) : nil
        case 0x79: return f3 == 0 && rs2 == 0 ? fx(.fmvDX) : nil
        default: return nil
        }
    }
}
