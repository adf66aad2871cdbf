// The pre-decoded form of one instruction: operation, register indices (already mapped into
// the hart's register file: x0 as a destination goes to a scratch slot, f registers start at
// 64), immediates extracted and sign-extended, the length in 2-byte slots and its run count.
// 16 bytes.

package struct DecodedInstruction {
    package var op: Op
    /// Destination register index in the register file (x0 -> `Registers.scratch`).
    package var rd: UInt8
    package var rs1: UInt8
    package var rs2: UInt8
    package var rs3: UInt8
    /// Rounding mode field of FP instructions (7 = dynamic), or a sub-operation selector.
    package var rm: UInt8
    /// Instruction length in 2-byte slots: 1 for compressed, 2 for 32-bit instructions.
    package var len: UInt8
    package var aux: UInt8
    /// Instructions from this one to the end of its straight-line run (see `BlockCache.swift`):
    /// added to the retired count when execution enters the run here.
    var count: UInt16
    /// Native tier state of a block entry (`NativeSlot`): an execution count while cold, then
    /// the compiled block's number (or `never`). Zeroed with the slot when its page is reset.
    package var native: UInt16
    /// Immediate; for in-page branches/jumps the target as a slot delta; for illegal
    /// instructions the raw encoding.
    package var imm: Int32

    init(op: Op, rd: UInt8 = Registers.scratch, rs1: UInt8 = 0, rs2: UInt8 = 0, rs3: UInt8 = 0,
         rm: UInt8 = 0, len: UInt8 = 2, aux: UInt8 = 0, imm: Int32 = 0) {
        self.op = op
        self.rd = rd
        self.rs1 = rs1
        self.rs2 = rs2
        self.rs3 = rs3
        self.rm = rm
        self.len = len
        self.aux = aux
        self.count = 0
        self.native = 0
        self.imm = imm
    }

    /// Whether execution can continue past this instruction to the next slot without a
    /// control transfer; the others end a straight-line run.
    var endsRun: Bool {
        switch op {
        case .jal, .jalFar, .jalr, .beq, .bne, .blt, .bge, .bltu, .bgeu, .branchFar,
             .ecall, .ebreak, .illegal, .fenceI, .undecoded, .pageEnd,
             .jalC, .jalrC, .beqC, .bneC:
            return true
        default:
            return false
        }
    }

    static func illegal(_ raw: UInt32, len: UInt8) -> DecodedInstruction {
        DecodedInstruction(op: .illegal, len: len, imm: Int32(bitPattern: raw))
    }
}

/// Layout of the hart's register file (one buffer of 64-bit words).
@usableFromInline package enum Registers {
    /// x1...x31 at 1...31, x0 at 0 (always zero); writes to x0 land here.
    @usableFromInline package static let scratch: UInt8 = 32
    /// f0...f31 at 64...95.
    package static let fBase: UInt8 = 64
    package static let fcsr = 96
    /// The LR/SC reservation (`Hart.reservation`).
    package static let reservation = 97
    package static let count = 104

    @inline(__always) static func x(_ i: UInt32) -> UInt8 { i == 0 ? scratch : UInt8(i) }
    @inline(__always) static func xs(_ i: UInt32) -> UInt8 { UInt8(i) }
    @inline(__always) static func f(_ i: UInt32) -> UInt8 { fBase + UInt8(i) }
}
