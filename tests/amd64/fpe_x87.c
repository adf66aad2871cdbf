/* Unmasked x87 exceptions: they are delayed. Each case loads a control word with one exception
 * unmasked (then all, and with PC single), pushes b and a, runs one x87 instruction that may
 * raise it, stores the status word with fnstsw (no wait: ES and B show the pending exception)
 * and then runs a waiting instruction at a label (fwait, or fld1 in the `next` cases), where
 * SIGFPE is delivered. The handler records si_code, si_addr and rip relative to the label, and
 * the frame's fpstate (control, status and abridged tag words, st0, st1), then siglongjmps
 * out; without a trap, fnsave's image is printed instead. The memory operand of the stores
 * (fist, fst) is printed too: an unmasked invalid, overflow or underflow stores nothing.
 * Then fldcw unmasking a flag already set, fnclex clearing it, feenableexcept with long
 * double arithmetic, and the stack overflow. (No transcendental instruction: the host's are not
 * always correctly rounded, so C1 can differ; docs/x86-64.md.) */
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "fpe_trap.h"

static volatile unsigned t_cw, t_sw, t_tag;
static volatile uint64_t t_m0, t_m1;
static volatile unsigned t_e0, t_e1;

static void handler(int sig, siginfo_t *info, void *context) {
    (void)sig;
    ucontext_t *uc = context;
    record_trap(info, uc);
    struct _libc_fpstate *f = uc->uc_mcontext.fpregs;
    t_cw = f->cwd;
    t_sw = f->swd;
    t_tag = f->ftw;
    memcpy((void *)&t_m0, f->_st[0].significand, 8);
    t_e0 = f->_st[0].exponent;
    memcpy((void *)&t_m1, f->_st[1].significand, 8);
    t_e1 = f->_st[1].exponent;
    siglongjmp(env, 1);
}

struct io {
    long double a, b;
    double bd;
    uint16_t cw, sw;
    uint64_t mem;
    unsigned char save[108];
};

/* fninit; fldcw; push b, a; the instruction; fnstsw; label: the waiting one; fnsave. */
#define OP(name, insn, waiting)                                                                \
    static void name(struct io *v) {                                                           \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"                 \
                         "lea 1f(%%rip), %%rdx\n\tmov %%rdx, %[l]\n\t"                         \
                         insn "\n\tfnstsw %[sw]\n\t"                                           \
                         "1: " waiting "\n\tfnsave %[s]\n\t"                                   \
                         : [sw] "=m"(v->sw), [s] "=m"(v->save), [l] "=m"(label),               \
                           [mem] "+m"(v->mem)                                                  \
                         : [a] "m"(v->a), [b] "m"(v->b), [bd] "m"(v->bd), [cw] "m"(v->cw)      \
                         : "rax", "rdx", "memory", "cc", "st", "st(1)", "st(2)", "st(3)",      \
                           "st(4)", "st(5)", "st(6)", "st(7)");                                \
    }

OP(fadd, "fadd %%st(1), %%st", "fwait")
OP(fsub, "fsub %%st(1), %%st", "fwait")
OP(fmul, "fmul %%st(1), %%st", "fwait")
OP(fdiv, "fdiv %%st(1), %%st", "fwait")
OP(fdivr_next, "fdivr %%st(1), %%st", "fld1")
OP(fdivp, "fdivrp %%st, %%st(1)", "fwait")
OP(fdivl, "fdivl %[bd]", "fwait")
OP(fsqrt, "fsqrt", "fwait")
OP(fcom, "fcom %%st(1)", "fwait")
OP(fucomi, "fucomi %%st(1), %%st", "fwait")
OP(fistpl, "fistpl %[mem]", "fwait")
OP(fsts, "fsts %[mem]", "fwait")
OP(fstpl, "fstpl %[mem]", "fwait")
OP(fprem, "fprem", "fwait")
OP(fscale, "fscale", "fwait")
OP(frndint, "frndint", "fwait")
OP(fxtract_next, "fxtract", "fldz")

struct op { const char *name; void (*run)(struct io *); };
static const struct op OPS[] = {
    {"fadd", fadd}, {"fsub", fsub}, {"fmul", fmul}, {"fdiv", fdiv}, {"fdivr-next", fdivr_next},
    {"fdivrp", fdivp}, {"fdivl", fdivl}, {"fsqrt", fsqrt}, {"fcom", fcom}, {"fucomi", fucomi},
    {"fistpl", fistpl}, {"fsts", fsts}, {"fstpl", fstpl}, {"fprem", fprem}, {"fscale", fscale},
    {"frndint", frndint}, {"fxtract-next", fxtract_next},
};

/* 1, 3, -0, a denormal, the smallest normal, the largest, 2^-9000 (its square underflows),
 * infinity, a quiet and a signaling NaN, 2^40 (too big for fist's int32 and fscale). */
static const uint16_t SE[] = {0x3fff, 0x4000, 0x8000, 0x0000, 0x0001, 0x7ffe, 0x1ab7, 0x7fff, 0x7fff, 0x7fff, 0x4027};
static const uint64_t M[] = {
    1ull << 63, 0xc000000000000000ull, 0, 3, 1ull << 63, ~0ull, 1ull << 63, 1ull << 63,
    0xc000000000000000ull, 0xa000000000000000ull, 1ull << 63,
};
static const double BD[] = {1, 3, -0.0, 4.9406564584124654e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                            0x1p-1000, __builtin_inf(), __builtin_nan(""), 0x1p-1000, 0x1p40};
#define N (sizeof SE / sizeof SE[0])

/* One mask cleared in turn, all, OM/UM with PC single. */
static const uint16_t CW[] = {0x37e, 0x37d, 0x37b, 0x377, 0x36f, 0x35f, 0x340, 0x067};

static long double value(int i) {
    long double x;
    memcpy(&x, &M[i], 8);
    memcpy((char *)&x + 8, &SE[i], 2);
    return x;
}

static void report(const char *name, unsigned cw, unsigned i, unsigned j, struct io *v) {
    if (trapped) {
        printf("%s %03x %u %u: sw %04x SIGFPE code %d addr %+ld rip %+ld cw %04x sw %04x tag %02x st0 %04x:%016llx st1 %04x:%016llx mem %016llx\n",
               name, cw, i, j, v->sw, code, addr_delta, rip_delta, t_cw, t_sw, t_tag, t_e0,
               (unsigned long long)t_m0, t_e1, (unsigned long long)t_m1, (unsigned long long)v->mem);
        return;
    }
    uint16_t sw, tag, e0, e1;
    uint64_t m0, m1;
    memcpy(&sw, v->save + 4, 2);
    memcpy(&tag, v->save + 8, 2);
    memcpy(&m0, v->save + 28, 8);
    memcpy(&e0, v->save + 36, 2);
    memcpy(&m1, v->save + 38, 8);
    memcpy(&e1, v->save + 46, 2);
    printf("%s %03x %u %u: sw %04x after %04x tag %04x st0 %04x:%016llx st1 %04x:%016llx mem %016llx\n", name, cw, i, j,
           v->sw, sw, tag, e0, (unsigned long long)m0, e1, (unsigned long long)m1, (unsigned long long)v->mem);
}

static void one(unsigned k, unsigned s, unsigned i, unsigned j) {
    const struct op *o = &OPS[k];
    uint16_t cw = CW[s];
    struct io v;
    memset(&v, 0, sizeof v);
    v.a = value(i);
    v.b = value(j);
    v.bd = BD[j];
    v.cw = cw;
    v.mem = 0x5555555555555555ull;
    trapped = 0;
    if (sigsetjmp(env, 1) == 0) o->run(&v);
    report(o->name, cw, i, j, &v);
}

int main(void) {
    catch_sigfpe(handler);
    int traps = every_case(sizeof OPS / sizeof OPS[0], sizeof CW / sizeof CW[0], N, one);

    /* A flag raised while masked, then unmasked by fldcw: the next waiting instruction traps;
     * fnclex before it: no trap. */
    for (int clear = 0; clear < 2; clear++) {
        static const uint16_t masked = 0x37f, unmasked = 0x37b;
        uint16_t sw1 = 0, sw2 = 0;
        trapped = 0;
        if (sigsetjmp(env, 1) == 0) {
            if (clear)
                __asm__ volatile("fninit\n\tfldcw %[m]\n\tfld1\n\tfldz\n\tfdivrp\n\tfnstsw %[s1]\n\tfnclex\n\t"
                                 "fldcw %[u]\n\tfnstsw %[s2]\n\tlea 1f(%%rip), %%rdx\n\tmov %%rdx, %[l]\n\t"
                                 "1: fwait\n\tfninit\n\t"
                                 : [s1] "=m"(sw1), [s2] "=m"(sw2), [l] "=m"(label) : [m] "m"(masked), [u] "m"(unmasked)
                                 : "rdx", "memory", "st", "st(1)");
            else
                __asm__ volatile("fninit\n\tfldcw %[m]\n\tfld1\n\tfldz\n\tfdivrp\n\tfnstsw %[s1]\n\t"
                                 "fldcw %[u]\n\tfnstsw %[s2]\n\tlea 1f(%%rip), %%rdx\n\tmov %%rdx, %[l]\n\t"
                                 "1: fwait\n\tfninit\n\t"
                                 : [s1] "=m"(sw1), [s2] "=m"(sw2), [l] "=m"(label) : [m] "m"(masked), [u] "m"(unmasked)
                                 : "rdx", "memory", "st", "st(1)");
        }
        printf("fldcw after the flag (fnclex %d): sw %04x %04x trapped %d code %d addr %+ld rip %+ld sw %04x\n", clear, sw1,
               sw2, trapped, trapped ? code : 0, trapped ? addr_delta : 0, trapped ? rip_delta : 0, trapped ? t_sw : 0);
        traps += trapped;
    }

    /* Nine pushes with IM unmasked: the stack overflow (IE, SF, C1) leaves the stack alone. */
    {
        static const uint16_t cw = 0x37e;
        uint16_t sw = 0;
        trapped = 0;
        if (sigsetjmp(env, 1) == 0)
            __asm__ volatile("fninit\n\tfldcw %[c]\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfldz\n\t"
                             "fldpi\n\tfnstsw %[s]\n\tlea 1f(%%rip), %%rdx\n\tmov %%rdx, %[l]\n\t1: fwait\n\tfninit\n\t"
                             : [s] "=m"(sw), [l] "=m"(label) : [c] "m"(cw)
                             : "rdx", "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
        printf("stack overflow: sw %04x trapped %d code %d rip %+ld sw %04x tag %02x st0 %04x:%016llx\n", sw, trapped,
               trapped ? code : 0, trapped ? rip_delta : 0, t_sw, t_tag, t_e0, (unsigned long long)t_m0);
        traps += trapped;
    }

    /* MMX instructions take a pending x87 exception too (emms, paddb). */
    for (int which = 0; which < 2; which++) {
        static const uint16_t cw = 0x37b;
        trapped = 0;
        if (sigsetjmp(env, 1) == 0) {
            if (which)
                __asm__ volatile("fninit\n\tfldcw %[c]\n\tfld1\n\tfldz\n\tfdivrp\n\tlea 1f(%%rip), %%rdx\n\t"
                                 "mov %%rdx, %[l]\n\t1: paddb %%mm1, %%mm0\n\temms\n\tfninit\n\t"
                                 : [l] "=m"(label) : [c] "m"(cw) : "rdx", "memory", "st", "mm0", "mm1");
            else
                __asm__ volatile("fninit\n\tfldcw %[c]\n\tfld1\n\tfldz\n\tfdivrp\n\tlea 1f(%%rip), %%rdx\n\t"
                                 "mov %%rdx, %[l]\n\t1: emms\n\tfninit\n\t"
                                 : [l] "=m"(label) : [c] "m"(cw) : "rdx", "memory", "st");
        }
        printf("%s after the exception: trapped %d code %d rip %+ld sw %04x\n", which ? "paddb" : "emms", trapped,
               trapped ? code : 0, trapped ? rip_delta : 0, trapped ? t_sw : 0);
        traps += trapped;
    }

    /* long double arithmetic with feenableexcept (which unmasks in both the x87 and MXCSR). */
    static const int except[] = {FE_INVALID, FE_DIVBYZERO, FE_OVERFLOW, FE_UNDERFLOW, FE_INEXACT};
    for (int e = 0; e < 5; e++) {
        volatile long double x = 0;
        trapped = 0;
        label = 0;
        if (sigsetjmp(env, 1) == 0) {
            feclearexcept(FE_ALL_EXCEPT);
            feenableexcept(except[e]);
            volatile long double big = 1e4900L, small = 1e-4900L, three = 3, zero = 0;
            x = zero / zero + 1 / zero + big * big + small * small + 1 / three;
        }
        fedisableexcept(FE_ALL_EXCEPT);
        printf("feenableexcept %d: trapped %d code %d x %Lg\n", except[e], trapped, trapped ? code : 0, x);
        traps += trapped;
    }
    printf("%d traps\n", traps);
    return 0;
}
