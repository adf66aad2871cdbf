/* The flags a SIGSEGV handler sees when the faulting instruction is one that would have written
 * all of them (add [m],r; cmp r,[m]; test [m],r; neg [m]; add [m],imm; sub r,[m]) and the
 * instruction before it has a memory access of its own (a load or a push). The native tier for
 * x86-64 guests probes its TLB with host instructions that clobber RFLAGS; it must not count the
 * flags dead before an instruction that overwrites them all when that instruction can leave to
 * the interpreter at its access: a fault there shows the flags as they were before it (found by
 * the x86 fuzzer, Fuzz/Harnesses/x86.swift: AF lost). Each loop runs hot first (compiled), then
 * faults at the page that follows its buffer; the host CPU is the reference. */
#define _GNU_SOURCE
#include "segv_page.h"
#include <stdlib.h>

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld rcx=%lld rdx=%llx flags=%03llx\n",
           (long)((unsigned char *)si->si_addr - page), (long long)g[REG_RCX],
           (unsigned long long)g[REG_RDX], (unsigned long long)(g[REG_EFL] & 0x8d5));
    (void)sig;
    siglongjmp(back, 1);
}

/* Each loop: a flag-setting add whose result varies (every arithmetic flag changes from round to
 * round), a load or push (a probe), then FAULTING on (%rsi), which overwrites all the flags when it
 * completes. */
#define LOOP(name, between, faulting)                                                          \
    __attribute__((noinline)) static long name(unsigned char *p, long n, unsigned long d) {   \
        long scratch = 0;                                                                     \
        __asm__ volatile(                                                                     \
            "1:\n\t"                                                                          \
            "add %%rdx, %%rdx\n\t"                                                             \
            "adc $0x3b7, %%rdx\n\t"                                                           \
            between "\n\t"                                                                    \
            faulting "\n\t"                                                                   \
            "lea 8(%%rsi), %%rsi\n\t"                                                         \
            "dec %%rcx\n\t"                                                                   \
            "jnz 1b\n\t"                                                                      \
            : "+S"(p), "+c"(n), "+d"(d), "+a"(scratch) : "D"(page) : "r8", "cc", "memory");    \
        return (long)d + scratch;                                                             \
    }

LOOP(add_mr, "mov (%%rdi), %%r8", "add %%r8, (%%rsi)")
LOOP(cmp_rm, "mov 8(%%rdi), %%r8", "cmp (%%rsi), %%r8")
LOOP(test_mr, "mov 16(%%rdi), %%r8", "test %%r8, (%%rsi)")
LOOP(neg_m, "mov 24(%%rdi), %%r8", "negq (%%rsi)")
LOOP(add_mi, "mov 32(%%rdi), %%r8", "addq $5, (%%rsi)")
LOOP(sub_rm, "push %%r8\n\tpop %%r8", "sub (%%rsi), %%rax")

/* push as the faulting access, an instruction that writes every flag after it: the loop's stack
 * is p (the pushes run down into the read-only page); the handler runs on its own stack, and
 * siglongjmp puts the real one back. */
__attribute__((noinline)) static long push_m(unsigned char *p, long n, unsigned long d) {
    __asm__ volatile(
        "mov %%rsp, %%r9\n\t"
        "mov %%rsi, %%rsp\n\t"
        "1:\n\t"
        "add %%rdx, %%rdx\n\t"
        "adc $0x3b7, %%rdx\n\t"
        "mov (%%rdi), %%r8\n\t"
        "push %%r8\n\t"
        "sub $1, %%rcx\n\t"
        "jnz 1b\n\t"
        "mov %%rsp, %%rsi\n\t"
        "mov %%r9, %%rsp\n\t"
        : "+S"(p), "+c"(n), "+d"(d) : "D"(page) : "r8", "r9", "cc", "memory");
    return (long)d + (long)(p - page);
}

typedef long (*loop_fn)(unsigned char *, long, unsigned long);

static void run(const char *name, loop_fn f, unsigned char *limit, int writes) {
    printf("%s:\n", name);
    unsigned char *start = limit - 8 * 40;
    long s = 0;
    for (int round = 0; round < 300; round++) s += f(start + 8 * (round % 8), 30, 0x9e3779b97f4a7c15UL * round);
    printf("  sum %ld\n", s);
    /* Fault after 0 to 26 iterations, with other flags each time. */
    for (int k = 0; k < 6; k++) {
        long before = k * 5 + k / 2;
        if (sigsetjmp(back, 1) == 0) {
            f(limit - 8 * before, 40, 0x9e3779b97f4a7c15UL * (k + 1) + (writes ? 9 : 0));
            printf("  no fault?\n");
        }
    }
}

int main(void) {
    catch_segv(on_segv);
    /* rw, read-only, rw, inaccessible: stores run up to the read-only page, loads up to the last. */
    page = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 3 * 4096; i++) page[i] = (unsigned char)(i * 13 + 5);
    mprotect(page + 4096, 4096, PROT_READ);
    mprotect(page + 3 * 4096, 4096, PROT_NONE);
    unsigned char *readOnly = page + 4096, *none = page + 3 * 4096;
    run("add [m], r", add_mr, readOnly, 1);
    run("cmp r, [m]", cmp_rm, none, 0);
    run("test [m], r", test_mr, none, 0);
    run("neg [m]", neg_m, readOnly, 1);
    run("add [m], imm", add_mi, readOnly, 1);
    run("sub r, [m] after push/pop", sub_rm, none, 0);
    /* The stack runs down from the third page's start + 8 * 40 into the read-only page. */
    stack_t alt = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
    sigaltstack(&alt, 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, 0);
    printf("push:\n");
    long s = 0;
    for (int round = 0; round < 300; round++) s += push_m(page + 2 * 4096 + 8 * 40 - 8 * (round % 8), 30, 0x9e3779b97f4a7c15UL * round);
    printf("  sum %ld\n", s);
    for (int k = 0; k < 6; k++) {
        if (sigsetjmp(back, 1) == 0) {
            push_m(page + 2 * 4096 + 8 * (k * 5 + k / 2), 40, 0x9e3779b97f4a7c15UL * (k + 1));
            printf("  no fault?\n");
        }
    }
    return 0;
}
