// Floating point compiled inline. Single- and double-precision add, sub, mul, div, sqrt, the
// conversions between the two (and the fused multiply-adds, on hosts with FMA3) run on the host's SSE unit under the conditions of the
// interpreter's fast paths (`Hart.fastDouble`, `Hart.fastSingle`): the instruction rounds to
// nearest-even (statically, or dynamically with frm = RNE), the inexact flag is already accrued in
// fcsr (so a normal result has no flag left to record), and the result is a normal finite number
// above the smallest normal (so no underflow, overflow, invalid or NaN to canonicalise). The host
// rounds to nearest-even exactly as RISC-V does, in either precision. Single-precision operands
// must be NaN-boxed (upper 32 bits all ones; anything else reads as the canonical NaN, which the
// helper handles), and the result is written boxed. Anything else (the first inexact operation,
// special results, other rounding modes) takes the helper call, which is exact. Comparisons are
// inline unless an operand is a NaN (or an unboxed single), and the floating-point CSRs (fflags,
// frm, fcsr) always.

import RISCV

extension BlockTranslator {
    private static func scalarOperation(_ op: Op) -> (X86Scalar, X86Precision)? {
        switch op {
        case .faddD: (.add, .double)
        case .fsubD: (.sub, .double)
        case .fmulD: (.mul, .double)
        case .fdivD: (.div, .double)
        case .fsqrtD: (.sqrt, .double)
        case .faddS: (.add, .single)
        case .fsubS: (.sub, .single)
        case .fmulS: (.mul, .single)
        case .fdivS: (.div, .single)
        case .fsqrtS: (.sqrt, .single)
        case .fcvtSD: (.convert, .double)  // the operand's precision
        case .fcvtDS: (.convert, .single)
        default: nil
        }
    }

    private static func fusedMultiplyAdd(_ op: Op) -> (X86FusedMultiplyAdd, X86Precision)? {
        guard HostFeatures.fma else { return nil }
        switch op {
        case .fmaddD: return (.add, .double)
        case .fmsubD: return (.subtract, .double)
        case .fnmsubD: return (.negatedAdd, .double)  // -(a × b) + c
        case .fnmaddD: return (.negatedSubtract, .double)  // -(a × b) - c
        case .fmaddS: return (.add, .single)
        case .fmsubS: return (.subtract, .single)
        case .fnmsubS: return (.negatedAdd, .single)
        case .fnmaddS: return (.negatedSubtract, .single)
        default: return nil
        }
    }

    private static func comparison(_ op: Op) -> (X86Condition, X86Precision)? {
        switch op {
        case .feqD: (.e, .double)
        case .fltD: (.b, .double)
        case .fleD: (.be, .double)
        case .feqS: (.e, .single)
        case .fltS: (.b, .single)
        case .fleS: (.be, .single)
        default: nil
        }
    }

    mutating func floatingPoint(_ d: DecodedInstruction, pc: UInt64, retired: Int) {
        let op = d.op.uncompressed
        if case let (condition, precision)? = Self.comparison(op) {
            return compare(d, condition, precision, pc: pc, retired: retired)
        }
        let operation = Self.scalarOperation(op)
        let fused = Self.fusedMultiplyAdd(op)
        guard let precision = operation?.1 ?? fused?.1, d.rm == 0 || d.rm == 7 else {
            return callFloatingPoint(d, pc: pc, retired: retired)
        }
        let unary = operation?.0.isUnary ?? false
        // The result's precision: the operands' unless converting.
        let result: X86Precision = operation?.0 != .convert ? precision : precision == .single ? .double : .single
        // Both paths start and end with every cached register clean, the operands loaded here.
        writeBack(cache.dirty)
        cache.markAllClean()
        get(.rax, d.rs1)
        if !unary { get(.rdx, d.rs2) }
        if fused != nil { get(.rcx, d.rs3) }
        if fused != nil {
            a.moveToXMM(0, .rcx, precision)  // the addend, then the sum
            a.moveToXMM(1, .rax, precision)
            a.moveToXMM(2, .rdx, precision)
        } else {
            a.moveToXMM(0, .rax, precision)
            if !unary { a.moveToXMM(1, .rdx, precision) }
        }
        var slowPath: [Int] = []
        if precision == .single {
            // NaN-boxed operands only: the and of their upper halves is all ones.
            if fused != nil {
                a.alu(.and, .rcx, .rax)
            } else {
                a.move(.rcx, .rax)
            }
            if !unary { a.alu(.and, .rcx, .rdx) }
            slowPath.append(jumpUnlessBoxed(.rcx))
        }
        // fcsr: NX set and, for dynamic rounding, frm = 0 (RNE).
        a.load(.rcx, .guestRegisters, Self.disp(UInt8(Registers.fcsr)), w: false)
        a.alu(.and, .rcx, imm: d.rm == 7 ? 0xe1 : 0x01, w: false)
        a.alu(.cmp, .rcx, imm: 1, w: false)
        slowPath.append(a.jump(if: .ne))
        if let f = fused?.0 {
            a.fusedMultiplyAdd(f, precision, 0, 1, 2)
        } else if let o = operation?.0 {
            a.scalar(o, precision, 0, o.isUnary ? 0 : 1)
        }
        a.moveFromXMM(.rax, 0, result)
        // Normal, finite and above the smallest normal: (bits without sign) - (smallest normal + 1)
        // below (largest finite - smallest normal - 1), unsigned, in the precision's width.
        let w = result == .double
        a.move(.rcx, .rax, w: w)
        a.shift(.shl, .rcx, by: 1, w: w)
        a.shift(.shr, .rcx, by: 1, w: w)
        a.move(.rdx, imm: w ? 0x0010_0000_0000_0001 : 0x0080_0001)
        a.alu(.sub, .rcx, .rdx, w: w)
        a.move(.rdx, imm: w ? 0x7fdf_ffff_ffff_ffff : 0x7eff_ffff)
        a.alu(.cmp, .rcx, .rdx, w: w)
        slowPath.append(a.jump(if: .ae))
        if !w {
            a.move(.rdx, imm: 0xffff_ffff_0000_0000)  // the NaN-box
            a.alu(.or, .rax, .rdx)
        }
        a.store(.rax, .guestRegisters, Self.disp(d.rd))
        if let h = cache.host(of: d.rd) { a.move(h, .rax) }
        let done = a.jump()
        for site in slowPath { a.patch(rel32At: site, toOffset: a.offset) }
        callFloatingPoint(d, pc: pc, retired: retired)
        a.patch(rel32At: done, toOffset: a.offset)
    }

    /// Shifts `r` right by 32 and jumps (to be patched: the helper call) unless its upper half was
    /// all ones, i.e. unless every single-precision operand and-ed into it was NaN-boxed.
    private mutating func jumpUnlessBoxed(_ r: X86Register) -> Int {
        a.shift(.shr, r, by: 32)
        a.alu(.cmp, r, imm: -1, w: false)
        return a.jump(if: .ne)
    }
}

// MARK: Comparisons (feq/flt/fle.s/.d) and the floating-point CSRs (fflags, frm, fcsr)

extension BlockTranslator {
    /// feq, flt, fle: inline when neither operand is a NaN (no flag to raise: only NaNs raise
    /// invalid in comparisons) nor an unboxed single; those take the helper call.
    mutating func compare(_ d: DecodedInstruction, _ condition: X86Condition, _ precision: X86Precision,
                          pc: UInt64, retired: Int) {
        writeBack(cache.dirty)
        cache.markAllClean()
        get(.rax, d.rs1)
        get(.rdx, d.rs2)
        var slowPath: [Int] = []
        if precision == .single {
            a.move(.rcx, .rax)
            a.alu(.and, .rcx, .rdx)
            slowPath.append(jumpUnlessBoxed(.rcx))
        }
        a.moveToXMM(0, .rax, precision)
        a.moveToXMM(1, .rdx, precision)
        a.moveZero(.rcx)  // before the comparison: it may clear the flags
        a.compareUnordered(0, 1, precision)
        slowPath.append(a.jump(if: .p))
        a.set(condition, .rcx)
        a.store(.rcx, .guestRegisters, Self.disp(d.rd))
        if let h = cache.host(of: d.rd) { a.move(h, .rcx) }
        let done = a.jump()
        for site in slowPath { a.patch(rel32At: site, toOffset: a.offset) }
        callFloatingPoint(d, pc: pc, retired: retired)
        a.patch(rel32At: done, toOffset: a.offset)
    }

    /// csrrw/csrrs/csrrc (and the immediate forms) on fflags, frm or fcsr, as `Hart.executeCSR`
    /// does them. Other CSRs (the counters) are the interpreter's.
    static func isFloatCSR(_ d: DecodedInstruction) -> Bool {
        (1...3).contains(UInt32(bitPattern: d.imm) & 0xfff)
    }

    mutating func floatCSR(_ d: DecodedInstruction) {
        let number = UInt32(bitPattern: d.imm) & 0xfff
        let fcsr = Self.disp(UInt8(Registers.fcsr))
        a.load(.rax, .guestRegisters, fcsr)
        // rcx = the old value of the CSR.
        a.move(.rcx, .rax)
        switch number {
        case 1: a.alu(.and, .rcx, imm: 0x1f)
        case 2: a.shift(.shr, .rcx, by: 5); a.alu(.and, .rcx, imm: 7)
        default: break
        }
        // csrrw always writes; csrrs/csrrc only when the source field is not x0 / 0.
        if d.rm & 3 == 1 || d.rs1 != 0 {
            if d.rm >= 5 { a.move(.rdx, imm: UInt64(d.rs1)) } else { get(.rdx, d.rs1) }
            switch d.rm & 3 {
            case 1: break
            case 2: a.alu(.or, .rdx, .rcx)
            default:
                a.not(.rdx)
                a.alu(.and, .rdx, .rcx)
            }
            switch number {
            case 1:
                a.alu(.and, .rax, imm: ~0x1f)
                a.alu(.and, .rdx, imm: 0x1f)
                a.alu(.or, .rax, .rdx)
            case 2:
                a.alu(.and, .rax, imm: 0x1f)
                a.alu(.and, .rdx, imm: 7)
                a.shift(.shl, .rdx, by: 5)
                a.alu(.or, .rax, .rdx)
            default:
                a.move(.rax, .rdx)
                a.alu(.and, .rax, imm: 0xff)
            }
            a.store(.rax, .guestRegisters, fcsr)
        }
        put(.rcx, d.rd)
    }
}
