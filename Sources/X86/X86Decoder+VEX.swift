// The VEX prefix (C4: three bytes, C5: two; always VEX in 64-bit mode, where LES and LDS do not
// exist): its inverted R, X, B become REX bits for `modrm`, W the operand size, vvvv an extra
// register operand, L the vector length, pp an implied 66/F3/F2 and m-mmmm the opcode map. A
// 66, F2, F3, REX or LOCK prefix before it is #UD. Implemented: the BMI1/BMI2 instructions
// (`X86BMI`, Execute+BMI.swift); every other VEX encoding (AVX, AVX2, FMA...) decodes as
// illegal, as on a CPU without them (CPUID reports no AVX).

/// The fields of a VEX prefix.
struct X86VEX {
    /// The extra register operand (vvvv, already un-inverted).
    var vvvv = 0
    /// VEX.L: 256-bit vectors.
    var long = false
    /// The implied prefix: 0 none, 1 66, 2 F3, 3 F2.
    var pp: UInt8 = 0
    /// The opcode map: 1 0F, 2 0F 38, 3 0F 3A.
    var map: UInt8 = 1
}

extension X86Decoder {
    mutating func decodeVEX(_ first: UInt8) {
        if opsize16 || repeatPrefix != 0 || rex != 0 || lock { insn.op = .illegal; return }
        let b1 = byte()
        var vex = X86VEX()
        var bits: UInt8 = b1 & 0x80 == 0 ? 4 : 0            // R
        let b2: UInt8
        if first == 0xc4 {
            if b1 & 0x40 == 0 { bits |= 2 }                   // X
            if b1 & 0x20 == 0 { bits |= 1 }                   // B
            vex.map = b1 & 0x1f
            b2 = byte()
            if b2 & 0x80 != 0 { bits |= 8 }                   // W
        } else {
            b2 = b1
        }
        vex.vvvv = Int((~b2 >> 3) & 15)
        vex.long = b2 & 4 != 0
        vex.pp = b2 & 3
        rex = 0x40 | bits
        let opcode = byte()
        if truncated { return }
        decodeBMI(vex, opcode)
    }

    /// BMI1 and BMI2 (32/64-bit general-purpose operands: VEX.W is the size, VEX.L must be 0).
    /// reg: the ModRM reg register; rm: the r/m operand; imm: the vvvv register's offset (rorx:
    /// the rotate count).
    mutating func decodeBMI(_ vex: X86VEX, _ opcode: UInt8) {
        let op: X86BMI?
        switch (vex.map, opcode, vex.pp) {
        case (2, 0xf2, 0): op = .andn
        case (2, 0xf3, 0):
            switch peekReg {
            case 1: op = .blsr
            case 2: op = .blsmsk
            case 3: op = .blsi
            default: op = nil
            }
        case (2, 0xf5, 0): op = .bzhi
        case (2, 0xf5, 2): op = .pext
        case (2, 0xf5, 3): op = .pdep
        case (2, 0xf6, 3): op = .mulx
        case (2, 0xf7, 0): op = .bextr
        case (2, 0xf7, 1): op = .shlx
        case (2, 0xf7, 2): op = .sarx
        case (2, 0xf7, 3): op = .shrx
        case (3, 0xf0, 3): op = .rorx
        default: op = nil
        }
        modrm(rexW ? 3 : 2)
        guard let op, !vex.long else { insn.op = .illegal; return }
        insn.op = .bmi
        insn.cond = op.rawValue
        insn.imm = op == .rorx ? imm8() & 0xff : UInt64(X86Registers.offset(vex.vvvv))
    }
}
