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
    fileprivate let packed: UInt32
    fileprivate let count: Int

    init(_ a: UInt8) { (packed, count) = (UInt32(a), 1) }
    init(_ a: UInt8, _ b: UInt8) { (packed, count) = (UInt32(a) | UInt32(b) << 8, 2) }
    init(_ a: UInt8, _ b: UInt8, _ c: UInt8) { (packed, count) = (UInt32(a) | UInt32(b) << 8 | UInt32(c) << 16, 3) }
}

/// An instruction's bytes before its displacement or immediate (at most 7: a prefix, REX, three
/// opcode bytes, ModRM, SIB), gathered in a register and stored at once.
struct Encoded {
    fileprivate var bits: UInt64 = 0
    fileprivate var count = 0

    @inline(__always) mutating func append(_ b: UInt8) {
        bits |= UInt64(b) &<< UInt64(truncatingIfNeeded: count &* 8)
        count &+= 1
    }

    @inline(__always) mutating func append(_ o: Opcode) {
        bits |= UInt64(o.packed) &<< UInt64(truncatingIfNeeded: count &* 8)
        count &+= o.count
    }
}

/// The memory an assembler's bytes live in, freed with the last assembler holding it.
final class AssemblerStorage {
    let pointer: UnsafeMutablePointer<UInt8>

    init(capacity: Int) { pointer = .allocate(capacity: capacity) }

    deinit { pointer.deallocate() }
}

/// Emits into memory of its own through a pointer, an instruction's bytes in one or two 8-byte
/// stores and one capacity check (appending to an `[UInt8]` byte by byte checked the capacity
/// and the buffer's uniqueness for every byte: 2026-12-07, ~15% of the translator's host
/// instructions). A copy of an assembler shares its bytes: emit into one copy only.
package struct X86Assembler {
    private var storage: AssemblerStorage
    /// `storage`'s bytes: `count` emitted, room for `capacity` plus `slack` (so an instruction
    /// whose emission starts at or below `capacity` fits without a check per store).
    private var pointer: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    private static let slack = 32
    /// The address the first byte will have once the code is installed.
    package let base: UInt

    package init(base: UInt) {
        self.base = base
        capacity = 4096
        storage = AssemblerStorage(capacity: capacity + Self.slack)
        pointer = storage.pointer
    }

    /// The code emitted so far.
    package var bytes: [UInt8] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    package var offset: Int { count }
    package var address: UInt { base &+ UInt(count) }

    /// Makes room for at least `extra` more bytes beyond the slack.
    private mutating func grow(_ extra: Int = 0) {
        let newCapacity = max(capacity * 2, count + extra)
        let bigger = AssemblerStorage(capacity: newCapacity + Self.slack)
        bigger.pointer.update(from: pointer, count: count)
        storage = bigger
        pointer = bigger.pointer
        capacity = newCapacity
    }

    /// Stores `e` and then the low `n` bytes of `tail` (a displacement or an immediate, n <= 8).
    @inline(__always) mutating func emit(_ e: Encoded, _ tail: UInt64 = 0, _ n: Int = 0) {
        if count > capacity { grow() }
        let p = UnsafeMutableRawPointer(pointer + count)
        p.storeBytes(of: e.bits.littleEndian, as: UInt64.self)
        (p + e.count).storeBytes(of: tail.littleEndian, as: UInt64.self)
        count &+= e.count &+ n
    }

    /// Stores the low `n` bytes of `v` (n <= 8).
    @inline(__always) mutating func emit(_ v: UInt64, _ n: Int) {
        if count > capacity { grow() }
        UnsafeMutableRawPointer(pointer + count).storeBytes(of: v.littleEndian, as: UInt64.self)
        count &+= n
    }

    package mutating func byte(_ b: UInt8) { emit(UInt64(b), 1) }

    package mutating func int32(_ v: Int32) { emit(UInt64(UInt32(bitPattern: v)), 4) }

    package mutating func int64(_ v: UInt64) { emit(v, 8) }

    /// Overwrites the rel32 field at `at` so that it jumps to `target` (an offset in this block).
    package mutating func patch(rel32At at: Int, toOffset target: Int) {
        precondition(at >= 0 && at + 4 <= count)
        UnsafeMutableRawPointer(pointer + at).storeBytes(of: Int32(target - (at + 4)).littleEndian, as: Int32.self)
    }

    /// Overwrites the byte at `at`.
    mutating func patch(byteAt at: Int, _ value: UInt8) {
        precondition(at >= 0 && at < count)
        pointer[at] = value
    }

    // MARK: Encoding helpers

    /// REX prefix for operand-size `w`, ModRM.reg extension `reg`, and ModRM.rm/base extension
    /// `rm`; emitted only when needed (or `force`, for byte registers spl/bpl/sil/dil).
    @inline(__always) static func rex(_ e: inout Encoded, w: Bool, reg: UInt8, rm: UInt8, index: UInt8 = 0,
                                              force: Bool = false) {
        let r: UInt8 = 0x40 | (w ? 8 : 0) | (reg >> 3) << 2 | (index >> 3) << 1 | (rm >> 3)
        if r != 0x40 || force { e.append(r) }
    }

    /// opcode with a register operand `reg` and a memory operand [base (+ index) + disp]: ModRM
    /// (+ SIB) + disp8 or disp32 (index not rsp).
    mutating func op(_ opcode: Opcode, w: Bool, reg: UInt8, base: X86Register, index: X86Register? = nil, disp: Int32,
                     prefix: UInt8? = nil, byteReg: Bool = false) {
        precondition(index != .rsp)
        var e = Encoded()
        if let prefix { e.append(prefix) }
        Self.rex(&e, w: w, reg: reg, rm: base.rawValue, index: index?.rawValue ?? 0, force: byteReg && reg >= 4)
        e.append(opcode)
        let short = disp >= -128 && disp <= 127
        let sib = index != nil || base.low == 4
        e.append((short ? 0x40 : 0x80) | (reg & 7) << 3 | (sib ? 4 : base.low))
        if sib { e.append((index?.low ?? 4) << 3 | base.low) }
        if short {
            emit(e, UInt64(UInt8(bitPattern: Int8(truncatingIfNeeded: disp))), 1)
        } else {
            emit(e, UInt64(UInt32(bitPattern: disp)), 4)
        }
    }

    /// opcode with ModRM.reg = `reg` and a register operand ModRM.rm = `rm`, then the low `n`
    /// bytes of `immediate`.
    mutating func op(_ opcode: Opcode, w: Bool, reg: UInt8, rm: X86Register, byteReg: Bool = false,
                     immediate: UInt64 = 0, _ n: Int = 0) {
        var e = Encoded()
        Self.rex(&e, w: w, reg: reg, rm: rm.rawValue, force: byteReg && rm.rawValue >= 4)
        e.append(opcode)
        e.append(0xC0 | (reg & 7) << 3 | rm.low)
        emit(e, immediate, n)
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
            moveImmediate(dst, imm, w: false)
        } else if Int64(bitPattern: imm) >= Int64(Int32.min) && Int64(bitPattern: imm) < 0 {
            op(Opcode(0xC7), w: true, reg: 0, rm: dst, immediate: imm & 0xffff_ffff, 4)
        } else {
            moveImmediate(dst, imm, w: true)
        }
    }

    /// mov r32, imm32 (B8+r), or mov r64, imm64 with `w`.
    private mutating func moveImmediate(_ dst: X86Register, _ imm: UInt64, w: Bool) {
        var e = Encoded()
        Self.rex(&e, w: w, reg: 0, rm: dst.rawValue)
        e.append(0xB8 | dst.low)
        emit(e, imm, w ? 8 : 4)
    }

    /// dst = 0 without touching the flags (mov r32, 0).
    mutating func moveZero(_ dst: X86Register) {
        moveImmediate(dst, 0, w: false)
    }

    /// mov dst, imm64 with the immediate to be filled in later: returns its offset.
    mutating func moveLater(_ dst: X86Register) -> Int {
        moveImmediate(dst, 0, w: true)
        return offset - 8
    }

    mutating func patch(imm64At at: Int, _ value: UInt64) {
        precondition(at >= 0 && at + 8 <= count)
        UnsafeMutableRawPointer(pointer + at).storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    /// Appends raw data (aligned to 8 bytes) and returns its offset.
    mutating func data(_ raw: [UInt8]) -> Int {
        while offset % 8 != 0 { byte(0xCC) }
        let at = offset
        if count + raw.count > capacity { grow(raw.count) }
        raw.withUnsafeBufferPointer { (pointer + count).update(from: $0.baseAddress!, count: $0.count) }
        count += raw.count
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

    /// dword [base + disp] op= imm32 (81 /digit id; `cmp` only compares).
    mutating func alu32(_ o: X86ALU, _ base: X86Register, _ disp: Int32, imm: Int32) {
        op(Opcode(0x81), w: false, reg: o.rawValue, base: base, disp: disp)
        emit(UInt64(UInt32(bitPattern: imm)), 4)
    }

    /// mov dword [base + disp], imm32 (C7 /0 id).
    mutating func store32(_ base: X86Register, _ disp: Int32, imm: Int32) {
        op(Opcode(0xC7), w: false, reg: 0, base: base, disp: disp)
        emit(UInt64(UInt32(bitPattern: imm)), 4)
    }

    /// dst op= imm (sign-extended imm8 or imm32).
    package mutating func alu(_ o: X86ALU, _ dst: X86Register, imm: Int32, w: Bool = true) {
        if imm >= -128 && imm <= 127 {
            op(Opcode(0x83), w: w, reg: o.rawValue, rm: dst, immediate: UInt64(UInt8(bitPattern: Int8(imm))), 1)
        } else {
            op(Opcode(0x81), w: w, reg: o.rawValue, rm: dst, immediate: UInt64(UInt32(bitPattern: imm)), 4)
        }
    }

    /// dst shifted by an immediate count.
    mutating func shift(_ s: X86Shift, _ dst: X86Register, by count: UInt8, w: Bool = true) {
        op(Opcode(0xC1), w: w, reg: s.rawValue, rm: dst, immediate: UInt64(count), 1)
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
        var e = Encoded()
        e.append(0xC4)
        e.append((dst.high == 0 ? 0x80 : 0) | 0x40 | (src.high == 0 ? 0x20 : 0) | 0x02)  // R, X, B inverted; map 0F38
        e.append((w ? 0x80 : 0) | (~count.rawValue & 0xf) << 3 | prefix)
        e.append(0xF7)
        e.append(0xC0 | dst.low << 3 | src.low)
        emit(e)
    }

    /// BMI2 rorx: dst = src rotated right by `count` (the 32-bit operands, zero-extended, with
    /// `w: false`), flags untouched (VEX.LZ.F2.0F3A.W F0 /r ib).
    mutating func rotateRight(_ dst: X86Register, _ src: X86Register, by count: UInt8, w: Bool = true) {
        var e = Encoded()
        e.append(0xC4)
        e.append((dst.high == 0 ? 0x80 : 0) | 0x40 | (src.high == 0 ? 0x20 : 0) | 0x03)  // R, X, B inverted; map 0F3A
        e.append((w ? 0x80 : 0) | 0x78 | 0x03)  // vvvv unused (1111), L0, pp F2
        e.append(0xF0)
        e.append(0xC0 | dst.low << 3 | src.low)
        emit(e, UInt64(count), 1)
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
    package mutating func test(_ dst: X86Register, imm: Int32) {
        op(Opcode(0xF7), w: false, reg: 0, rm: dst, immediate: UInt64(UInt32(bitPattern: imm)), 4)
    }

    /// rdx:rax = sign extension of rax (cqo), or edx:eax of eax (cdq).
    mutating func signExtendIntoRDX(w: Bool = true) {
        if w { emit(0x9948, 2) } else { byte(0x99) }
    }

    /// rax = rdx:rax / src, rdx = the remainder (idiv or div).
    mutating func divide(by src: X86Register, signed: Bool, w: Bool = true) {
        op(Opcode(0xF7), w: w, reg: signed ? 7 : 6, rm: src)
    }

    mutating func byteSwap(_ dst: X86Register) {
        var e = Encoded()
        Self.rex(&e, w: true, reg: 0, rm: dst.rawValue)
        e.append(0x0F)
        e.append(0xC8 | dst.low)
        emit(e)
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
        emit(UInt64(0x80 | c.rawValue) << 8 | 0x0F, 6)
        return offset - 4
    }

    /// jmp rel32 to an offset not known yet: returns the offset of the rel32 field.
    package mutating func jump() -> Int {
        emit(0xE9, 5)
        return offset - 4
    }

    /// jmp rel32 to an absolute address (must be within ±2 GiB).
    package mutating func jump(toAddress target: UInt) {
        let rel = Int32(truncatingIfNeeded: Int(bitPattern: target) - Int(bitPattern: address &+ 5))
        emit(UInt64(UInt32(bitPattern: rel)) << 8 | 0xE9, 5)
    }

    package mutating func jump(to reg: X86Register) { op(Opcode(0xFF), w: false, reg: 4, rm: reg) }

    /// jmp [base + disp].
    mutating func jump(toAddressAt base: X86Register, _ disp: Int32) { op(Opcode(0xFF), w: false, reg: 4, base: base, disp: disp) }

    package mutating func push(_ r: X86Register) {
        var e = Encoded()
        Self.rex(&e, w: false, reg: 0, rm: r.rawValue)
        e.append(0x50 | r.low)
        emit(e)
    }

    package mutating func pop(_ r: X86Register) {
        var e = Encoded()
        Self.rex(&e, w: false, reg: 0, rm: r.rawValue)
        e.append(0x58 | r.low)
        emit(e)
    }

    package mutating func ret() { byte(0xC3) }

    package mutating func call(_ target: X86Register) { op(Opcode(0xFF), w: false, reg: 2, rm: target) }

    /// call rel32 to an absolute address (must be within ±2 GiB).
    package mutating func call(toAddress target: UInt) {
        let rel = Int32(truncatingIfNeeded: Int(bitPattern: target) - Int(bitPattern: address &+ 5))
        emit(UInt64(UInt32(bitPattern: rel)) << 8 | 0xE8, 5)
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
