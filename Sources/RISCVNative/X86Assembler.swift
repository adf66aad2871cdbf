// A small x86-64 encoder: exactly the instruction forms the block translator emits, into a byte
// array whose final address is known up front (so rel32 jumps to code outside the block can be
// resolved while emitting). Memory operands are [base + disp8/disp32] or [base + index + disp].

package enum X86Register: UInt8 {
    case rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15

    var low: UInt8 { rawValue & 7 }
    var high: UInt8 { rawValue >> 3 }
}

/// Condition codes (the low nibble of jcc/setcc/cmovcc).
package enum X86Condition: UInt8 {
    case o = 0, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
}

/// Two-operand ALU operations: the /digit of the immediate forms; the register forms are
/// `digit << 3 | 1` (r/m, reg) and `digit << 3 | 3` (reg, r/m).
package enum X86ALU: UInt8 {
    case add = 0, or = 1, and = 4, sub = 5, xor = 6, cmp = 7
}

/// Shift and rotate operations (the /digit of C1 / D3).
enum X86Shift: UInt8 {
    case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7
}

/// An instruction's opcode bytes (one to three), kept inline: an `[UInt8]` per emitted
/// instruction went through the generic `append(contentsOf:)` (2026-12-07: ~6% of a translation-
/// heavy run's host instructions).
struct Opcode {
    private let packed: UInt32
    private let count: Int

    init(_ a: UInt8) { (packed, count) = (UInt32(a), 1) }
    init(_ a: UInt8, _ b: UInt8) { (packed, count) = (UInt32(a) | UInt32(b) << 8, 2) }
    init(_ a: UInt8, _ b: UInt8, _ c: UInt8) { (packed, count) = (UInt32(a) | UInt32(b) << 8 | UInt32(c) << 16, 3) }

    func emit(into a: inout X86Assembler) {
        for i in 0..<count { a.byte(UInt8(truncatingIfNeeded: packed >> (8 * UInt32(i)))) }
    }
}

package struct X86Assembler {
    package internal(set) var bytes: [UInt8] = []
    /// The address the first byte will have once the code is installed.
    package let base: UInt

    package init(base: UInt) {
        self.base = base
        bytes.reserveCapacity(1024)
    }

    package var offset: Int { bytes.count }
    package var address: UInt { base &+ UInt(bytes.count) }

    package mutating func byte(_ b: UInt8) { bytes.append(b) }

    package mutating func int32(_ v: Int32) {
        let u = UInt32(bitPattern: v)
        bytes.append(UInt8(truncatingIfNeeded: u))
        bytes.append(UInt8(truncatingIfNeeded: u >> 8))
        bytes.append(UInt8(truncatingIfNeeded: u >> 16))
        bytes.append(UInt8(truncatingIfNeeded: u >> 24))
    }

    package mutating func int64(_ v: UInt64) {
        int32(Int32(truncatingIfNeeded: v))
        int32(Int32(truncatingIfNeeded: v >> 32))
    }

    /// Overwrites the rel32 field at `at` so that it jumps to `target` (an offset in this block).
    package mutating func patch(rel32At at: Int, toOffset target: Int) {
        let rel = Int32(target - (at + 4))
        let u = UInt32(bitPattern: rel)
        for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: u >> (8 * UInt32(i))) }
    }

    // MARK: Encoding helpers

    /// REX prefix for operand-size `w`, ModRM.reg extension `reg`, and ModRM.rm/base extension
    /// `rm`; emitted only when needed (or `force`, for byte registers spl/bpl/sil/dil).
    private mutating func rex(w: Bool, reg: UInt8, rm: UInt8, index: UInt8 = 0, force: Bool = false) {
        let r: UInt8 = 0x40 | (w ? 8 : 0) | (reg >> 3) << 2 | (index >> 3) << 1 | (rm >> 3)
        if r != 0x40 || force { byte(r) }
    }

    /// ModRM (+ SIB) + displacement for [base + disp] or [base + index + disp] (index not rsp).
    private mutating func memory(reg: UInt8, base: X86Register, index: X86Register?, disp: Int32) {
        let short = disp >= -128 && disp <= 127
        let sib = index != nil || base.low == 4
        byte((short ? 0x40 : 0x80) | (reg & 7) << 3 | (sib ? 4 : base.low))
        if sib { byte((index?.low ?? 4) << 3 | base.low) }
        if short { byte(UInt8(bitPattern: Int8(disp))) } else { int32(disp) }
    }

    /// opcode with a register operand `reg` and a memory operand [base (+ index) + disp].
    mutating func op(_ opcode: Opcode, w: Bool, reg: UInt8, base: X86Register, index: X86Register? = nil, disp: Int32,
                     prefix: UInt8? = nil, byteReg: Bool = false) {
        precondition(index != .rsp)
        if let prefix { byte(prefix) }
        rex(w: w, reg: reg, rm: base.rawValue, index: index?.rawValue ?? 0, force: byteReg && reg >= 4)
        opcode.emit(into: &self)
        memory(reg: reg, base: base, index: index, disp: disp)
    }

    /// opcode with ModRM.reg = `reg` and a register operand ModRM.rm = `rm`.
    mutating func op(_ opcode: Opcode, w: Bool, reg: UInt8, rm: X86Register, byteReg: Bool = false) {
        rex(w: w, reg: reg, rm: rm.rawValue, force: byteReg && rm.rawValue >= 4)
        opcode.emit(into: &self)
        byte(0xC0 | (reg & 7) << 3 | rm.low)
    }

    // MARK: Moves

    /// mov dst, [base + disp] (64 bits, or 32 bits zero-extended).
    package mutating func load(_ dst: X86Register, _ base: X86Register, _ disp: Int32, w: Bool = true) {
        op(Opcode(0x8B), w: w, reg: dst.rawValue, base: base, disp: disp)
    }

    /// mov [base + disp], src (64 bits).
    package mutating func store(_ src: X86Register, _ base: X86Register, _ disp: Int32) {
        op(Opcode(0x89), w: true, reg: src.rawValue, base: base, disp: disp)
    }

    /// mov [base (+ index) + disp] of 1, 2, 4 or 8 bytes from src.
    mutating func store(_ src: X86Register, _ base: X86Register, index: X86Register? = nil, _ disp: Int32, size: Int) {
        let r = src.rawValue
        switch size {
        case 1: op(Opcode(0x88), w: false, reg: r, base: base, index: index, disp: disp, byteReg: true)
        case 2: op(Opcode(0x89), w: false, reg: r, base: base, index: index, disp: disp, prefix: 0x66)
        case 4: op(Opcode(0x89), w: false, reg: r, base: base, index: index, disp: disp)
        default: op(Opcode(0x89), w: true, reg: r, base: base, index: index, disp: disp)
        }
    }

    /// Loads 1, 2, 4 or 8 bytes from [base (+ index) + disp] into dst, sign- or zero-extended to
    /// 64 bits.
    mutating func load(_ dst: X86Register, _ base: X86Register, index: X86Register? = nil, _ disp: Int32, size: Int, signed: Bool) {
        let r = dst.rawValue
        switch (size, signed) {
        case (1, true): op(Opcode(0x0F, 0xBE), w: true, reg: r, base: base, index: index, disp: disp)
        case (1, false): op(Opcode(0x0F, 0xB6), w: false, reg: r, base: base, index: index, disp: disp)
        case (2, true): op(Opcode(0x0F, 0xBF), w: true, reg: r, base: base, index: index, disp: disp)
        case (2, false): op(Opcode(0x0F, 0xB7), w: false, reg: r, base: base, index: index, disp: disp)
        case (4, true): op(Opcode(0x63), w: true, reg: r, base: base, index: index, disp: disp)
        case (4, false): op(Opcode(0x8B), w: false, reg: r, base: base, index: index, disp: disp)
        default: op(Opcode(0x8B), w: true, reg: r, base: base, index: index, disp: disp)
        }
    }

    /// dst = imm, in the shortest form.
    package mutating func move(_ dst: X86Register, imm: UInt64) {
        if imm == 0 {
            op(Opcode(0x31), w: false, reg: dst.rawValue, rm: dst)               // xor r32, r32
        } else if imm <= UInt64(UInt32.max) {
            rex(w: false, reg: 0, rm: dst.rawValue)
            byte(0xB8 | dst.low)
            int32(Int32(bitPattern: UInt32(imm)))
        } else if Int64(bitPattern: imm) >= Int64(Int32.min) && Int64(bitPattern: imm) < 0 {
            op(Opcode(0xC7), w: true, reg: 0, rm: dst)
            int32(Int32(truncatingIfNeeded: imm))
        } else {
            rex(w: true, reg: 0, rm: dst.rawValue)
            byte(0xB8 | dst.low)
            int64(imm)
        }
    }

    /// dst = 0 without touching the flags (mov r32, 0).
    mutating func moveZero(_ dst: X86Register) {
        rex(w: false, reg: 0, rm: dst.rawValue)
        byte(0xB8 | dst.low)
        int32(0)
    }

    /// mov dst, imm64 with the immediate to be filled in later: returns its offset.
    mutating func moveLater(_ dst: X86Register) -> Int {
        rex(w: true, reg: 0, rm: dst.rawValue)
        byte(0xB8 | dst.low)
        int64(0)
        return offset - 8
    }

    mutating func patch(imm64At at: Int, _ value: UInt64) {
        for i in 0..<8 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Appends raw data (aligned to 8 bytes) and returns its offset.
    mutating func data(_ raw: [UInt8]) -> Int {
        while offset % 8 != 0 { byte(0xCC) }
        let at = offset
        bytes.append(contentsOf: raw)
        return at
    }

    /// mov dst, src (64 bits, or 32 bits zero-extending).
    package mutating func move(_ dst: X86Register, _ src: X86Register, w: Bool = true) {
        op(Opcode(0x89), w: w, reg: src.rawValue, rm: dst)
    }

    /// movsxd dst, src32.
    mutating func signExtend32(_ dst: X86Register, _ src: X86Register) {
        op(Opcode(0x63), w: true, reg: dst.rawValue, rm: src)
    }

    /// movsx/movzx dst, src8/src16 (to 64 bits).
    mutating func extend(_ dst: X86Register, _ src: X86Register, size: Int, signed: Bool) {
        switch (size, signed) {
        case (1, true): op(Opcode(0x0F, 0xBE), w: true, reg: dst.rawValue, rm: src, byteReg: true)
        case (1, false): op(Opcode(0x0F, 0xB6), w: false, reg: dst.rawValue, rm: src, byteReg: true)
        case (2, true): op(Opcode(0x0F, 0xBF), w: true, reg: dst.rawValue, rm: src)
        default: op(Opcode(0x0F, 0xB7), w: false, reg: dst.rawValue, rm: src)
        }
    }

    /// lea dst, [base + disp].
    package mutating func lea(_ dst: X86Register, _ base: X86Register, _ disp: Int32) {
        op(Opcode(0x8D), w: true, reg: dst.rawValue, base: base, disp: disp)
    }

    // MARK: Arithmetic

    /// dst op= [base (+ index) + disp].
    mutating func alu(_ o: X86ALU, _ dst: X86Register, _ base: X86Register, index: X86Register? = nil, _ disp: Int32, w: Bool = true) {
        op(Opcode(o.rawValue << 3 | 3), w: w, reg: dst.rawValue, base: base, index: index, disp: disp)
    }

    /// dst op= src.
    mutating func alu(_ o: X86ALU, _ dst: X86Register, _ src: X86Register, w: Bool = true) {
        op(Opcode(o.rawValue << 3 | 1), w: w, reg: src.rawValue, rm: dst)
    }

    /// dst op= imm (sign-extended imm8 or imm32).
    package mutating func alu(_ o: X86ALU, _ dst: X86Register, imm: Int32, w: Bool = true) {
        if imm >= -128 && imm <= 127 {
            op(Opcode(0x83), w: w, reg: o.rawValue, rm: dst)
            byte(UInt8(bitPattern: Int8(imm)))
        } else {
            op(Opcode(0x81), w: w, reg: o.rawValue, rm: dst)
            int32(imm)
        }
    }

    /// dst shifted by an immediate count.
    mutating func shift(_ s: X86Shift, _ dst: X86Register, by count: UInt8, w: Bool = true) {
        op(Opcode(0xC1), w: w, reg: s.rawValue, rm: dst)
        byte(count)
    }

    /// dst shifted by cl.
    mutating func shiftByCL(_ s: X86Shift, _ dst: X86Register, w: Bool = true) {
        op(Opcode(0xD3), w: w, reg: s.rawValue, rm: dst)
    }

    /// BMI2 shlx/shrx/sarx: dst = src shifted by `count` (mod 64, or mod 32 with the 32-bit
    /// operands of `w: false`, zero-extended), flags untouched (VEX.LZ.66/F2/F3.0F38.W F7 /r).
    mutating func shift(_ s: X86Shift, _ dst: X86Register, _ src: X86Register, by count: X86Register, w: Bool = true) {
        let prefix: UInt8 = s == .shl ? 1 : s == .shr ? 3 : 2  // pp: 66, F2, F3
        precondition(s == .shl || s == .shr || s == .sar)
        byte(0xC4)
        byte((dst.high == 0 ? 0x80 : 0) | 0x40 | (src.high == 0 ? 0x20 : 0) | 0x02)  // R, X, B inverted; map 0F38
        byte((w ? 0x80 : 0) | (~count.rawValue & 0xf) << 3 | prefix)
        byte(0xF7)
        byte(0xC0 | dst.low << 3 | src.low)
    }

    /// BMI2 rorx: dst = src rotated right by `count` (the 32-bit operands, zero-extended, with
    /// `w: false`), flags untouched (VEX.LZ.F2.0F3A.W F0 /r ib).
    mutating func rotateRight(_ dst: X86Register, _ src: X86Register, by count: UInt8, w: Bool = true) {
        byte(0xC4)
        byte((dst.high == 0 ? 0x80 : 0) | 0x40 | (src.high == 0 ? 0x20 : 0) | 0x03)  // R, X, B inverted; map 0F3A
        byte((w ? 0x80 : 0) | 0x78 | 0x03)  // vvvv unused (1111), L0, pp F2
        byte(0xF0)
        byte(0xC0 | dst.low << 3 | src.low)
        byte(count)
    }

    /// imul dst, src.
    mutating func multiply(_ dst: X86Register, _ src: X86Register, w: Bool = true) {
        op(Opcode(0x0F, 0xAF), w: w, reg: dst.rawValue, rm: src)
    }

    /// rdx:rax = rax * src, signed (imul) or unsigned (mul).
    mutating func multiplyWide(by src: X86Register, signed: Bool) {
        op(Opcode(0xF7), w: true, reg: signed ? 5 : 4, rm: src)
    }


    mutating func not(_ dst: X86Register) { op(Opcode(0xF7), w: true, reg: 2, rm: dst) }

    mutating func negate(_ dst: X86Register, w: Bool = true) { op(Opcode(0xF7), w: w, reg: 3, rm: dst) }

    /// test dst, src.
    mutating func test(_ dst: X86Register, _ src: X86Register, w: Bool = true) {
        op(Opcode(0x85), w: w, reg: src.rawValue, rm: dst)
    }

    /// test dst32, imm32.
    mutating func test(_ dst: X86Register, imm: Int32) {
        op(Opcode(0xF7), w: false, reg: 0, rm: dst)
        int32(imm)
    }

    /// rdx:rax = sign extension of rax (cqo), or edx:eax of eax (cdq).
    mutating func signExtendIntoRDX(w: Bool = true) {
        if w { byte(0x48) }
        byte(0x99)
    }

    /// rax = rdx:rax / src, rdx = the remainder (idiv or div).
    mutating func divide(by src: X86Register, signed: Bool, w: Bool = true) {
        op(Opcode(0xF7), w: w, reg: signed ? 7 : 6, rm: src)
    }

    mutating func byteSwap(_ dst: X86Register) {
        rex(w: true, reg: 0, rm: dst.rawValue)
        byte(0x0F)
        byte(0xC8 | dst.low)
    }

    /// setcc dst8 (dst must be zeroed first for a 0/1 value).
    mutating func set(_ c: X86Condition, _ dst: X86Register) {
        op(Opcode(0x0F, 0x90 | c.rawValue), w: false, reg: 0, rm: dst, byteReg: true)
    }

    /// cmovcc dst, src.
    mutating func move(if c: X86Condition, _ dst: X86Register, _ src: X86Register) {
        op(Opcode(0x0F, 0x40 | c.rawValue), w: true, reg: dst.rawValue, rm: src)
    }

    // MARK: Control flow

    /// jcc rel32 to an offset not known yet: returns the offset of the rel32 field.
    package mutating func jump(if c: X86Condition) -> Int {
        byte(0x0F)
        byte(0x80 | c.rawValue)
        int32(0)
        return offset - 4
    }

    /// jmp rel32 to an offset not known yet: returns the offset of the rel32 field.
    package mutating func jump() -> Int {
        byte(0xE9)
        int32(0)
        return offset - 4
    }

    /// jmp rel32 to an absolute address (must be within ±2 GiB).
    package mutating func jump(toAddress target: UInt) {
        byte(0xE9)
        int32(Int32(truncatingIfNeeded: Int(bitPattern: target) - Int(bitPattern: address &+ 4)))
    }

    package mutating func jump(to reg: X86Register) { op(Opcode(0xFF), w: false, reg: 4, rm: reg) }

    /// jmp [base + disp].
    mutating func jump(toAddressAt base: X86Register, _ disp: Int32) { op(Opcode(0xFF), w: false, reg: 4, base: base, disp: disp) }

    package mutating func push(_ r: X86Register) {
        rex(w: false, reg: 0, rm: r.rawValue)
        byte(0x50 | r.low)
    }

    package mutating func pop(_ r: X86Register) {
        rex(w: false, reg: 0, rm: r.rawValue)
        byte(0x58 | r.low)
    }

    package mutating func ret() { byte(0xC3) }

    mutating func call(_ target: X86Register) { op(Opcode(0xFF), w: false, reg: 2, rm: target) }

    /// call rel32 to an absolute address (must be within ±2 GiB).
    mutating func call(toAddress target: UInt) {
        byte(0xE8)
        int32(Int32(truncatingIfNeeded: Int(bitPattern: target) - Int(bitPattern: address &+ 4)))
    }
}

// MARK: SSE (scalar singles and doubles, for floating point compiled inline)

/// The width of a scalar SSE operation: its prefix (F3 ss / F2 sd), the comparison's prefix
/// (none for ucomiss, 66 for ucomisd) and the FMA3 VEX.W bit.
enum X86Precision {
    case single, double

    var scalarPrefix: UInt8 { self == .single ? 0xF3 : 0xF2 }
    var is64: Bool { self == .double }
}

/// Scalar operations: the opcode byte after F3/F2 0F (`convert`: cvtss2sd / cvtsd2ss, to the other
/// precision).
enum X86Scalar: UInt8 {
    case sqrt = 0x51, add = 0x58, mul = 0x59, convert = 0x5A, sub = 0x5C, div = 0x5E

    /// How many operands it reads (the root and conversions one, the rest two).
    var isUnary: Bool { self == .sqrt || self == .convert }
}

/// The FMA3 231 forms (opcode byte after VEX 0F38): dst = ±(x × y) ± dst.
enum X86FusedMultiplyAdd: UInt8 {
    case add = 0xB9, subtract = 0xBB, negatedAdd = 0xBD, negatedSubtract = 0xBF
}

extension X86Assembler {
    /// movq xmm`dst`, src (66 REX.W 0F 6E /r), or movd (the low 32 bits) without REX.W.
    mutating func moveToXMM(_ dst: UInt8, _ src: X86Register, _ p: X86Precision = .double) {
        byte(0x66)
        op(Opcode(0x0F, 0x6E), w: p.is64, reg: dst, rm: src)
    }

    /// movq dst, xmm`src` (66 REX.W 0F 7E /r), or movd (zero-extended) without REX.W.
    mutating func moveFromXMM(_ dst: X86Register, _ src: UInt8, _ p: X86Precision = .double) {
        byte(0x66)
        op(Opcode(0x0F, 0x7E), w: p.is64, reg: src, rm: dst)
    }

    /// xmm`dst` = xmm`dst` op xmm`src` (sqrt: the root of xmm`src`; convert: xmm`src` converted
    /// from `p`) in `p`, rounded by MXCSR (the host's default: to nearest-even, exceptions masked).
    mutating func scalar(_ o: X86Scalar, _ p: X86Precision, _ dst: UInt8, _ src: UInt8) {
        byte(p.scalarPrefix)
        op(Opcode(0x0F, o.rawValue), w: false, reg: dst, rm: X86Register(rawValue: src)!)
    }

    /// ucomiss / ucomisd xmm`a`, xmm`b` ((66) 0F 2E /r): ZF, PF, CF as "equal", "unordered", "below".
    mutating func compareUnordered(_ a: UInt8, _ b: UInt8, _ p: X86Precision = .double) {
        if p.is64 { byte(0x66) }
        op(Opcode(0x0F, 0x2E), w: false, reg: a, rm: X86Register(rawValue: b)!)
    }

    /// The FMA3 231 forms on scalars, xmm`dst` = ±(xmm`x` × xmm`y`) ± xmm`dst`, rounded once
    /// (VEX.LIG.66.0F38.W1 (sd) or W0 (ss) opcode /r; registers xmm0-xmm7 only).
    mutating func fusedMultiplyAdd(_ o: X86FusedMultiplyAdd, _ p: X86Precision, _ dst: UInt8, _ x: UInt8, _ y: UInt8) {
        byte(0xC4)
        byte(0xE2)  // R, X, B clear (inverted), map 0F38
        byte((p.is64 ? 0x80 : 0) | (~x & 0xf) << 3 | 0x01)  // W, vvvv = x (inverted), 128 bits, 66
        byte(o.rawValue)
        byte(0xC0 | (dst & 7) << 3 | (y & 7))
    }
}
