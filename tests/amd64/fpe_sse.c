/* build: -march=x86-64-v2
 * Unmasked SSE exceptions: SIGFPE (#XM). 27 SSE/SSE2/SSE3/SSE4.1 float instructions run alone in
 * an asm statement with one exception unmasked in MXCSR (then all, and with DAZ/FTZ and a
 * flag already set), over all pairs of 10 edge values. When it traps, the SIGFPE handler records si_code, si_addr and
 * the interrupted rip (both relative to the instruction's label: 0 when exact), the MXCSR of
 * the frame's fpstate and the destinations (xmm0, rax, the arithmetic flags) as the frame
 * holds them, then siglongjmps out; when it does not, the same after it. Argument "die":
 * feenableexcept(FE_DIVBYZERO) and 1.0/0.0, which kills the process (SIGFPE, status 136). */
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "fpe_trap.h"

static volatile uint64_t t_lo, t_hi, t_rax, t_flags;
static volatile unsigned t_mxcsr;

static void handler(int sig, siginfo_t *info, void *context) {
    (void)sig;
    ucontext_t *uc = context;
    record_trap(info, uc);
    t_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    memcpy((void *)&t_lo, &uc->uc_mcontext.fpregs->_xmm[0], 8);
    memcpy((void *)&t_hi, (char *)&uc->uc_mcontext.fpregs->_xmm[0] + 8, 8);
    t_rax = uc->uc_mcontext.gregs[REG_RAX];
    t_flags = uc->uc_mcontext.gregs[REG_EFL] & 0x8d5;
    siglongjmp(env, 1);
}

/* One instruction: xmm0 = {a0, a1}, xmm1 = {b0, b1}, rcx = a0 (integer sources), rax a marker,
 * the arithmetic flags cleared; then the instruction at a label whose address goes to `label`. */
struct io { uint64_t a[2], b[2], out[2], rax, flags; unsigned mxcsr, mxcsr_out; };
#define OP(name, insn)                                                                          \
    static void name(struct io *v) {                                                            \
        __asm__ volatile("movdqu %[a], %%xmm0\n\tmovdqu %[b], %%xmm1\n\t"                      \
                         "mov %[a], %%rcx\n\tmovabs $0x5555555555555555, %%rax\n\t"             \
                         "push $0\n\tpopfq\n\t"                                                 \
                         "lea 1f(%%rip), %%rdx\n\tmov %%rdx, %[l]\n\t"                          \
                         "ldmxcsr %[m]\n\t"                                                     \
                         "1: " insn "\n\t"                                                      \
                         "pushfq\n\tpop %%rdx\n\tmov %%rdx, %[f]\n\t"                           \
                         "stmxcsr %[mo]\n\tmovdqu %%xmm0, %[o]\n\tmov %%rax, %[r]\n\t"        \
                         : [o] "=m"(v->out), [r] "=m"(v->rax), [f] "=m"(v->flags),              \
                           [mo] "=m"(v->mxcsr_out), [l] "=m"(label)                             \
                         : [a] "m"(v->a), [b] "m"(v->b), [m] "m"(v->mxcsr)                      \
                         : "xmm0", "xmm1", "rax", "rcx", "rdx", "memory", "cc");                \
    }

OP(addsd, "addsd %%xmm1, %%xmm0")
OP(mulsd, "mulsd %%xmm1, %%xmm0")
OP(divsd, "divsd %%xmm1, %%xmm0")
OP(sqrtsd, "sqrtsd %%xmm1, %%xmm0")
OP(minsd, "minsd %%xmm1, %%xmm0")
OP(cmpltsd, "cmpltsd %%xmm1, %%xmm0")
OP(comisd, "comisd %%xmm1, %%xmm0")
OP(ucomisd, "ucomisd %%xmm1, %%xmm0")
OP(cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
OP(cvtsd2si, "cvtsd2si %%xmm1, %%rax")
OP(cvttsd2si32, "cvttsd2si %%xmm1, %%eax")
OP(cvtsi2ss, "cvtsi2ssq %%rcx, %%xmm0")
OP(mulpd, "mulpd %%xmm1, %%xmm0")
OP(divpd, "divpd %%xmm1, %%xmm0")
OP(cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm0")
OP(cvtpd2dq, "cvtpd2dq %%xmm1, %%xmm0")
OP(roundsd_mxcsr, "roundsd $4, %%xmm1, %%xmm0")
OP(haddpd, "haddpd %%xmm1, %%xmm0")
OP(addss, "addss %%xmm1, %%xmm0")
OP(mulss, "mulss %%xmm1, %%xmm0")
OP(divss, "divss %%xmm1, %%xmm0")
OP(sqrtss, "sqrtss %%xmm1, %%xmm0")
OP(cvtss2sd, "cvtss2sd %%xmm1, %%xmm0")
OP(cvtss2si, "cvtss2si %%xmm1, %%rax")
OP(divps, "divps %%xmm1, %%xmm0")
OP(cvtps2dq, "cvtps2dq %%xmm1, %%xmm0")
OP(dpps, "dpps $0x31, %%xmm1, %%xmm0")

struct op { const char *name; void (*run)(struct io *); int single; };
static const struct op OPS[] = {
    {"addsd", addsd, 0}, {"mulsd", mulsd, 0}, {"divsd", divsd, 0}, {"sqrtsd", sqrtsd, 0},
    {"minsd", minsd, 0}, {"cmpltsd", cmpltsd, 0}, {"comisd", comisd, 0}, {"ucomisd", ucomisd, 0},
    {"cvtsd2ss", cvtsd2ss, 0}, {"cvtsd2si", cvtsd2si, 0}, {"cvttsd2si32", cvttsd2si32, 0},
    {"cvtsi2ss", cvtsi2ss, 0}, {"mulpd", mulpd, 0}, {"divpd", divpd, 0}, {"cvtpd2ps", cvtpd2ps, 0},
    {"cvtpd2dq", cvtpd2dq, 0}, {"roundsd", roundsd_mxcsr, 0}, {"haddpd", haddpd, 0},
    {"addss", addss, 1}, {"mulss", mulss, 1}, {"divss", divss, 1}, {"sqrtss", sqrtss, 1},
    {"cvtss2sd", cvtss2sd, 1}, {"cvtss2si", cvtss2si, 1}, {"divps", divps, 1}, {"cvtps2dq", cvtps2dq, 1},
    {"dpps", dpps, 1},
};

/* 1, 3, -0, a denormal, the smallest normal, the largest, tiny (its square an exact
 * denormal), infinity, a signaling NaN (quiet ones come out of invalid operations), 2^63
 * (out of integer range). */
static const uint64_t D[] = {
    0x3ff0000000000000ull, 0x4008000000000000ull, 0x8000000000000000ull, 0x0000000000000003ull,
    0x0010000000000000ull, 0x7fefffffffffffffull, 0x1e30000000000000ull, 0x7ff0000000000000ull,
    0x7ff4000000000000ull, 0x43e0000000000000ull,
};
static const uint32_t F[] = {
    0x3f800000, 0x40400000, 0x80000000, 0x00000003, 0x00800000, 0x7f7fffff, 0x1e000000,
    0x7f800000, 0x7fa00000, 0x5f000000,
};
#define N (sizeof D / sizeof D[0])

/* Each exception unmasked alone, all of them, underflow with FTZ and DAZ, inexact with PE
 * already set (only a raised exception traps). */
static const unsigned MXCSR[] = {
    0x1f00, 0x1e80, 0x1d80, 0x1b80, 0x1780, 0x0f80, 0x0000, 0x97c0, 0x0fa0,
};

static void one(unsigned k, unsigned s, unsigned i, unsigned j) {
    const struct op *o = &OPS[k];
    unsigned m = MXCSR[s];
    struct io v;
    memset(&v, 0, sizeof v);
    if (o->single) {
        v.a[0] = F[i] | (uint64_t)F[j] << 32; v.a[1] = F[(i + 3) % N] | (uint64_t)F[(j + 5) % N] << 32;
        v.b[0] = F[j] | (uint64_t)F[i] << 32; v.b[1] = F[(j + 7) % N] | (uint64_t)F[(i + 1) % N] << 32;
    } else {
        v.a[0] = D[i]; v.a[1] = D[j];
        v.b[0] = D[j]; v.b[1] = D[i];
    }
    v.mxcsr = m;
    trapped = 0;
    if (sigsetjmp(env, 1) == 0) o->run(&v);
    if (trapped)
        printf("%s %04x %u %u: SIGFPE code %d addr %+ld rip %+ld mxcsr %04x xmm0 %016llx:%016llx rax %016llx fl %03llx\n",
               o->name, m, i, j, code, addr_delta, rip_delta, t_mxcsr, (unsigned long long)t_hi,
               (unsigned long long)t_lo, (unsigned long long)t_rax, (unsigned long long)t_flags);
    else
        printf("%s %04x %u %u: mxcsr %04x xmm0 %016llx:%016llx rax %016llx fl %03llx\n", o->name, m, i, j,
               v.mxcsr_out, (unsigned long long)v.out[1], (unsigned long long)v.out[0],
               (unsigned long long)v.rax, (unsigned long long)(v.flags & 0x8d5));
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "die") == 0) {
        feenableexcept(FE_DIVBYZERO);
        volatile double one = 1.0, zero = 0.0, r = one / zero;
        printf("not killed: %g\n", r);
        return 0;
    }
    catch_sigfpe(handler);
    int traps = every_case(sizeof OPS / sizeof OPS[0], sizeof MXCSR / sizeof MXCSR[0], N, one);
    /* C arithmetic with feenableexcept, recovered by the handler. */
    static const int except[] = {FE_INVALID, FE_DIVBYZERO, FE_OVERFLOW, FE_UNDERFLOW, FE_INEXACT};
    for (int e = 0; e < 5; e++) {
        volatile double x = 0, y = 0;
        trapped = 0;
        label = 0;
        if (sigsetjmp(env, 1) == 0) {
            feclearexcept(FE_ALL_EXCEPT);
            feenableexcept(except[e]);
            volatile double big = 1e300, small = 1e-300, three = 3, zero = 0;
            x = zero / zero + 1 / zero + big * big + small * small + 1 / three;
            y = x;
        }
        fedisableexcept(FE_ALL_EXCEPT);
        printf("feenableexcept %d: trapped %d code %d x %g y %g\n", except[e], trapped, trapped ? code : 0, x, y);
        traps += trapped;
    }
    printf("%d traps\n", traps);
    return 0;
}
