/* build: -mbmi -mbmi2 -mlzcnt
 * BMI1, BMI2, LZCNT and TZCNT over edge operands in 16 (tzcnt/lzcnt), 32 and 64 bits, register
 * and memory forms, with the flags each defines (the SDM's undefined ones masked), compared with
 * the host CPU; the intrinsics compiled by gcc; and CPUID's report of them. */
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>

static const uint64_t V[] = {
    0, 1, 2, 3, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
    0xffffffff, 0x100000000ull, 0x8000000000000000ull, 0xffffffffffffffffull, 0x7fffffffffffffffull,
    0x123456789abcdef0ull, 0xf0f0f0f00f0f0f0full, 0x5555555555555555ull, 0x0000000100000001ull,
    0x0808, 0x2010, 0x3f20, 0x4000, 0xff00, 0x0040, 0x003f, 0x1f, 0x20, 0x21, 0x3f, 0x41,
};
#define N (sizeof V / sizeof V[0])

enum { CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800 };

/* r = insn(a, b) with flags, for both operand sizes; the flags register is set to `in` first
 * so that untouched flags show. */
#define OP3(name, insn64, insn32, defined)                                                    \
    static void name(uint64_t a, uint64_t b, uint64_t in, int wide, uint64_t *r, uint64_t *f) { \
        uint64_t out = 0, fl;                                                                \
        if (wide)                                                                            \
            __asm__ volatile("push %4; popf; " insn64 "; pushf; pop %1"                      \
                             : "+&r"(out), "=&r"(fl) : "r"(a), "r"(b), "r"(in) : "cc");      \
        else                                                                                 \
            __asm__ volatile("push %4; popf; " insn32 "; pushf; pop %1"                      \
                             : "+&r"(out), "=&r"(fl) : "r"(a), "r"(b), "r"(in) : "cc");      \
        *r = out; *f = fl & (defined);                                                       \
    }
OP3(andn, "andn %3, %2, %0", "andn %k3, %k2, %k0", SF | ZF | CF | OF)
OP3(bextr, "bextr %3, %2, %0", "bextr %k3, %k2, %k0", ZF | CF | OF)
OP3(blsi, "blsi %2, %0", "blsi %k2, %k0", SF | ZF | CF | OF)
OP3(blsmsk, "blsmsk %2, %0", "blsmsk %k2, %k0", SF | ZF | CF | OF)
OP3(blsr, "blsr %2, %0", "blsr %k2, %k0", SF | ZF | CF | OF)
OP3(bzhi, "bzhi %3, %2, %0", "bzhi %k3, %k2, %k0", SF | ZF | CF | OF)
OP3(pdep, "pdep %3, %2, %0", "pdep %k3, %k2, %k0", 0x8d5)
OP3(pext, "pext %3, %2, %0", "pext %k3, %k2, %k0", 0x8d5)
OP3(sarx, "sarx %3, %2, %0", "sarx %k3, %k2, %k0", 0x8d5)
OP3(shlx, "shlx %3, %2, %0", "shlx %k3, %k2, %k0", 0x8d5)
OP3(shrx, "shrx %3, %2, %0", "shrx %k3, %k2, %k0", 0x8d5)
OP3(rorx1, "rorx $1, %2, %0", "rorx $1, %k2, %k0", 0x8d5)
OP3(rorx13, "rorx $13, %2, %0", "rorx $13, %k2, %k0", 0x8d5)
OP3(rorx63, "rorx $63, %2, %0", "rorx $31, %k2, %k0", 0x8d5)
OP3(tzcnt, "tzcnt %2, %0", "tzcnt %k2, %k0", ZF | CF)
OP3(lzcnt, "lzcnt %2, %0", "lzcnt %k2, %k0", ZF | CF)
OP3(tzcnt16, "tzcnt %w2, %w0", "tzcnt %w2, %w0", ZF | CF)
OP3(lzcnt16, "lzcnt %w2, %w0", "lzcnt %w2, %w0", ZF | CF)
OP3(popcnt, "popcnt %2, %0", "popcnt %k2, %k0", 0x8d5)

/* Memory forms (r/m from memory). */
#define OPM(name, insn64, defined)                                                                   \
    static void name(uint64_t a, uint64_t b, uint64_t in, int wide, uint64_t *r, uint64_t *f) { \
        uint64_t out = 0, fl; (void)wide;                                                    \
        __asm__ volatile("push %4; popf; " insn64 "; pushf; pop %1"                          \
                         : "+&r"(out), "=&r"(fl) : "m"(a), "r"(b), "r"(in) : "cc");          \
        *r = out; *f = fl & (defined);                                                       \
    }
OPM(andn_m, "andn %2, %3, %0", SF | ZF | CF | OF)
OPM(bextr_m, "bextr %3, %2, %0", ZF | CF | OF)
OPM(blsr_m, "blsr %2, %0", SF | ZF | CF | OF)
OPM(bzhi_m, "bzhi %3, %2, %0", SF | ZF | CF | OF)
OPM(pext_m, "pext %2, %3, %0", SF | ZF | CF | OF)
OPM(tzcnt_m, "tzcnt %2, %0", ZF | CF)
OPM(lzcnt_m, "lzcnt %2, %0", ZF | CF)

/* mulx: rdx * src -> hi:lo, and the form whose two destinations are one register. */
static void mulx(uint64_t a, uint64_t b, uint64_t in, int wide, uint64_t *r, uint64_t *f) {
    uint64_t hi, lo; (void)in;
    if (wide) __asm__("mulx %3, %1, %0" : "=&r"(hi), "=&r"(lo) : "d"(a), "r"(b));
    else __asm__("mulx %k3, %k1, %k0" : "=&r"(hi), "=&r"(lo) : "d"(a), "r"(b));
    uint64_t same;
    __asm__("mulx %2, %0, %0" : "=&r"(same) : "d"(a), "r"(b));
    *r = hi ^ (lo * 3) ^ (same << 1);
    *f = 0;
    printf(" [%llx %llx %llx]", (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)same);
}

typedef void (*op_t)(uint64_t, uint64_t, uint64_t, int, uint64_t *, uint64_t *);
static const struct { const char *name; op_t f; } OPS[] = {
    {"andn", andn}, {"bextr", bextr}, {"blsi", blsi}, {"blsmsk", blsmsk}, {"blsr", blsr},
    {"bzhi", bzhi}, {"pdep", pdep}, {"pext", pext}, {"sarx", sarx}, {"shlx", shlx}, {"shrx", shrx},
    {"rorx1", rorx1}, {"rorx13", rorx13}, {"rorx63", rorx63}, {"tzcnt", tzcnt}, {"lzcnt", lzcnt},
    {"tzcnt16", tzcnt16}, {"lzcnt16", lzcnt16}, {"popcnt", popcnt}, {"andn_m", andn_m},
    {"bextr_m", bextr_m}, {"blsr_m", blsr_m}, {"bzhi_m", bzhi_m}, {"pext_m", pext_m},
    {"tzcnt_m", tzcnt_m}, {"lzcnt_m", lzcnt_m}, {"mulx", mulx},
};

int main(void) {
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    printf("cpuid7 bmi1=%u bmi2=%u\n", (b >> 3) & 1, (b >> 8) & 1);
    __cpuid(0x80000001, a, b, c, d);
    printf("abm=%u\n", (c >> 5) & 1);
    for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
        for (int wide = 0; wide < 2; wide++) {
            for (size_t i = 0; i < N; i++) {
                printf("%s%d %llx:", OPS[k].name, wide ? 64 : 32, (unsigned long long)V[i]);
                for (size_t j = 0; j < N; j++) {
                    /* Flags in: all clear, then all set (0x8d5), alternating with j. */
                    uint64_t r, f, in = j & 1 ? 0x8d7 : 0x2;
                    OPS[k].f(V[i], V[j], in, wide, &r, &f);
                    printf(" %llx/%llx", (unsigned long long)r, (unsigned long long)f);
                }
                printf("\n");
            }
        }
    }
    /* The intrinsics as gcc compiles them. */
    uint64_t s = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            uint64_t x = V[i], y = V[j];
            s = s * 31 + _andn_u64(x, y) + _bextr_u64(x, (unsigned)y & 0x3f, (unsigned)(y >> 8) & 0x3f)
                + _blsi_u64(x) + _blsmsk_u64(x) + _blsr_u64(x) + _tzcnt_u64(x) + _lzcnt_u64(x)
                + _bzhi_u64(x, (unsigned)y) + _pdep_u64(x, y) + _pext_u64(x, y) + _tzcnt_u32((unsigned)x)
                + _lzcnt_u32((unsigned)x) + _bzhi_u32((unsigned)x, (unsigned)y) + _pdep_u32((unsigned)x, (unsigned)y);
            unsigned long long hi;
            s ^= _mulx_u64(x, y, &hi) + hi;
        }
    printf("intrinsics %llx\n", (unsigned long long)s);
    return 0;
}
