// The SSE3, SSSE3, SSE4.1 and SSE4.2 operations behind `X86Op.sse4` (the instruction's `cond`;
// x86-64-v2 with POPCNT, CMPXCHG16B and LAHF/SAHF). As for `X86SSE`, the destination is the xmm
// register in `reg` and the source the xmm register in `rm` or memory, except where noted.

package enum X86SSE4: UInt8 {
    // SSE3.
    case addsubps, addsubpd, haddps, haddpd, hsubps, hsubpd
    case movsldup, movshdup, movddup
    case lddqu                               // unaligned m128 load
    // SSSE3.
    case pshufb, phaddw, phaddd, phaddsw, pmaddubsw, phsubw, phsubd, phsubsw
    case psignb, psignw, psignd, pmulhrsw, pabsb, pabsw, pabsd
    case palignr                             // imm
    // SSE4.1.
    case pblendvb, blendvps, blendvpd        // mask: xmm0
    case ptest
    case pmovsxbw, pmovsxbd, pmovsxbq, pmovsxwd, pmovsxwq, pmovsxdq
    case pmovzxbw, pmovzxbd, pmovzxbq, pmovzxwd, pmovzxwq, pmovzxdq
    case pmuldq, pcmpeqq, movntdqa, packusdw
    case pminsb, pminsd, pminuw, pminud, pmaxsb, pmaxsd, pmaxuw, pmaxud
    case pmulld, phminposuw
    case roundps, roundpd, roundss, roundsd  // imm
    case blendps, blendpd, pblendw           // imm
    case pextrb, pextrw, pextrd, extractps   // r/m (rm) <- xmm (reg); pextrd with size 3: pextrq
    case pinsrb, insertps, pinsrd            // xmm (reg) <- r/m; pinsrd with size 3: pinsrq
    case dpps, dppd, mpsadbw                 // imm
    // SSE4.2.
    case pcmpgtq
    case pcmpestrm, pcmpestri, pcmpistrm, pcmpistri   // imm; size: 3 with REX.W (rax/rdx lengths)
    case crc32                               // reg: r32/r64 (imm: its size), rm: r/m of `size`
}
