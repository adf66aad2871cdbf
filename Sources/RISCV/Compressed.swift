// Decoding of 16-bit RV64C instructions into the same pre-decoded operations as their 32-bit
// expansions. Reserved encodings (including the all-zero instruction) decode to `illegal`;
// HINTs (e.g. c.addi x0 / c.li x0) execute as no-ops by writing the scratch register.

package enum CompressedDecoder {
    @inline(__always) static func b(_ raw: UInt32, _ hi: UInt32, _ lo: UInt32) -> UInt32 {
        (raw >> lo) & ((1 << (hi - lo + 1)) - 1)
    }

    /// Sign-extends the low `width` bits of `v`.
    @inline(__always) static func sext(_ v: UInt32, _ width: UInt32) -> Int32 {
        Int32(bitPattern: v << (32 - width)) >> (32 - width)
    }

    package static func decode(_ raw: UInt32, pc: UInt64) -> DecodedInstruction {
        let illegal = DecodedInstruction.illegal(raw, len: 1)
        let f3 = b(raw, 15, 13)
        let rdFull = b(raw, 11, 7), rs2Full = b(raw, 6, 2)
        let rdP = 8 + b(raw, 4, 2), rs1P = 8 + b(raw, 9, 7)
        let imm6 = sext(b(raw, 12, 12) << 5 | b(raw, 6, 2), 6)
        func d(_ op: Op, rd: UInt8 = Registers.scratch, rs1: UInt8 = 0, rs2: UInt8 = 0, imm: Int32 = 0) -> DecodedInstruction {
            DecodedInstruction(op: op.compressed, rd: rd, rs1: rs1, rs2: rs2, len: 1, imm: imm)
        }
        switch raw & 3 {
        case 0:
            // Quadrant 0: stack-pointer-relative addi and register-based loads/stores.
            let uimmW = Int32(b(raw, 12, 10) << 3 | b(raw, 6, 6) << 2 | b(raw, 5, 5) << 6)
            let uimmD = Int32(b(raw, 12, 10) << 3 | b(raw, 6, 5) << 6)
            switch f3 {
            case 0:
                let nzuimm = Int32(b(raw, 12, 11) << 4 | b(raw, 10, 7) << 6 | b(raw, 6, 6) << 2 | b(raw, 5, 5) << 3)
                if nzuimm == 0 { return illegal }
                return d(.addi, rd: Registers.x(rdP), rs1: 2, imm: nzuimm)
            case 1: return d(.fld, rd: Registers.f(rdP), rs1: UInt8(rs1P), imm: uimmD)
            case 2: return d(.lw, rd: Registers.x(rdP), rs1: UInt8(rs1P), imm: uimmW)
            case 3: return d(.ld, rd: Registers.x(rdP), rs1: UInt8(rs1P), imm: uimmD)
            case 5: return d(.fsd, rs1: UInt8(rs1P), rs2: Registers.f(rdP), imm: uimmD)
            case 6: return d(.sw, rs1: UInt8(rs1P), rs2: UInt8(rdP), imm: uimmW)
            case 7: return d(.sd, rs1: UInt8(rs1P), rs2: UInt8(rdP), imm: uimmD)
            default: return illegal
            }
        case 1:
            switch f3 {
            case 0: return d(.addi, rd: Registers.x(rdFull), rs1: UInt8(rdFull), imm: imm6)
            case 1:
                if rdFull == 0 { return illegal }
                return d(.addiw, rd: Registers.x(rdFull), rs1: UInt8(rdFull), imm: imm6)
            case 2: return d(.li, rd: Registers.x(rdFull), imm: imm6)
            case 3:
                if rdFull == 2 {
                    let v = sext(b(raw, 12, 12) << 9 | b(raw, 6, 6) << 4 | b(raw, 5, 5) << 6
                                 | b(raw, 4, 3) << 7 | b(raw, 2, 2) << 5, 10)
                    if v == 0 { return illegal }
                    return d(.addi, rd: 2, rs1: 2, imm: v)
                }
                if imm6 == 0 { return illegal }
                return d(.li, rd: Registers.x(rdFull), imm: imm6 << 12)
            case 4:
                let shamt = Int32(b(raw, 12, 12) << 5 | b(raw, 6, 2))
                switch b(raw, 11, 10) {
                case 0: return d(.srli, rd: UInt8(rs1P), rs1: UInt8(rs1P), imm: shamt)
                case 1: return d(.srai, rd: UInt8(rs1P), rs1: UInt8(rs1P), imm: shamt)
                case 2: return d(.andi, rd: UInt8(rs1P), rs1: UInt8(rs1P), imm: imm6)
                default:
                    let ops: [Op] = b(raw, 12, 12) == 0 ? [.sub, .xor, .or, .and] : [.subw, .addw, .illegal, .illegal]
                    let op = ops[Int(b(raw, 6, 5))]
                    if op == .illegal { return illegal }
                    return d(op, rd: UInt8(rs1P), rs1: UInt8(rs1P), rs2: UInt8(rdP))
                }
            case 5:
                let off = sext(b(raw, 12, 12) << 11 | b(raw, 11, 11) << 4 | b(raw, 10, 9) << 8 | b(raw, 8, 8) << 10
                               | b(raw, 7, 7) << 6 | b(raw, 6, 6) << 7 | b(raw, 5, 3) << 1 | b(raw, 2, 2) << 5, 12)
                if Decoder.isInPage(pc, off) { return d(.jal, imm: off >> 1) }
                return d(.jalFar, imm: off)
            default: // 6 c.beqz, 7 c.bnez
                let off = sext(b(raw, 12, 12) << 8 | b(raw, 11, 10) << 3 | b(raw, 6, 5) << 6
                               | b(raw, 4, 3) << 1 | b(raw, 2, 2) << 5, 9)
                let cond: UInt8 = f3 == 6 ? 0 : 1
                if Decoder.isInPage(pc, off) {
                    var x = d(f3 == 6 ? .beq : .bne, rs1: UInt8(rs1P), rs2: 0, imm: off >> 1)   // -> beqC / bneC
                    x.rm = cond
                    return x
                }
                var x = d(.branchFar, rs1: UInt8(rs1P), rs2: 0, imm: off)
                x.rm = cond
                return x
            }
        case 2:
            let uimmLW = Int32(b(raw, 12, 12) << 5 | b(raw, 6, 4) << 2 | b(raw, 3, 2) << 6)
            let uimmLD = Int32(b(raw, 12, 12) << 5 | b(raw, 6, 5) << 3 | b(raw, 4, 2) << 6)
            let uimmSW = Int32(b(raw, 12, 9) << 2 | b(raw, 8, 7) << 6)
            let uimmSD = Int32(b(raw, 12, 10) << 3 | b(raw, 9, 7) << 6)
            switch f3 {
            case 0:
                let shamt = Int32(b(raw, 12, 12) << 5 | b(raw, 6, 2))
                return d(.slli, rd: Registers.x(rdFull), rs1: UInt8(rdFull), imm: shamt)
            case 1: return d(.fld, rd: Registers.f(rdFull), rs1: 2, imm: uimmLD)
            case 2:
                if rdFull == 0 { return illegal }
                return d(.lw, rd: Registers.x(rdFull), rs1: 2, imm: uimmLW)
            case 3:
                if rdFull == 0 { return illegal }
                return d(.ld, rd: Registers.x(rdFull), rs1: 2, imm: uimmLD)
            case 4:
                if b(raw, 12, 12) == 0 {
                    if rs2Full == 0 {
                        if rdFull == 0 { return illegal }
                        return d(.jalr, rs1: UInt8(rdFull), imm: 0)                       // c.jr
                    }
                    return d(.add, rd: Registers.x(rdFull), rs1: 0, rs2: UInt8(rs2Full))  // c.mv
                }
                if rs2Full == 0 {
                    if rdFull == 0 { return d(.ebreak) }
                    return d(.jalr, rd: 1, rs1: UInt8(rdFull), imm: 0)                    // c.jalr
                }
                return d(.add, rd: Registers.x(rdFull), rs1: UInt8(rdFull), rs2: UInt8(rs2Full))
            case 5: return d(.fsd, rs1: 2, rs2: Registers.f(rs2Full), imm: uimmSD)
            case 6: return d(.sw, rs1: 2, rs2: UInt8(rs2Full), imm: uimmSW)
            default: return d(.sd, rs1: 2, rs2: UInt8(rs2Full), imm: uimmSD)
            }
        default:
            return illegal // not a compressed instruction
        }
    }
}
