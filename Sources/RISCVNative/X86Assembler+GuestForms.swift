// Forms the translator for x86-64 guests (Sources/X86Native) needs beyond the RISC-V tier's:
// an operation of any operand size (1, 2, 4 or 8 bytes) on a register and a memory operand
// [base + index * scale + disp], and the few flag and branch instructions that let compiled
// code keep the guest's RFLAGS in the host's (lahf/sahf, seto, pushfq/popfq, cqo, jrcxz).

/// A memory operand [base + index << scale + disp].
package struct X86Memory {
    package var base: X86Register
    package var index: X86Register?
    package var scale: UInt8
    package var disp: Int32

    package init(_ base: X86Register, _ disp: Int32 = 0, index: X86Register? = nil, scale: UInt8 = 0) {
        self.base = base
        self.index = index
        self.scale = scale
        self.disp = disp
    }
}

extension X86Assembler {
    /// Prefixes (0x66 for 2 bytes, REX) and `opcode` for operand size `size` (bytes) with
    /// ModRM.reg `reg`, rm/base `rm` and SIB index `index`; `byteReg` when `reg` or `rm` is a
    /// byte register (4...7 need a REX to mean spl...dil).
    private static func prefixes(_ e: inout Encoded, _ opcode: [UInt8], size: Int, reg: UInt8, rm: UInt8, index: UInt8,
                                 byteReg: Bool) {
        if size == 2 { e.append(0x66) }
        let rex: UInt8 = 0x40 | (size == 8 ? 8 : 0) | (reg >> 3) << 2 | (index >> 3) << 1 | (rm >> 3)
        if rex != 0x40 || byteReg { e.append(rex) }
        for b in opcode { e.append(b) }
    }

    /// `opcode` with ModRM.reg `reg` (a register number or an opcode extension) and memory
    /// operand `m`, operand size `size` bytes.
    package mutating func op(_ opcode: [UInt8], size: Int, reg: UInt8, _ m: X86Memory) {
        precondition(m.index != .rsp && opcode.count <= 3)
        let byteReg = size == 1 && reg >= 4 && reg < 8
        var e = Encoded()
        Self.prefixes(&e, opcode, size: size, reg: reg, rm: m.base.rawValue, index: m.index?.rawValue ?? 0, byteReg: byteReg)
        let short = m.disp >= -128 && m.disp <= 127
        let sib = m.index != nil || m.base.rawValue & 7 == 4
        e.append((short ? 0x40 : 0x80) | (reg & 7) << 3 | (sib ? 4 : m.base.rawValue & 7))
        if sib { e.append((m.scale & 3) << 6 | ((m.index?.rawValue ?? 4) & 7) << 3 | m.base.rawValue & 7) }
        if short {
            emit(e, UInt64(UInt8(bitPattern: Int8(truncatingIfNeeded: m.disp))), 1)
        } else {
            emit(e, UInt64(UInt32(bitPattern: m.disp)), 4)
        }
    }

    /// `opcode` with ModRM.reg `reg` and register operand `rm`, operand size `size` bytes.
    package mutating func op(_ opcode: [UInt8], size: Int, reg: UInt8, rm: X86Register) {
        precondition(opcode.count <= 3)
        let byteReg = size == 1 && (rm.rawValue >= 4 || reg >= 4)
        var e = Encoded()
        Self.prefixes(&e, opcode, size: size, reg: reg, rm: rm.rawValue, index: 0, byteReg: byteReg)
        e.append(0xC0 | (reg & 7) << 3 | rm.rawValue & 7)
        emit(e)
    }

    /// An immediate of `size` bytes (at most 4: 8-byte operations take a sign-extended 32-bit one).
    package mutating func immediate(_ v: UInt64, size: Int) {
        switch size {
        case 1: byte(UInt8(truncatingIfNeeded: v))
        case 2: byte(UInt8(truncatingIfNeeded: v)); byte(UInt8(truncatingIfNeeded: v >> 8))
        default: int32(Int32(truncatingIfNeeded: v))
        }
    }

    /// mov dst, imm without touching the flags (never `xor`): 32 bits zero-extended when it fits.
    package mutating func moveKeepingFlags(_ dst: X86Register, imm: UInt64) {
        let fits = imm <= UInt64(UInt32.max)
        let rex: UInt8 = 0x40 | (fits ? 0 : 8) | (dst.rawValue >> 3)
        if rex != 0x40 { byte(rex) }
        byte(0xB8 | dst.rawValue & 7)
        if fits { int32(Int32(bitPattern: UInt32(imm))) } else { int64(imm) }
    }

    /// lea dst, m (64 bits).
    package mutating func lea(_ dst: X86Register, _ m: X86Memory) { op([0x8D], size: 8, reg: dst.rawValue, m) }

    /// lea dst, m: 64 bits, or (`w` false) the address's low 32 bits zero-extended.
    package mutating func lea(_ dst: X86Register, _ m: X86Memory, w: Bool) {
        op([0x8D], size: w ? 8 : 4, reg: dst.rawValue, m)
    }

    /// lea dst, [base + index << scale] without a displacement (`op` always writes one, which
    /// makes a three-component lea: a cycle slower on many cores); base is not rbp or r13 (those
    /// need one).
    package mutating func lea(_ dst: X86Register, base: X86Register, index: X86Register, scale: UInt8, w: Bool) {
        precondition(index != .rsp && base.rawValue & 7 != 5)
        var e = Encoded()
        Self.prefixes(&e, [0x8D], size: w ? 8 : 4, reg: dst.rawValue, rm: base.rawValue, index: index.rawValue,
                      byteReg: false)
        e.append((dst.rawValue & 7) << 3 | 4)
        e.append((scale & 3) << 6 | (index.rawValue & 7) << 3 | base.rawValue & 7)
        emit(e)
    }

    /// lahf (SF ZF AF PF CF into ah), sahf (back from ah).
    package mutating func loadFlagsIntoAH() { byte(0x9F) }
    package mutating func storeAHIntoFlags() { byte(0x9E) }
    /// seto al.
    package mutating func setOverflowAL() { byte(0x0F); byte(0x90); byte(0xC0) }
    /// add al, imm8.
    package mutating func addAL(_ v: UInt8) { byte(0x04); byte(v) }
    package mutating func pushFlags() { byte(0x9C) }
    package mutating func popFlags() { byte(0x9D) }
    /// cqo: rdx = the sign of rax (all ones or zero); no flags change.
    package mutating func signIntoRDX() { byte(0x48); byte(0x99) }
    /// jrcxz rel8 to an offset not known yet: returns the offset of the rel8 field.
    package mutating func jumpIfRCXZero() -> Int {
        byte(0xE3)
        byte(0)
        return offset - 1
    }
    /// Points the rel8 field at `at` to offset `target` of this code.
    package mutating func patch(rel8At at: Int, toOffset target: Int) {
        let rel = target - (at + 1)
        precondition(rel >= -128 && rel <= 127)
        patch(byteAt: at, UInt8(bitPattern: Int8(rel)))
    }
}

extension X86Assembler {
    /// shrx dst, src, count (BMI2: the flags untouched).
    package mutating func shiftRightKeepingFlags(_ dst: X86Register, _ src: X86Register, by count: X86Register) {
        shift(.shr, dst, src, by: count)
    }

    /// shlx dst, src, count (BMI2: the flags untouched).
    package mutating func shiftLeftKeepingFlags(_ dst: X86Register, _ src: X86Register, by count: X86Register) {
        shift(.shl, dst, src, by: count)
    }

    /// Whether the host has BMI2 (shrx, rorx).
    package static var hostHasBMI2: Bool { HostFeatures.bmi2 }
    /// Whether the host runs tzcnt, lzcnt and popcnt as themselves.
    package static var hostHasBitCounts: (tzcnt: Bool, lzcnt: Bool, popcnt: Bool) {
        (HostFeatures.tzcnt, HostFeatures.lzcnt, HostFeatures.popcnt)
    }
}
