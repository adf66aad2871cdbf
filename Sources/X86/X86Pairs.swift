// Fused pairs: two adjacent instructions of a block that the run loop executes in one arm
// (one dispatch instead of two). The pairs are the most frequent ones in a qemu-x86_64
// `-singlestep -d nochain,exec,in_asm` trace of amd64 CoreMark (adjacent executed pairs,
// 25 minus 5 iterations): add r,r + cmp r,r (2.5% of its instructions), mov r,r + mov r,r
// (2.4%), mov r,r + add r,imm (2.0%), mov r,m + test r,r (1.8%), mov r,r + test r,r (1.8%),
// all 32- or 64-bit as named below. Neither half stores to memory, so the second cannot be
// invalidated by the first.
//
// `decodeBlock` gives the first instruction the pair's operation; the second stays decoded at
// its own address with its own operation (a jump to it runs it alone) and keeps its own fields:
// the pair's arm runs the first, steps to the second and runs it, so a fault in the first is
// reported at the first with nothing retired, and a compare or test second still takes its
// fused jcc (`X86Attrs.fusedBranch`).

extension X86Op {
    /// The fused operation for this operation followed by `next` in a block, if any.
    func paired(with next: X86Op) -> X86Op? {
        switch (self, next) {
        case (.addRR32, .cmpRR32): return .addCmpRR32
        case (.movRR32, .movRR32): return .movMovRR32
        case (.movRR32, .addRI32): return .movAddRI32
        case (.movRM64, .testRR64): return .loadTestRR64
        case (.movRR64, .testRR64): return .movTestRR64
        default: return nil
        }
    }
}
