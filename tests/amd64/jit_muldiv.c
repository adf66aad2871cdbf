/* One-operand mul, imul, div and idiv in hot loops (the native tier for x86-64 guests runs them as
 * the host's own, Sources/X86Native/BlockTranslator.swift `mulDiv`), compared with the host CPU:
 *  - 16, 32 and 64 bits, register and memory divisors/multipliers, every result register, CF and
 *    OF after mul/imul (the only flags they define; seto/setc, which compiled code runs too),
 *    a carry set before a division read after it by adc (the flags the host's div leaves);
 *  - the divisions compiled code must not run itself: a dividend wider than rax (rdx not rax's
 *    sign extension, or rdx nonzero for div), idiv by -1, and those that fault: division by zero,
 *    quotient overflow (div with rdx >= divisor, idiv of the most negative value by -1), each
 *    reaching SIGFPE with rax and rdx as before the instruction in the ucontext. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

static sigjmp_buf back;

static void on_fpe(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGFPE code %d rax=%llx rdx=%llx\n", si->si_code, (unsigned long long)g[REG_RAX],
           (unsigned long long)g[REG_RDX]);
    (void)sig;
    siglongjmp(back, 1);
}

/* Each returns a hash of rax, rdx and CF/OF after the operation, over `n` rounds whose operands
 * change every round. The loops are hot: compiled at the tests' thresholds and the default. */
#define MUL_LOOP(name, insn, reg, type)                                                          \
    __attribute__((noinline)) static uint64_t name(uint64_t a, uint64_t b, long n) {             \
        uint64_t h = 0;                                                                           \
        for (long i = 0; i < n; i++) {                                                            \
            uint64_t lo = a + i * 0x9e3779b97f4a7c15ull, hi = 0x1234;                             \
            uint8_t o, c;                                                                         \
            type m = (type)(b ^ (i * 0x2545f4914f6cdd1dull));                                     \
            __asm__ volatile(insn " %[m]\n\tseto %[o]\n\tsetc %[c]"                                \
                             : "+a"(lo), "+d"(hi), [o] "=q"(o), [c] "=q"(c) : [m] reg(m) : "cc"); \
            h = h * 31 + lo * 7 + hi * 3 + o * 2 + c;                                             \
        }                                                                                         \
        return h;                                                                                 \
    }

MUL_LOOP(mul64r, "mulq", "r", uint64_t)
MUL_LOOP(mul64m, "mulq", "m", uint64_t)
MUL_LOOP(imul64r, "imulq", "r", uint64_t)
MUL_LOOP(imul64m, "imulq", "m", uint64_t)
MUL_LOOP(mul32r, "mull", "r", uint32_t)
MUL_LOOP(imul32m, "imull", "m", uint32_t)
MUL_LOOP(mul16r, "mulw", "r", uint16_t)
MUL_LOOP(imul16m, "imulw", "m", uint16_t)

/* Divisions: the dividend's high half comes from `high(i)`, the divisor never faults here. */
#define DIV_LOOP(name, insn, reg, type, setup)                                                   \
    __attribute__((noinline)) static uint64_t name(uint64_t a, uint64_t b, long n) {             \
        uint64_t h = 0;                                                                           \
        for (long i = 0; i < n; i++) {                                                            \
            uint64_t lo = a + i * 0x9e3779b97f4a7c15ull, hi, acc = i, t;                          \
            type d = (type)(b + i * 77);                                                          \
            setup;                                                                                \
            __asm__ volatile("xor %k[t], %k[t]\n\tcmp $1, %k[t]\n\t" insn " %[d]\n\tadc $0, %[acc]" \
                             : "+a"(lo), "+d"(hi), [acc] "+r"(acc), [t] "=&r"(t) : [d] reg(d) : "cc"); \
            h = h * 31 + lo * 7 + hi * 3 + acc;                                                   \
        }                                                                                         \
        return h;                                                                                 \
    }

/* div: rdx below the divisor, nonzero in some rounds (a dividend wider than rax). */
DIV_LOOP(div64r, "divq", "r", uint64_t, { d |= 1ull << 63; hi = i % 5 == 0 ? 0 : (uint64_t)i * 1234567; })
DIV_LOOP(div64m, "divq", "m", uint64_t, { d |= 1; hi = 0; })
DIV_LOOP(div32r, "divl", "r", uint32_t, { d |= 1u << 31; hi = (uint32_t)i * 3; })
DIV_LOOP(div16m, "divw", "m", uint16_t, { d |= 0x8000; hi = (uint16_t)i; })
/* idiv: rdx the sign extension of rax (compiled), or a wider dividend, or a divisor of -1. */
DIV_LOOP(idiv64r, "idivq", "r", int64_t,
         { d = i % 7 == 3 ? -1 : (d | 1) + 4; hi = i % 4 == 1 && d != -1 ? 1 : (uint64_t)((int64_t)lo >> 63); })
DIV_LOOP(idiv64m, "idivq", "m", int64_t, { d = (d % 1000) - 500; if (d == 0) d = 3; hi = (uint64_t)((int64_t)lo >> 63); })
DIV_LOOP(idiv32r, "idivl", "r", int32_t,
         { d = (d | 1) - 0x4000; hi = i % 3 == 0 ? 0 : (uint32_t)((int32_t)lo >> 31); })
DIV_LOOP(idiv16m, "idivw", "m", int16_t, { d = (int16_t)((d % 200) + 300); hi = (uint16_t)((int16_t)lo >> 15); })

/* Faulting divisions inside a hot loop: the loop runs compiled, then meets the fault. */
__attribute__((noinline)) static uint64_t divide_until(uint64_t hi_at_fault, uint64_t divisor_at_fault,
                                                       int idiv, uint64_t lo_at_fault) {
    uint64_t h = 0;
    for (long i = 0; i < 2000; i++) {
        uint64_t lo = 1000 + i, hi = 0, d = 7;
        if (i == 1999) { lo = lo_at_fault; hi = hi_at_fault; d = divisor_at_fault; }
        if (idiv) __asm__ volatile("idivq %[d]" : "+a"(lo), "+d"(hi) : [d] "r"(d) : "cc");
        else __asm__ volatile("divq %[d]" : "+a"(lo), "+d"(hi) : [d] "r"(d) : "cc");
        h = h * 31 + lo + hi;
    }
    return h;
}

int main(void) {
    long n = 3000;
    printf("mul64r %016llx\n", (unsigned long long)mul64r(3, 0xfedcba9876543210ull, n));
    printf("mul64m %016llx\n", (unsigned long long)mul64m(5, 0x1ull << 40, n));
    printf("imul64r %016llx\n", (unsigned long long)imul64r(-7, 0x8000000000000001ull, n));
    printf("imul64m %016llx\n", (unsigned long long)imul64m(11, 3, n));
    printf("mul32r %016llx\n", (unsigned long long)mul32r(0xffffffff, 0x80000001, n));
    printf("imul32m %016llx\n", (unsigned long long)imul32m(-3, 0x7fffffff, n));
    printf("mul16r %016llx\n", (unsigned long long)mul16r(0xffff, 0x8001, n));
    printf("imul16m %016llx\n", (unsigned long long)imul16m(-2, 0x4000, n));
    printf("div64r %016llx\n", (unsigned long long)div64r(123456789, 99, n));
    printf("div64m %016llx\n", (unsigned long long)div64m(~0ull, 3, n));
    printf("div32r %016llx\n", (unsigned long long)div32r(0xdeadbeef, 17, n));
    printf("div16m %016llx\n", (unsigned long long)div16m(0xbeef, 5, n));
    printf("idiv64r %016llx\n", (unsigned long long)idiv64r(-123456789, 99, n));
    printf("idiv64m %016llx\n", (unsigned long long)idiv64m(0x8000000000000000ull, 13, n));
    printf("idiv32r %016llx\n", (unsigned long long)idiv32r(0x80000000, 17, n));
    printf("idiv16m %016llx\n", (unsigned long long)idiv16m(0x8000, 5, n));

    struct sigaction sa = {0};
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, 0);
    struct { const char *what; uint64_t hi, d, lo; int idiv; } faults[] = {
        {"div by zero", 0, 0, 5, 0},
        {"div quotient too wide", 9, 9, 5, 0},
        {"idiv by zero", 0, 0, 5, 1},
        {"idiv most negative by -1", ~0ull, ~0ull, 0x8000000000000000ull, 1},
        {"idiv quotient too wide", 0x40000000, 2, 0, 1},
    };
    for (unsigned k = 0; k < sizeof faults / sizeof faults[0]; k++) {
        printf("%s\n", faults[k].what);
        if (sigsetjmp(back, 1) == 0)
            printf("  no fault %016llx\n", (unsigned long long)divide_until(faults[k].hi, faults[k].d, faults[k].idiv, faults[k].lo));
    }
    return 0;
}
