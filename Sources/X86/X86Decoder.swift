// x86-64 instruction decoding (64-bit mode): legacy prefixes, REX, the one-byte and 0F opcode
// maps, ModRM/SIB/displacement (RIP-relative addresses resolved to absolute ones here, since
// a decoded instruction belongs to one address) and immediates, into an `X86Instruction`.
// Encodings of features CPUID does not report (AVX, MMX...) decode as illegal, so they raise
// SIGILL as on a CPU without them. VEX (BMI1/BMI2) is in Decoder+VEX.swift. The 0F map's SSE part is in Decoder+SSE.swift, SSE3 and
// the 0F 38 / 0F 3A maps (SSSE3, SSE4) in Decoder+SSE4.swift, x87 in Decoder+X87.swift.

struct X86Decoder {
    let bytes: UnsafePointer<UInt8>
    let available: Int
    let pc: UInt64
    var pos = 0
    var rex: UInt8 = 0
    var opsize16 = false
    var address32 = false
    /// The last of the 0xf2/0xf3 prefixes (0 when neither).
    var repeatPrefix: UInt8 = 0
    var lock = false
    var segment = X86Registers.zeroOffset
    /// Ran past the available bytes.
    var truncated = false
    var ripRelative = false
    var mod: UInt8 = 0
    /// ModRM reg and rm fields, REX bits included.
    var regField = 0
    var rmField = 0
    var insn = X86Instruction(op: .illegal)

    init(bytes: UnsafePointer<UInt8>, available: Int, pc: UInt64) {
        self.bytes = bytes
        self.available = available
        self.pc = pc
    }

    /// Decodes the instruction at `pc` from `available` bytes (at most 15 are looked at). An
    /// instruction longer than what is available decodes as `.truncated`.
    static func decode(_ bytes: UnsafePointer<UInt8>, available: Int, pc: UInt64) -> X86Instruction {
        var d = X86Decoder(bytes: bytes, available: available, pc: pc)
        d.decodeInstruction()
        if d.truncated {
            var t = X86Instruction(op: .truncated)
            t.length = UInt8(min(d.pos, 15))
            return t
        }
        if d.pos > 15 {
            var t = X86Instruction(op: .illegal)
            t.length = 15
            return t
        }
        d.insn.length = UInt8(d.pos)
        if d.ripRelative { d.insn.disp = pc &+ UInt64(d.pos) &+ d.insn.disp }
        if d.address32 { d.insn.attrs |= X86Attrs.address32 }
        return d.insn
    }

    // MARK: Bytes

    mutating func byte() -> UInt8 {
        if pos >= available || pos >= 16 { truncated = true; pos += 1; return 0 }
        pos += 1
        return bytes[pos - 1]
    }
    mutating func imm8() -> UInt64 { UInt64(bitPattern: Int64(Int8(bitPattern: byte()))) }
    mutating func imm16() -> UInt64 {
        let lo = UInt16(byte()), hi = UInt16(byte())
        return UInt64(bitPattern: Int64(Int16(bitPattern: lo | hi << 8)))
    }
    mutating func imm32() -> UInt64 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(byte()) << (8 * UInt32(i)) }
        return UInt64(bitPattern: Int64(Int32(bitPattern: v)))
    }
    mutating func imm64() -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(byte()) << (8 * UInt64(i)) }
        return v
    }
    /// An Iz immediate: 16 bits with 0x66, else 32 bits sign-extended.
    mutating func immZ(_ size: UInt8) -> UInt64 { size == 1 ? imm16() : imm32() }
    /// The immediate of an operation of `size` (Ib for byte operations, else Iz).
    mutating func immFor(_ size: UInt8) -> UInt64 { size == 0 ? imm8() : immZ(size) }

    var rexW: Bool { rex & 8 != 0 }
    /// The operand size of a "v" operand: 64 with REX.W, 16 with 0x66, else 32.
    var vsize: UInt8 { rexW ? 3 : (opsize16 ? 1 : 2) }
    /// Near branches, push and pop: 64 bits unless 0x66 makes them 16.
    var stackSize: UInt8 { opsize16 && !rexW ? 1 : 3 }

    /// Byte offset of general-purpose register `i` as an operand of `size`.
    func gpr(_ i: Int, _ size: UInt8) -> UInt8 {
        size == 0 ? X86Registers.byteOffset(i, rex: rex != 0) : X86Registers.offset(i)
    }

    // MARK: ModRM

    /// Reads ModRM (and SIB and displacement): `reg` and, for a register rm, `rm` get the
    /// registers' offsets for operands of `size`; a memory rm sets the address fields.
    mutating func modrm(_ size: UInt8) {
        let m = byte()
        mod = m >> 6
        regField = Int((m >> 3) & 7) | (rex & 4 != 0 ? 8 : 0)
        let low = Int(m & 7)
        insn.size = size
        insn.reg = gpr(regField, size)
        insn.seg = segment
        if mod == 3 {
            rmField = low | (rex & 1 != 0 ? 8 : 0)
            insn.rm = gpr(rmField, size)
            return
        }
        insn.attrs |= X86Attrs.memory
        rmField = low
        if low == 4 {
            let sib = byte()
            let scale = sib >> 6
            let index = Int((sib >> 3) & 7) | (rex & 2 != 0 ? 8 : 0)
            let base = Int(sib & 7)
            if index != 4 {
                insn.index = X86Registers.offset(index)
                insn.scale = scale
            }
            if base == 5 && mod == 0 {
                insn.disp = imm32()
            } else {
                insn.base = X86Registers.offset(base | (rex & 1 != 0 ? 8 : 0))
            }
        } else if low == 5 && mod == 0 {
            ripRelative = true
            insn.disp = imm32()
        } else {
            insn.base = X86Registers.offset(low | (rex & 1 != 0 ? 8 : 0))
        }
        if mod == 1 { insn.disp = imm8() } else if mod == 2 { insn.disp = imm32() }
    }

    var isMemory: Bool { mod != 3 }

    /// The register or memory form of an operation.
    mutating func form(_ register: X86Op, _ memory: X86Op) { insn.op = isMemory ? memory : register }

    // MARK: Prefixes and the one-byte map

    mutating func decodeInstruction() {
        var opcode: UInt8 = 0
        prefixes: while true {
            let b = byte()
            if truncated { return }
            switch b {
            case 0x66: opsize16 = true; rex = 0
            case 0x67: address32 = true; rex = 0
            case 0xf2, 0xf3: repeatPrefix = b; rex = 0
            case 0xf0: lock = true; rex = 0
            case 0x64: segment = X86Registers.fsOffset; rex = 0
            case 0x65: segment = X86Registers.gsOffset; rex = 0
            case 0x26, 0x2e, 0x36, 0x3e: rex = 0   // es/cs/ss/ds: no effect in 64-bit mode
            case 0x40...0x4f: rex = b
            default:
                opcode = b
                break prefixes
            }
            if pos >= 15 { pos = 16; return }
        }
        insn.seg = segment
        switch opcode {
        case 0x0f:
            decodeTwoByte()
        case 0x00...0x3f where opcode & 7 < 6:
            decodeGroup1(kind: Int(opcode >> 3), form: opcode & 7)
        case 0x50...0x57:
            insn.op = .push
            insn.size = stackSize
            insn.reg = X86Registers.offset(Int(opcode & 7) | (rex & 1 != 0 ? 8 : 0))
        case 0x58...0x5f:
            insn.op = .pop
            insn.size = stackSize
            insn.reg = X86Registers.offset(Int(opcode & 7) | (rex & 1 != 0 ? 8 : 0))
        case 0x63:
            // movsxd Gv, Ed (without REX.W: a plain 32-bit move).
            let size = vsize
            modrm(size)
            insn.rm = gpr(rmField, 2)
            insn.cond = 2
            if size == 3 { form(.movsxRR, .movsxRM) } else { insn.cond = size; form(.movzxRR, .movzxRM) }
        case 0x68:
            insn.op = .pushI
            insn.size = stackSize
            insn.imm = immZ(insn.size)
        case 0x6a:
            insn.op = .pushI
            insn.size = stackSize
            insn.imm = imm8()
        case 0x69, 0x6b:
            modrm(vsize)
            insn.attrs |= X86Attrs.immediate
            insn.imm = opcode == 0x6b ? imm8() : immZ(insn.size)
            form(.imulRR, .imulRM)
        case 0x6c...0x6f, 0xe4...0xe7, 0xec...0xef, 0xf4, 0xfa, 0xfb, 0xcf, 0xca, 0xcb:
            insn.op = .privileged
        case 0x70...0x7f:
            let rel = imm8()
            insn.op = .jcc
            insn.cond = opcode & 0xf
            insn.imm = pc &+ UInt64(pos) &+ rel
        case 0x80, 0x81, 0x83:
            let size: UInt8 = opcode == 0x80 ? 0 : vsize
            modrm(size)
            insn.imm = opcode == 0x81 ? immZ(size) : imm8()
            let kind = regField & 7
            insn.cond = UInt8(kind)
            insn.op = isMemory ? X86Decoder.aluMI[kind] : X86Decoder.aluRI[kind]
            if !isMemory { insn.reg = insn.rm }
        case 0x84, 0x85:
            modrm(opcode == 0x84 ? 0 : vsize)
            form(.testRR, .testMR)
        case 0x86, 0x87:
            modrm(opcode == 0x86 ? 0 : vsize)
            form(.xchgRR, .xchgRM)
        case 0x88, 0x89:
            modrm(opcode == 0x88 ? 0 : vsize)
            if isMemory { insn.op = .movMR } else { insn.op = .movRR; swap(&insn.reg, &insn.rm) }
        case 0x8a, 0x8b:
            modrm(opcode == 0x8a ? 0 : vsize)
            form(.movRR, .movRM)
        case 0x8c:
            // mov r/m16, Sreg: the user-mode selectors of a 64-bit Linux process.
            modrm(isMemoryPeek ? 1 : vsize)
            let selectors: [UInt64] = [0, 0x33, 0x2b, 0, 0, 0, 0, 0]
            insn.imm = selectors[regField & 7]
            if isMemory { insn.size = 1; insn.op = .movMI } else { insn.reg = insn.rm; insn.op = .movRI }
        case 0x8d:
            modrm(vsize)
            insn.op = isMemory ? .lea : .illegal
        case 0x8e:
            modrm(1)
            insn.op = .privileged
        case 0x8f:
            modrm(stackSize)
            if regField & 7 != 0 { insn.op = .illegal; return }
            if isMemory { insn.op = .popM } else { insn.op = .pop; insn.reg = insn.rm }
        case 0x90:
            if rex & 1 != 0 {
                insn.op = .xchgRR
                insn.size = vsize
                insn.reg = X86Registers.offset(8)
                insn.rm = X86Registers.offset(0)
            } else {
                insn.op = .nop   // nop, pause (f3 90)
            }
        case 0x91...0x97:
            insn.op = .xchgRR
            insn.size = vsize
            insn.reg = X86Registers.offset(Int(opcode & 7) | (rex & 1 != 0 ? 8 : 0))
            insn.rm = X86Registers.offset(0)
        case 0x98:
            insn.op = .cbw
            insn.size = vsize
        case 0x99:
            insn.op = .cwd
            insn.size = vsize
        case 0x9b:
            insn.op = .x87   // fwait
            insn.cond = X87Op.fwait
        case 0x9c:
            insn.op = .flagSystem; insn.cond = X86FlagOp.pushf
            insn.size = stackSize
        case 0x9d:
            insn.op = .flagSystem; insn.cond = X86FlagOp.popf
            insn.size = stackSize
        case 0x9e:
            insn.op = .flagSystem; insn.cond = X86FlagOp.sahf
        case 0x9f:
            insn.op = .flagSystem; insn.cond = X86FlagOp.lahf
        case 0xa0...0xa3:
            // mov al/rAX <-> moffs64.
            let size: UInt8 = opcode & 1 == 0 ? 0 : vsize
            insn.size = size
            insn.attrs |= X86Attrs.memory
            insn.disp = address32 ? UInt64(UInt32(truncatingIfNeeded: imm32())) : imm64()
            insn.reg = X86Registers.offset(0)
            insn.op = opcode < 0xa2 ? .movRM : .movMR
        case 0xa4...0xa7, 0xaa...0xaf:
            let size: UInt8 = opcode & 1 == 0 ? 0 : vsize
            insn.size = size
            switch opcode & 0xfe {
            case 0xa4: insn.op = .movs
            case 0xa6: insn.op = .cmps
            case 0xaa: insn.op = .stos
            case 0xac: insn.op = .lods
            default: insn.op = .scas
            }
            if repeatPrefix == 0xf3 { insn.attrs |= X86Attrs.rep }
            if repeatPrefix == 0xf2 { insn.attrs |= X86Attrs.repne }
        case 0xa8, 0xa9:
            let size: UInt8 = opcode == 0xa8 ? 0 : vsize
            insn.size = size
            insn.reg = X86Registers.offset(0)
            insn.imm = immFor(size)
            insn.op = .testRI
        case 0xb0...0xb7:
            insn.size = 0
            insn.reg = gpr(Int(opcode & 7) | (rex & 1 != 0 ? 8 : 0), 0)
            insn.imm = imm8()
            insn.op = .movRI
        case 0xb8...0xbf:
            let size = vsize
            insn.size = size
            insn.reg = X86Registers.offset(Int(opcode & 7) | (rex & 1 != 0 ? 8 : 0))
            insn.imm = size == 3 ? imm64() : (size == 2 ? UInt64(UInt32(truncatingIfNeeded: imm32())) : imm16())
            insn.op = .movRI
        case 0xc0, 0xc1, 0xd0...0xd3:
            let size: UInt8 = opcode & 1 == 0 ? 0 : vsize
            modrm(size)
            insn.cond = UInt8(regField & 7)
            switch opcode {
            case 0xc0, 0xc1: insn.imm = UInt64(byte())
            case 0xd0, 0xd1: insn.imm = 1
            default: insn.attrs |= X86Attrs.countCL
            }
            if isMemory {
                insn.op = .shiftM
            } else {
                insn.reg = insn.rm
                insn.op = .shiftR
                if insn.attrs & X86Attrs.countCL == 0 && insn.imm & (size == 3 ? 63 : 31) != 0 {
                    switch insn.cond {
                    case 4, 6: insn.op = .shlRI
                    case 5: insn.op = .shrRI
                    case 7: insn.op = .sarRI
                    default: break
                    }
                }
            }
        case 0xc2:
            insn.op = .retImm
            insn.imm = imm16() & 0xffff
        case 0xc3:
            insn.op = .ret
        case 0xc4, 0xc5:
            decodeVEX(opcode)
        case 0xc6, 0xc7:
            let size: UInt8 = opcode == 0xc6 ? 0 : vsize
            modrm(size)
            insn.imm = immFor(size)
            if regField & 7 != 0 { insn.op = .illegal; return }
            if isMemory { insn.op = .movMI } else { insn.op = .movRI; insn.reg = insn.rm }
        case 0xc9:
            insn.op = .leave
        case 0xcc:
            insn.op = .int3
        case 0xcd:
            _ = byte()
            insn.op = .privileged
        case 0xd8...0xdf:
            decodeX87(opcode)
        case 0xe0...0xe3:
            let rel = imm8()
            insn.op = .loop
            insn.cond = opcode & 3
            insn.imm = pc &+ UInt64(pos) &+ rel
        case 0xe8:
            let rel = imm32()
            insn.op = .call
            insn.imm = pc &+ UInt64(pos) &+ rel
        case 0xe9:
            let rel = imm32()
            insn.op = .jmp
            insn.imm = pc &+ UInt64(pos) &+ rel
        case 0xeb:
            let rel = imm8()
            insn.op = .jmp
            insn.imm = pc &+ UInt64(pos) &+ rel
        case 0xf5: insn.op = .flagSystem; insn.cond = X86FlagOp.cmc
        case 0xf8: insn.op = .flagSystem; insn.cond = X86FlagOp.clc
        case 0xf9: insn.op = .flagSystem; insn.cond = X86FlagOp.stc
        case 0xfc: insn.op = .flagSystem; insn.cond = X86FlagOp.cld
        case 0xfd: insn.op = .flagSystem; insn.cond = X86FlagOp.std
        case 0xf6, 0xf7:
            let size: UInt8 = opcode == 0xf6 ? 0 : vsize
            modrm(size)
            let kind = regField & 7
            switch kind {
            case 0, 1:
                insn.imm = immFor(size)
                if isMemory { insn.op = .testMI } else { insn.op = .testRI; insn.reg = insn.rm }
            case 2: form(.notR, .notM)
            case 3: form(.negR, .negM)
            default:
                insn.cond = UInt8(kind)
                form(.mulDivR, .mulDivM)
            }
            if !isMemory && (kind == 2 || kind == 3) { insn.reg = insn.rm }
        case 0xfe, 0xff:
            let size: UInt8 = opcode == 0xfe ? 0 : vsize
            let kind = peekReg
            if kind >= 2 && opcode == 0xfe { insn.op = .illegal; _ = byte(); return }
            switch kind {
            case 0, 1:
                modrm(size)
                if isMemory { insn.op = kind == 0 ? .incM : .decM } else { insn.op = kind == 0 ? .incR : .decR; insn.reg = insn.rm }
            case 2, 4:
                modrm(3)
                insn.size = 3
                if isMemory { insn.op = kind == 2 ? .callM : .jmpM } else { insn.op = kind == 2 ? .callR : .jmpR; insn.reg = insn.rm }
            case 6:
                modrm(stackSize)
                if isMemory { insn.op = .pushM } else { insn.op = .push; insn.reg = insn.rm }
            default:
                modrm(size)
                insn.op = .illegal
            }
        default:
            insn.op = .illegal
        }
    }

    /// The reg field of the ModRM byte that follows (without consuming it).
    var peekReg: Int { pos < available ? Int((bytes[pos] >> 3) & 7) : 0 }
    var isMemoryPeek: Bool { pos < available ? bytes[pos] >> 6 != 3 : false }

    static let aluRR: [X86Op] = [.addRR, .orRR, .adcRR, .sbbRR, .andRR, .subRR, .xorRR, .cmpRR]
    static let aluRI: [X86Op] = [.addRI, .orRI, .adcRI, .sbbRI, .andRI, .subRI, .xorRI, .cmpRI]
    static let aluRM: [X86Op] = [.addRM, .orRM, .adcRM, .sbbRM, .andRM, .subRM, .xorRM, .cmpRM]
    static let aluMR: [X86Op] = [.addMR, .orMR, .adcMR, .sbbMR, .andMR, .subMR, .xorMR, .cmpMR]
    static let aluMI: [X86Op] = [.addMI, .orMI, .adcMI, .sbbMI, .andMI, .subMI, .xorMI, .cmpMI]

    /// 00...3d: add, or, adc, sbb, and, sub, xor, cmp in forms Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev /
    /// al,Ib / rAX,Iz.
    mutating func decodeGroup1(kind: Int, form: UInt8) {
        let size: UInt8 = form & 1 == 0 ? 0 : vsize
        insn.cond = UInt8(kind)
        switch form {
        case 0, 1:
            modrm(size)
            if isMemory {
                insn.op = X86Decoder.aluMR[kind]
            } else {
                insn.op = X86Decoder.aluRR[kind]
                swap(&insn.reg, &insn.rm)      // destination rm, source reg
            }
        case 2, 3:
            modrm(size)
            insn.op = isMemory ? X86Decoder.aluRM[kind] : X86Decoder.aluRR[kind]
        default:
            insn.size = size
            insn.reg = X86Registers.offset(0)
            insn.imm = immFor(size)
            insn.op = X86Decoder.aluRI[kind]
        }
    }

    // MARK: The 0F map

    mutating func decodeTwoByte() {
        let opcode = byte()
        switch opcode {
        case 0x05:
            insn.op = .syscall
        case 0x0b, 0xff, 0xb9:
            insn.op = .illegal
        case 0x0d, 0x18...0x1f:
            // prefetch, hint nops, endbr64 (f3 0f 1e fa).
            modrm(vsize)
            insn.op = .nop
        case 0x31:
            insn.op = .flagSystem; insn.cond = X86FlagOp.rdtsc
        case 0x40...0x4f:
            modrm(vsize)
            insn.cond = opcode & 0xf
            form(.cmovRR, .cmovRM)
        case 0x80...0x8f:
            let rel = imm32()
            insn.op = .jcc
            insn.cond = opcode & 0xf
            insn.imm = pc &+ UInt64(pos) &+ rel
        case 0x90...0x9f:
            modrm(0)
            insn.cond = opcode & 0xf
            if isMemory { insn.op = .setccM } else { insn.op = .setccR; insn.reg = insn.rm }
        case 0xa2:
            insn.op = .flagSystem; insn.cond = X86FlagOp.cpuid
        case 0xa3, 0xab, 0xb3, 0xbb:
            modrm(vsize)
            insn.cond = opcode == 0xa3 ? 0 : opcode == 0xab ? 1 : opcode == 0xb3 ? 2 : 3
            if isMemory { insn.op = .btMR } else { insn.op = .btRR; swap(&insn.reg, &insn.rm) }
        case 0xba:
            modrm(vsize)
            let kind = regField & 7
            insn.imm = UInt64(byte())
            if kind < 4 { insn.op = .illegal; return }
            insn.cond = UInt8(kind - 4)
            if isMemory { insn.op = .btMI } else { insn.op = .btRI; insn.reg = insn.rm }
        case 0xa4, 0xa5, 0xac, 0xad:
            modrm(vsize)
            if opcode & 1 == 0 { insn.imm = UInt64(byte()) } else { insn.attrs |= X86Attrs.countCL }
            let left = opcode < 0xa8
            if isMemory { insn.op = left ? .shldM : .shrdM } else { insn.op = left ? .shldR : .shrdR; swap(&insn.reg, &insn.rm) }
        case 0xae:
            decodeGroup15()
        case 0xaf:
            modrm(vsize)
            form(.imulRR, .imulRM)
        case 0xb0, 0xb1:
            modrm(opcode == 0xb0 ? 0 : vsize)
            if isMemory { insn.op = .cmpxchgMR } else { insn.op = .cmpxchgRR; swap(&insn.reg, &insn.rm) }
        case 0xb6, 0xb7, 0xbe, 0xbf:
            modrm(vsize)
            let source: UInt8 = opcode & 1 == 0 ? 0 : 1
            insn.cond = source
            if !isMemory { insn.rm = gpr(rmField, source) }
            if opcode < 0xb8 { form(.movzxRR, .movzxRM) } else { form(.movsxRR, .movsxRM) }
        case 0xb8:
            modrm(vsize)
            if repeatPrefix != 0xf3 { insn.op = .illegal; return }
            insn.cond = 4
            form(.bitScanRR, .bitScanRM)
        case 0xbc, 0xbd:
            modrm(vsize)
            // bsf and bsr; with f3, tzcnt (BMI1) and lzcnt (LZCNT).
            insn.cond = (opcode == 0xbc ? 0 : 1) + (repeatPrefix == 0xf3 ? 2 : 0)
            form(.bitScanRR, .bitScanRM)
        case 0xc0, 0xc1:
            modrm(opcode == 0xc0 ? 0 : vsize)
            if isMemory { insn.op = .xaddMR } else { insn.op = .xaddRR; swap(&insn.reg, &insn.rm) }
        case 0xc7:
            let kind = peekReg
            modrm(3)
            if kind == 1 && isMemory {
                insn.op = .cmpxchg16b
                insn.size = rexW ? 4 : 3
            } else {
                insn.op = .illegal
            }
        case 0xc8...0xcf:
            insn.op = .bswap
            insn.size = vsize
            insn.reg = X86Registers.offset(Int(opcode & 7) | (rex & 1 != 0 ? 8 : 0))
        case 0x38:
            decode0F38()
        case 0x3a:
            decode0F3A()
        default:
            if !decodeSSE3(opcode) { decodeSSE(opcode) }
        }
    }

    /// 0F AE: fxsave, fxrstor, ldmxcsr, stmxcsr; lfence, mfence, sfence, clflush.
    mutating func decodeGroup15() {
        let kind = peekReg
        modrm(3)
        if repeatPrefix != 0 || (opsize16 && !(kind == 7 && isMemory)) { insn.op = .illegal; return }
        if isMemory {
            switch kind {
            case 0...3: insn.op = .sseControl; insn.cond = UInt8(kind)   // `X86SSEControl`
            case 7: insn.op = .nop          // clflush
            default: insn.op = .illegal     // xsave family: not reported by CPUID
            }
        } else {
            insn.op = kind >= 5 ? .nop : .illegal   // lfence, mfence, sfence
        }
    }
}
