/* build: -march=x86-64-v2
 * SSE4.2's string compares: pcmpistri, pcmpistrm, pcmpestri and pcmpestrm with every
 * immediate (element format, aggregation, polarity, output selection) over edge-case operands
 * (empty strings, nulls inside, no null at all, bytes above 0x7f for the signed formats, ranges),
 * explicit lengths past the ends and negative ones, with the flags each leaves (CF ZF SF OF,
 * AF and PF cleared), and crc32 of every operand size. Compared with the host CPU. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <nmmintrin.h>

#define FLAGS 0x8d5
#define R16(M, h) M(h##0) M(h##1) M(h##2) M(h##3) M(h##4) M(h##5) M(h##6) M(h##7) \
    M(h##8) M(h##9) M(h##a) M(h##b) M(h##c) M(h##d) M(h##e) M(h##f)
#define R128(M) R16(M, 0x0) R16(M, 0x1) R16(M, 0x2) R16(M, 0x3) R16(M, 0x4) R16(M, 0x5) R16(M, 0x6) R16(M, 0x7)

typedef struct { __m128i m; unsigned idx; unsigned long fl; } result;

#define ISTRI(i) static result istri_##i(__m128i a, __m128i b, int la, int lb) { result r; unsigned long f; unsigned c; (void)la; (void)lb; \
    __asm__ volatile("pcmpistri %4, %3, %2\n\tpushfq\n\tpopq %0" : "=r"(f), "=c"(c) : "x"(a), "x"(b), "i"(i) : "cc"); \
    r.idx = c; r.fl = f; r.m = _mm_setzero_si128(); return r; }
#define ISTRM(i) static result istrm_##i(__m128i a, __m128i b, int la, int lb) { result r; unsigned long f; __m128i m; (void)la; (void)lb; \
    __asm__ volatile("pcmpistrm %4, %3, %2\n\tpushfq\n\tpopq %0" : "=r"(f), "=Yz"(m) : "x"(a), "x"(b), "i"(i) : "cc"); \
    r.idx = 0; r.fl = f; r.m = m; return r; }
#define ESTRI(i) static result estri_##i(__m128i a, __m128i b, int la, int lb) { result r; unsigned long f; unsigned c; \
    __asm__ volatile("pcmpestri %6, %5, %4\n\tpushfq\n\tpopq %0" : "=r"(f), "=c"(c), "+a"(la), "+d"(lb) : "x"(a), "x"(b), "i"(i) : "cc"); \
    r.idx = c; r.fl = f; r.m = _mm_setzero_si128(); return r; }
#define ESTRM(i) static result estrm_##i(__m128i a, __m128i b, int la, int lb) { result r; unsigned long f; __m128i m; \
    __asm__ volatile("pcmpestrm %6, %5, %4\n\tpushfq\n\tpopq %0" : "=r"(f), "=Yz"(m), "+a"(la), "+d"(lb) : "x"(a), "x"(b), "i"(i) : "cc"); \
    r.idx = 0; r.fl = f; r.m = m; return r; }
R128(ISTRI) R128(ISTRM) R128(ESTRI) R128(ESTRM)

typedef result (*compare)(__m128i, __m128i, int, int);
#define ENTRY_ISTRI(i) istri_##i,
#define ENTRY_ISTRM(i) istrm_##i,
#define ENTRY_ESTRI(i) estri_##i,
#define ENTRY_ESTRM(i) estrm_##i,
static const compare table[4][128] = { { R128(ENTRY_ISTRI) }, { R128(ENTRY_ISTRM) }, { R128(ENTRY_ESTRI) }, { R128(ENTRY_ESTRM) } };
static const char *names[4] = { "pcmpistri", "pcmpistrm", "pcmpestri", "pcmpestrm" };

/* Operands: 16 bytes each (shorter strings padded with zeros: an implicit end). */
static const char operands[][17] = {
    "", "a", "abc", "az", "AZaz09", "hello world", "world", "lo w", "0123456789abcdef",
    "abcdefghijklmnop", "ab\0cd", "\x80\xff\x7f\x01", "\x81\x90", "\xfe\x7f\x80",
    "aaaaaaaaaaaaaaaa", "aaab", "fgh", "op",
};
#define NOPS (sizeof operands / sizeof operands[0])
static const int lengths[] = { 0, 1, 3, 7, 8, 9, 15, 16, 17, -1, -5, -16, -17, 0x7fffffff, (int)0x80000000 };
#define NLEN (sizeof lengths / sizeof lengths[0])

int main(void) {
    unsigned long long total = 0;
    for (int kind = 0; kind < 4; kind++) {
        for (int imm = 0; imm < 128; imm++) {
            /* One checksum line per immediate over every operand pair (and lengths), plus the
             * individual results of a few pairs, so a difference is both caught and locatable. */
            unsigned long long sum = 0;
            for (unsigned x = 0; x < NOPS; x++) {
                for (unsigned y = 0; y < NOPS; y++) {
                    __m128i a = _mm_loadu_si128((const __m128i *)operands[x]);
                    __m128i b = _mm_loadu_si128((const __m128i *)operands[y]);
                    /* Explicit lengths: three (la, lb) per pair, every length over the pairs. */
                    int nl = kind >= 2 ? 3 : 1;
                    for (int l = 0; l < nl; l++) {
                        int la = kind >= 2 ? lengths[(x + l * 5) % NLEN] : 0, lb = kind >= 2 ? lengths[(y * 3 + l * 7 + 1) % NLEN] : 0;
                        result r = table[kind][imm](a, b, la, lb);
                        uint64_t m[2]; memcpy(m, &r.m, 16);
                        uint64_t h = m[0] * 31 + m[1] * 17 + r.idx * 7 + (r.fl & FLAGS);
                        sum = sum * 1000003 + h;
                        if ((x == 5 && (y == 6 || y == 7)) || (x == 3 && y == 11) || (x == 10 && y == 10) || (x == 0 && y == 4))
                            printf("%s %02x %u %u L%d/%d: %016llx%016llx idx=%u fl=%03lx\n", names[kind], imm, x, y, la, lb,
                                   (unsigned long long)m[1], (unsigned long long)m[0], r.idx, r.fl & FLAGS);
                    }
                }
            }
            printf("%s %02x sum=%016llx\n", names[kind], imm, sum);
            total ^= sum;
        }
    }
    printf("total %016llx\n", total);

    static const uint64_t values[] = { 0, 1, 0xff, 0x80, 0xdeadbeefcafebabeull, 0xffffffffffffffffull, 0x123456789abcdef0ull };
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        for (unsigned j = 0; j < sizeof values / sizeof values[0]; j++) {
            uint64_t c = values[i], v = values[j];
            printf("crc32 %016llx %016llx: %08x %08x %08x %016llx\n", (unsigned long long)c, (unsigned long long)v,
                   _mm_crc32_u8((unsigned)c, (uint8_t)v), _mm_crc32_u16((unsigned)c, (uint16_t)v),
                   _mm_crc32_u32((unsigned)c, (uint32_t)v), (unsigned long long)_mm_crc32_u64(c, v));
        }
    }
    /* A running crc32c over a buffer, as iSCSI/ext4 compute it. */
    unsigned crc = ~0u;
    for (const char *p = "The quick brown fox jumps over the lazy dog"; *p; p++) crc = _mm_crc32_u8(crc, (uint8_t)*p);
    printf("crc32c %08x\n", ~crc);
    return 0;
}
