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

// The pairs' two halves (and the chains', Pairs.swift below): `p` is moved to the second half.
// A load that faults returns false with `p` at it (a fault in the first half leaves nothing done,
// in the second the first).
extension X86Core {
    @_transparent func movLoad64(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        setReg64(p.pointee.reg, reg64(p.pointee.rm))
        p += 1
        return load64(p)
    }

    @_transparent func movMov32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.rm, 2))
        p += 1
        setReg(p.pointee.reg, 2, reg(p.pointee.rm, 2))
    }

    @_transparent func addAdd32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.reg, 2) &+ p.pointee.imm)
        p += 1
        aluRR(0, p, 2)
    }

    @_transparent func loadLoadSx16(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard loadSigned16to32X(p) else { return false }
        p += 1
        return loadSigned16to32X(p)
    }

    /// mov r64, r64 + test r64, r64 (the flags of the test).
    @_transparent func movTest64(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg64(p.pointee.reg, reg64(p.pointee.rm))
        p += 1
        setLogicFlags(3, reg64(p.pointee.reg) & reg64(p.pointee.rm))
    }

    /// add r32, r32 (its flags dead: the compare's overwrite them) + cmp r32, r32.
    @_transparent func addCmp32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.reg, 2) &+ reg(p.pointee.rm, 2))
        p += 1
        aluRR(7, p, 2)
    }

    @_transparent func loadTest64(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard load64(p) else { return false }
        p += 1
        setLogicFlags(3, reg64(p.pointee.reg) & reg64(p.pointee.rm))
        return true
    }

    @_transparent func movShr8(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.rm, 2))
        p += 1
        setLowByte(p.pointee.reg, (reg64(p.pointee.reg) & 0xff) &>> (p.pointee.imm & 31))
    }

    @_transparent func xorShr16(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.reg, 2) ^ reg(p.pointee.rm, 2))
        p += 1
        setReg(p.pointee.reg, 1, reg(p.pointee.reg, 1) &>> (p.pointee.imm & 31))
    }

    @_transparent func movXor16(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.rm, 2))
        p += 1
        setReg(p.pointee.reg, 1, reg(p.pointee.reg, 1) ^ p.pointee.imm)
    }

    @_transparent func andCmov32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        let res = reg(p.pointee.reg, 2) & p.pointee.imm & 0xffff_ffff
        setReg(p.pointee.reg, 2, res)
        setLogicFlags(2, res)
        p += 1
        // cmove/cmovne from the result (ZF), the rest through `condition`.
        let c = p.pointee.cond
        let move = c & 0xe == 4 ? (res == 0) != (c & 1 != 0) : condition(c)
        setReg(p.pointee.reg, 2, move ? reg(p.pointee.rm, 2) : reg(p.pointee.reg, 2))
    }

    @_transparent func movSar32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.rm, 2))
        p += 1
        let v = Int32(truncatingIfNeeded: reg64(p.pointee.reg))
        setReg(p.pointee.reg, 2, UInt64(UInt32(bitPattern: v &>> Int32(truncatingIfNeeded: p.pointee.imm & 31))))
    }

    @_transparent func sarAnd32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        let v = Int32(truncatingIfNeeded: reg64(p.pointee.reg))
        setReg(p.pointee.reg, 2, UInt64(UInt32(bitPattern: v &>> Int32(truncatingIfNeeded: p.pointee.imm & 31))))
        p += 1
        setReg(p.pointee.reg, 2, reg(p.pointee.reg, 2) & p.pointee.imm)
    }

    @_transparent func andImul32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.reg, 2) & p.pointee.imm)
        p += 1
        imul32NoFlags(p)
    }

    /// mov r64, [base + disp] + cmp r16, [base + disp] (loadCmpRM16Z's halves).
    @_transparent func loadCmp16(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard load64(p) else { return false }
        p += 1
        guard let v = cload(p, addressBD(p), 1) else { return false }
        _ = alu(7, reg(p.pointee.reg, 1), v, 1)
        return true
    }

    @_transparent func movAnd32(_ p: inout UnsafeMutablePointer<X86Instruction>) {
        setReg(p.pointee.reg, 2, reg(p.pointee.rm, 2))
        p += 1
        setReg(p.pointee.reg, 2, reg(p.pointee.reg, 2) & p.pointee.imm)
    }

    /// movzbl r32, [base + disp] + add r64, imm (no flags).
    @_transparent func loadZx8Add64(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard let v = cload(p, addressBD(p), 0) else { return false }
        setReg64(p.pointee.reg, v)
        p += 1
        setReg64(p.pointee.reg, reg64(p.pointee.reg) &+ p.pointee.imm)
        return true
    }

#if !SKIFF_WASI
    /// The matrix loops' `mov Y0,X0; mov Y1,X1; add $imm,Y0; add S,Y1; movswl (B,X,2),X;
    /// movswl (B',X',2),X'; imul X'',X'''` (matrixLoadImul; X, X' are X0 and X1 in either order),
    /// with the values passed on in host registers (the dataflow checked by
    /// `X86CodeCache.matrixRegisters`): the indexes are not reloaded from the register file right
    /// after their stores, nor the loaded values for the imul. False when a load faulted (`p` at
    /// it, the instructions before it done); else `p` at the imul.
    @_transparent func matrixLoadImul(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        let q = p
        let x0 = q.pointee.reg, y0 = q.pointee.rm, x1 = q[1].reg, y1 = q[1].rm
        let v0 = reg64(y0) & 0xffff_ffff, v1 = reg64(y1) & 0xffff_ffff
        let step = reg64(q[3].rm) & 0xffff_ffff
        let n1 = (v1 &+ step) & 0xffff_ffff
        setReg64(x0, v0)
        setReg64(x1, v1)
        setReg64(y0, (v0 &+ q[2].imm) & 0xffff_ffff)
        setReg64(y1, n1)
        setFlags(X86Flags.add, 2, v1, step, n1)     // add S,Y1's (a fault in the loads shows them)
        p = q + 4
        let i4 = q[4].index == x0 ? v0 : v1
        guard let l4 = cload(p, reg64(q[4].base) &+ (i4 &<< UInt64(q[4].scale)) &+ q[4].disp, 1) else { return false }
        let s4 = X86CPU.signExtend(l4, 1) & 0xffff_ffff
        setReg64(q[4].reg, s4)
        p = q + 5
        let i5 = q[5].index == x0 ? v0 : v1
        guard let l5 = cload(p, reg64(q[5].base) &+ (i5 &<< UInt64(q[5].scale)) &+ q[5].disp, 1) else { return false }
        let s5 = X86CPU.signExtend(l5, 1) & 0xffff_ffff
        setReg64(q[5].reg, s5)
        p = q + 6
        let a = p.pointee.reg == q[5].reg ? s5 : s4, b = p.pointee.rm == q[5].reg ? s5 : s4
        setReg64(p.pointee.reg, (a &* b) & 0xffff_ffff)
        return true
    }
#endif

    @_transparent func loadLoadZx8(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard load64(p) else { return false }
        p += 1
        guard let v = cload(p, addressBD(p), 0) else { return false }
        setReg64(p.pointee.reg, v)
        return true
    }
}

#if !SKIFF_WASI
extension X86CodeCache {
    /// The chain whose first part is the instruction at `i` of a block of `n` (their operations
    /// as the pairs, the `Z` and the `NZ` forms left them), if any. Each part is checked at the
    /// place its predecessor ends (a pair takes two instructions, a fused jcc one more), so the
    /// chain's arm runs exactly the instructions these operations would, in one dispatch instead
    /// of one per part. From a profile of amd64 CoreMark's dispatches by pair of arms (callgrind
    /// with its jumps: each arm has its own indirect jump), its loops:
    /// - core_list_reverse, `mov %rdx,%rax; mov (%rax),%rdx; mov %rcx,(%rax); mov %rax,%rcx;
    ///   test %rdx,%rdx; jne`: 3 dispatches -> 1 (5.9 K per iteration);
    /// - crcu8 (Pairs.swift above): 5 -> 1 (4.7 K);
    /// - matrix_mul_matrix and matrix_mul_matrix_bitextract, `mov; mov; add $1; add; movswl;
    ///   movswl; imul` (5.8 K), then `add; cmp; jne` in the first (5 -> 1) and `mov; sar; sar; and;
    ///   and; imul; add; cmp; jne` in the second (8 -> 2);
    /// - core_bench_list's two list walks (core_list_find inlined), `mov (%rax),%rax; test; je;
    ///   mov 8(%rax),%rdx; movzbl (%rdx),%edx; cmp %dx,%r14w; jne` (3 -> 1, 2.8 K) and `mov (%rax),
    ///   %rax; test; je; mov 8(%rax),%rdx; cmp 2(%rdx),%r12w; jne` (2 -> 1, 2.9 K);
    /// - core_state_transition's scanning loops: `movzbl 1(%rax),%ecx; add $1,%rax; test %cl,%cl;
    ///   jne` (2 -> 1, 2.9 K), `cmp $0x2c,%cl; je; cmp $0x2e,%cl; je; sub $0x30,%ecx; cmp $9,%cl;
    ///   jbe` (4 -> 1, 1.0-1.6 K), `sub $0x30,%ecx; cmp $9,%cl; ja` (2 -> 1, 1.3 K), `cmp $0x2c,%cl;
    ///   je; mov %ecx,%esi; and $-33,%esi; cmp $0x45,%sil; jne` (3 -> 1, 1.5 K).
    /// (Counts per CoreMark iteration, of the first part, from a qemu-x86_64 `-singlestep -d exec`
    /// trace.) A part with a je/jne in the middle leaves the chain when taken.
    /// Whether crcu8's loop at `p` has the dataflow `crcLoopNZ`'s arm assumes: `mov A,B; shr A8;
    /// xor C,B; shr C16; mov C,D; xor imm,D16; and imm,B; cmov D,C` with A, B, C, D four different
    /// registers (the arm reads A and C once and writes the four once).
    static func crcRegisters(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        let a = p[0].rm, b = p[0].reg, c = p[2].rm, d = p[4].reg
        guard p[1].reg == a, p[2].reg == b, p[3].reg == c, p[4].rm == c, p[5].reg == d, p[6].reg == b,
              p[7].reg == c, p[7].rm == d else { return false }
        let (wa, wb, wc, wd) = (a >> 3, b >> 3, c >> 3, d >> 3)
        return wa != wb && wa != wc && wa != wd && wb != wc && wb != wd && wc != wd
    }

    /// Whether the matrix loops' seven instructions at `p` have the dataflow `matrixLoadImul`
    /// assumes: `mov Y0,X0; mov Y1,X1; add $imm,Y0; add S,Y1`, each load indexed by its own
    /// destination, the two destinations X0 and X1, the imul (register form) of those two;
    /// X0 X1 Y0 Y1 four different registers, and S and the loads' bases none of them.
    static func matrixRegisters(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        let x0 = p[0].reg >> 3, y0 = p[0].rm >> 3, x1 = p[1].reg >> 3, y1 = p[1].rm >> 3
        func loaded(_ r: UInt8) -> Bool { r >> 3 == x0 || r >> 3 == x1 }
        func free(_ r: UInt8) -> Bool { r >> 3 != x0 && r >> 3 != x1 && r >> 3 != y0 && r >> 3 != y1 }
        guard x0 != y0, x0 != x1, x0 != y1, y0 != x1, y0 != y1, x1 != y1,
              p[2].reg >> 3 == y0, p[3].reg >> 3 == y1, free(p[3].rm),
              p[4].index == p[4].reg, p[5].index == p[5].reg, loaded(p[4].reg), loaded(p[5].reg),
              p[4].reg != p[5].reg, free(p[4].base), free(p[5].base),
              p[6].attrs & X86Attrs.immediate == 0, loaded(p[6].reg), loaded(p[6].rm) else { return false }
        return true
    }

    /// Whether core_list_reverse's loop at `p` has the dataflow `movLoadStoreMovTest64NZ`'s arm
    /// assumes: `mov D,A; mov disp(A),D; mov C,disp'(A); mov A,C; test D,D` with A, C, D three
    /// different registers.
    static func reverseRegisters(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        let a = p[0].reg, d = p[0].rm, c = p[2].reg
        return p[1].base == a && p[1].reg == d && p[2].base == a && p[3].reg == c && p[3].rm == a
            && p[4].reg == d && p[4].rm == d && a != c && a != d && c != d
    }

    static func chain(_ f: UnsafeMutablePointer<X86Instruction>, _ i: Int, _ n: Int) -> X86Op? {
        func at(_ k: Int, _ op: X86Op) -> Bool { i + k < n && f[i + k].op == op }
        switch f[i].op {
        case .movLoad64:
            if at(2, .movMR64) && at(3, .movTestRR64NZ) && reverseRegisters(f + i) { return .movLoadStoreMovTest64NZ }
        case .movShrRI8nf:
            if at(2, .xorShrRI16nf) && at(4, .movXorRI16nf) && at(6, .andCmovRR32) && at(8, .subRI8NZ) && crcRegisters(f + i) {
                return .crcLoopNZ
            }
        case .movMovRR32:
            if at(2, .addAddRIRR32) && at(4, .loadLoadSx16) && at(6, .imulRR32nf) && matrixRegisters(f + i) {
                return at(7, .addCmpRR32NZ) ? .matrixLoadImulAddCmpNZ : .matrixLoadImul
            }
        case .movSarRI32nf:
            if at(2, .sarAndRI32nf) && at(4, .andImulRR32nf) && at(6, .addCmpRR32NZ) { return .bitExtractAddCmpNZ }
        case .loadTestRR64Z:
            if at(3, .loadLoadZx8) && at(5, .cmpRR16NZ) { return .loadTestLoadZx8CmpNZ }
            if at(3, .loadCmpRM16Z) { return .loadTestLoadCmpZ }
        case .loadZx8AddRI64nf:
            if at(2, .testRR8NZ) { return .loadZx8AddTestNZ }
        case .cmpRI8Z:
            if at(2, .cmpRI8Z) && at(4, .subRI32nf) && at(5, .cmpRI8) { return .cmpCmpSubCmpRI8 }
            if at(2, .movAndRI32nf) && at(4, .cmpRI8NZ) { return .cmpMovAndCmpRI8NZ }
        case .subRI32nf:
            if at(1, .cmpRI8) { return .subCmpRI8 }
        default:
            break
        }
        return nil
    }
}
#endif
