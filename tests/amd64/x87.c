/* The x87 unit through long double: arithmetic with every rounding mode and precision control,
   printf("%La %Lf %Lg"), strtold, conversions to and from float/double/integers (rounded and
   truncated), comparisons with NaNs, fxam's classes, sqrt, frndint, fprem/fprem1, fscale,
   fxtract, the constants, the status word's exception flags. Bits are printed in hex so any
   difference from the host CPU shows. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bits(const char *what, long double x) {
    unsigned char b[16];
    memset(b, 0, sizeof b);
    memcpy(b, &x, 10);
    uint64_t m; uint16_t se;
    memcpy(&m, b, 8); memcpy(&se, b + 8, 2);
    printf("%s %04x:%016llx\n", what, se, (unsigned long long)m);
}

static long double ld(uint16_t se, uint64_t m) {
    long double x = 0;
    memcpy(&x, &m, 8);
    memcpy((char *)&x + 8, &se, 2);
    return x;
}

static unsigned short status(void) { unsigned short s; __asm__ volatile("fnstsw %0" : "=m"(s)); return s; }
static void clear(void) { __asm__ volatile("fnclex"); }
/* The exception flags, SF and C1 (the rounding direction, or 0); C0 C2 C3 are undefined after
   most instructions and are printed only where they are defined. */
static void flags(const char *what) { printf("%s sw=%04x\n", what, status() & 0x027f); clear(); }

#define OP2(name, insn) static long double name(long double a, long double b) { \
    __asm__(insn : "+t"(a) : "u"(b)); return a; }
OP2(fscale_, "fscale")
static unsigned short remStatus;   /* C3 C2 C1 C0 after the last fprem/fprem1 */
static long double fprem_(long double a, long double b) { __asm__("fprem\n\tfnstsw %1" : "+t"(a), "=m"(remStatus) : "u"(b)); return a; }
static long double fprem1_(long double a, long double b) { __asm__("fprem1\n\tfnstsw %1" : "+t"(a), "=m"(remStatus) : "u"(b)); return a; }
static long double frndint_(long double a) { __asm__("frndint" : "+t"(a)); return a; }
static long double fsqrt_(long double a) { __asm__("fsqrt" : "+t"(a)); return a; }
static unsigned short fxam_(long double a) {
    unsigned short s;
    __asm__("fxam\n\tfnstsw %0" : "=a"(s) : "t"(a));
    return s & 0x4700;
}
static long double fxtract_(long double a, long double *exponent) {
    long double sig;
    __asm__("fxtract" : "=t"(sig), "=u"(*exponent) : "0"(a));
    return sig;
}
static void precision(unsigned pc) {
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    cw = (cw & ~0x300) | (pc << 8);
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

int main(int argc, char **argv) {
    volatile long double one = 1, three = 3, seven = 7, tenth = 0.1L, big = LDBL_MAX, tiny = LDBL_MIN;
    volatile long double values[] = {0.0L, -0.0L, 1.0L, -1.5L, 0.1L, 1e-4000L, 3.0L, 1e4000L, 123456789.125L,
                                     -2.5L, 0.5L, 1.5L, 2.5L, 1e20L, -1e-20L, 18446744073709551615.0L,
                                     9223372036854775808.0L, -9223372036854775808.0L, 65535.5L, 4294967295.75L,
                                     LDBL_MAX, LDBL_MIN, LDBL_TRUE_MIN, INFINITY, -INFINITY, NAN};
    int n = sizeof values / sizeof values[0];
    int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    for (int mi = 0; mi < 4; mi++) {
        fesetround(modes[mi]);
        printf("mode %d\n", mi);
        bits("1/3", one / three);
        bits("-1/3", -one / three);
        bits("1/7*7", one / seven * seven);
        bits("0.1+1", tenth + one);
        bits("0.1-1", tenth - one);
        bits("1-1", one - one);
        bits("max*2", big * 2);
        bits("-max*2", -big * 2);
        bits("min/3", tiny / three);
        bits("min*min", tiny * tiny);
        bits("sqrt2", fsqrt_(2.0L));
        bits("sqrt3", fsqrt_(three));
        for (int i = 0; i < n; i++) {
            long double x = values[i];
            printf("[%d] ", i);
            bits("x", x);
            bits(" rint", frndint_(x));
            volatile double d = (double)x; volatile float f = (float)x;
            printf(" d=%016llx f=%08x", (unsigned long long)*(volatile uint64_t *)&d, *(volatile uint32_t *)&f);
            if (x == x && fabsl(x) < 9e18L) printf(" ll=%lld l=%ld", llrintl(x), (long)x);
            printf("\n");
            flags(" flags");
        }
        static const unsigned short cws[] = {0, 2, 3};
        for (int k = 0; k < 3; k++) {
            precision(cws[k]);
            bits(" pc 1/3", one / three);
            bits(" pc 0.1*3", tenth * three);
            bits(" pc sqrt3", fsqrt_(three));
        }
        precision(3);
    }
    fesetround(FE_TONEAREST);
    clear();
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            long double a = values[i], b = values[j];
            printf("%d %d %d%d%d%d ", i, j, a < b, a == b, a > b, a != b);
            bits("", a + b);
            bits("  *", a * b);
            bits("  /", a / b);
            int finite = isfinite(a) && isfinite(b) && b != 0;
            bits("  rem", fprem_(a, b));
            if (finite) printf("  c %04x\n", remStatus & 0x4700);
            bits("  rem1", fprem1_(a, b));
            if (finite) printf("  c %04x\n", remStatus & 0x4700);
            if (fabsl(b) < 100000) bits("  scale", fscale_(a, b));
            flags("  flags");
        }
        long double e, s = fxtract_(values[i], &e);
        bits("sig", s);
        bits("exp", e);
        printf("fxam %04x\n", fxam_(values[i]));
        flags("flags");
    }
    printf("fxam unnormal %04x nan %04x\n", fxam_(ld(0x3fff, 0x4000000000000000ULL)), fxam_(ld(0x7fff, 0xc000000000000001ULL)));
    bits("snan+1", ld(0x7fff, 0x8000000000000001ULL) + one);
    flags("snan flags");
    bits("nan+nan", ld(0x7fff, 0xc000000000000005ULL) + ld(0xffff, 0xc000000000000007ULL));
    bits("unnormal+1", ld(0x3fff, 0x4000000000000000ULL) + one);
    flags("unnormal flags");
    long double pi, l2e, l2t, lg2, ln2;
    __asm__("fldpi" : "=t"(pi)); __asm__("fldl2e" : "=t"(l2e)); __asm__("fldl2t" : "=t"(l2t));
    __asm__("fldlg2" : "=t"(lg2)); __asm__("fldln2" : "=t"(ln2));
    bits("pi", pi); bits("l2e", l2e); bits("l2t", l2t); bits("lg2", lg2); bits("ln2", ln2);
    fesetround(FE_UPWARD);
    __asm__("fldpi" : "=t"(pi)); __asm__("fldl2t" : "=t"(l2t));
    bits("pi up", pi); bits("l2t up", l2t);
    fesetround(FE_TONEAREST);
    /* printf and strtold (glibc's long double paths). */
    const char *texts[] = {"3.14159265358979323846264338327950288", "1e-4940", "1.18973149535723176502e+4932",
                           "0.1", "-2.5e-300", "123456789012345678901234567890", "nan", "-inf", "0x1.8p-16382"};
    for (int i = 0; i < 9; i++) {
        long double x = strtold(texts[i], NULL);
        bits(texts[i], x);
        printf("  %La %.25Lg %.6Lf %Le\n", x, x, x, x);
    }
    long double acc = 0;
    for (int i = 1; i <= 1000; i++) acc += 1.0L / ((long double)i * i);
    printf("basel %.21Lf\n", acc);
    printf("%Lf %Lg %.30Lf\n", 1.0L / 3, (long double)argc * 1e100L, 2.0L / 3);
    return 0;
}
