// Floating point compiled inline. Double-precision add, sub, mul, div, sqrt (and the fused
// multiply-adds, on hosts with FMA3) run on the host's SSE unit under the conditions of the
// interpreter's fast path (`Hart.fastDouble`): the instruction rounds to nearest-even (statically,
// or dynamically with frm = RNE), the inexact flag is already accrued in fcsr (so a normal result
// has no flag left to record), and the result is a normal finite number above the smallest normal
// (so no underflow, overflow, invalid or NaN to canonicalise). The host rounds to nearest-even
// exactly as RISC-V does. Anything else (the first inexact operation, special results, other
// rounding modes) takes the helper call, which is exact. Comparisons are inline unless an operand
// is a NaN, and the floating-point CSRs (fflags, frm, fcsr) always.

import RISCV

extension BlockTranslator {
    private static func scalarDouble(_ op: Op) -> X86ScalarDouble? {
        switch op {
        case .faddD: .add
        case .fsubD: .sub
        case .fmulD: .mul
        case .fdivD: .div
        case .fsqrtD: .sqrt
        default: nil
        }
    }

    private static func fusedMultiplyAdd(_ op: Op) -> X86FusedMultiplyAdd? {
        guard HostFeatures.fma else { return nil }
        switch op {
        case .fmaddD: return .add
        case .fmsubD: return .subtract
        case .fnmsubD: return .negatedAdd  // -(a × b) + c
        case .fnmaddD: return .negatedSubtract  // -(a × b) - c
        default: return nil
        }
    }

    mutating func floatingPoint(_ d: DecodedInstruction, pc: UInt64, retired: Int) {
        let op = d.op.uncompressed
        if op == .feqD || op == .fltD || op == .fleD { return compareDoubles(d, pc: pc, retired: retired) }
        let operation = Self.scalarDouble(op)
        let fused = Self.fusedMultiplyAdd(op)
        guard operation != nil || fused != nil, d.rm == 0 || d.rm == 7 else {
            return callFloatingPoint(d, pc: pc, retired: retired)
        }
        // Both paths start and end with every cached register clean, the operands loaded here.
        writeBack(cache.dirty)
        cache.markAllClean()
        get(.rax, d.rs1)
        if operation != .sqrt { get(.rdx, d.rs2) }
        if fused != nil { get(.rcx, d.rs3) }
        if fused != nil {
            a.moveToXMM(0, .rcx)  // the addend, then the sum
            a.moveToXMM(1, .rax)
            a.moveToXMM(2, .rdx)
        }
        // fcsr: NX set and, for dynamic rounding, frm = 0 (RNE).
        a.load(.rcx, .guestRegisters, Self.disp(UInt8(Registers.fcsr)), w: false)
        a.alu(.and, .rcx, imm: d.rm == 7 ? 0xe1 : 0x01, w: false)
        a.alu(.cmp, .rcx, imm: 1, w: false)
        let notReady = a.jump(if: .ne)
        if let fused {
            a.fusedMultiplyAdd(fused, 0, 1, 2)
        } else if operation == .sqrt {
            a.moveToXMM(0, .rax)
            a.scalarDouble(.sqrt, 0, 0)
        } else if let operation {
            a.moveToXMM(0, .rax)
            a.moveToXMM(1, .rdx)
            a.scalarDouble(operation, 0, 1)
        }
        a.moveFromXMM(.rax, 0)
        // Normal, finite and above the smallest normal: (bits without sign) - 0x0010_0000_0000_0001
        // below 0x7fdf_ffff_ffff_ffff, unsigned.
        a.move(.rcx, .rax)
        a.shift(.shl, .rcx, by: 1)
        a.shift(.shr, .rcx, by: 1)
        a.move(.rdx, imm: 0x0010_0000_0000_0001)
        a.alu(.sub, .rcx, .rdx)
        a.move(.rdx, imm: 0x7fdf_ffff_ffff_ffff)
        a.alu(.cmp, .rcx, .rdx)
        let special = a.jump(if: .ae)
        a.store(.rax, .guestRegisters, Self.disp(d.rd))
        if let h = cache.host(of: d.rd) { a.move(h, .rax) }
        let done = a.jump()
        a.patch(rel32At: notReady, toOffset: a.offset)
        a.patch(rel32At: special, toOffset: a.offset)
        callFloatingPoint(d, pc: pc, retired: retired)
        a.patch(rel32At: done, toOffset: a.offset)
    }
}

// MARK: Comparisons (feq/flt/fle.d) and the floating-point CSRs (fflags, frm, fcsr)

extension BlockTranslator {
    /// feq.d, flt.d, fle.d: inline when neither operand is a NaN (no flag to raise: only NaNs
    /// raise invalid in comparisons); NaNs take the helper call.
    mutating func compareDoubles(_ d: DecodedInstruction, pc: UInt64, retired: Int) {
        let op = d.op.uncompressed
        writeBack(cache.dirty)
        cache.markAllClean()
        get(.rax, d.rs1)
        get(.rdx, d.rs2)
        a.moveToXMM(0, .rax)
        a.moveToXMM(1, .rdx)
        a.moveZero(.rcx)  // before the comparison: it may clear the flags
        a.compareUnordered(0, 1)
        let unordered = a.jump(if: .p)
        a.set(op == .feqD ? .e : op == .fltD ? .b : .be, .rcx)
        a.store(.rcx, .guestRegisters, Self.disp(d.rd))
        if let h = cache.host(of: d.rd) { a.move(h, .rcx) }
        let done = a.jump()
        a.patch(rel32At: unordered, toOffset: a.offset)
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
