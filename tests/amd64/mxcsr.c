/* build: -msse2
 * MXCSR: SSE/SSE2 float arithmetic, comparisons and conversions in every rounding mode (set
 * with fesetround) and with DAZ and FTZ, over edge values (zeros, subnormals, the smallest
 * normals, ties, the extremes, infinities, quiet and signaling NaNs, integer limits): each
 * result as hex with the MXCSR exception flags it raised (IE DE ZE OE UE PE), compared with
 * the host CPU. Each instruction runs alone in an asm statement, between ldmxcsr and stmxcsr,
 * so the compiler neither folds nor reorders it. Then C-level arithmetic with fetestexcept. */
#include <fenv.h>
#include <math.h>
#include <signal.h>
#include <ucontext.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint32_t F[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3eaaaaab, 0x40400000, 0xc0a00000,
    0x00000001, 0x807fffff, 0x007fffff, 0x00800000, 0x80800001, 0x00c00000, 0x33800000, 0x33800001,
    0x7f7fffff, 0xff7fffff, 0x7f000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f812345,
    0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001, 0x5f000000, 0xdf000001, 0x4b000001, 0x3f7fffff,
};
static const uint64_t D[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull,
    0x3fd5555555555555ull, 0x4008000000000000ull, 0xc014000000000000ull, 1, 0x800fffffffffffffull,
    0x000fffffffffffffull, 0x0010000000000000ull, 0x8010000000000001ull, 0x0018000000000000ull,
    0x3ca0000000000000ull, 0x3ca0000000000001ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
    0x7fe0000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000012345ull, 0x7ff0000000012345ull, 0x41dfffffffc00000ull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0xc1e0000000200000ull, 0x43e0000000000000ull, 0xc3e0000000000001ull,
    0x4330000000000001ull, 0x3fefffffffffffffull, 0x36a0000000000000ull, 0x3810000000000000ull,
};
#define NF (sizeof F / sizeof F[0])
#define ND (sizeof D / sizeof D[0])
static const int64_t I[] = {
    0, 1, -1, 16777217, -16777217, 0x7fffffff, -0x7fffffff - 1, 0x20000001, 0x7fffffffffffffffll,
    -0x7fffffffffffffffll - 1, 0x20000000000001ll, -0x20000000000003ll, 0x123456789abcdefll,
};
#define NI (sizeof I / sizeof I[0])

static unsigned csr;  /* the configuration: RC, DAZ, FTZ, all exceptions masked */

static void load(unsigned v) { __asm__ volatile("ldmxcsr %0" : : "m"(v) : "memory"); }
static unsigned flags(void) {
    unsigned v;
    __asm__ volatile("stmxcsr %0" : "=m"(v) : : "memory");
    return v & 0x3f;
}

/* Scalar and packed operations on xmm registers, one instruction each. */
#define XOP(name, insn)                                                                     \
    static uint64_t name(uint64_t a, uint64_t b, unsigned *f) {                            \
        typedef double v2 __attribute__((vector_size(16)));                                \
        v2 x = {0}, y = {0};                                                               \
        memcpy(&x, &a, 8); memcpy(&y, &b, 8);                                              \
        load(csr);                                                                         \
        __asm__ volatile(insn " %1, %0" : "+x"(x) : "x"(y) : "memory");                    \
        *f = flags();                                                                      \
        uint64_t r; memcpy(&r, &x, 8); return r;                                           \
    }
XOP(addss, "addss") XOP(subss, "subss") XOP(mulss, "mulss") XOP(divss, "divss")
XOP(sqrtss, "sqrtss") XOP(minss, "minss") XOP(maxss, "maxss")
XOP(cmpltss, "cmpltss") XOP(cmpeqss, "cmpeqss") XOP(cmpnless, "cmpnless") XOP(cmpunordss, "cmpunordss")
XOP(addsd, "addsd") XOP(subsd, "subsd") XOP(mulsd, "mulsd") XOP(divsd, "divsd")
XOP(sqrtsd, "sqrtsd") XOP(minsd, "minsd") XOP(maxsd, "maxsd")
XOP(cmpltsd, "cmpltsd") XOP(cmpeqsd, "cmpeqsd") XOP(cmpnlesd, "cmpnlesd") XOP(cmpunordsd, "cmpunordsd")
XOP(addps, "addps") XOP(mulpd, "mulpd") XOP(divps, "divps") XOP(sqrtpd, "sqrtpd")
XOP(cvtss2sd, "cvtss2sd") XOP(cvtsd2ss, "cvtsd2ss") XOP(cvtps2pd, "cvtps2pd") XOP(cvtpd2ps, "cvtpd2ps")
XOP(cvtps2dq, "cvtps2dq") XOP(cvttps2dq, "cvttps2dq") XOP(cvtpd2dq, "cvtpd2dq") XOP(cvttpd2dq, "cvttpd2dq")
XOP(cvtdq2ps, "cvtdq2ps") XOP(roundss_mx, "roundss $4,") XOP(roundsd_mx, "roundsd $4,")
XOP(roundss_quiet, "roundss $12,") XOP(roundsd_trunc, "roundsd $3,")

/* comis/ucomis: ZF PF CF as bits 2 1 0. */
#define COMI(name, insn)                                                                    \
    static uint64_t name(uint64_t a, uint64_t b, unsigned *f) {                            \
        typedef double v2 __attribute__((vector_size(16)));                                \
        v2 x = {0}, y = {0};                                                               \
        memcpy(&x, &a, 8); memcpy(&y, &b, 8);                                              \
        unsigned char z, p, c;                                                             \
        load(csr);                                                                         \
        __asm__ volatile(insn " %4, %3; setz %0; setp %1; setc %2"                         \
                         : "=q"(z), "=q"(p), "=q"(c) : "x"(x), "x"(y) : "memory", "cc");   \
        *f = flags();                                                                      \
        return (uint64_t)z << 2 | p << 1 | c;                                              \
    }
COMI(comiss, "comiss") COMI(ucomiss, "ucomiss") COMI(comisd, "comisd") COMI(ucomisd, "ucomisd")

/* Float to integer (32 and 64 bits) and integer to float. */
#define TOINT(name, insn, T)                                                                \
    static uint64_t name(uint64_t a, uint64_t b, unsigned *f) {                            \
        typedef double v2 __attribute__((vector_size(16)));                                \
        v2 x = {0}; T r; (void)b;                                                          \
        memcpy(&x, &a, 8);                                                                 \
        load(csr);                                                                         \
        __asm__ volatile(insn " %1, %0" : "=r"(r) : "x"(x) : "memory");                    \
        *f = flags();                                                                      \
        return (uint64_t)r;                                                                \
    }
TOINT(cvtss2si32, "cvtss2si", uint32_t) TOINT(cvtss2si64, "cvtss2si", uint64_t)
TOINT(cvttss2si32, "cvttss2si", uint32_t) TOINT(cvttss2si64, "cvttss2si", uint64_t)
TOINT(cvtsd2si32, "cvtsd2si", uint32_t) TOINT(cvtsd2si64, "cvtsd2si", uint64_t)
TOINT(cvttsd2si32, "cvttsd2si", uint32_t) TOINT(cvttsd2si64, "cvttsd2si", uint64_t)

#define FROMINT(name, insn, T)                                                              \
    static uint64_t name(uint64_t a, uint64_t b, unsigned *f) {                            \
        typedef double v2 __attribute__((vector_size(16)));                                \
        v2 x = {0}; T v = (T)a; (void)b;                                                   \
        load(csr);                                                                         \
        __asm__ volatile(insn " %1, %0" : "+x"(x) : "r"(v) : "memory");                    \
        *f = flags();                                                                      \
        uint64_t r; memcpy(&r, &x, 8); return r;                                           \
    }
FROMINT(cvtsi2ss32, "cvtsi2ssl", int32_t) FROMINT(cvtsi2ss64, "cvtsi2ssq", int64_t)
FROMINT(cvtsi2sd32, "cvtsi2sdl", int32_t) FROMINT(cvtsi2sd64, "cvtsi2sdq", int64_t)

typedef uint64_t (*op_t)(uint64_t, uint64_t, unsigned *);
struct op { const char *name; op_t f; int kind; };  /* kind: 0 float pairs, 1 double pairs, 2 integers */
static const struct op OPS[] = {
    {"addss", addss, 0}, {"subss", subss, 0}, {"mulss", mulss, 0}, {"divss", divss, 0},
    {"sqrtss", sqrtss, 0}, {"minss", minss, 0}, {"maxss", maxss, 0}, {"cmpltss", cmpltss, 0},
    {"cmpeqss", cmpeqss, 0}, {"cmpnless", cmpnless, 0}, {"cmpunordss", cmpunordss, 0},
    {"comiss", comiss, 0}, {"ucomiss", ucomiss, 0}, {"addps", addps, 0}, {"divps", divps, 0},
    {"cvtss2sd", cvtss2sd, 0}, {"cvtps2pd", cvtps2pd, 0}, {"cvtps2dq", cvtps2dq, 0},
    {"cvttps2dq", cvttps2dq, 0}, {"cvtss2si32", cvtss2si32, 0}, {"cvtss2si64", cvtss2si64, 0},
    {"cvttss2si32", cvttss2si32, 0}, {"cvttss2si64", cvttss2si64, 0}, {"roundss_mx", roundss_mx, 0},
    {"roundss_quiet", roundss_quiet, 0},
    {"addsd", addsd, 1}, {"subsd", subsd, 1}, {"mulsd", mulsd, 1}, {"divsd", divsd, 1},
    {"sqrtsd", sqrtsd, 1}, {"minsd", minsd, 1}, {"maxsd", maxsd, 1}, {"cmpltsd", cmpltsd, 1},
    {"cmpeqsd", cmpeqsd, 1}, {"cmpnlesd", cmpnlesd, 1}, {"cmpunordsd", cmpunordsd, 1},
    {"comisd", comisd, 1}, {"ucomisd", ucomisd, 1}, {"mulpd", mulpd, 1}, {"sqrtpd", sqrtpd, 1},
    {"cvtsd2ss", cvtsd2ss, 1}, {"cvtpd2ps", cvtpd2ps, 1}, {"cvtpd2dq", cvtpd2dq, 1},
    {"cvttpd2dq", cvttpd2dq, 1}, {"cvtsd2si32", cvtsd2si32, 1}, {"cvtsd2si64", cvtsd2si64, 1},
    {"cvttsd2si32", cvttsd2si32, 1}, {"cvttsd2si64", cvttsd2si64, 1}, {"roundsd_mx", roundsd_mx, 1},
    {"roundsd_trunc", roundsd_trunc, 1},
    {"cvtsi2ss32", cvtsi2ss32, 2}, {"cvtsi2ss64", cvtsi2ss64, 2}, {"cvtsi2sd32", cvtsi2sd32, 2},
    {"cvtsi2sd64", cvtsi2sd64, 2}, {"cvtdq2ps", cvtdq2ps, 2},
};

/* Unary operations (sqrt, conversions) take the second operand; run them once per value. */
static int unary(const char *name) {
    return strncmp(name, "sqrt", 4) == 0 || strncmp(name, "cvt", 3) == 0 || strncmp(name, "round", 5) == 0;
}

static void run(const struct op *o) {
    size_t n = o->kind == 0 ? NF : o->kind == 1 ? ND : NI;
    size_t na = unary(o->name) ? 1 : n;
    for (size_t i = 0; i < na; i++) {
        uint64_t a = o->kind == 0 ? F[i] : o->kind == 1 ? D[i] : (uint64_t)I[i];
        printf("%04x %s %llx:", csr, o->name, (unsigned long long)a);
        for (size_t j = 0; j < n; j++) {
            uint64_t b = o->kind == 0 ? F[j] : o->kind == 1 ? D[j] : (uint64_t)I[j];
            if (o->kind == 0 && o->name[strlen(o->name) - 1] == 's' && strncmp(o->name, "cvt", 3) != 0)
                b |= 0xdeadbeef00000000ull;  /* scalar single ops ignore the upper half */
            unsigned f;
            uint64_t r = unary(o->name) ? o->f(b, b, &f) : o->f(a, b, &f);
            printf(" %llx/%x", (unsigned long long)r, f);
        }
        printf("\n");
    }
}

/* C arithmetic in each rounding mode, flags through fetestexcept. */
static void c_level(void) {
    static const char *names[] = {"nearest", "down", "up", "zero"};
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    volatile double one = 1, three = 3, zero = 0, big = 1.7976931348623157e308, tiny = 2.2250738585072014e-308;
    volatile double tie = 1 + 0x1p-53, minus = -1;
    volatile float fone = 1, fthree = 3, fbig = 3.4028235e38f;
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        double r[8]; float s[3]; int fl[11];
#define T(k, expr) do { feclearexcept(FE_ALL_EXCEPT); expr; fl[k] = fetestexcept(FE_ALL_EXCEPT); } while (0)
        T(0, r[0] = one / three); T(1, r[1] = zero / zero); T(2, r[2] = sqrt(minus));
        T(3, r[3] = big * 2); T(4, r[4] = tiny / 3); T(5, r[5] = tie + 0x1p-53);
        T(6, r[6] = one / zero); T(7, r[7] = (double)(long long)(big / big * 3.5));
        T(8, s[0] = fone / fthree); T(9, s[1] = fbig * 2); T(10, s[2] = (float)(one / three));
        printf("c %s", names[m]);
        for (int k = 0; k < 8; k++) { uint64_t v; memcpy(&v, &r[k], 8); printf(" %llx/%x", (unsigned long long)v, fl[k]); }
        for (int k = 0; k < 3; k++) { uint32_t v; memcpy(&v, &s[k], 4); printf(" %x/%x", v, fl[8 + k]); }
        printf(" lrint(2.5)=%ld rint(-0.5)=%g nearbyint(1.5)=%g\n", lrint(2.5), rint(-0.5), nearbyint(1.5));
    }
    fesetround(FE_TONEAREST);
}

/* The state around a signal: the handler starts with the default MXCSR; the frame's fpstate
 * holds the interrupted one, and sigreturn restores what the handler left there. */
static volatile unsigned in_handler, in_frame;
static void handler(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)info;
    ucontext_t *uc = context;
    __asm__ volatile("stmxcsr %0" : "=m"(in_handler));
    in_frame = uc->uc_mcontext.fpregs->mxcsr;
    uc->uc_mcontext.fpregs->mxcsr = (in_frame & ~0x6000u) | 0x2000;  /* RC down on return */
    volatile double x = 1, y = 3;
    y = x / y;  /* PE in the handler's own MXCSR only */
}
static void signals_and_fxsave(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    load(0x5f80 | 0x8000 | 0x21);  /* RC up, FTZ, IE and PE set */
    raise(SIGUSR1);
    unsigned after;
    __asm__ volatile("stmxcsr %0" : "=m"(after));
    printf("signal: handler %04x frame %04x after %04x\n", in_handler, in_frame, after);

    static unsigned char area[512] __attribute__((aligned(16)));
    load(0x7fc0 | 0x10);
    __asm__ volatile("fxsave %0" : "=m"(area));
    unsigned saved; memcpy(&saved, area + 24, 4);
    unsigned changed = 0x1f80 | 0x8000 | 0x4;
    memcpy(area + 24, &changed, 4);
    __asm__ volatile("fxrstor %0" : : "m"(area));
    unsigned now;
    __asm__ volatile("stmxcsr %0" : "=m"(now));
    volatile float tiny = 1e-38f, r = tiny * 0.25f;  /* flushed under FTZ */
    uint32_t rb; float rv = r; memcpy(&rb, &rv, 4);
    printf("fxsave %04x fxrstor %04x ftz-product %08x\n", saved, now, rb);
    load(0x1f80);
}

int main(void) {
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    static const unsigned extra[] = {0, 0x40, 0x8000, 0x8040};  /* DAZ, FTZ */
    for (int e = 0; e < 4; e++) {
        for (int m = 0; m < 4; m++) {
            if (e == 3 && m != 0) continue;  /* DAZ and FTZ together: nearest only */
            fesetround(modes[m]);
            unsigned v;
            __asm__ volatile("stmxcsr %0" : "=m"(v));
            csr = (v & 0x6000) | 0x1f80 | extra[e];  /* fesetround's RC */
            for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) run(&OPS[k]);
        }
    }
    load(0x1f80);
    c_level();
    signals_and_fxsave();
    return 0;
}
