// Decoding of SSE3 (its rows of the 0F map), SSSE3 and SSE4.1/4.2 (the 0F 38 and 0F 3A maps)
// into `X86Op.sse4`; the MMX forms of SSSE3 (no prefix) are X86Decoder+MMX.swift's. crc32 is
// f2 0f 38 f0/f1.

extension X86Decoder {
    mutating func sse4(_ op: X86SSE4, aligned: Bool = false) {
        insn.op = .sse4
        insn.cond = op.rawValue
        if aligned && isMemory { insn.attrs |= X86Attrs.aligned }
    }

    /// The SSE3 rows of the 0F map; false when `opcode` with this prefix is not one of them.
    mutating func decodeSSE3(_ opcode: UInt8) -> Bool {
        let p = ssePrefix
        let op: X86SSE4
        switch (opcode, p) {
        case (0x12, 2): op = .movsldup
        case (0x12, 3): op = .movddup
        case (0x16, 2): op = .movshdup
        case (0x7c, 1): op = .haddpd
        case (0x7c, 3): op = .haddps
        case (0x7d, 1): op = .hsubpd
        case (0x7d, 3): op = .hsubps
        case (0xd0, 1): op = .addsubpd
        case (0xd0, 3): op = .addsubps
        case (0xf0, 3): op = .lddqu
        default: return false
        }
        modrmXMM()
        if op == .lddqu && !isMemory { insn.op = .illegal; return true }
        sse4(op, aligned: op != .movddup && op != .lddqu)
        return true
    }

    /// 0F 38: SSSE3 and SSE4.1/4.2 without an immediate, and crc32.
    mutating func decode0F38() {
        let opcode = byte()
        if opcode == 0xf0 || opcode == 0xf1 {
            // crc32 r32/r64, r/m8 (f0) or r/m16/32/64 (f1); movbe (no f2) is not implemented.
            let size: UInt8 = opcode == 0xf0 ? 0 : vsize
            let destination: UInt8 = rexW ? 3 : 2
            modrm(size)
            if repeatPrefix != 0xf2 { insn.op = .illegal; return }
            insn.reg = X86Registers.offset(regField)
            insn.imm = UInt64(destination)
            sse4(.crc32)
            return
        }
        if ssePrefix == 0 { decodeMMXSSSE3(opcode); return }
        modrmXMM()
        guard ssePrefix == 1 else { insn.op = .illegal; return }
        let op: X86SSE4
        if let ssse3 = X86Decoder.ssse3Op(opcode) {
            sse4(ssse3, aligned: true)
            return
        }
        switch opcode {
        case 0x10: op = .pblendvb
        case 0x14: op = .blendvps
        case 0x15: op = .blendvpd
        case 0x17: op = .ptest
        case 0x20: op = .pmovsxbw
        case 0x21: op = .pmovsxbd
        case 0x22: op = .pmovsxbq
        case 0x23: op = .pmovsxwd
        case 0x24: op = .pmovsxwq
        case 0x25: op = .pmovsxdq
        case 0x28: op = .pmuldq
        case 0x29: op = .pcmpeqq
        case 0x2a: op = .movntdqa
        case 0x2b: op = .packusdw
        case 0x30: op = .pmovzxbw
        case 0x31: op = .pmovzxbd
        case 0x32: op = .pmovzxbq
        case 0x33: op = .pmovzxwd
        case 0x34: op = .pmovzxwq
        case 0x35: op = .pmovzxdq
        case 0x37: op = .pcmpgtq
        case 0x38: op = .pminsb
        case 0x39: op = .pminsd
        case 0x3a: op = .pminuw
        case 0x3b: op = .pminud
        case 0x3c: op = .pmaxsb
        case 0x3d: op = .pmaxsd
        case 0x3e: op = .pmaxuw
        case 0x3f: op = .pmaxud
        case 0x40: op = .pmulld
        case 0x41: op = .phminposuw
        default: insn.op = .illegal; return
        }
        if op == .movntdqa && !isMemory { insn.op = .illegal; return }
        let widening = op.rawValue >= X86SSE4.pmovsxbw.rawValue && op.rawValue <= X86SSE4.pmovzxdq.rawValue
        sse4(op, aligned: !widening)
    }

    /// The SSSE3 operations of 0F 38 (xmm with 0x66, mm without).
    static func ssse3Op(_ opcode: UInt8) -> X86SSE4? {
        switch opcode {
        case 0x00: return .pshufb
        case 0x01: return .phaddw
        case 0x02: return .phaddd
        case 0x03: return .phaddsw
        case 0x04: return .pmaddubsw
        case 0x05: return .phsubw
        case 0x06: return .phsubd
        case 0x07: return .phsubsw
        case 0x08: return .psignb
        case 0x09: return .psignw
        case 0x0a: return .psignd
        case 0x0b: return .pmulhrsw
        case 0x1c: return .pabsb
        case 0x1d: return .pabsw
        case 0x1e: return .pabsd
        default: return nil
        }
    }

    /// 0F 3A: the SSSE3/SSE4 operations with an immediate.
    mutating func decode0F3A() {
        let opcode = byte()
        if opcode == 0x0f && ssePrefix == 0 {   // palignr mm, mm/m64, imm8
            modrmMM()
            insn.imm = UInt64(byte())
            mmxSSSE3(.palignr)
            return
        }
        let size: UInt8 = rexW ? 3 : 2
        let op: X86SSE4
        switch opcode {
        case 0x08: op = .roundps
        case 0x09: op = .roundpd
        case 0x0a: op = .roundss
        case 0x0b: op = .roundsd
        case 0x0c: op = .blendps
        case 0x0d: op = .blendpd
        case 0x0e: op = .pblendw
        case 0x0f: op = .palignr
        case 0x14: op = .pextrb
        case 0x15: op = .pextrw
        case 0x16: op = .pextrd
        case 0x17: op = .extractps
        case 0x20: op = .pinsrb
        case 0x21: op = .insertps
        case 0x22: op = .pinsrd
        case 0x40: op = .dpps
        case 0x41: op = .dppd
        case 0x42: op = .mpsadbw
        case 0x60: op = .pcmpestrm
        case 0x61: op = .pcmpestri
        case 0x62: op = .pcmpistrm
        case 0x63: op = .pcmpistri
        default:
            modrmXMM()
            insn.imm = UInt64(byte())
            insn.op = .illegal
            return
        }
        switch op {
        case .pextrb, .pextrw, .pextrd, .extractps, .pinsrb, .pinsrd:
            // A general-purpose register or memory operand in rm, the xmm register in reg.
            modrm(size)
            insn.reg = UInt8(regField)
        default:
            modrmXMM()
            insn.size = size
        }
        insn.imm = UInt64(byte())
        if ssePrefix != 1 { insn.op = .illegal; return }
        let unaligned = op.rawValue >= X86SSE4.pextrb.rawValue && op.rawValue <= X86SSE4.pinsrd.rawValue
            || op.rawValue >= X86SSE4.pcmpestrm.rawValue || op == .roundss || op == .roundsd
        sse4(op, aligned: !unaligned)
    }
}
