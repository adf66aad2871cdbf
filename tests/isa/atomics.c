// cflags: -latomic
/* A extension: lr/sc (success, failure without a reservation, failure after an intervening sc,
 * sc to another address), every AMO in .w and .d forms with aq/rl variants (the .w results are
 * sign-extended), and compiler-generated atomics (__atomic builtins, CAS loops). */
#include "isa.h"

static uint64_t mem[4] __attribute__((aligned(16)));

#define AMO(name, insn)                                                                        \
    static uint64_t name(uint64_t *p, uint64_t v) {                                            \
        uint64_t r;                                                                            \
        __asm__ volatile(insn " %0,%2,(%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");           \
        return r;                                                                              \
    }
#define AMO_BOTH(op)                                                                           \
    AMO(op##_w, #op ".w") AMO(op##_d, #op ".d") AMO(op##_w_aq, #op ".w.aq")                    \
    AMO(op##_d_rl, #op ".d.rl") AMO(op##_w_aqrl, #op ".w.aqrl")
AMO_BOTH(amoswap) AMO_BOTH(amoadd) AMO_BOTH(amoxor) AMO_BOTH(amoand) AMO_BOTH(amoor)
AMO_BOTH(amomin) AMO_BOTH(amomax) AMO_BOTH(amominu) AMO_BOTH(amomaxu)

typedef uint64_t (*amo_t)(uint64_t *, uint64_t);
#define ENTRY(op) {#op ".w", op##_w, 1}, {#op ".d", op##_d, 0}, {#op ".w.aq", op##_w_aq, 1}, \
    {#op ".d.rl", op##_d_rl, 0}, {#op ".w.aqrl", op##_w_aqrl, 1},
static const struct { const char *name; amo_t fn; int word; } amos[] = {
    ENTRY(amoswap) ENTRY(amoadd) ENTRY(amoxor) ENTRY(amoand) ENTRY(amoor)
    ENTRY(amomin) ENTRY(amomax) ENTRY(amominu) ENTRY(amomaxu)
};

int main(void) {
    static const uint64_t vals[] = {0, 1, 0xffffffffffffffffull, 0x000000007fffffffull,
                                    0x0000000080000000ull, 0x8000000000000000ull, 0x123456789abcdef0ull};
    for (int o = 0; o < NELEM(amos); o++)
        for (int i = 0; i < NELEM(vals); i++)
            for (int j = 0; j < NELEM(vals); j++) {
                mem[0] = vals[i]; mem[1] = 0x5a5a5a5a5a5a5a5aull;
                uint64_t old = amos[o].fn(&mem[0], vals[j]);
                printf("%s mem=%016llx v=%016llx -> old=%016llx mem=%016llx next=%016llx\n", amos[o].name,
                       (unsigned long long)vals[i], (unsigned long long)vals[j], (unsigned long long)old,
                       (unsigned long long)mem[0], (unsigned long long)mem[1]);
            }
    uint64_t r, sc, sc2;
    /* lr.d / sc.d success */
    mem[0] = 5;
    __asm__ volatile("lr.d %0,(%2)\n\taddi %0,%0,10\n\tsc.d %1,%0,(%2)" : "=&r"(r), "=&r"(sc) : "r"(&mem[0]) : "memory");
    printf("lr.d/sc.d: sc=%llu mem=%llu\n", (unsigned long long)sc, (unsigned long long)mem[0]);
    /* lr.w sign-extends; sc.w stores 32 bits */
    mem[0] = 0x11111111f0000000ull;
    __asm__ volatile("lr.w.aq %0,(%2)\n\tsc.w.rl %1,%0,(%2)" : "=&r"(r), "=&r"(sc) : "r"(&mem[0]) : "memory");
    printf("lr.w -> %016llx sc=%llu mem=%016llx\n", (unsigned long long)r, (unsigned long long)sc, (unsigned long long)mem[0]);
    /* second sc without a new lr fails and does not store */
    mem[0] = 1;
    __asm__ volatile("lr.d %0,(%3)\n\tsc.d %1,%0,(%3)\n\tli t0,99\n\tsc.d %2,t0,(%3)"
                     : "=&r"(r), "=&r"(sc), "=&r"(sc2) : "r"(&mem[0]) : "t0", "memory");
    printf("sc then sc: first=%llu second=%s mem=%llu\n", (unsigned long long)sc, sc2 ? "fail" : "ok", (unsigned long long)mem[0]);
    /* sc to a different address than the lr fails */
    mem[0] = 1; mem[2] = 2;
    __asm__ volatile("lr.d %0,(%2)\n\tli t0,77\n\tsc.d %1,t0,(%3)" : "=&r"(r), "=&r"(sc) : "r"(&mem[0]), "r"(&mem[2]) : "t0", "memory");
    printf("sc other address: %s mem2=%llu\n", sc ? "fail" : "ok", (unsigned long long)mem[2]);
    /* compiler atomics */
    uint64_t x = 10;
    uint32_t y = 0xfffffff0u;
    uint8_t z = 250;
    uint16_t hw = 65000;
    for (int i = 0; i < 100; i++) {
        __atomic_fetch_add(&x, i, __ATOMIC_SEQ_CST);
        __atomic_fetch_xor(&y, (uint32_t)i * 0x01010101u, __ATOMIC_ACQ_REL);
        __atomic_fetch_add(&z, 3, __ATOMIC_RELAXED);  /* byte: lr/sc loop on the containing word */
        __atomic_fetch_sub(&hw, 7, __ATOMIC_RELAXED);
        uint64_t expect = x;
        __atomic_compare_exchange_n(&x, &expect, expect * 3 % 1000003, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    uint64_t wrong = 12345;
    int ok = __atomic_compare_exchange_n(&x, &wrong, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("atomics x=%llu y=%08x z=%u hw=%u failed-cas=%d expected-now=%llu\n", (unsigned long long)x, y, z, hw, ok, (unsigned long long)wrong);
    return 0;
}
