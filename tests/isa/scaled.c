/* A 32-bit index zero- or sign-extended and scaled as rv64 code without Zba spells it, in hot
 * (compiled) code vs qemu: `slli x, a, 32` then `srli y, x, k` / `srai y, x, k` (k < 32), which the
 * native tier's liveness pass turns into one move (movsxd for srai) and a shift of `a`:
 * - adjacent, every k, sources with bit 31 set and garbage in the upper half;
 * - interleaved as a compiler does (two pairs, the second pair's first shift between);
 * - the sign-extending form;
 * - lookalikes that must stay two shifts: `x` read again after the second shift, `a` written
 *   between the shifts, `x` written between them (the second shift reads the newer x). */
#include "isa.h"

#define PAIR(k, OP)                                                                              \
    static uint64_t __attribute__((noinline)) pair_##OP##_##k(uint64_t a) {                      \
        uint64_t x, y;                                                                           \
        __asm__ volatile("slli %0,%2,32\n\t" #OP " %1,%0,%3\n\t" : "=&r"(x), "=&r"(y) : "r"(a), "i"(k)); \
        return y;                                                                                \
    }
#define KS(OP) PAIR(1, OP) PAIR(2, OP) PAIR(3, OP) PAIR(4, OP) PAIR(13, OP) PAIR(29, OP) PAIR(30, OP) PAIR(31, OP)
KS(srli)
KS(srai)

typedef uint64_t (*pair_fn)(uint64_t);
static const pair_fn pairs[] = {pair_srli_1, pair_srli_2, pair_srli_3, pair_srli_4, pair_srli_13, pair_srli_29,
                                pair_srli_30, pair_srli_31, pair_srai_1, pair_srai_2, pair_srai_3, pair_srai_4,
                                pair_srai_13, pair_srai_29, pair_srai_30, pair_srai_31};

/* CoreMark's matrix loop: two indices scaled, the pairs interleaved, the first shift's register
 * overwritten by the second pair's second shift. */
static uint64_t __attribute__((noinline)) interleaved(uint64_t a3, uint64_t a2) {
    uint64_t a4, t3, a5;
    __asm__ volatile("slli %0,%3,32\n\t"
                     "slli %1,%4,32\n\t"
                     "srli %2,%0,31\n\t"
                     "srli %0,%1,31\n\t"
                     : "=&r"(a4), "=&r"(t3), "=&r"(a5) : "r"(a3), "r"(a2));
    return a5 * 3 + a4;
}

/* x read again after the second shift: both shifts stay. */
static uint64_t __attribute__((noinline)) x_live(uint64_t a) {
    uint64_t x, y;
    __asm__ volatile("slli %0,%2,32\n\t"
                     "srli %1,%0,30\n\t"
                     "add %1,%1,%0\n\t"
                     : "=&r"(x), "=&r"(y) : "r"(a));
    return y;
}

/* a written between the shifts: the second shift sees the old a's shift. */
static uint64_t __attribute__((noinline)) a_written(uint64_t a) {
    uint64_t x, y;
    __asm__ volatile("slli %0,%2,32\n\t"
                     "addi %2,%2,77\n\t"
                     "srai %1,%0,29\n\t"
                     "xor %1,%1,%2\n\t"
                     : "=&r"(x), "=&r"(y), "+r"(a));
    return y;
}

/* x written between the shifts: the second shift reads the newer x. */
static uint64_t __attribute__((noinline)) x_rewritten(uint64_t a, uint64_t b) {
    uint64_t x, y;
    __asm__ volatile("slli %0,%2,32\n\t"
                     "mv %0,%3\n\t"
                     "srli %1,%0,30\n\t"
                     : "=&r"(x), "=&r"(y) : "r"(a), "r"(b));
    return y;
}

int main(void) {
    static const uint64_t values[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x123456789abcdef0ull,
                                      0xfedcba9876543210ull, 0xffffffff00000001ull, 0x00000001fffffffeull};
    enum { NV = sizeof values / sizeof values[0] };
    uint64_t h = 0;
    // Hot first (compiled), then every value.
    for (int round = 0; round < 400; round++)
        for (unsigned f = 0; f < sizeof pairs / sizeof pairs[0]; f++) h += pairs[f]((uint64_t)round * 0x9e3779b97f4a7c15ull);
    printf("warm h=%016llx\n", (unsigned long long)h);
    for (unsigned f = 0; f < sizeof pairs / sizeof pairs[0]; f++) {
        printf("pair %u:", f);
        for (int v = 0; v < NV; v++) printf(" %llx", (unsigned long long)pairs[f](values[v]));
        printf("\n");
    }
    h = 0;
    for (int round = 0; round < 400; round++) {
        uint64_t a = (uint64_t)round * 0x9e3779b97f4a7c15ull, b = a ^ 0xdeadbeefcafef00dull;
        h = h * 31 + interleaved(a, b);
        h = h * 31 + x_live(a);
        h = h * 31 + a_written(a);
        h = h * 31 + x_rewritten(a, b);
    }
    printf("lookalikes h=%016llx\n", (unsigned long long)h);
    for (int v = 0; v < NV; v++)
        printf("value %d: %llx %llx %llx %llx\n", v, (unsigned long long)interleaved(values[v], values[NV - 1 - v]),
               (unsigned long long)x_live(values[v]), (unsigned long long)a_written(values[v]),
               (unsigned long long)x_rewritten(values[v], values[NV - 1 - v]));
    printf("scaled done\n");
    return 0;
}
