// Zicsr: the user-level CSRs — fflags, frm, fcsr, and the read-only counters cycle, time,
// instret. Any other CSR number, and any write to a read-only counter, is an illegal
// instruction.

enum CSRNumber {
    static let fflags: UInt32 = 0x001
    static let frm: UInt32 = 0x002
    static let fcsr: UInt32 = 0x003
    static let cycle: UInt32 = 0xC00
    static let time: UInt32 = 0xC01
    static let instret: UInt32 = 0xC02
}

extension Hart {
    /// Executes csrrw/csrrs/csrrc (and the immediate forms). Returns false for an illegal access.
    func executeCSR(_ d: DecodedInstruction, retiredBefore: UInt64) -> Bool {
        let number = UInt32(bitPattern: d.imm) & 0xfff
        let funct3 = d.rm
        let source = funct3 >= 5 ? UInt64(d.rs1) : regs[Int(d.rs1)]
        // csrrw always writes; csrrs/csrrc write only when the source field is not x0 / 0.
        let writes = funct3 & 3 == 1 || d.rs1 != 0
        let fcsrValue = regs[Registers.fcsr]
        let old: UInt64
        switch number {
        case CSRNumber.fflags: old = fcsrValue & 0x1f
        case CSRNumber.frm: old = (fcsrValue >> 5) & 7
        case CSRNumber.fcsr: old = fcsrValue & 0xff
        case CSRNumber.cycle, CSRNumber.instret: old = retiredBefore
        case CSRNumber.time: old = timeSource?() ?? 0
        default: return false
        }
        if writes {
            let new: UInt64
            switch funct3 & 3 {
            case 1: new = source
            case 2: new = old | source
            default: new = old & ~source
            }
            switch number {
            case CSRNumber.fflags: regs[Registers.fcsr] = (fcsrValue & ~0x1f) | (new & 0x1f)
            case CSRNumber.frm: regs[Registers.fcsr] = (fcsrValue & 0x1f) | (new & 7) << 5
            case CSRNumber.fcsr: regs[Registers.fcsr] = new & 0xff
            default: return false
            }
        }
        regs[Int(d.rd)] = old
        return true
    }
}
