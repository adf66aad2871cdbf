import RISCVNative
import X86

// The code at the start of the tier's buffer that every block shares:
//   enter(context, block)  saves the callee-saved registers, loads the fixed ones and the
//                          guest's arithmetic flags into RFLAGS, jumps to the block;
//   epilogue               where exits jump with the exit code in eax: stores RFLAGS' arithmetic
//                          flags into the guest's flags word (its other bits, DF and AC, kept)
//                          and the budget, and returns from `enter`.
// Chained blocks jump to each other with the flags still in RFLAGS.

struct GuestTrampolines {
    var enter: UInt
    var epilogue: UInt

    static let flagsSlot = Int32(X86Registers.flags * 8)
    static let arithmetic = Int32(X86Flags.arithmetic)

    static func assemble(base: UInt) -> (bytes: [UInt8], at: GuestTrampolines) {
        var a = X86Assembler(base: base)
        for r in [X86Register.rbx, .rbp, .r12, .r13, .r14, .r15] { a.push(r) }
        a.alu(.sub, .rsp, imm: 8)
        a.move(.context, .rdi)
        a.load(.guestRegisters, .context, GuestContext.regsOffset)
        a.load(.budget, .context, GuestContext.budgetOffset)
        a.load(.rax, .guestRegisters, flagsSlot)
        a.alu(.and, .rax, imm: arithmetic, w: false)
        a.push(.rax)
        a.popFlags()
        a.jump(to: .rsi)

        let epilogue = a.offset
        a.pushFlags()
        a.pop(.rcx)
        a.alu(.and, .rcx, imm: arithmetic, w: false)
        a.load(.rdx, .guestRegisters, flagsSlot)
        a.alu(.and, .rdx, imm: ~arithmetic)
        a.op([0x09], size: 8, reg: X86Register.rcx.rawValue, rm: .rdx)     // or rdx, rcx
        a.store(.rdx, .guestRegisters, flagsSlot)
        a.store(.budget, .context, GuestContext.budgetOffset)
        a.alu(.add, .rsp, imm: 8)
        for r in [X86Register.r15, .r14, .r13, .r12, .rbp, .rbx] { a.pop(r) }
        a.ret()
        return (a.bytes, GuestTrampolines(enter: base, epilogue: base &+ UInt(epilogue)))
    }
}
