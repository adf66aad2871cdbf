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
        if self == .movsxRM16to32 && next == .imulRR32nf { return .loadImulRR32nf }
        switch (withFlags, next.withFlags) {
        case (.addRR32, .cmpRR32): return .addCmpRR32
        case (.movRR32, .movRR32): return .movMovRR32
        case (.movRR32, .addRI32): return .movAddRI32
        case (.movRM64, .testRR64): return .loadTestRR64
        case (.movRR64, .testRR64): return .movTestRR64
        case (.movsxRM16to32, .imulRR32): return .loadImulRR
        case (.movsxRM16to32, .movsxRM16to32): return .loadLoadSx16
        case (.movRM64, .movMR64): return .loadStore64
        case (.movRR64, .movRM64): return .movLoad64
        case (.addRI32, .addRR32): return .addAddRIRR32
        default: return nil
        }
    }
}

extension X86Core {
    /// The loads of the pairs' arms (false: it faulted): mov r64, m64 and movsx r32, m16.
    @_transparent func load64(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard let v = load(address(p), 3) else { return false }
        setReg64(p.pointee.reg, v)
        return true
    }

    @_transparent func loadSigned16to32(_ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        guard let v = load(address(p), 1) else { return false }
        setReg(p.pointee.reg, 2, X86CPU.signExtend(v, 1))
        return true
    }
}
