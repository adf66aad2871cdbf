/* The FP control and status register: fcsr/frm/fflags through every CSR instruction form,
 * reserved bits, flags accrued across instructions, and the C library's view of it
 * (fesetround/fegetround, fetestexcept/feclearexcept, rint/lrint/nearbyint, printf and strtod,
 * which follow the dynamic rounding mode). */
#include "isa.h"
#include <fenv.h>
#include <math.h>
#include <stdlib.h>

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

int main(void) {
    uint64_t old, v;
    /* Whole fcsr: only bits 7:0 exist. */
    __asm__ volatile("li t0,-1\n\tcsrrw %0,fcsr,t0\n\tcsrr %1,fcsr" : "=r"(old), "=r"(v) : : "t0");
    printf("fcsr old=%llx after writing -1: %llx frm=%llx fflags=%llx\n", (unsigned long long)old,
           (unsigned long long)v, (unsigned long long)read_frm(), (unsigned long long)read_fflags());
    /* Immediate forms on fflags and frm. */
    __asm__ volatile("csrrwi %0,fflags,0x15\n\tcsrr %1,fflags" : "=r"(old), "=r"(v));
    printf("csrrwi fflags: old=%llx new=%llx fcsr=%llx\n", (unsigned long long)old, (unsigned long long)v, (unsigned long long)read_fcsr());
    __asm__ volatile("csrrci %0,fflags,0x5\n\tcsrr %1,fflags" : "=r"(old), "=r"(v));
    printf("csrrci fflags: old=%llx new=%llx\n", (unsigned long long)old, (unsigned long long)v);
    __asm__ volatile("csrrsi %0,fflags,0x3\n\tcsrr %1,fflags" : "=r"(old), "=r"(v));
    printf("csrrsi fflags: old=%llx new=%llx\n", (unsigned long long)old, (unsigned long long)v);
    __asm__ volatile("csrrwi %0,frm,2\n\tcsrr %1,frm" : "=r"(old), "=r"(v));
    printf("csrrwi frm: old=%llx new=%llx fcsr=%llx\n", (unsigned long long)old, (unsigned long long)v, (unsigned long long)read_fcsr());
    __asm__ volatile("li t0,5\n\tcsrrs %0,frm,t0\n\tcsrr %1,frm" : "=r"(old), "=r"(v) : : "t0");
    printf("csrrs frm 5: old=%llx new=%llx\n", (unsigned long long)old, (unsigned long long)v);
    __asm__ volatile("li t0,6\n\tcsrrc %0,frm,t0\n\tcsrr %1,frm" : "=r"(old), "=r"(v) : : "t0");
    printf("csrrc frm 6: old=%llx new=%llx\n", (unsigned long long)old, (unsigned long long)v);
    __asm__ volatile("li t0,0xe5\n\tcsrrw %0,fcsr,t0\n\tcsrrs %1,fcsr,x0" : "=r"(old), "=r"(v) : : "t0");
    printf("fcsr=0xe5: old=%llx new=%llx frm=%llx (invalid frm is storable)\n", (unsigned long long)old, (unsigned long long)v, (unsigned long long)read_frm());
    __asm__ volatile("li t0,0x3ff\n\tcsrw fflags,t0\n\tcsrr %0,fcsr" : "=r"(v) : : "t0");
    printf("fflags=0x3ff -> fcsr=%llx\n", (unsigned long long)v);
    write_fcsr(0);

    /* Accrued flags: never cleared by the instructions themselves. */
    volatile double zero = 0.0, one = 1.0, three = 3.0, big = 1e308, tiny = 1e-308, neg = -1.0;
    volatile double r;
    clear_fflags();
    r = one / zero; printf("1/0 -> %016llx flags %s\n", (unsigned long long)bits(r), flag_str(read_fflags()));
    r = one / three; printf("1/3 -> %016llx flags %s\n", (unsigned long long)bits(r), flag_str(read_fflags()));
    r = sqrt(neg); printf("sqrt(-1) -> %016llx flags %s\n", (unsigned long long)bits(r), flag_str(read_fflags()));
    r = big * big; printf("1e308^2 -> %016llx flags %s\n", (unsigned long long)bits(r), flag_str(read_fflags()));
    r = tiny * tiny; printf("1e-308^2 -> %016llx flags %s\n", (unsigned long long)bits(r), flag_str(read_fflags()));
    clear_fflags();
    r = one + three; printf("1+3 -> %016llx flags %s\n", (unsigned long long)bits(r), flag_str(read_fflags()));

    /* fenv.h */
    static const struct { int mode; const char *name; } modes[] = {
        {FE_TONEAREST, "nearest"}, {FE_UPWARD, "upward"}, {FE_DOWNWARD, "downward"}, {FE_TOWARDZERO, "towardzero"},
    };
    static const double xs[] = {2.5, -2.5, 0.5, 1.5, -0.5, 3.7, -3.7, 1e16 + 1, 0.1, 2.0 / 3.0};
    for (int m = 0; m < NELEM(modes); m++) {
        if (fesetround(modes[m].mode) != 0) printf("fesetround failed\n");
        printf("mode %s: fegetround=%d frm=%llu\n", modes[m].name, fegetround(), (unsigned long long)read_frm());
        for (int i = 0; i < NELEM(xs); i++) {
            volatile double x = xs[i];
            feclearexcept(FE_ALL_EXCEPT);
            double a = rint(x);
            int ex1 = fetestexcept(FE_ALL_EXCEPT);
            double b = nearbyint(x);
            long c = lrint(x);
            float f = (float)x;
            double q = x / three;
            printf("  x=%016llx rint=%016llx(%x) nearbyint=%016llx lrint=%ld float=%08x x/3=%016llx %.20f %.3e\n",
                   (unsigned long long)bits(x), (unsigned long long)bits(a), ex1, (unsigned long long)bits(b), c,
                   fbits(f), (unsigned long long)bits(q), x, x);
        }
        static const char *strs[] = {"0.1", "1e-320", "1.7976931348623159e308", "2.2250738585072011e-308", "0.3333333333333333333333", "123456789012345678901234567890"};
        for (int i = 0; i < NELEM(strs); i++) {
            double d = strtod(strs[i], NULL);
            float f = strtof(strs[i], NULL);
            printf("  strtod(%s)=%016llx strtof=%08x\n", strs[i], (unsigned long long)bits(d), fbits(f));
        }
    }
    fesetround(FE_TONEAREST);
    /* fetestexcept per exception. */
    static const struct { int e; const char *n; } exc[] = {
        {FE_INVALID, "invalid"}, {FE_DIVBYZERO, "divbyzero"}, {FE_OVERFLOW, "overflow"}, {FE_UNDERFLOW, "underflow"}, {FE_INEXACT, "inexact"},
    };
    volatile float fz = 0.0f, fo = 1.0f, fbig = 3e38f;
    volatile float fr;
    feclearexcept(FE_ALL_EXCEPT); fr = fz / fz;
    for (int i = 0; i < NELEM(exc); i++) printf("0f/0f %s=%d\n", exc[i].n, !!fetestexcept(exc[i].e));
    feclearexcept(FE_ALL_EXCEPT); fr = fo / fz;
    for (int i = 0; i < NELEM(exc); i++) printf("1f/0f %s=%d\n", exc[i].n, !!fetestexcept(exc[i].e));
    feclearexcept(FE_ALL_EXCEPT); fr = fbig * fbig;
    for (int i = 0; i < NELEM(exc); i++) printf("3e38f^2 %s=%d\n", exc[i].n, !!fetestexcept(exc[i].e));
    (void)fr; (void)r;
    fenv_t env;
    fesetround(FE_UPWARD); feraiseexcept(FE_OVERFLOW);
    fegetenv(&env);
    fesetround(FE_TONEAREST); feclearexcept(FE_ALL_EXCEPT);
    printf("before fesetenv fcsr=%llx\n", (unsigned long long)read_fcsr());
    fesetenv(&env);
    printf("after fesetenv fcsr=%llx\n", (unsigned long long)read_fcsr());
    return 0;
}
