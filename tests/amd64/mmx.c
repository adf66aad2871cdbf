/* build: -mssse3
   MMX (and SSE/SSE2/SSSE3's MMX forms) through <mmintrin.h>, <xmmintrin.h>, <emmintrin.h> and
   <tmmintrin.h> over edge values (saturation limits, signs, every shift count edge), printed in
   hex; plus the aliasing on the x87 registers (the tag word, TOP and the exponent after an MMX
   write and after emms, as fnstenv/fnsave show them), fxsave, and mm registers kept across a
   signal handler that changes them (the signal frame's fpstate). */
#include <mmintrin.h>
#include <xmmintrin.h>
#include <emmintrin.h>
#include <tmmintrin.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t bits(__m64 v) { uint64_t r; memcpy(&r, &v, 8); return r; }
static __m64 m(uint64_t x) { __m64 v; memcpy(&v, &x, 8); return v; }
#define P(name, expr) printf("%-12s %016llx\n", name, (unsigned long long)bits(expr))

static const uint64_t values[] = {
    0, 0xffffffffffffffffull, 0x8000800080008000ull, 0x7fff7fff7fff7fffull, 0x807f01ff80017ffeull,
    0x0123456789abcdefull, 0xfedcba9876543210ull, 0x7f80ff0001fe8081ull, 0x80000000ffffffffull,
    0x000000017fffffffull,
};
#define N (sizeof values / sizeof values[0])

static void binary(uint64_t x, uint64_t y) {
    __m64 a = m(x), b = m(y);
    P("paddb", _mm_add_pi8(a, b)); P("paddw", _mm_add_pi16(a, b)); P("paddd", _mm_add_pi32(a, b));
    P("paddq", _mm_add_si64(a, b));
    P("paddsb", _mm_adds_pi8(a, b)); P("paddsw", _mm_adds_pi16(a, b));
    P("paddusb", _mm_adds_pu8(a, b)); P("paddusw", _mm_adds_pu16(a, b));
    P("psubb", _mm_sub_pi8(a, b)); P("psubw", _mm_sub_pi16(a, b)); P("psubd", _mm_sub_pi32(a, b));
    P("psubq", _mm_sub_si64(a, b));
    P("psubsb", _mm_subs_pi8(a, b)); P("psubsw", _mm_subs_pi16(a, b));
    P("psubusb", _mm_subs_pu8(a, b)); P("psubusw", _mm_subs_pu16(a, b));
    P("pmullw", _mm_mullo_pi16(a, b)); P("pmulhw", _mm_mulhi_pi16(a, b)); P("pmulhuw", _mm_mulhi_pu16(a, b));
    P("pmaddwd", _mm_madd_pi16(a, b)); P("pmuludq", _mm_mul_su32(a, b));
    P("pcmpeqb", _mm_cmpeq_pi8(a, b)); P("pcmpeqw", _mm_cmpeq_pi16(a, b)); P("pcmpeqd", _mm_cmpeq_pi32(a, b));
    P("pcmpgtb", _mm_cmpgt_pi8(a, b)); P("pcmpgtw", _mm_cmpgt_pi16(a, b)); P("pcmpgtd", _mm_cmpgt_pi32(a, b));
    P("packsswb", _mm_packs_pi16(a, b)); P("packssdw", _mm_packs_pi32(a, b)); P("packuswb", _mm_packs_pu16(a, b));
    P("punpcklbw", _mm_unpacklo_pi8(a, b)); P("punpcklwd", _mm_unpacklo_pi16(a, b)); P("punpckldq", _mm_unpacklo_pi32(a, b));
    P("punpckhbw", _mm_unpackhi_pi8(a, b)); P("punpckhwd", _mm_unpackhi_pi16(a, b)); P("punpckhdq", _mm_unpackhi_pi32(a, b));
    P("pand", _mm_and_si64(a, b)); P("pandn", _mm_andnot_si64(a, b)); P("por", _mm_or_si64(a, b)); P("pxor", _mm_xor_si64(a, b));
    P("pavgb", _mm_avg_pu8(a, b)); P("pavgw", _mm_avg_pu16(a, b));
    P("pminub", _mm_min_pu8(a, b)); P("pmaxub", _mm_max_pu8(a, b)); P("pminsw", _mm_min_pi16(a, b)); P("pmaxsw", _mm_max_pi16(a, b));
    P("psadbw", _mm_sad_pu8(a, b));
    P("pshufb", _mm_shuffle_pi8(a, b));
    P("phaddw", _mm_hadd_pi16(a, b)); P("phaddd", _mm_hadd_pi32(a, b)); P("phaddsw", _mm_hadds_pi16(a, b));
    P("phsubw", _mm_hsub_pi16(a, b)); P("phsubd", _mm_hsub_pi32(a, b)); P("phsubsw", _mm_hsubs_pi16(a, b));
    P("pmaddubsw", _mm_maddubs_pi16(a, b)); P("pmulhrsw", _mm_mulhrs_pi16(a, b));
    P("psignb", _mm_sign_pi8(a, b)); P("psignw", _mm_sign_pi16(a, b)); P("psignd", _mm_sign_pi32(a, b));
    P("palignr0", _mm_alignr_pi8(a, b, 0)); P("palignr3", _mm_alignr_pi8(a, b, 3));
    P("palignr8", _mm_alignr_pi8(a, b, 8)); P("palignr13", _mm_alignr_pi8(a, b, 13));
    P("palignr16", _mm_alignr_pi8(a, b, 16));
    /* Shifts by an mm count (the whole 64-bit count) */
    P("psllw", _mm_sll_pi16(a, b)); P("psrlw", _mm_srl_pi16(a, b)); P("psraw", _mm_sra_pi16(a, b));
    P("pslld", _mm_sll_pi32(a, b)); P("psrld", _mm_srl_pi32(a, b)); P("psrad", _mm_sra_pi32(a, b));
    P("psllq", _mm_sll_si64(a, b)); P("psrlq", _mm_srl_si64(a, b));
}

static void unary(uint64_t x) {
    __m64 a = m(x);
    static const uint64_t counts[] = {0, 1, 7, 15, 16, 31, 32, 63, 64, 200};
    for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        __m64 c = m(counts[i]);
        printf("count %llu\n", (unsigned long long)counts[i]);
        P("psllw", _mm_sll_pi16(a, c)); P("psrlw", _mm_srl_pi16(a, c)); P("psraw", _mm_sra_pi16(a, c));
        P("pslld", _mm_sll_pi32(a, c)); P("psrld", _mm_srl_pi32(a, c)); P("psrad", _mm_sra_pi32(a, c));
        P("psllq", _mm_sll_si64(a, c)); P("psrlq", _mm_srl_si64(a, c));
    }
    P("psllwi3", _mm_slli_pi16(a, 3)); P("psrlwi15", _mm_srli_pi16(a, 15)); P("psrawi16", _mm_srai_pi16(a, 16));
    P("pslldi31", _mm_slli_pi32(a, 31)); P("psrldi1", _mm_srli_pi32(a, 1)); P("psradi5", _mm_srai_pi32(a, 5));
    P("psllqi33", _mm_slli_si64(a, 33)); P("psrlqi64", _mm_srli_si64(a, 64)); P("psrlqi4", _mm_srli_si64(a, 4));
    P("pshufw1b", _mm_shuffle_pi16(a, 0x1b)); P("pshufw00", _mm_shuffle_pi16(a, 0)); P("pshufwe4", _mm_shuffle_pi16(a, 0xe4));
    P("pabsb", _mm_abs_pi8(a)); P("pabsw", _mm_abs_pi16(a)); P("pabsd", _mm_abs_pi32(a));
    printf("pmovmskb     %x\n", _mm_movemask_pi8(a));
    printf("pextrw       %x %x %x %x\n", _mm_extract_pi16(a, 0), _mm_extract_pi16(a, 1), _mm_extract_pi16(a, 2), _mm_extract_pi16(a, 3));
    P("pinsrw0", _mm_insert_pi16(a, 0xbeef, 0)); P("pinsrw3", _mm_insert_pi16(a, 0x1234, 3));
    printf("movd         %08x\n", _mm_cvtsi64_si32(a));
    P("movd-in", _mm_cvtsi32_si64((int)(x >> 8)));
    P("movq-in", _mm_cvtsi64_m64((long long)x));
    printf("movq-out     %016llx\n", (unsigned long long)_mm_cvtm64_si64(a));
    /* movq2dq / movdq2q */
    __m128i w = _mm_movpi64_epi64(a);
    printf("movq2dq      %016llx %016llx\n", (unsigned long long)_mm_cvtsi128_si64(w),
           (unsigned long long)_mm_cvtsi128_si64(_mm_unpackhi_epi64(w, w)));
    P("movdq2q", _mm_movepi64_pi64(_mm_set_epi64x(0x1111222233334444ll, (long long)x)));
    /* Conversions with xmm */
    __m128 f = _mm_cvtpi32_ps(_mm_set_ps(9.5f, -7.25f, 3.0f, 4.0f), a);
    float fl[4]; _mm_storeu_ps(fl, f);
    uint32_t fb[4]; memcpy(fb, fl, 16);
    printf("cvtpi2ps     %08x %08x %08x %08x\n", fb[0], fb[1], fb[2], fb[3]);
    __m128d dd = _mm_cvtpi32_pd(a);
    uint64_t db[2]; memcpy(db, &dd, 16);
    printf("cvtpi2pd     %016llx %016llx\n", (unsigned long long)db[0], (unsigned long long)db[1]);
}

static void conversions(void) {
    static const float fs[][2] = {{1.5f, -2.5f}, {2.5f, 3.5f}, {-0.0f, 1e10f}, {-3e9f, 2147483520.0f}, {1e-30f, -0.49f}};
    for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        __m128 v = _mm_set_ps(100.0f, 200.0f, fs[i][1], fs[i][0]);
        P("cvtps2pi", _mm_cvtps_pi32(v)); P("cvttps2pi", _mm_cvttps_pi32(v));
    }
    static const double ds[][2] = {{1.5, -2.5}, {2.5, -3.5}, {2147483647.4, -2147483648.6}, {1e300, -0.5}};
    for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        __m128d v = _mm_set_pd(ds[i][1], ds[i][0]);
        P("cvtpd2pi", _mm_cvtpd_pi32(v)); P("cvttpd2pi", _mm_cvttpd_pi32(v));
    }
    printf("mxcsr        %04x\n", _mm_getcsr() & 0x3f);
}

/* The x87 view of MMX: after a write to mm3, fnstenv's tag word and status word (TOP), and
   fnsave's register image of mm3 (exponent all ones); after emms, all empty. */
static void aliasing(void) {
    unsigned char env[28], save[108];
    uint64_t value = 0x0123456789abcdefull;
    __asm__ volatile("fninit\n\tmovq %1, %%mm3\n\tfnstenv %0" : "=m"(env) : "m"(value) : "mm3");
    printf("after movq   tags=%02x%02x status=%02x%02x\n", env[9], env[8], env[5], env[4]);
    __asm__ volatile("fnsave %0\n\tfrstor %0" : "=m"(save) : : "memory");
    /* fnsave lists st(0)...st(7); with TOP 0, st(3) is mm3. */
    printf("mm3 image   ");
    for (int i = 9; i >= 0; i--) printf(" %02x", save[28 + 3 * 10 + i]);
    printf("\n");
    __asm__ volatile("emms\n\tfnstenv %0" : "=m"(env));
    printf("after emms   tags=%02x%02x status=%02x%02x\n", env[9], env[8], env[5], env[4]);
    /* An x87 push after MMX: TOP moves from 0 to 7, the tags show the register's contents. */
    __asm__ volatile("fninit\n\tmovq %1, %%mm7\n\temms\n\tfld1\n\tfnstenv %0\n\tfstp %%st(0)" : "=m"(env) : "m"(value) : "mm7");
    printf("fld1 after   tags=%02x%02x status=%02x%02x\n", env[9], env[8], env[5], env[4]);
    /* fxsave: the abridged tag byte and mm5 in the st5 slot. */
    static unsigned char area[512] __attribute__((aligned(16)));
    __asm__ volatile("fninit\n\tmovq %1, %%mm5\n\tfxsave %0\n\temms" : "=m"(area) : "m"(value) : "mm5");
    printf("fxsave       ftw=%02x fsw=%02x%02x mm5=", area[4], area[3], area[2]);
    for (int i = 9; i >= 0; i--) printf("%02x", area[32 + 16 * 5 + i]);
    printf("\n");
}

static volatile uint64_t in_handler;
static void handler(int sig) {
    (void)sig;
    uint64_t other = 0x5555aaaa5555aaaaull, seen;
    __asm__ volatile("movq %%mm2, %0\n\tmovq %1, %%mm2\n\temms" : "=m"(seen) : "m"(other) : "mm2");
    in_handler = seen;
}

static void across_signal(void) {
    uint64_t value = 0xfeedfacecafebeefull, after;
    signal(SIGUSR1, handler);
    __asm__ volatile("movq %0, %%mm2" : : "m"(value) : "mm2");
    raise(SIGUSR1);
    __asm__ volatile("movq %%mm2, %0\n\temms" : "=m"(after) : : "mm2");
    printf("signal       in handler %016llx after %016llx\n", (unsigned long long)in_handler, (unsigned long long)after);
}

int main(void) {
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = 0; j < N; j++) {
            printf("a=%016llx b=%016llx\n", (unsigned long long)values[i], (unsigned long long)values[j]);
            binary(values[i], values[j]);
        }
    for (unsigned i = 0; i < N; i++) {
        printf("a=%016llx\n", (unsigned long long)values[i]);
        unary(values[i]);
    }
    conversions();
    _mm_empty();
    aliasing();
    across_signal();
    /* maskmovq (by asm: gcc turns _mm_maskmove_si64 into maskmovdqu), and maskmovdqu */
    unsigned char buf[24];
    memset(buf, 0x11, sizeof buf);
    uint64_t data = 0x8877665544332211ull, mask = 0x80ff007f80000180ull;
    __asm__ volatile("movq %1, %%mm0\n\tmovq %2, %%mm1\n\tmaskmovq %%mm1, %%mm0\n\temms"
                     : : "D"(buf + 3), "m"(data), "m"(mask) : "mm0", "mm1", "memory");
    printf("maskmovq    ");
    for (int i = 0; i < 16; i++) printf(" %02x", buf[i]);
    printf("\n");
    memset(buf, 0x11, sizeof buf);
    _mm_maskmoveu_si128(_mm_set_epi64x(0x0102030405060708ll, (long long)data), _mm_set_epi64x((long long)mask, (long long)~mask),
                        (char *)buf + 5);
    printf("maskmovdqu  ");
    for (int i = 0; i < 24; i++) printf(" %02x", buf[i]);
    printf("\n");
    /* movntq */
    __m64 stored;
    _mm_stream_pi(&stored, m(0x0102030405060708ull));
    _mm_empty();
    P("movntq", stored);
    return 0;
}
