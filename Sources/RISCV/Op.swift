// Every operation the pre-decoded form can hold. Compressed instructions decode to the same
// operations as their 32-bit equivalents. `undecoded` must stay 0: a zeroed slot is undecoded.

enum Op: UInt8 {
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
    case andn, orn, xnor, clz, clzw, ctz, ctzw, cpop, cpopw
    case max, maxu, min, minu, sextB, sextH, zextH
    case rol, rolw, ror, rori, roriw, rorw, orcB, rev8
    // Zbs.
    case bclr, bclri, bext, bexti, binv, binvi, bset, bseti

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
    case fclassS, fclassD
}

/// The read-modify-write operation of an AMO (stored in `rm`).
enum AtomicOperation: UInt8 {
    case swap, add, xor, and, or, min, max, minu, maxu
}
