// The code at the start of a tier's buffer that every block shares:
//   enter(context, block)  saves the callee-saved registers, loads the fixed ones, jumps to the
//                          block (a C function: `X86NativeTier.Entry`);
//   epilogue               where exits jump with the exit code in eax: stores the budget back
//                          and returns from `enter`;
//   refill                 a block's TLB miss calls it (guest address in rax, size in edx, 1 in
//                          ecx for a write): it calls `Helpers.refillTLB` with every caller-saved
//                          register that can hold a guest value (and rax) preserved, and returns
//                          with the flags set from its result (ne: filled, retry the access);
//                          a refill that changed a translation empties the loops' page entries.
// One shared refill instead of the saves, the call and the restores in every miss path makes
// each miss path 21 bytes instead of about 70 (a JVM compiles 50 MB of blocks).

extension X86Assembler {
    /// The start of `enter` (both tiers): saves the host's callee-saved registers, aligns the
    /// stack, and loads the context (rdi), the guest register file and the budget.
    package mutating func enterCompiledCode() {
        for r in [X86Register.rbx, .rbp, .r12, .r13, .r14, .r15] { push(r) }
        alu(.sub, .rsp, imm: 8)
        move(.context, .rdi)
        load(.guestRegisters, .context, NativeContext.regsOffset)
        load(.budget, .context, NativeContext.budgetOffset)
    }

    /// The end of the epilogue (both tiers): stores the budget back and returns from `enter`.
    package mutating func leaveCompiledCode() {
        store(.budget, .context, NativeContext.budgetOffset)
        alu(.add, .rsp, imm: 8)
        for r in [X86Register.r15, .r14, .r13, .r12, .rbp, .rbx] { pop(r) }
        ret()
    }
}

struct Trampolines {
    var enter: UInt
    var epilogue: UInt
    var refill: UInt

    /// Assembles them at `base`: the bytes and where each starts.
    static func assemble(base: UInt) -> (bytes: [UInt8], at: Trampolines) {
        var a = X86Assembler(base: base)
        a.enterCompiledCode()
        a.jump(to: .rsi)

        let epilogue = a.offset
        a.leaveCompiledCode()

        // Block code runs with rsp 16-byte aligned; the call pushed 8 bytes, the pushes (and a
        // pad when their count is even) align it again for the helper.
        let refill = a.offset
        let saved = RegisterCache.callerSaved + [.rax]
        for r in saved { a.push(r) }
        if saved.count % 2 == 0 { a.lea(.rsp, .rsp, -8) }
        a.load(.rdi, .context, NativeContext.memoryOffset)
        a.move(.rsi, .rax)
        a.move(.r8, .context)
        a.move(.rax, imm: Helpers.address(Helpers.refillTLBKeepingPages))
        a.call(.rax)
        a.test(.rax, imm: 0xff)
        if saved.count % 2 == 0 { a.lea(.rsp, .rsp, 8) }
        for r in saved.reversed() { a.pop(r) }
        a.ret()
        return (a.bytes, Trampolines(enter: base, epilogue: base &+ UInt(epilogue), refill: base &+ UInt(refill)))
    }
}
