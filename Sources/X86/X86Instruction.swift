// The pre-decoded form of one x86-64 instruction (32 bytes): the operation (already split by
// operand form: register or memory destination, immediate source...), the operand size, the
// operands as byte offsets into the register file (`X86Registers`), the memory operand's
// parts (base + index << scale + disp + segment base, all of them slots, so an address is four
// loads and three adds with no branch; a RIP-relative address is an absolute `disp`), the
// immediate (or a branch's absolute target), the instruction's length and place in its page,
// and how many instructions run from it to the end of its block.

package struct X86Instruction {
    package var op: X86Op
    /// Instructions from this one to the end of its block (see CodeCache.swift): added to the
    /// retired count when execution enters the block here.
    /// (At most `X86CodeCache.maxBlock`: one byte, so that `native` fits in 32 bytes.)
    package var count: UInt8
    /// Native tier state of a block entry (`NativeSlot`, as in a RISC-V slot): how often
    /// execution jumped here while cold, then the compiled block's number (or `never`).
    package var native: UInt16
    package var length: UInt8
    /// Operand size as log2 of its bytes: 0 (8 bits) ... 3 (64 bits).
    package var size: UInt8
    /// The ModRM reg operand (or the register in the opcode): a byte offset into the register
    /// file for general-purpose registers, the register number for xmm registers.
    package var reg: UInt8
    /// The ModRM rm operand when it is a register (same encoding as `reg`).
    package var rm: UInt8
    package var base: UInt8
    package var index: UInt8
    /// log2 of the index's factor, plus `slowAddress` when the operand has a segment base or a
    /// 32-bit address and `indexed` when it has an index register (set by `decodeBlock`).
    package var scale: UInt8
    package var seg: UInt8
    /// Condition code (jcc, setcc, cmovcc), sub-operation (shift kind, SSE operation...) or a
    /// second operand size (movzx/movsx: the source's).
    package var cond: UInt8
    package var attrs: UInt8
    /// Byte offset of the instruction in its page (4096 for the end marker of a block that
    /// runs into the next page).
    package var offset: UInt16
    package var disp: UInt64
    package var imm: UInt64

    init(op: X86Op) {
        self.op = op
        count = 0; native = 0; length = 0; size = 3
        reg = 0; rm = 0
        base = X86Registers.zeroOffset; index = X86Registers.zeroOffset; scale = 0; seg = X86Registers.zeroOffset
        cond = 0; attrs = 0; offset = 0; disp = 0; imm = 0
    }

    /// A block's end marker at byte `offset` of the page at `pageBase`: a jmp to that address
    /// that retires nothing (a taken branch retires its own instruction and takes back the
    /// `count - 1` after it; this one's count is 1), whose target the run loop caches in `disp`
    /// like a direct branch's when it is decoded in the same page.
    static func end(_ offset: Int, _ pageBase: UInt64) -> X86Instruction {
        var marker = X86Instruction(op: .jmp)
        marker.count = 1
        marker.offset = UInt16(offset)
        marker.imm = pageBase &+ UInt64(offset)
        return marker
    }

    /// A direct branch's change of the run loop's budget (`left`) when it is taken to its
    /// cached target (`disp`): its block's instructions after it given back, the target's
    /// block's taken (`count - 1 - target.count`). Kept in `reg` and `rm`, unused by branches;
    /// set with `disp`.
    var branchDelta: Int16 {
        @inline(__always) get { Int16(bitPattern: UInt16(reg) | UInt16(rm) &<< 8) }
        @inline(__always) set { reg = UInt8(truncatingIfNeeded: newValue); rm = UInt8(truncatingIfNeeded: newValue &>> 8) }
    }

    /// `scale`'s flag for a memory operand with fs/gs or 0x67 (Operands.swift, `address`).
    static let slowAddress: UInt8 = 0x80
    /// `scale`'s flag for a memory operand with an index register (Operands.swift, `address`).
    static let indexed: UInt8 = 0x40

    /// Whether execution cannot simply continue with the next instruction of the block.
    /// (Conditional branches do not end blocks: their fall-through path is the rest of the
    /// block; a taken branch leaves it.)
    var endsBlock: Bool {
        switch op {
        case .jmp, .call, .callR, .callM, .jmpR, .jmpM, .ret, .retImm,
             .syscall, .int3, .illegal, .privileged, .blockEnd, .truncated:
            return true
        default:
            return false
        }
    }
}

/// `X86Instruction.attrs` bits.
package enum X86Attrs {
    /// The rm operand is memory.
    package static let memory: UInt8 = 1
    /// 0x67: 32-bit address arithmetic.
    package static let address32: UInt8 = 2
    /// 0xf3 (rep/repe) and 0xf2 (repne) on string instructions.
    package static let rep: UInt8 = 4
    package static let repne: UInt8 = 8
    /// Shift/rotate count from cl (else from imm).
    package static let countCL: UInt8 = 16
    /// The memory operand must be 16-byte aligned (legacy SSE m128 operands).
    package static let aligned: UInt8 = 32
    /// Three-operand form (imul r, r/m, imm).
    package static let immediate: UInt8 = 64
    /// A compare, test, sub r,imm, inc or dec followed by a jcc in its block (set by
    /// `decodeBlock`): the run loop evaluates the branch with it, without dispatching the jcc.
    package static let fusedBranch: UInt8 = 128
    /// With `fusedBranch`: that jcc is je or jne (88% of amd64 CoreMark's fused jccs), whose
    /// condition is the lazy result being zero, for every operation that fuses one; the run loop
    /// tests it without `condition`'s switch. (`immediate`'s bit: only imul has that, and imul
    /// fuses no jcc.)
    package static let fusedZero: UInt8 = 64
}

/// `X86Instruction.cond` of `X86Op.flagSystem`: which instruction.
package enum X86FlagOp {
    package static let pushf: UInt8 = 0, popf: UInt8 = 1, lahf: UInt8 = 2, sahf: UInt8 = 3, cmc: UInt8 = 4
    package static let clc: UInt8 = 5, stc: UInt8 = 6, cld: UInt8 = 7, std: UInt8 = 8, cpuid: UInt8 = 9, rdtsc: UInt8 = 10
}

/// `X86Instruction.cond` of `X86Op.sseControl` (0F AE's reg field).
package enum X86SSEControl {
    package static let fxsave: UInt8 = 0, fxrstor: UInt8 = 1, ldmxcsr: UInt8 = 2, stmxcsr: UInt8 = 3
}

package enum X86Op: UInt8 {
    // Block structure and traps.
    case blockEnd        // an invalidated instruction: continue at the page base + offset
    case truncated       // synthetic: the next instruction could not be fetched whole
    case illegal         // #UD: SIGILL
    case privileged      // #GP in user mode (hlt, in/out, cli...): SIGSEGV
    case nop
    case syscall
    case int3
    // Moves.
    case movRR, movRM, movMR, movRI, movMI
    case movzxRR, movzxRM, movsxRR, movsxRM
    case lea
    case xchgRR, xchgRM
    case cmovRR, cmovRM
    case setccR, setccM
    case bswap
    case cbw, cwd
    case push, pushI, pushM, pop, popM, leave
    // pushf, popf, lahf, sahf, cmc, clc, stc, cld, std, cpuid, rdtsc: one operation, the
    // instruction in `cond` (`X86FlagOp`; Execute+System.swift). They share one out-of-line arm,
    // so one operation costs nothing, and X86Op has room for 256 (see the chains below).
    case flagSystem
    // Arithmetic and logic: the eight group-1 operations in each operand form.
    case addRR, orRR, adcRR, sbbRR, andRR, subRR, xorRR, cmpRR
    case addRI, orRI, adcRI, sbbRI, andRI, subRI, xorRI, cmpRI
    case addRM, orRM, adcRM, sbbRM, andRM, subRM, xorRM, cmpRM
    case addMR, orMR, adcMR, sbbMR, andMR, subMR, xorMR, cmpMR
    case addMI, orMI, adcMI, sbbMI, andMI, subMI, xorMI, cmpMI
    case testRR, testRI, testMR, testMI
    case incR, decR, negR, notR, incM, decM, negM, notM
    case shiftR, shiftM          // cond: rol ror rcl rcr shl shr sal sar
    case shlRI, shrRI, sarRI
    case shldR, shrdR, shldM, shrdM
    case mulDivR, mulDivM        // cond: 4 mul, 5 imul, 6 div, 7 idiv (one operand)
    case imulRR, imulRM          // two or (attrs.immediate) three operands
    case btRR, btMR, btRI, btMI  // cond: 0 bt, 1 bts, 2 btr, 3 btc
    case bitScanRR, bitScanRM    // cond: 0 bsf, 1 bsr, 2 tzcnt, 3 lzcnt, 4 popcnt
    case bmi                     // BMI1/BMI2 (cond: `X86BMI`; imm: the VEX.vvvv register)
    case xaddRR, xaddMR, cmpxchgRR, cmpxchgMR, cmpxchg16b
    // The hottest of the above for 32- and 64-bit operands (Specialise.swift).
    case movRR32, movRR64, movRM32, movRM64, movMR32, movMR64
    case addRR32, addRR64, addRI32, addRI64, subRR32, subRR64, subRI32, subRI64
    case andRI32, andRI64, xorRR32, xorRR64
    case cmpRR32, cmpRR64, cmpRI32, cmpRI64, testRR32, testRR64
    case movzxRM8, movzxRM16, movsxRM16to32
    case cmpRI8, testRR8, subRI8, shrRI8, shrRI16, xorRI16
    case shlRI32, shlRI64, shrRI32, shrRI64, sarRI32, sarRI64, cmovRR32, cmovRR64
    // Two adjacent instructions run by one arm (the first's operation; Pairs.swift).
    case addCmpRR32, movMovRR32, movAddRI32, loadTestRR64, movTestRR64
    case loadImulRR, loadLoadSx16, loadStore64, movLoad64, addAddRIRR32
    // String instructions (size, attrs.rep/repne).
    case movs, stos, lods, cmps, scas
    // Control transfer (imm: the absolute target of direct forms).
    case jmp, jcc, call, callR, callM, jmpR, jmpM, ret, retImm, loop
    // SSE/SSE2 (cond: `X86SSE` sub-operation), MXCSR and the FXSAVE area.
    case sse
    case sse4            // SSE3, SSSE3, SSE4.1, SSE4.2 (cond: `X86SSE4`)
    case sseControl      // cond: `X86SSEControl` (fxsave, fxrstor, ldmxcsr, stmxcsr)
    // x87 (cond and imm: see Execute+X87.swift).
    case x87
    // MMX (X86Execute+MMX.swift): cond an `X86SSE`, an `X86SSE4` or an `X86MMX` operation.
    case mmx, mmxSSSE3, mmxOther
    // Forms whose flags no instruction reads (FlagsLiveness.swift): the result alone.
    case addRR32nf, addRI32nf, addRI64nf, andRI32nf, subRI32nf, xorRR32nf, sarRI32nf
    case shrRI8nf, shrRI16nf, xorRI16nf, imulRR32nf, loadImulRR32nf
    // imul r32, r/m32 (or with an immediate) in the run loop (Specialise.swift).
    case imulRR32
    // Memory forms per size (Specialise.swift): cmp r,[m] (16, 32, 64 bits), cmp [m],imm8,
    // add [m],imm32.
    case cmpRM16, cmpRM32, cmpRM64, cmpMI8, addMI32, cmpRR16
    // The operations above that fuse a jcc, when that jcc is je or jne (`zeroFused`).
    case cmpRI8Z, addCmpRR32Z, movTestRR64Z, loadTestRR64Z, subRI8Z, testRR8Z, cmpRR32Z, cmpRR64Z
    case cmpRI32Z, cmpRI64Z, subRI32Z, subRI64Z, testRR32Z, testRR64Z, cmpRM16Z, cmpRM32Z, cmpRM64Z, cmpMI8Z, cmpRR16Z
    case movShrRI8nf, xorShrRI16nf, movXorRI16nf, andCmovRR32, movSarRI32nf, sarAndRI32nf, andImulRR32nf
    case loadCmpRM16Z, loadLoadZx8, loadZx8AddRI64nf, movAndRI32nf
    // The 64-bit loads and stores and movzx of a byte above take only a memory operand with
    // neither an index nor fs/gs/0x67 (`addressBD`, no test at run time); these with an index
    // (`addressIndexed`); those with fs/gs or 0x67 stay generic (Specialise.swift). Native only.
    case movRM64X, movMR64X, movzxRM8X
    // The same for movsx r32,[m16] (movsxRM16to32 then takes base + disp alone; loadLoadSx16
    // is made of two of the X form). (movRM32, movMR32 and movzxRM16 take every form: X86Op
    // has room for 256 operations.)
    case movsxRM16to32X
    // The hottest `Z` forms when their jcc is jne (the `Z` form then stands for je alone): the
    // arm branches on the result without reading the jcc's condition (Specialise.swift,
    // `notEqualForm`). Native only.
    case addCmpRR32NZ, cmpRI8NZ, loadTestRR64NZ, movTestRR64NZ, subRI8NZ, testRR8NZ, cmpRR16NZ
    // Chains: pairs and forms above that follow each other in a block, run by one arm
    // (`X86CodeCache.formChains`, Pairs.swift): the bodies of amd64 CoreMark's hottest loops.
    // Native only.
    case movLoadStoreMovTest64NZ    // movLoad64, movMR64, movTestRR64NZ (core_list_reverse)
    case crcLoopNZ                  // movShrRI8nf, xorShrRI16nf, movXorRI16nf, andCmovRR32, subRI8NZ (crcu8)
    case matrixLoadImul             // movMovRR32, addAddRIRR32, loadLoadSx16, imulRR32nf (matrix_mul_matrix*)
    case matrixLoadImulAddCmpNZ     // the same, then addCmpRR32NZ (matrix_mul_matrix)
    case bitExtractAddCmpNZ         // movSarRI32nf, sarAndRI32nf, andImulRR32nf, addCmpRR32NZ (..._bitextract)
    case loadTestLoadZx8CmpNZ       // loadTestRR64Z, loadLoadZx8, cmpRR16NZ (core_bench_list)
    case loadTestLoadCmpZ           // loadTestRR64Z, loadCmpRM16Z (core_bench_list)
    case loadZx8AddTestNZ           // loadZx8AddRI64nf, testRR8NZ (core_state_transition)
    case cmpCmpSubCmpRI8            // cmpRI8Z, cmpRI8Z, subRI32nf, cmpRI8 (core_state_transition)
    case subCmpRI8                  // subRI32nf, cmpRI8 (core_state_transition)
    case cmpMovAndCmpRI8NZ          // cmpRI8Z, movAndRI32nf, cmpRI8NZ (core_state_transition)
}
