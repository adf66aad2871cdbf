// Macro-op fusion at decode time: an add (addi, addiw, add, addw, any length) immediately
// followed by a conditional branch to the same page — the closing pair of most loops — becomes
// one operation in the add's slot, saving a dispatch. The branch keeps its own slot for jumps
// that land on it; the fused slot carries the branch operands in rs3/aux, the branch target as
// a slot delta from the fused slot, and the pair's total length. Adds cannot fault, so
// precise traps are unaffected; the run count already covers both instructions.

enum Fusion {
    static func fuse(_ first: UnsafeMutablePointer<DecodedInstruction>) {
        let a = first.pointee, b = first.next.pointee
        let alu: Int
        switch a.op {
        case .addi, .addiC: alu = 0
        case .addiw, .addiwC: alu = 1
        case .add, .addC: alu = 2
        case .addw, .addwC: alu = 3
        default: return
        }
        let cond: Int
        switch b.op {
        case .beq, .beqC: cond = 0
        case .bne, .bneC: cond = 1
        case .blt: cond = 2
        case .bge: cond = 3
        case .bltu: cond = 4
        case .bgeu: cond = 5
        default: return
        }
        let delta = Int32(a.len) + b.imm                  // from the fused slot
        var f = a
        f.op = Op(rawValue: Op.addiBeq.rawValue + UInt8(alu * 6 + cond))!
        f.rs3 = b.rs1
        f.aux = b.rs2
        f.len = a.len + b.len
        if alu < 2 {
            f.imm = Int32(bitPattern: UInt32(UInt16(truncatingIfNeeded: a.imm)) | UInt32(bitPattern: delta) << 16)
        } else {
            f.imm = delta
        }
        first.pointee = f
    }
}
