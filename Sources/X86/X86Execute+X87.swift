// The x87 unit. Its state is complete (control, status and tag words, eight 80-bit registers
// as a stack) so that fxsave, fxrstor and signal frames carry it, but only the control
// instructions are implemented so far: fninit, fnclex, fldcw, fnstcw, fnstsw. Arithmetic on
// 80-bit values (glibc's long double) is a later step (docs/x86-64.md): those encodings raise
// SIGILL.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// `X86Instruction.cond` of `.x87`.
enum X87Op {
    static let fnstcw: UInt8 = 0, fldcw: UInt8 = 1, fninit: UInt8 = 2, fnclex: UInt8 = 3
    static let fnstswMemory: UInt8 = 4, fnstswAX: UInt8 = 5
}

extension X86CPU {
    /// The state after fninit: control word 0x37f (all exceptions masked, 64-bit precision,
    /// round to nearest), empty stack.
    func x87Reset() {
        let r = regs
        r[X86Registers.fpuControl] = 0x37f
        r[X86Registers.fpuStatus] = 0
        r[X86Registers.fpuTags] = 0xff
        r[X86Registers.fpuTop] = 0
    }

    /// The status word with TOP in bits 13:11.
    var x87StatusWord: UInt64 {
        (regs[X86Registers.fpuStatus] & ~0x3800) | (regs[X86Registers.fpuTop] & 7) << 11
    }

    func executeX87(_ p: UnsafeMutablePointer<X86Instruction>, pc: UInt64) -> UInt8 {
        let r = regs
        switch p.pointee.cond {
        case X87Op.fnstcw:
            guard write(address(p), UInt16(truncatingIfNeeded: r[X86Registers.fpuControl])) else { return X86Status.fault }
        case X87Op.fldcw:
            guard let v = read(address(p), UInt16.self) else { return X86Status.fault }
            r[X86Registers.fpuControl] = UInt64(v) | 0x40
        case X87Op.fninit:
            x87Reset()
        case X87Op.fnclex:
            r[X86Registers.fpuStatus] &= ~UInt64(0x80ff)
        case X87Op.fnstswMemory:
            guard write(address(p), UInt16(truncatingIfNeeded: x87StatusWord)) else { return X86Status.fault }
        case X87Op.fnstswAX:
            setReg(0, 1, x87StatusWord)
        default:
            return X86Status.illegal
        }
        return X86Status.next
    }
}

extension X86Decoder {
    mutating func decodeX87(_ opcode: UInt8) {
        let kind = peekReg
        modrm(1)
        insn.op = .x87
        switch (opcode, isMemory, kind) {
        case (0xd9, true, 7): insn.cond = X87Op.fnstcw
        case (0xd9, true, 5): insn.cond = X87Op.fldcw
        case (0xdd, true, 7): insn.cond = X87Op.fnstswMemory
        case (0xdb, false, 4) where rmField & 7 == 3: insn.cond = X87Op.fninit
        case (0xdb, false, 4) where rmField & 7 == 2: insn.cond = X87Op.fnclex
        case (0xdf, false, 4) where rmField & 7 == 0: insn.cond = X87Op.fnstswAX
        default: insn.op = .illegal
        }
    }
}
