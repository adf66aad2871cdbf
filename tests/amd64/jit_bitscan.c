/* bsf, bsr, tzcnt, lzcnt and popcnt in hot loops (the native tier for x86-64 guests runs them as
 * the host's own when the host has them: Sources/X86Native/BlockTranslator.swift), compared with
 * the host CPU: 16, 32 and 64 bits, register and memory sources, zero sources (bsf/bsr leave the
 * destination as it was, upper half included), and the flags the SDM defines after them (ZF
 * for bsf/bsr; ZF and CF for tzcnt/lzcnt; all for popcnt), with a carry set before each. bsf and
 * bsr leave the others undefined: this AMD host clears CF and sets PF from the result, the
 * interpreter keeps them, so they are not compared. */
#include <stdint.h>
#include <stdio.h>

#define SCAN(name, insn, type, reg, defined)                                                     \
    __attribute__((noinline)) static uint64_t name(const type *src, int n) {                    \
        uint64_t h = 0;                                                                           \
        for (int r = 0; r < 40; r++)                                                              \
            for (int i = 0; i < n; i++) {                                                         \
                uint64_t d = 0xdead0000beef0000ull + (uint64_t)i * 0x10001, t;                     \
                uint8_t z, c;                                                                     \
                __asm__ volatile("xor %k[t], %k[t]\n\tcmp $1, %k[t]\n\t" insn " %[s], %" reg "[d]\n\t" \
                                 "setz %[z]\n\tsetc %[c]"                                         \
                                 : [d] "+r"(d), [z] "=q"(z), [c] "=q"(c), [t] "=&r"(t)            \
                                 : [s] SRC(src[i]) : "cc");                                       \
                h = h * 31 + d * 3 + z * 2 + (defined ? c : 0);                                   \
            }                                                                                     \
        return h;                                                                                 \
    }

#define SRC(x) "r"(x)
SCAN(bsf64r, "bsfq", uint64_t, "q", 0)
SCAN(bsr32r, "bsrl", uint32_t, "k", 0)
SCAN(bsf16r, "bsfw", uint16_t, "w", 0)
SCAN(tzcnt64r, "tzcntq", uint64_t, "q", 1)
SCAN(lzcnt32r, "lzcntl", uint32_t, "k", 1)
SCAN(popcnt64r, "popcntq", uint64_t, "q", 1)
SCAN(lzcnt16r, "lzcntw", uint16_t, "w", 1)
#undef SRC
#define SRC(x) "m"(x)
SCAN(bsr64m, "bsrq", uint64_t, "q", 0)
SCAN(bsf32m, "bsfl", uint32_t, "k", 0)
SCAN(tzcnt16m, "tzcntw", uint16_t, "w", 1)
SCAN(lzcnt64m, "lzcntq", uint64_t, "q", 1)
SCAN(popcnt32m, "popcntl", uint32_t, "k", 1)
SCAN(popcnt16m, "popcntw", uint16_t, "w", 1)

int main(void) {
    static uint64_t q[64];
    static uint32_t l[64];
    static uint16_t w[64];
    for (int i = 0; i < 64; i++) {
        /* Every eighth value zero; the others one bit, or spread bits. */
        q[i] = i % 8 == 0 ? 0 : i % 2 ? 1ull << (i - 1) : 0x0123456789abcdefull >> (i / 2);
        l[i] = (uint32_t)(q[i] >> (i & 31)) | (i % 8 == 4 ? 0x80000000u : 0);
        w[i] = (uint16_t)(q[i] >> (i & 47));
        if (i % 8 == 0) l[i] = w[i] = 0;
    }
    printf("bsf64r %016llx\n", (unsigned long long)bsf64r(q, 64));
    printf("bsr32r %016llx\n", (unsigned long long)bsr32r(l, 64));
    printf("bsf16r %016llx\n", (unsigned long long)bsf16r(w, 64));
    printf("tzcnt64r %016llx\n", (unsigned long long)tzcnt64r(q, 64));
    printf("lzcnt32r %016llx\n", (unsigned long long)lzcnt32r(l, 64));
    printf("popcnt64r %016llx\n", (unsigned long long)popcnt64r(q, 64));
    printf("lzcnt16r %016llx\n", (unsigned long long)lzcnt16r(w, 64));
    printf("bsr64m %016llx\n", (unsigned long long)bsr64m(q, 64));
    printf("bsf32m %016llx\n", (unsigned long long)bsf32m(l, 64));
    printf("tzcnt16m %016llx\n", (unsigned long long)tzcnt16m(w, 64));
    printf("lzcnt64m %016llx\n", (unsigned long long)lzcnt64m(q, 64));
    printf("popcnt32m %016llx\n", (unsigned long long)popcnt32m(l, 64));
    printf("popcnt16m %016llx\n", (unsigned long long)popcnt16m(w, 64));
    return 0;
}
