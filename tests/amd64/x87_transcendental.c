/* The x87 transcendental instructions (fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x,
   fyl2xp1) through inline asm, and glibc's long double functions built on them (expl, logl,
   log2l, sinl, cosl, tanl, atan2l, powl, ...), over edge values (zeros, subnormals, infinities,
   NaNs, multiples of pi, arguments at and beyond 2^63, values near 1) and a fixed pseudo-random
   set, in every rounding mode and precision control setting. Results are printed in hex with
   the status word's exception flags, C1, C2 and TOP (how many values the instruction left).

   Lines starting with '~' may differ from the host CPU in the last bit of each value (the host
   is within one unit in the last place of the correctly rounded result, which the emulator
   gives; tests/differential/test_amd64.py allows exactly that for these lines and nothing else);
   lines starting with '=' must be identical. */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint16_t se; uint64_t m; } bits80;

static long double ld(uint16_t se, uint64_t m) {
    long double x = 0;
    memcpy(&x, &m, 8);
    memcpy((char *)&x + 8, &se, 2);
    return x;
}

static void hex(long double x) {
    uint64_t m; uint16_t se;
    memcpy(&m, &x, 8); memcpy(&se, (char *)&x + 8, 2);
    printf(" %04x:%016llx", se, (unsigned long long)m);
}

static unsigned short control = 0x37f;
static void setup(void) { __asm__ volatile("fninit\n\tfldcw %0" : : "m"(control)); }

/* Runs one instruction on st0 (and st1 = y for the two-operand ones) from an empty stack;
   prints st0, st1 when the instruction pushed, and the status word (exceptions, C1, C2, TOP). */
#define UNARY(name, insn) static void name(long double x) { \
    long double r0 = 0, r1 = 0; unsigned short sw; \
    setup(); \
    __asm__ volatile("fldt %[x]\n\t" insn "\n\tfnstsw %%ax\n\tmov %%ax, %[sw]\n\tfstpt %[r0]\n\t" \
                     "and $0x3800, %%ax\n\tcmp $0x3000, %%ax\n\tjne 1f\n\tfstpt %[r1]\n1:\n" \
                     : [r0] "=m"(r0), [r1] "=m"(r1), [sw] "=m"(sw) : [x] "m"(x) : "ax", "cc", "st"); \
    hex(r0); if ((sw & 0x3800) == 0x3000) hex(r1); printf(" sw=%04x\n", sw & 0x3e7f); }
UNARY(do_fsin, "fsin")
UNARY(do_fcos, "fcos")
UNARY(do_fsincos, "fsincos")
UNARY(do_fptan, "fptan")
UNARY(do_f2xm1, "f2xm1")

#define BINARY(name, insn) static void name(long double y, long double x) { \
    long double r0 = 0; unsigned short sw; \
    setup(); \
    __asm__ volatile("fldt %[y]\n\tfldt %[x]\n\t" insn "\n\tfnstsw %[sw]\n\tfstpt %[r0]\n" \
                     : [r0] "=m"(r0), [sw] "=m"(sw) : [x] "m"(x), [y] "m"(y) : "st"); \
    hex(r0); printf(" sw=%04x\n", sw & 0x3e7f); }
BINARY(do_fpatan, "fpatan")
BINARY(do_fyl2x, "fyl2x")
BINARY(do_fyl2xp1, "fyl2xp1")

static const bits80 edges[] = {
    {0x0000, 0}, {0x8000, 0},                                   /* ±0 */
    {0x0000, 1}, {0x8000, 0x4000000000000000ull},               /* subnormals */
    {0x0001, 0x8000000000000000ull},                            /* the smallest normal */
    {0x7fff, 0x8000000000000000ull}, {0xffff, 0x8000000000000000ull},   /* ±inf */
    {0x7fff, 0xc000000000000001ull}, {0xffff, 0xc000000000000002ull},   /* quiet NaNs */
    {0x7fff, 0x8000000000000001ull},                            /* a signaling NaN */
    {0x3fff, 0},                                                /* an unnormal: invalid */
    {0x3fff, 0x8000000000000000ull}, {0xbfff, 0x8000000000000000ull},   /* ±1 */
    {0x3ffe, 0x8000000000000000ull}, {0xbffe, 0x8000000000000000ull},   /* ±1/2 */
    {0x3ffe, 0xffffffffffffffffull}, {0x3fff, 0x8000000000000001ull},   /* 1 ∓ ulp */
    {0x3ffd, 0x95f619980c4336f7ull}, {0xbffd, 0x95f619980c4336f7ull},   /* ±(1 - sqrt(2)/2) */
    {0x3fbf, 0x8000000000000000ull}, {0xbfc8, 0xabcdef0123456789ull},   /* tiny */
    {0x4000, 0xc90fdaa22168c235ull}, {0x4000, 0xc90fdaa22168c234ull},   /* pi rounded up, down */
    {0x3fff, 0xc90fdaa22168c235ull}, {0xc001, 0xc90fdaa22168c235ull},   /* pi/2, -2pi */
    {0x4005, 0xc90fdaa22168c235ull}, {0x4013, 0xf4f4f2b2cdf0e6f0ull},   /* 100 pi (approx), 10^6 pi */
    {0x403d, 0xffffffffffffffffull}, {0xc03d, 0xfffffffffffffffeull},   /* just below 2^63 */
    {0x403e, 0x8000000000000000ull}, {0xc03e, 0x8000000000000000ull},   /* ±2^63: out of range */
    {0x4d00, 0x8765432187654321ull}, {0x7ffe, 0xffffffffffffffffull},   /* huge, the largest */
    {0x4002, 0xa000000000000000ull}, {0xc000, 0xc000000000000000ull},   /* 5, -3 */
    {0x4005, 0xc800000000000000ull},                            /* 100 */
};
#define NEDGES (sizeof edges / sizeof edges[0])

/* A smaller set for the two-operand instructions (all pairs). */
static const int pairs[] = {0, 1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 18, 19, 21, 27, 31, 32, 33};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

static uint64_t seed = 0x2545f4914f6cdd1dull;
static uint64_t next(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
static long double random_value(int lo, int hi) {
    uint16_t e = (uint16_t)(lo + next() % (uint64_t)(hi - lo + 1));
    if (next() & 1) e |= 0x8000;
    return ld(e, next() | 0x8000000000000000ull);
}

static void instructions(const char *mode) {
    static const char *unary_names[] = {"fsin", "fcos", "fsincos", "fptan", "f2xm1"};
    static void (*unary[])(long double) = {do_fsin, do_fcos, do_fsincos, do_fptan, do_f2xm1};
    for (int op = 0; op < 5; op++)
        for (unsigned i = 0; i < NEDGES; i++) {
            printf("~ %s %s", mode, unary_names[op]);
            hex(ld(edges[i].se, edges[i].m));
            printf(" ->");
            unary[op](ld(edges[i].se, edges[i].m));
        }
}

static void binary_instructions(const char *mode) {
    static const char *names[] = {"fpatan", "fyl2x", "fyl2xp1"};
    static void (*binary[])(long double, long double) = {do_fpatan, do_fyl2x, do_fyl2xp1};
    for (int op = 0; op < 3; op++)
        for (unsigned i = 0; i < NPAIRS; i++)
            for (unsigned j = 0; j < NPAIRS; j++) {
                long double y = ld(edges[pairs[i]].se, edges[pairs[i]].m);
                long double x = ld(edges[pairs[j]].se, edges[pairs[j]].m);
                printf("~ %s %s", mode, names[op]);
                hex(y); hex(x);
                printf(" ->");
                binary[op](y, x);
            }
}

static void random_instructions(void) {
    for (int i = 0; i < 150; i++) {
        long double a = random_value(0x3fc0, 0x403d), s = random_value(0x3fc0, 0x3ffe);
        long double p = random_value(0x3fc0, 0x3ffc), y = random_value(0x3ff0, 0x4010);
        long double x = random_value(0x3f00, 0x4100), u = random_value(0x3f00, 0x4100);
        long double positive = fabsl(x);
        printf("~ rnd fsincos"); hex(a); printf(" ->"); do_fsincos(a);
        printf("~ rnd fptan"); hex(a); printf(" ->"); do_fptan(a);
        printf("~ rnd f2xm1"); hex(s); printf(" ->"); do_f2xm1(s);
        printf("~ rnd fpatan"); hex(u); hex(x); printf(" ->"); do_fpatan(u, x);
        printf("~ rnd fyl2x"); hex(y); hex(positive); printf(" ->"); do_fyl2x(y, positive);
        printf("~ rnd fyl2xp1"); hex(y); hex(p); printf(" ->"); do_fyl2xp1(y, p);
    }
}

/* glibc's long double functions (their x87 code: fsin, fpatan, fyl2x, f2xm1, fscale...). */
static void library(const char *mode) {
    static const long double args[] = {0.0L, -0.0L, 1e-4940L, 1e-30L, 0.5L, 1.0L, -1.0L, 2.0L, 3.14159265358979323846L,
                                       10.0L, -10.0L, 100.5L, 1e10L, 1e300L, 11356.0L, -11400.0L, 1.0000001L,
                                       0.9999999L, INFINITY, -INFINITY, NAN};
    for (unsigned i = 0; i < sizeof args / sizeof args[0]; i++) {
        long double x = args[i];
        printf("~ %s libm", mode); hex(x); printf(" ->");
        hex(expl(x)); hex(exp2l(x)); hex(expm1l(x)); hex(logl(x)); hex(log2l(x)); hex(log10l(x)); hex(log1pl(x));
        hex(sinl(x)); hex(cosl(x)); hex(tanl(x)); hex(atanl(x)); hex(asinl(x / 2e10L)); hex(acosl(x / 2e10L));
        hex(atan2l(x, 3.0L)); hex(atan2l(-2.0L, x)); hex(powl(x, 2.5L)); hex(powl(1.5L, x)); hex(powl(-2.0L, x));
        printf("\n");
    }
}

int main(void) {
    static const struct { const char *name; int rc; } rounding[] = {
        {"nearest", FE_TONEAREST}, {"down", FE_DOWNWARD}, {"up", FE_UPWARD}, {"zero", FE_TOWARDZERO}};
    static const unsigned short precisions[] = {0x000, 0x200, 0x300};   /* PC 24, 53, 64 bits */
    char mode[32];
    for (int r = 0; r < 4; r++)
        for (int p = 0; p < 3; p++) {
            control = (unsigned short)(0x007f | precisions[p] | (r << 10));
            snprintf(mode, sizeof mode, "%s/%d", rounding[r].name, p == 0 ? 24 : p == 1 ? 53 : 64);
            instructions(mode);
            if (p == 2 || r == 0) binary_instructions(mode);
        }
    control = 0x37f;
    random_instructions();
    for (int r = 0; r < 4; r++) {
        fesetround(rounding[r].rc);
        library(rounding[r].name);
    }
    fesetround(FE_TONEAREST);
    printf("= done\n");
    return 0;
}
