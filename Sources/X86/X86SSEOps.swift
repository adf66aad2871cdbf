// The SSE/SSE2 operations behind `X86Op.sse` (the instruction's `cond`). The destination is
// the xmm register in `reg`; the source is the xmm register in `rm` or memory.

package enum X86SSE: UInt8 {
    // Moves.
    case mov128          // xmm <- xmm/m128 (movaps, movups, movdqa, movdqu, movapd, movupd, lddqu)
    case store128        // m128 <- xmm
    case movss, movsd    // register form: low lane only; load: zero the rest
    case storeLow32, storeLow64
    case movq            // xmm <- xmm/m64, upper half zeroed (movq F3 0F 7E)
    case movdToXMM       // xmm <- r/m32 or r/m64, zero-extended (size: 2 or 3)
    case movdFromXMM     // r/m32 or r/m64 <- xmm's low lane
    case loadLow64, loadHigh64, storeHigh64, movhlps, movlhps
    case movmskps, movmskpd, pmovmskb, pextrw, pinsrw
    // Integer.
    case paddb, paddw, paddd, paddq, psubb, psubw, psubd, psubq
    case paddsb, paddsw, paddusb, paddusw, psubsb, psubsw, psubusb, psubusw
    case pmullw, pmulhw, pmulhuw, pmuludq, pmaddwd, psadbw, pavgb, pavgw
    case pminub, pmaxub, pminsw, pmaxsw
    case pcmpeqb, pcmpeqw, pcmpeqd, pcmpgtb, pcmpgtw, pcmpgtd
    case pand, pandn, por, pxor
    case punpcklbw, punpcklwd, punpckldq, punpcklqdq, punpckhbw, punpckhwd, punpckhdq, punpckhqdq
    case packsswb, packuswb, packssdw
    case psllw, pslld, psllq, psrlw, psrld, psrlq, psraw, psrad   // count: xmm/m128, or imm (attrs.immediate)
    case pslldq, psrldq
    case pshufd, pshuflw, pshufhw
    // Floating point: ps, pd, ss, sd variants in that order.
    case addps, addpd, addss, addsd
    case subps, subpd, subss, subsd
    case mulps, mulpd, mulss, mulsd
    case divps, divpd, divss, divsd
    case minps, minpd, minss, minsd
    case maxps, maxpd, maxss, maxsd
    case sqrtps, sqrtpd, sqrtss, sqrtsd
    case cmpps, cmppd, cmpss, cmpsd
    case ucomiss, ucomisd, comiss, comisd
    case cvtsi2ss, cvtsi2sd, cvttss2si, cvttsd2si, cvtss2si, cvtsd2si
    case cvtss2sd, cvtsd2ss, cvtps2pd, cvtpd2ps, cvtdq2ps, cvtps2dq, cvttps2dq, cvtdq2pd, cvtpd2dq, cvttpd2dq
    case shufps, shufpd, unpcklps, unpckhps
}
