/* build: -march=x86-64-v2
 * SSE3, SSSE3 and SSE4.1 (x86-64-v2) through <immintrin.h>, compared with the host CPU: float
 * edge values (zeros, denormals, the extremes, infinities, quiet and signaling NaNs with
 * payloads) through addsub/hadd/hsub, rounding in every mode (immediate and MXCSR's), dot
 * products; integer edge values through every SSSE3/SSE4.1 integer operation; blends,
 * insertion and extraction of every lane, widening moves, ptest's flags. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <immintrin.h>

static void show(const char *name, __m128i v) {
    uint64_t q[2]; memcpy(q, &v, 16);
    printf("%s %016llx%016llx\n", name, (unsigned long long)q[1], (unsigned long long)q[0]);
}
#define SHOWPS(name, v) show(name, _mm_castps_si128(v))
#define SHOWPD(name, v) show(name, _mm_castpd_si128(v))

static const uint32_t floats[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xc0200000,
    0x00000001, 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345,
    0x7f812345, 0xff800001, 0x40700000, 0xc0700000, 0x4b000001, 0x4affffff, 0x3effffff, 0x3f000001,
};
static const uint64_t doubles[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull, 1, 0x800fffffffffffffull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000012345ull, 0x7ff0000000012345ull, 0xfff0000000000001ull,
    0x4330000000000001ull, 0x432fffffffffffffull, 0x3fdfffffffffffffull, 0x3fe0000000000001ull,
};
#define NF (sizeof floats / sizeof floats[0])
#define ND (sizeof doubles / sizeof doubles[0])
static const uint16_t words[] = { 0, 1, 2, 0x7fff, 0x8000, 0x8001, 0xffff, 0xfffe, 0x4000, 0xc000, 0x00ff, 0xff00, 0x1234, 0xfedc, 0x0080, 0x7f80 };
#define NW (sizeof words / sizeof words[0])

static __m128 ps(unsigned i) {
    uint32_t v[4] = { floats[i % NF], floats[(i + 1) % NF], floats[(i + 5) % NF], floats[(i + 11) % NF] };
    __m128 r; memcpy(&r, v, 16); return r;
}
static __m128d pd(unsigned i) {
    uint64_t v[2] = { doubles[i % ND], doubles[(i + 3) % ND] };
    __m128d r; memcpy(&r, v, 16); return r;
}
static __m128i pi(unsigned i) {
    uint16_t v[8];
    for (int k = 0; k < 8; k++) v[k] = words[(i + k * (i / NW + 1)) % NW] ^ (uint16_t)(k * 0x0101 * (i & 3));
    __m128i r; memcpy(&r, v, 16); return r;
}

#define R4(M, b) M(b) M(b + 1) M(b + 2) M(b + 3)
#define PALIGNR(n) show("palignr " #n, _mm_alignr_epi8(a, b, n));
#define MPSADBW(n) show("mpsadbw " #n, _mm_mpsadbw_epu8(a, b, n));

int main(void) {
    char name[64];
    for (unsigned i = 0; i < NF; i++) {
        for (unsigned j = 0; j < NF; j += 3) {
            __m128 a = ps(i), b = ps(j);
            sprintf(name, "ps %u %u addsub", i, j); SHOWPS(name, _mm_addsub_ps(a, b));
            sprintf(name, "ps %u %u hadd", i, j); SHOWPS(name, _mm_hadd_ps(a, b));
            sprintf(name, "ps %u %u hsub", i, j); SHOWPS(name, _mm_hsub_ps(a, b));
            sprintf(name, "ps %u %u dp ff", i, j); SHOWPS(name, _mm_dp_ps(a, b, 0xff));
            sprintf(name, "ps %u %u dp 5a", i, j); SHOWPS(name, _mm_dp_ps(a, b, 0x5a));
            sprintf(name, "ps %u %u dp 31", i, j); SHOWPS(name, _mm_dp_ps(a, b, 0x31));
            sprintf(name, "ps %u %u blendv", i, j); SHOWPS(name, _mm_blendv_ps(a, b, a));
            sprintf(name, "ps %u %u insert", i, j); SHOWPS(name, _mm_insert_ps(a, b, 0x9a));
            sprintf(name, "ps %u %u insert2", i, j); SHOWPS(name, _mm_insert_ps(a, b, 0x70));
        }
        __m128 a = ps(i);
        sprintf(name, "ps %u moveldup", i); SHOWPS(name, _mm_moveldup_ps(a));
        sprintf(name, "ps %u movehdup", i); SHOWPS(name, _mm_movehdup_ps(a));
        sprintf(name, "ps %u round", i);
        SHOWPS(name, _mm_round_ps(a, 0)); SHOWPS(name, _mm_round_ps(a, 1)); SHOWPS(name, _mm_round_ps(a, 2));
        SHOWPS(name, _mm_round_ps(a, 3)); SHOWPS(name, _mm_round_ps(a, 8)); SHOWPS(name, _mm_round_ss(a, a, 9));
        for (unsigned rc = 0; rc < 4; rc++) {
            _mm_setcsr(0x1f80 | rc << 13);
            SHOWPS(name, _mm_round_ps(a, 4)); SHOWPS(name, _mm_round_ss(_mm_setzero_ps(), a, 12));
        }
        _mm_setcsr(0x1f80);
        printf("extract %u %08x %08x %08x %08x\n", i, _mm_extract_ps(a, 0), _mm_extract_ps(a, 1), _mm_extract_ps(a, 2), _mm_extract_ps(a, 3));
    }
    for (unsigned i = 0; i < ND; i++) {
        for (unsigned j = 0; j < ND; j += 2) {
            __m128d a = pd(i), b = pd(j);
            sprintf(name, "pd %u %u addsub", i, j); SHOWPD(name, _mm_addsub_pd(a, b));
            sprintf(name, "pd %u %u hadd", i, j); SHOWPD(name, _mm_hadd_pd(a, b));
            sprintf(name, "pd %u %u hsub", i, j); SHOWPD(name, _mm_hsub_pd(a, b));
            sprintf(name, "pd %u %u dp 33", i, j); SHOWPD(name, _mm_dp_pd(a, b, 0x33));
            sprintf(name, "pd %u %u dp 12", i, j); SHOWPD(name, _mm_dp_pd(a, b, 0x12));
            sprintf(name, "pd %u %u blendv", i, j); SHOWPD(name, _mm_blendv_pd(a, b, b));
            sprintf(name, "pd %u %u blend", i, j); SHOWPD(name, _mm_blend_pd(a, b, 2));
        }
        __m128d a = pd(i);
        sprintf(name, "pd %u movedup", i); SHOWPD(name, _mm_movedup_pd(a));
        sprintf(name, "pd %u round", i);
        SHOWPD(name, _mm_round_pd(a, 0)); SHOWPD(name, _mm_round_pd(a, 1)); SHOWPD(name, _mm_round_pd(a, 2));
        SHOWPD(name, _mm_round_pd(a, 3)); SHOWPD(name, _mm_round_sd(a, a, 10));
        for (unsigned rc = 0; rc < 4; rc++) {
            _mm_setcsr(0x1f80 | rc << 13);
            SHOWPD(name, _mm_round_pd(a, 4)); SHOWPD(name, _mm_round_sd(_mm_setzero_pd(), a, 4));
        }
        _mm_setcsr(0x1f80);
    }
    for (unsigned i = 0; i < 48; i++) {
        __m128i a = pi(i), b = pi(i * 5 + 3);
        printf("int %u\n", i);
        show("a", a); show("b", b);
        show("pshufb", _mm_shuffle_epi8(a, b));
        show("phaddw", _mm_hadd_epi16(a, b)); show("phaddd", _mm_hadd_epi32(a, b)); show("phaddsw", _mm_hadds_epi16(a, b));
        show("phsubw", _mm_hsub_epi16(a, b)); show("phsubd", _mm_hsub_epi32(a, b)); show("phsubsw", _mm_hsubs_epi16(a, b));
        show("pmaddubsw", _mm_maddubs_epi16(a, b)); show("pmulhrsw", _mm_mulhrs_epi16(a, b));
        show("psignb", _mm_sign_epi8(a, b)); show("psignw", _mm_sign_epi16(a, b)); show("psignd", _mm_sign_epi32(a, b));
        show("pabsb", _mm_abs_epi8(a)); show("pabsw", _mm_abs_epi16(a)); show("pabsd", _mm_abs_epi32(a));
        show("pblendvb", _mm_blendv_epi8(a, b, _mm_xor_si128(a, b)));
        show("pblendw", _mm_blend_epi16(a, b, 0xa5));
        show("blendps", _mm_castps_si128(_mm_blend_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), 0x6)));
        show("pmovsxbw", _mm_cvtepi8_epi16(a)); show("pmovsxbd", _mm_cvtepi8_epi32(a)); show("pmovsxbq", _mm_cvtepi8_epi64(a));
        show("pmovsxwd", _mm_cvtepi16_epi32(a)); show("pmovsxwq", _mm_cvtepi16_epi64(a)); show("pmovsxdq", _mm_cvtepi32_epi64(a));
        show("pmovzxbw", _mm_cvtepu8_epi16(a)); show("pmovzxbd", _mm_cvtepu8_epi32(a)); show("pmovzxbq", _mm_cvtepu8_epi64(a));
        show("pmovzxwd", _mm_cvtepu16_epi32(a)); show("pmovzxwq", _mm_cvtepu16_epi64(a)); show("pmovzxdq", _mm_cvtepu32_epi64(a));
        show("pmuldq", _mm_mul_epi32(a, b)); show("pmulld", _mm_mullo_epi32(a, b));
        show("pcmpeqq", _mm_cmpeq_epi64(a, b)); show("pcmpeqq2", _mm_cmpeq_epi64(a, _mm_unpacklo_epi64(a, b)));
        show("pcmpgtq", _mm_cmpgt_epi64(a, b)); show("pcmpgtq2", _mm_cmpgt_epi64(b, a));
        show("packusdw", _mm_packus_epi32(a, b));
        show("pminsb", _mm_min_epi8(a, b)); show("pmaxsb", _mm_max_epi8(a, b));
        show("pminsd", _mm_min_epi32(a, b)); show("pmaxsd", _mm_max_epi32(a, b));
        show("pminuw", _mm_min_epu16(a, b)); show("pmaxuw", _mm_max_epu16(a, b));
        show("pminud", _mm_min_epu32(a, b)); show("pmaxud", _mm_max_epu32(a, b));
        show("phminposuw", _mm_minpos_epu16(a));
        R4(PALIGNR, 0) R4(PALIGNR, 4) R4(PALIGNR, 8) R4(PALIGNR, 12) R4(PALIGNR, 16) R4(PALIGNR, 20) R4(PALIGNR, 28)
        PALIGNR(31) PALIGNR(32) PALIGNR(33) PALIGNR(200)
        MPSADBW(0) MPSADBW(1) MPSADBW(2) MPSADBW(3) MPSADBW(4) MPSADBW(5) MPSADBW(6) MPSADBW(7)
        printf("ptest %d %d %d %d %d\n", _mm_testz_si128(a, b), _mm_testc_si128(a, b), _mm_testnzc_si128(a, b),
               _mm_testz_si128(a, _mm_andnot_si128(a, b)), _mm_testc_si128(a, _mm_and_si128(a, b)));
        printf("extract %02x %02x %04x %08x %08x %016llx %016llx\n", _mm_extract_epi8(a, 0), _mm_extract_epi8(a, 13),
               _mm_extract_epi16(a, 5), _mm_extract_epi32(a, 1), _mm_extract_epi32(a, 3),
               (unsigned long long)_mm_extract_epi64(a, 0), (unsigned long long)_mm_extract_epi64(a, 1));
        show("pinsrb", _mm_insert_epi8(a, (int)i * 37, 9)); show("pinsrd", _mm_insert_epi32(a, (int)i * 0x10001, 2));
        show("pinsrq", _mm_insert_epi64(a, (long long)i << 40, 1));
        show("lddqu", _mm_lddqu_si128((const __m128i *)((const char *)words + (i % 16))));
        show("movntdqa", _mm_stream_load_si128((__m128i *)words));
        /* Memory operands of the narrow forms. */
        unsigned char buf[16]; memcpy(buf, &a, 16);
        show("pmovsxbq m16", _mm_cvtepi8_epi64(_mm_cvtsi32_si128(*(const uint16_t *)(buf + 3))));
        uint8_t e8; uint16_t e16; uint32_t e32;
        __asm__("pextrb $7, %1, %0" : "=m"(e8) : "x"(a)); __asm__("pextrw $6, %1, %0" : "=m"(e16) : "x"(a));
        __asm__("pextrd $2, %1, %0" : "=m"(e32) : "x"(a));
        printf("pextr m %02x %04x %08x\n", e8, e16, e32);
    }
    return 0;
}
