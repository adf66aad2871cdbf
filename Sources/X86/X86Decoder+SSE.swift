// The SSE and SSE2 part of the 0F opcode map. The mandatory prefix (none, 0x66, 0xf3, 0xf2)
// picks the variant; xmm operands are register numbers in `reg` and `rm`.

extension X86Decoder {
    /// Which of the four variants a mandatory prefix selects: 0 none (ps), 1 0x66 (pd),
    /// 2 0xf3 (ss), 3 0xf2 (sd).
    var ssePrefix: Int { repeatPrefix == 0xf3 ? 2 : repeatPrefix == 0xf2 ? 3 : opsize16 ? 1 : 0 }

    /// The size of a general-purpose operand: 0x66 is a mandatory prefix here, not an operand
    /// size override.
    var gprSize: UInt8 { rexW ? 3 : 2 }

    mutating func modrmXMM() {
        modrm(3)
        insn.reg = UInt8(regField)
        if !isMemory { insn.rm = UInt8(rmField) }
    }

    mutating func sse(_ op: X86SSE, aligned: Bool = false) {
        insn.op = .sse
        insn.cond = op.rawValue
        if aligned && isMemory { insn.attrs |= X86Attrs.aligned }
    }

    /// A register-to-register store form: the destination is rm.
    mutating func sseSwapped(_ op: X86SSE) {
        sse(op)
        swap(&insn.reg, &insn.rm)
    }

    mutating func decodeSSE(_ opcode: UInt8) {
        if decodeMMX(opcode) { return }
        let p = ssePrefix
        switch opcode {
        case 0x10:
            modrmXMM()
            sse([.mov128, .mov128, .movss, .movsd][p])
        case 0x11:
            modrmXMM()
            if isMemory { sse([.store128, .store128, .storeLow32, .storeLow64][p]) } else { sseSwapped([.mov128, .mov128, .movss, .movsd][p]) }
        case 0x12:
            modrmXMM()
            if p >= 2 || (p == 1 && !isMemory) { insn.op = .illegal; return }
            sse(isMemory ? .loadLow64 : .movhlps)
        case 0x13, 0x17:
            modrmXMM()
            if p >= 2 || !isMemory { insn.op = .illegal; return }
            sse(opcode == 0x13 ? .storeLow64 : .storeHigh64)
        case 0x14, 0x15:
            modrmXMM()
            if p >= 2 { insn.op = .illegal; return }
            sse(opcode == 0x14 ? (p == 0 ? .unpcklps : .punpcklqdq) : (p == 0 ? .unpckhps : .punpckhqdq), aligned: true)
        case 0x16:
            modrmXMM()
            if p >= 2 || (p == 1 && !isMemory) { insn.op = .illegal; return }
            sse(isMemory ? .loadHigh64 : .movlhps)
        case 0x28:
            modrmXMM()
            if p >= 2 { insn.op = .illegal; return }
            sse(.mov128, aligned: true)
        case 0x29, 0x2b:
            modrmXMM()
            if p >= 2 || (opcode == 0x2b && !isMemory) { insn.op = .illegal; return }
            if isMemory { sse(.store128, aligned: true) } else { sseSwapped(.mov128) }
        case 0x2a:
            // cvtsi2ss/sd xmm, r/m32 or r/m64.
            if p < 2 { modrmXMM(); insn.op = .illegal; return }
            modrm(gprSize)
            insn.reg = UInt8(regField)
            sse(p == 2 ? .cvtsi2ss : .cvtsi2sd)
        case 0x2c, 0x2d:
            // cvt(t)ss2si / cvt(t)sd2si r32 or r64, xmm/m.
            let size = gprSize
            modrmXMM()
            if p < 2 { insn.op = .illegal; return }
            insn.size = size
            insn.reg = X86Registers.offset(regField)
            sse(opcode == 0x2c ? (p == 2 ? .cvttss2si : .cvttsd2si) : (p == 2 ? .cvtss2si : .cvtsd2si))
        case 0x2e, 0x2f:
            modrmXMM()
            if p >= 2 { insn.op = .illegal; return }
            sse(opcode == 0x2e ? (p == 0 ? .ucomiss : .ucomisd) : (p == 0 ? .comiss : .comisd))
        case 0x50:
            let size = gprSize
            modrmXMM()
            if p >= 2 || isMemory { insn.op = .illegal; return }
            insn.size = size
            insn.reg = X86Registers.offset(regField)
            sse(p == 0 ? .movmskps : .movmskpd)
        case 0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f:
            modrmXMM()
            let base: X86SSE
            switch opcode {
            case 0x51: base = .sqrtps
            case 0x58: base = .addps
            case 0x59: base = .mulps
            case 0x5c: base = .subps
            case 0x5d: base = .minps
            case 0x5e: base = .divps
            default: base = .maxps
            }
            sse(X86SSE(rawValue: base.rawValue + UInt8(p))!, aligned: p < 2)
        case 0x54, 0x55, 0x56, 0x57:
            modrmXMM()
            if p >= 2 { insn.op = .illegal; return }
            sse([.pand, .pandn, .por, .pxor][Int(opcode - 0x54)], aligned: true)
        case 0x5a:
            modrmXMM()
            sse([.cvtps2pd, .cvtpd2ps, .cvtss2sd, .cvtsd2ss][p], aligned: p == 1)
        case 0x5b:
            modrmXMM()
            if p == 3 { insn.op = .illegal; return }
            sse([.cvtdq2ps, .cvtps2dq, .cvttps2dq][p], aligned: true)
        case 0x60...0x6d, 0x74...0x76, 0xd1...0xd5, 0xd8...0xe5, 0xe8...0xef, 0xf1...0xf6, 0xf8...0xfe:
            modrmXMM()
            guard p == 1, let op = X86Decoder.integerOp(opcode) else { insn.op = .illegal; return }
            sse(op, aligned: true)
        case 0x6e:
            // movd/movq xmm, r/m32 or r/m64.
            let size = gprSize
            modrm(size)
            if p != 1 { insn.op = .illegal; return }
            insn.reg = UInt8(regField)
            insn.size = size
            sse(.movdToXMM)
        case 0x7e where p == 1:
            // movd/movq r/m32 or r/m64, xmm.
            let size = gprSize
            modrm(size)
            insn.reg = UInt8(regField)
            insn.size = size
            sse(.movdFromXMM)
        case 0x7e where p == 2:
            modrmXMM()
            sse(.movq)
        case 0x6f:
            modrmXMM()
            if p != 1 && p != 2 { insn.op = .illegal; return }
            sse(.mov128, aligned: p == 1)
        case 0x7f:
            modrmXMM()
            if p != 1 && p != 2 { insn.op = .illegal; return }
            if isMemory { sse(.store128, aligned: p == 1) } else { sseSwapped(.mov128) }
        case 0x70:
            modrmXMM()
            insn.imm = UInt64(byte())
            if p == 0 { insn.op = .illegal; return }
            sse([.pshufd, .pshufd, .pshufhw, .pshuflw][p], aligned: true)
        case 0x71, 0x72, 0x73:
            let kind = peekReg
            modrmXMM()
            insn.imm = UInt64(byte())
            if p != 1 || isMemory { insn.op = .illegal; return }
            guard let op = X86Decoder.shiftImmediateOp(opcode, kind) else { insn.op = .illegal; return }
            sse(op)
            insn.reg = insn.rm
            insn.attrs |= X86Attrs.immediate
        case 0x77:
            insn.op = .illegal      // emms is decodeMMX's
        case 0xc2:
            modrmXMM()
            insn.imm = UInt64(byte())
            sse([.cmpps, .cmppd, .cmpss, .cmpsd][p], aligned: p < 2)
        case 0xc3:
            modrm(gprSize)
            if p != 0 || !isMemory || insn.size < 2 { insn.op = .illegal; return }
            insn.op = .movMR
        case 0xc4:
            modrm(2)
            insn.imm = UInt64(byte())
            if p != 1 { insn.op = .illegal; return }
            insn.reg = UInt8(regField)
            sse(.pinsrw)
        case 0xc5:
            let size = gprSize
            modrmXMM()
            insn.imm = UInt64(byte())
            if p != 1 || isMemory { insn.op = .illegal; return }
            insn.size = size
            insn.reg = X86Registers.offset(regField)
            sse(.pextrw)
        case 0xc6:
            modrmXMM()
            insn.imm = UInt64(byte())
            if p >= 2 { insn.op = .illegal; return }
            sse(p == 0 ? .shufps : .shufpd, aligned: true)
        case 0xd6:
            modrmXMM()
            if p != 1 { insn.op = .illegal; return }
            if isMemory { sse(.storeLow64) } else { sseSwapped(.movq) }
        case 0xd7:
            let size = gprSize
            modrmXMM()
            if p != 1 || isMemory { insn.op = .illegal; return }
            insn.size = size
            insn.reg = X86Registers.offset(regField)
            sse(.pmovmskb)
        case 0xe6:
            modrmXMM()
            if p == 0 { insn.op = .illegal; return }
            sse([.cvttpd2dq, .cvttpd2dq, .cvtdq2pd, .cvtpd2dq][p], aligned: p != 2)
        case 0xe7:
            modrmXMM()
            if p != 1 || !isMemory { insn.op = .illegal; return }
            sse(.store128, aligned: true)
        default:
            insn.op = .illegal
        }
    }

    /// The shifts by an immediate of 0F 71/72/73 by ModRM.reg (`kind`).
    static func shiftImmediateOp(_ opcode: UInt8, _ kind: Int) -> X86SSE? {
        switch (opcode, kind) {
        case (0x71, 2): return .psrlw
        case (0x71, 4): return .psraw
        case (0x71, 6): return .psllw
        case (0x72, 2): return .psrld
        case (0x72, 4): return .psrad
        case (0x72, 6): return .pslld
        case (0x73, 2): return .psrlq
        case (0x73, 3): return .psrldq
        case (0x73, 6): return .psllq
        case (0x73, 7): return .pslldq
        default: return nil
        }
    }

    /// The 66-prefixed integer operations of rows 60-6D, 74-76 and D1-FE.
    static func integerOp(_ opcode: UInt8) -> X86SSE? {
        switch opcode {
        case 0x60: return .punpcklbw
        case 0x61: return .punpcklwd
        case 0x62: return .punpckldq
        case 0x63: return .packsswb
        case 0x64: return .pcmpgtb
        case 0x65: return .pcmpgtw
        case 0x66: return .pcmpgtd
        case 0x67: return .packuswb
        case 0x68: return .punpckhbw
        case 0x69: return .punpckhwd
        case 0x6a: return .punpckhdq
        case 0x6b: return .packssdw
        case 0x6c: return .punpcklqdq
        case 0x6d: return .punpckhqdq
        case 0x74: return .pcmpeqb
        case 0x75: return .pcmpeqw
        case 0x76: return .pcmpeqd
        case 0xd1: return .psrlw
        case 0xd2: return .psrld
        case 0xd3: return .psrlq
        case 0xd4: return .paddq
        case 0xd5: return .pmullw
        case 0xd8: return .psubusb
        case 0xd9: return .psubusw
        case 0xda: return .pminub
        case 0xdb: return .pand
        case 0xdc: return .paddusb
        case 0xdd: return .paddusw
        case 0xde: return .pmaxub
        case 0xdf: return .pandn
        case 0xe0: return .pavgb
        case 0xe1: return .psraw
        case 0xe2: return .psrad
        case 0xe3: return .pavgw
        case 0xe4: return .pmulhuw
        case 0xe5: return .pmulhw
        case 0xe8: return .psubsb
        case 0xe9: return .psubsw
        case 0xea: return .pminsw
        case 0xeb: return .por
        case 0xec: return .paddsb
        case 0xed: return .paddsw
        case 0xee: return .pmaxsw
        case 0xef: return .pxor
        case 0xf1: return .psllw
        case 0xf2: return .pslld
        case 0xf3: return .psllq
        case 0xf4: return .pmuludq
        case 0xf5: return .pmaddwd
        case 0xf6: return .psadbw
        case 0xf8: return .psubb
        case 0xf9: return .psubw
        case 0xfa: return .psubd
        case 0xfb: return .psubq
        case 0xfc: return .paddb
        case 0xfd: return .paddw
        case 0xfe: return .paddd
        default: return nil
        }
    }
}
