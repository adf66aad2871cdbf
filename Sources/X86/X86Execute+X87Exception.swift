// Unmasked x87 exceptions (#MF, SIGFPE). They are delayed: the instruction that raises one
// sets the flag and the status word's ES (error summary) and B (busy) bits, and the exception
// is taken at the next waiting x87 instruction (fwait, or any x87 instruction but the
// non-waiting control ones: fnstcw, fnstsw, fnclex, fninit, fnstenv, fnsave), before it runs,
// rip at it. The raising instruction's response (Intel SDM vol. 1, 8.5): for an unmasked
// invalid operation, denormal operand or division by zero the operands and the destination
// are left unchanged (nothing pushed or popped); a store to memory (fst, fist, fisttp) that
// raises an unmasked invalid, overflow or underflow stores nothing and does not pop.
// An unmasked overflow or underflow of a register result delivers it with its exponent
// bias-adjusted (X87Float.swift's `pack`). MMX instructions (X86Execute+MMX.swift) take a
// pending exception as the waiting x87 ones do.
// While the control word masks every exception and ES is clear, only the check at the start
// of `executeX87` runs.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    static let x87ErrorSummary: UInt64 = 0x8080     // ES and B
    static let x87ES: UInt64 = 0x80

    /// Whether an unmasked x87 exception is pending (ES): x87 waiting and MMX instructions
    /// take it before they run.
    @inline(__always) var x87ExceptionPending: Bool { regs[X86Registers.fpuStatus] & X86CPU.x87ES != 0 }

    /// Sets ES and B when an exception flag is set whose mask is clear, else clears them (after
    /// a raising instruction, fldcw, fldenv, frstor).
    func x87UpdateSummary() {
        let r = regs
        let s = r[X86Registers.fpuStatus]
        r[X86Registers.fpuStatus] = s & ~r[X86Registers.fpuControl] & 0x3f != 0
            ? s | X86CPU.x87ErrorSummary : s & ~X86CPU.x87ErrorSummary
    }

    /// Whether the x87 instruction `op` (X87Op) takes a pending exception before it runs.
    static func x87Waits(_ op: UInt8) -> Bool {
        switch op {
        case X87Op.fnstcw, X87Op.fninit, X87Op.fnclex, X87Op.fnstswMemory, X87Op.fnstswAX,
             X87Op.fnstenv, X87Op.fnsave:
            return false
        default:
            return true
        }
    }

    /// An x87 instruction (and fwait).
    func executeX87(_ p: UnsafeMutablePointer<X86Instruction>, pc: UInt64) -> UInt8 {
        let r = regs
        if _fastPath(r[X86Registers.fpuControl] & 0x3f == 0x3f && r[X86Registers.fpuStatus] & X86CPU.x87ES == 0) {
            return x87Operation(p)
        }
        let op = p.pointee.cond
        if x87ExceptionPending && X86CPU.x87Waits(op) { return X86Status.x87Exception }
        return withRegisterSnapshot { (saved) -> UInt8 in
            let before = r[X86Registers.fpuStatus]
            // A store's memory operand as it was (2 to 10 bytes), to be put back.
            var old: (UInt64, UInt16)? = nil
            if op == X87Op.store {
                let a = address(p)
                switch p.pointee.size {
                case X87Format.single, X87Format.int32: old = read(a, UInt32.self).map { (UInt64($0), 0) }
                case X87Format.int16: old = read(a, UInt16.self).map { (UInt64($0), 0) }
                case X87Format.extended, X87Format.bcd:
                    if let m = read(a, UInt64.self), let se = read(a &+ 8, UInt16.self) { old = (m, se) }
                default: old = read(a, UInt64.self).map { ($0, 0) }
                }
                if old == nil { return X86Status.fault }
            }
            let status = x87Operation(p)
            guard status == X86Status.next else { return status }
            let raised = r[X86Registers.fpuStatus] & ~before & 0x3f
            let unmasked = raised & ~r[X86Registers.fpuControl]
            if unmasked == 0 { return status }
            let undo = unmasked & 0x07 != 0 || (op == X87Op.store && unmasked & 0x19 != 0)
            if undo {
                // Nothing computed: only the pre-computation flags (and a stack fault, with its C1)
                // join the ones already set; the condition codes are the instruction's.
                let s = r[X86Registers.fpuStatus]
                r.update(from: saved, count: X86Registers.count)
                let stackFault = s & ~before & UInt64(X87Exception.stackFault) != 0
                // A comparison's condition codes are written; other instructions' stay.
                let kind = p.pointee.imm
                let compares = op == X87Op.compare || op == X87Op.compareFlags
                    || ((op == X87Op.arithmeticMemory || op == X87Op.arithmeticST0) && (kind == 2 || kind == 3))
                    || (op == X87Op.d9 && kind == 0xe4)
                let conditions = (compares ? s : before) & 0x4500 | (stackFault ? s & 0x200 : 0)
                // A store that stored nothing reports no precision.
                let flags = unmasked & 0x07 != 0 ? raised & 0x07 | (stackFault ? UInt64(X87Exception.stackFault) : 0)
                    : raised & ~UInt64(X87Exception.precision)
                r[X86Registers.fpuStatus] = (before & ~0x4700) | conditions | flags
                if let (v, se) = old {
                    let a = address(p)
                    switch p.pointee.size {
                    case X87Format.single, X87Format.int32: _ = write(a, UInt32(truncatingIfNeeded: v))
                    case X87Format.int16: _ = write(a, UInt16(truncatingIfNeeded: v))
                    case X87Format.extended, X87Format.bcd: _ = write(a, v) && write(a &+ 8, se)
                    default: _ = write(a, v)
                    }
                }
            }
            r[X86Registers.fpuStatus] |= X86CPU.x87ErrorSummary
            return status
        }
    }
}
