// The MMX encodings (no mandatory prefix, mm registers in ModRM's 3-bit fields: REX.R and
// REX.B do not extend them) of the 0F map, SSE's and SSE2's MMX forms (pshufw, pextrw, pinsrw,
// pmovmskb, maskmovq, movntq, the cvt*pi* conversions, movq2dq, movdq2q) and SSSE3's (0F 38
// and 0F 3A 0F without 0x66). Operations that exist for xmm decode to their X86SSE/X86SSE4
// operation and run on the xmm code (X86Execute+MMX.swift); the rest are `X86MMX`.

extension X86Decoder {
    /// ModRM with mm registers in reg and rm.
    mutating func modrmMM() {
        modrm(3)
        insn.reg = UInt8(regField & 7)
        if !isMemory { insn.rm = UInt8(rmField & 7) }
    }

    mutating func mmx(_ op: X86SSE) { insn.op = .mmx; insn.cond = op.rawValue }
    mutating func mmxSSSE3(_ op: X86SSE4) { insn.op = .mmxSSSE3; insn.cond = op.rawValue }
    mutating func mmxOther(_ op: X86MMX) { insn.op = .mmxOther; insn.cond = op.rawValue }

    /// The MMX forms of the 0F map; false when `opcode` with this prefix is not one of them.
    mutating func decodeMMX(_ opcode: UInt8) -> Bool {
        switch (opcode, ssePrefix) {
        case (0x60...0x6b, 0), (0x74...0x76, 0), (0xd1...0xd5, 0), (0xd8...0xe5, 0), (0xe8...0xef, 0),
             (0xf1...0xf6, 0), (0xf8...0xfe, 0):
            guard let op = X86Decoder.integerOp(opcode) else { return false }
            modrmMM()
            mmx(op)
        case (0x6e, 0), (0x7e, 0):
            // movd/movq mm, r/m32/64 and back.
            let size = gprSize
            modrm(size)
            insn.reg = UInt8(regField & 7)
            insn.size = size
            mmx(opcode == 0x6e ? .movdToXMM : .movdFromXMM)
        case (0x6f, 0):
            modrmMM()
            mmxOther(.load)
        case (0x7f, 0), (0xe7, 0):
            modrmMM()
            if opcode == 0xe7 && !isMemory { insn.op = .illegal; return true }   // movntq
            mmxOther(.store)
        case (0x70, 0):
            modrmMM()
            insn.imm = UInt64(byte())
            mmx(.pshuflw)   // pshufw: pshuflw's shuffle of the low four words
        case (0x71...0x73, 0):
            let kind = peekReg
            modrmMM()
            insn.imm = UInt64(byte())
            // The byte shifts psrldq/pslldq have no MMX form.
            guard let op = X86Decoder.shiftImmediateOp(opcode, kind), op != .psrldq, op != .pslldq, !isMemory else {
                insn.op = .illegal
                return true
            }
            mmx(op)
            insn.reg = insn.rm
            insn.attrs |= X86Attrs.immediate
        case (0x77, 0):
            mmxOther(.emms)
        case (0xc4, 0):
            modrm(2)
            insn.imm = UInt64(byte() & 3)
            insn.reg = UInt8(regField & 7)
            mmx(.pinsrw)
        case (0xc5, 0), (0xd7, 0):
            let size = gprSize
            modrmMM()
            if opcode == 0xc5 { insn.imm = UInt64(byte() & 3) }
            if isMemory { insn.op = .illegal; return true }
            insn.size = size
            insn.reg = X86Registers.offset(regField)
            mmx(opcode == 0xc5 ? .pextrw : .pmovmskb)
        case (0xf7, 0):
            modrmMM()
            if isMemory { insn.op = .illegal; return true }
            mmxOther(.maskmovq)
        case (0xf7, 1):
            // maskmovdqu xmm, xmm (SSE2; what gcc emits for _mm_maskmove_si64): beside maskmovq.
            modrmXMM()
            if isMemory { insn.op = .illegal; return true }
            mmxOther(.maskmovdqu)
        case (0x2a, 0), (0x2a, 1):
            // cvtpi2ps / cvtpi2pd xmm, mm/m64.
            modrm(3)
            insn.reg = UInt8(regField)
            if !isMemory { insn.rm = UInt8(rmField & 7) }
            mmxOther(ssePrefix == 0 ? .cvtpi2ps : .cvtpi2pd)
        case (0x2c, 0), (0x2d, 0), (0x2c, 1), (0x2d, 1):
            // cvt(t)ps2pi mm, xmm/m64; cvt(t)pd2pi mm, xmm/m128.
            modrm(3)
            insn.reg = UInt8(regField & 7)
            if !isMemory { insn.rm = UInt8(rmField) }
            let double = ssePrefix == 1
            if double && isMemory { insn.attrs |= X86Attrs.aligned }
            mmxOther(opcode == 0x2c ? (double ? .cvttpd2pi : .cvttps2pi) : (double ? .cvtpd2pi : .cvtps2pi))
        case (0xd6, 2), (0xd6, 3):
            // movq2dq xmm, mm (f3); movdq2q mm, xmm (f2): register operands only.
            modrm(3)
            if isMemory { insn.op = .illegal; return true }
            let toXMM = ssePrefix == 2
            insn.reg = UInt8(toXMM ? regField : regField & 7)
            insn.rm = UInt8(toXMM ? rmField & 7 : rmField)
            mmxOther(toXMM ? .movq2dq : .movdq2q)
        default:
            return false
        }
        return true
    }

    /// 0F 38 without a prefix: SSSE3's MMX forms.
    mutating func decodeMMXSSSE3(_ opcode: UInt8) {
        modrmMM()
        guard let op = X86Decoder.ssse3Op(opcode) else { insn.op = .illegal; return }
        mmxSSSE3(op)
    }
}
