// Fused pairs: two adjacent instructions of a block that the run loop executes in one arm
// (one dispatch instead of two). The pairs are the most frequent ones in a qemu-x86_64
// `-singlestep -d nochain,exec,in_asm` trace of amd64 CoreMark (adjacent executed pairs,
// 25 minus 5 iterations; Intel operand order): add r,r + cmp r,r (2.5% of its instructions),
// mov r,r + mov r,r (2.4%), mov r,r + add r,imm (2.0%), mov r,[m] + test r,r (1.8%), mov r,r +
// test r,r (1.8%), all 32- or 64-bit as named below; then movsx r32,[m16] + imul r,r (1.9%),
// mov r,[m] + mov [m],r (1.8%), mov r,r + mov r,[m] (1.75%), movsx r32,[m16] twice (1.7%),
// add r,imm + add r,r (1.7%). No first half stores to memory, so the second cannot be
// invalidated by the first.
//
// `decodeBlock` gives the first instruction the pair's operation; the second stays decoded at
// its own address with its own operation (a jump to it runs it alone) and keeps its own fields:
// the pair's arm runs the first, steps to the second and runs it, so a fault in the first is
// reported at the first with nothing retired, and a compare or test second still takes its
// fused jcc (`X86Attrs.fusedBranch`).

extension X86Op {
    /// The fused operation for this operation followed by `next` in a block, if any.
    /// (Of the operations with their flags: a form without them (FlagsLiveness.swift) pairs as
    /// its operation, and the pair sets the flags; imul's has a pair of its own.)
    func paired(with next: X86Op) -> X86Op? {
        if (self == .movsxRM16to32 || self == .movsxRM16to32X) && next == .imulRR32nf { return .loadImulRR32nf }
#if !SKIFF_WASI
        // Register-only pairs of CoreMark's two hottest inner loops (native only, like the
        // per-size memory forms: more arms made the wasm core's run loop spill its memory
        // base). crcu8's bit loop, `mov %edi,%esi; shr %dil; xor %eax,%esi; shr %ax;
        // mov %eax,%ecx; xor $0xa001,%cx; and $1,%esi; cmovne %ecx,%eax; sub $1,%dl; jne`
        // (13% of the guest instructions), 9 -> 5 dispatches; matrix_mul_matrix_bitextract's,
        // `...; imul; mov %eax,%edx; sar $5,%eax; sar $2,%edx; and $0x7f,%eax; and $0xf,%edx;
        // imul %eax,%edx; add %edx,%edi; cmp; jne`, 11 -> 8. Then core_bench_list's list walks,
        // `mov 8(%rax),%rdx; cmp 2(%rdx),%r12w; jne` (the pair with its je/jne: formPairs) and
        // `mov 8(%rax),%rdx; movzbl (%rdx),%edx`, and core_state_transition's `movzbl 1(%rax),%ecx;
        // add $1,%rax` and `mov %ecx,%esi; and $-33,%esi`. (imul + add, matrix_mul_matrix's, was
        // tried: it takes the add from the add + cmp pair, no dispatch fewer.)
        // The forms without flags are matched as such (their pairs set no flags).
        switch (self, next) {
        case (.movRR32, .shrRI8nf): return .movShrRI8nf
        case (.xorRR32nf, .shrRI16nf): return .xorShrRI16nf
        case (.movRR32, .xorRI16nf): return .movXorRI16nf
        case (.andRI32, .cmovRR32): return .andCmovRR32
        case (.movRR32, .sarRI32nf): return .movSarRI32nf
        case (.sarRI32nf, .andRI32nf): return .sarAndRI32nf
        case (.andRI32nf, .imulRR32nf): return .andImulRR32nf
        case (.movRM64, .movzxRM8): return .loadLoadZx8
        case (.movzxRM8, .addRI64nf): return .loadZx8AddRI64nf
        case (.movRR32, .andRI32nf): return .movAndRI32nf
        default: break
        }
#endif
        switch (withFlags, next.withFlags) {
        case (.addRR32, .cmpRR32): return .addCmpRR32
        case (.movRR32, .movRR32): return .movMovRR32
        case (.movRR32, .addRI32): return .movAddRI32
        case (.movRM64, .testRR64): return .loadTestRR64
        case (.movRR64, .testRR64): return .movTestRR64
        case (.movsxRM16to32, .imulRR32), (.movsxRM16to32X, .imulRR32): return .loadImulRR
#if SKIFF_WASI
        case (.movsxRM16to32, .movsxRM16to32): return .loadLoadSx16
#else
        // Both with an index (`loadSigned16to32X`; CoreMark's matrix loads are).
        case (.movsxRM16to32X, .movsxRM16to32X): return .loadLoadSx16
#endif
        case (.movRM64, .movMR64): return .loadStore64
        case (.movRR64, .movRM64): return .movLoad64
        case (.addRI32, .addRR32): return .addAddRIRR32
        default: return nil
        }
    }
}

extension X86Core {
    /// The loads of the pairs' arms (false: it faulted): mov r64, m64 and movsx r32, m16.
    /// (Every pair with load64 is made of movRM64, whose operand has neither an index nor a
    /// segment base: `addressBD`.)
    @_transparent func load64(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard let v = cload(p, addressBD(p), 3) else { return false }
        setReg64(p.pointee.reg, v)
        return true
    }

    @_transparent func loadSigned16to32(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard let v = cload(p, address(p), 1) else { return false }
        setReg(p.pointee.reg, 2, X86CPU.signExtend(v, 1))
        return true
    }

    /// The same for an operand with an index (movsxRM16to32X: loadLoadSx16's halves).
    @_transparent func loadSigned16to32X(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard let v = cload(p, addressIndexed(p), 1) else { return false }
        setReg(p.pointee.reg, 2, X86CPU.signExtend(v, 1))
        return true
    }
}
