// Every operation the pre-decoded form can hold. Compressed instructions decode to the same
// operations as their 32-bit equivalents. `undecoded` must stay 0: a zeroed slot is undecoded.

package enum Op: UInt8 {
    // Decode-cache control.
    case undecoded = 0, pageEnd, illegal

    // RV64I. `li` is lui (and c.li/c.lui): rd = imm.
    case li, auipc
    case jal, jalFar, jalr
    case beq, bne, blt, bge, bltu, bgeu, branchFar
    case lb, lh, lw, ld, lbu, lhu, lwu
    case sb, sh, sw, sd
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case addiw, slliw, srliw, sraiw, addw, subw, sllw, srlw, sraw
    case fence, fenceI, ecall, ebreak

    // M.
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case mulw, divw, divuw, remw, remuw

    // A. `amoW`/`amoD` carry the operation in `rm` (see `AtomicOperation`).
    case lrW, lrD, scW, scD, amoW, amoD

    // Zicsr: `rm` = funct3, `imm` = CSR number, `rs1` = source register or 5-bit immediate.
    case csr

    // Zba.
    case addUw, sh1add, sh2add, sh3add, sh1addUw, sh2addUw, sh3addUw, slliUw
    // Zbb.
    case andn, orn, xnor
    // clz, clzw, ctz, ctzw, cpop, cpopw and orc.b, the operation in `imm` (`BitCount`): rare,
    // so one value for all seven (Op's 256 values go to fused operations).
    case bitCount
    case max, maxu, min, minu, sextB, sextH, zextH
    case rol, rolw, ror, rori, roriw, rorw, rev8
    // Zbs. bclr, bext, binv and bset by a register are rare: one value for the four, the
    // operation in `imm` (`SingleBit`; their values went to fused operations).
    case bitSingle, bclri, bexti, binvi, bseti

    // F and D.
    case flw, fld, fsw, fsd
    case faddS, fsubS, fmulS, fdivS, fsqrtS, fminS, fmaxS
    case fmaddS, fmsubS, fnmsubS, fnmaddS
    case faddD, fsubD, fmulD, fdivD, fsqrtD, fminD, fmaxD
    case fmaddD, fmsubD, fnmsubD, fnmaddD
    case fsgnjS, fsgnjnS, fsgnjxS, fsgnjD, fsgnjnD, fsgnjxD
    case fcvtWS, fcvtWUS, fcvtLS, fcvtLUS, fcvtSW, fcvtSWU, fcvtSL, fcvtSLU
    case fcvtWD, fcvtWUD, fcvtLD, fcvtLUD, fcvtDW, fcvtDWU, fcvtDL, fcvtDLU
    case fcvtSD, fcvtDS
    case fmvXW, fmvWX, fmvXD, fmvDX
    case feqS, fltS, fleS, feqD, fltD, fleD
    // fclass.s and fclass.d: `imm` 0 single, 1 double (rare: one value for both).
    case fclass

    // Fused pairs (Fusion.swift): addi/addiw/add/addw followed by an in-page conditional branch.
    // addi or add + beq/bne (`rm`: 0 beq, 1 bne), the loop closers (addi + an in-page `j` is
    // addiBranch comparing x0 with x0); every other combination in one operation for the addi
    // forms and one for the add forms, the condition in `rm` as in `branchFar` (0-5: beq, bne,
    // blt, bge, bltu, bgeu), plus 8 for the word forms (addiw, addw).
    case addiBranch, addBranch, addiBcmp, addBcmp

    // Fused pairs (Fusion.swift), each advancing by the slot's `len` (Op's 256 values are
    // nearly all taken: one operation per pair, not one per total length).
    // slli + add -> shift-add; add + load -> indexed load.
    case shlAdd, addLw, addLd, addLbu
    // lui + addi(w) -> one constant; auipc + addi -> one pc-relative address; auipc + ld -> a
    // pc-relative load (a GOT entry).
    case liPair, auipcPair, auipcLd
    // Two ld off the same base; two lh off any bases; two sd off the same base; ld + addi;
    // addi + sd.
    case ldPair, lhPair, sdPair, ldAddi, addiSd
    // Two ALU instructions, executed in order (the shifts, masks and multiply-adds of array
    // indexing and arithmetic loops, e.g. CoreMark's matrix and CRC code).
    case slliPair, srliPair, slliSrli, andiPair, sraiwPair, srliAdd, addiwAddw, addPair, mulwAddw, addwMulw
    // ld, lbu or srli followed by an in-page beq/bne (`rm`: 0 beq, 1 bne): null-pointer and
    // end-of-string tests, bit loops.
    case ldBranch, lbuBranch, srliBranch
    // ld + sd (a copy through a register; fields as addiSd's).
    case ldSd
    // lh + in-page beq/bne (as ldBranch); li (a 16-bit constant) + any in-page conditional
    // branch (the condition in `rm` as in `branchFar`: a range check against a constant);
    // xor + addiw and addiw + andi (the CRC loop's step, the `(unsigned char)(c - '0')` test).
    case lhBranch, liBranch, xorAddiw, addiwAndi
    // andi + srli (CPython's opcode and argument of a bytecode); ld + slli (a base and a scaled
    // index: Lua's table and stack slots); andi + in-page beq/bne (a type-tag test: as ldBranch).
    case andiSrli, ldSlli, andiBranch
    // Two units in one dispatch (Fusion.fuseUnits): the first slot's unit (a single instruction
    // or a fused pair) and the unit in the slot right after it, which keeps its own operation
    // and fields and is read from there. Named first unit + second unit.
    case addLdSd            // add+ld, then sd (a list's link rewrite)
    case slliSrliQuad       // slli;slli, then srli;srli (two zero-extended, scaled indices)
    case addLhQuad          // add;add, then lh;lh (two indexed halfword loads)
    case srliAndiPair       // srli, then andi;andi
    case sraiwAndiQuad      // sraiw;sraiw, then andi;andi (bit-field extraction)
    case xorSrliBranch      // xor, then srli + beq/bne
    case mulwAddwBne        // mulw;addw, then bne (a multiply-accumulate loop's end)
    case lbuAddiBranch      // lbu, then addi + beq/bne (a string scan)
    case addiwAddwMulwAddw  // addiw;addw, then mulw;addw
    case addiwAddwMulw      // addiw;addw, then mulw
    case ldLbuBranch        // ld, then lbu + beq/bne (a list search by a pointed-to byte)
    case ldLhBranch         // ld, then lh + beq/bne (a list search by a pointed-to field)
    case ldAddiJalr         // ld+addi, then jalr (a function's return: ld ra; addi sp; ret)
    case slliSrliAddLh      // slli;slli, srli;srli, add;add, then lh;lh (four units)
    case crcStep            // xor;addiw, srli, andi;andi, xor, then srli + beq/bne (five units:
                            // CoreMark's CRC step)
    case addLdSdBranch      // add+ld, sd, then add + beq/bne (a list reversal's loop)
    case addiwAndiLiBranch  // addiw;andi, then li + branch (a digit test)
    case andiShlAddLdPair   // andi, slli+add, ld, then andi;srli (four units: a table jump's
                            // operands, CPython's bytecode dispatch)
    // srliw a, x, k and slliw b, x, 32 - k in either order, then the `or` of a and b when it
    // comes right after them: a 32-bit rotate as C spells it without Zbb (sha256's rounds).
    case rotateWord
    // Two register-register operations executed in order, the second's destination in rs3 and
    // its sources in aux and rm: the sums, xors and ors of sha256's rounds (no Zbb), chosen by
    // replaying a qemu trace of sha256sum through the fusion rules (docs/performance.md).
    case xorAddw, orXor, addwXor, xorPair, orPair, addwPair, srliwXor
    // Three ALU instructions in one slot: a 64-bit rotate or funnel shift as C spells it without
    // Zbb (xxhash-style mixing; glibc's unaligned word copy runs srl, sll, or per word): slli;srli
    // or two shifts by a register (sll/srl in any order), then the `or` of their two results
    // (Fusion.fuseShiftOr). The or's destination in rs2 (slliSrliOr) or in imm's bits 8-15
    // (shiftPairOr: the shifts' directions in imm's bits 0 and 1, sll if set).
    case slliSrliOr, shiftPairOr
    // Chained forms, whose later instructions read the earlier ones' results from host registers
    // instead of reloading them from the register file right after storing them (the store then
    // load made each link a store-to-load forwarding on the slot's critical path): slli t, s, k
    // then srli d, t, j (a zero-extension or bit-field extract); and `slliSrliAddLh` whose srli,
    // add and lh each read the result of the one before (CoreMark's matrix loop: slli;slli,
    // srli;srli, add;add, lh;lh of two zero-extended, scaled indices; `Fusion.matrixChain`).
    case slliSrliChain, slliSrliAddLhChain

    // Compressed (2-byte) forms of the operations above. They are kept last so that the run
    // loop can tell an instruction's length from its operation alone (`isCompressed`), without
    // loading it from the slot: the next slot's address then does not wait for a memory load.
    // The rarer ones (c.srai, c.sub, c.subw, c.fld, c.fsd and the far jumps and branches) decode to the 32-bit operation with
    // len 1, whose arm steps by the slot's `len`: their values went to fused operations.
    case addiC, addiwC, liC, lwC, ldC, swC, sdC, srliC, slliC, andiC
    case addC, xorC, orC, andC, addwC
    // (c.ebreak decodes to `ebreak` with len 1: it stops the run, no length needed.)
    // (c.j/c.jal to another page and compressed branches to another page decode to jalFar and
    // branchFar with len 1: rare, their values went to fused operations.)
    case jalC, jalrC, beqC, bneC
}

extension Op {
    @inline(__always) var isCompressed: Bool { rawValue >= Op.addiC.rawValue }

    /// The compressed form of an operation a 16-bit instruction decodes to.
    package var compressed: Op {
        switch self {
        case .addi: return .addiC
        case .addiw: return .addiwC
        case .li: return .liC
        case .lw: return .lwC
        case .ld: return .ldC
        case .sw: return .swC
        case .sd: return .sdC
        case .srli: return .srliC
        case .slli: return .slliC
        case .andi: return .andiC
        case .add: return .addC
        case .xor: return .xorC
        case .or: return .orC
        case .and: return .andC
        case .addw: return .addwC
        case .jal: return .jalC
        case .jalr: return .jalrC
        case .beq: return .beqC
        case .bne: return .bneC
        default: return self
        }
    }
}

/// The operation of `Op.bitCount` (stored in `imm`).
package enum BitCount: Int32 {
    case clz, clzw, ctz, ctzw, cpop, cpopw, orcB
}

/// The operation of `Op.bitSingle` (stored in `imm`).
package enum SingleBit: Int32 {
    case bclr, bext, binv, bset
}

/// The read-modify-write operation of an AMO (stored in `rm`).
package enum AtomicOperation: UInt8 {
    case swap, add, xor, and, or, min, max, minu, maxu
}
