/* Integer SSE2 in hot loops (the native tier for x86-64 guests runs them as the host's own through
 * xmm0/xmm1: Sources/X86Native/BlockTranslator.swift `emitSSE`), compared with the host CPU:
 *  - unpacks, packs, saturating adds/subs, multiplies, averages, min/max, psadbw, pshufd/pshuflw/
 *    pshufhw with several immediates, pmovmskb; register forms and 16-byte aligned memory forms
 *    (the operand straight from memory), and movdqa loads and stores;
 *  - a movdqa and a paddb whose memory operand is not 16-byte aligned, met in a loop that ran
 *    compiled: SIGSEGV as Linux delivers it for #GP (si_code SI_KERNEL, si_addr 0), the loop's
 *    counter as before the instruction. */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    printf("  SIGSEGV code %d addr %p rcx=%lld\n", si->si_code, si->si_addr, (long long)uc->uc_mcontext.gregs[REG_RCX]);
    (void)sig;
    siglongjmp(back, 1);
}

static __m128i data[64] __attribute__((aligned(16)));

static uint64_t fold(__m128i v) {
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(v), hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
    return lo * 0x9e3779b97f4a7c15ull ^ hi;
}

/* Each step combines a register operand (x) with a memory operand (data[i]) and with registers. */
__attribute__((noinline)) static uint64_t mix(int rounds) {
    uint64_t h = 0;
    __m128i x = _mm_set_epi32(0x7fff8000, -5, 0x12345678, 0x00ff7f80);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < 64; i++) {
            __m128i m = data[i];
            __m128i a = _mm_unpacklo_epi8(x, data[i]);
            __m128i b = _mm_unpackhi_epi16(a, data[(i + 1) & 63]);
            __m128i c = _mm_unpacklo_epi32(b, x);
            __m128i d = _mm_unpackhi_epi64(c, data[(i + 2) & 63]);
            __m128i e = _mm_unpacklo_epi64(d, a);
            __m128i f = _mm_packs_epi16(e, data[(i + 3) & 63]);
            __m128i g = _mm_packus_epi16(f, b);
            __m128i k = _mm_packs_epi32(g, data[(i + 5) & 63]);
            __m128i s1 = _mm_adds_epi8(k, data[(i + 7) & 63]);
            __m128i s2 = _mm_adds_epu16(s1, x);
            __m128i s3 = _mm_subs_epi16(s2, data[(i + 11) & 63]);
            __m128i s4 = _mm_subs_epu8(s3, m);
            __m128i m1 = _mm_mullo_epi16(s4, data[(i + 13) & 63]);
            __m128i m2 = _mm_mulhi_epi16(m1, x);
            __m128i m3 = _mm_mulhi_epu16(m2, data[(i + 17) & 63]);
            __m128i m4 = _mm_mul_epu32(m3, m);
            __m128i m5 = _mm_madd_epi16(m4, data[(i + 19) & 63]);
            __m128i v1 = _mm_avg_epu8(m5, x);
            __m128i v2 = _mm_avg_epu16(v1, data[(i + 23) & 63]);
            __m128i n1 = _mm_min_epu8(v2, m);
            __m128i n2 = _mm_max_epi16(n1, data[(i + 29) & 63]);
            __m128i n3 = _mm_min_epi16(n2, x);
            __m128i n4 = _mm_max_epu8(n3, data[(i + 31) & 63]);
            __m128i sad = _mm_sad_epu8(n4, m);
            __m128i p1 = _mm_shuffle_epi32(n4, 0x1b);
            __m128i p2 = _mm_shufflelo_epi16(p1, 0xb1);
            __m128i p3 = _mm_shufflehi_epi16(p2, 0x4e);
            __m128i p4 = _mm_shuffle_epi32(data[(i + 37) & 63], 0xe4);
            int mask = _mm_movemask_epi8(_mm_xor_si128(p3, p4));
            h = h * 31 + fold(p3) + fold(sad) + (uint64_t)mask;
            x = _mm_add_epi64(_mm_xor_si128(p3, sad), _mm_set1_epi32(i * 0x01010101));
            data[(i + 41) & 63] = _mm_xor_si128(data[(i + 41) & 63], p2);   /* movdqa store */
        }
    }
    return h;
}

/* A loop of movdqa loads (or paddb from memory) of 16-byte steps down from base + 16 * n; the last
 * round's address is `off` bytes further (1: not aligned). */
__attribute__((noinline)) static long load_until(unsigned char *base, long n, int add, long off) {
    long acc = 0;
    __m128i sum = _mm_setzero_si128();
    __asm__ volatile(
        "1:\n\t"
        "mov %%rcx, %%rax\n\t"
        "shl $4, %%rax\n\t"
        "cmp $1, %%rcx\n\t"
        "jne 2f\n\t"
        "add %[off], %%rax\n\t"
        "2:\n\t"
        "test %[add], %[add]\n\t"
        "jz 3f\n\t"
        "paddb (%[base],%%rax), %[sum]\n\t"
        "jmp 4f\n\t"
        "3:\n\t"
        "movdqa (%[base],%%rax), %%xmm7\n\t"
        "pxor %%xmm7, %[sum]\n\t"
        "4:\n\t"
        "add $1, %[acc]\n\t"
        "dec %%rcx\n\t"
        "jnz 1b\n\t"
        : [acc] "+r"(acc), [sum] "+x"(sum), "+c"(n)
        : [base] "r"(base), [add] "r"((long)add), [off] "r"(off)
        : "rax", "xmm7", "cc", "memory");
    return acc + (long)fold(sum);
}

int main(void) {
    for (int i = 0; i < 64; i++)
        data[i] = _mm_set_epi32((int)(i * 0x11111111u), -i * 977, 0x7f80ff00 ^ (i << 9), (int)(i * 0x01020304u - 0x40000000u));
    printf("mix %016llx\n", (unsigned long long)mix(60));
    uint64_t h = 0;
    for (int i = 0; i < 64; i++) h = h * 31 + fold(data[i]);
    printf("data %016llx\n", (unsigned long long)h);

    static unsigned char buf[16 * 700] __attribute__((aligned(16)));
    for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 7 + 3);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    for (int add = 0; add < 2; add++) {
        for (int k = 0; k < 3; k++) printf("%s aligned: %lld\n", add ? "paddb" : "movdqa", (long long)load_until(buf, 600 - k, add, 16));
        printf("%s from an unaligned address\n", add ? "paddb" : "movdqa");
        if (sigsetjmp(back, 1) == 0) printf("  no fault %ld\n", load_until(buf, 600, add, 1));
    }
    return 0;
}
