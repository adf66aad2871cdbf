/* Pairs the interpreter fuses into one slot (Fusion.fuseWithBranch): ld, lbu or srli followed by
 * an in-page beq/bne (32-bit and compressed forms, taken and not taken, the branch reading the
 * first's result or other registers), addi followed by an in-page `j`, jumps that land on the
 * second instruction of such a pair, and a fused ld that faults (the fault is at the ld and
 * nothing of the pair has retired). Everything is compared with qemu. */
#include "isa.h"
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

struct node { uint64_t value; struct node *next; };

/* ld + bnez / c.ld + c.bnez: walk a list to its end (the load's destination is its own base). */
static void list_walk(struct node *head) {
    uint64_t sum = 0, steps = 0;
    struct node *p = head, *q = head;
    __asm__ volatile("1:\n\t"
                     "ld t0,0(%2)\n\t"
                     "add %0,%0,t0\n\t"
                     "addi %1,%1,1\n\t"
                     "ld %2,8(%2)\n\t"
                     "bnez %2,1b\n\t"
                     : "+r"(sum), "+r"(steps), "+r"(p) : : "t0", "memory");
    register struct node *s0 __asm__("s0") = q;
    register uint64_t s1 __asm__("s1") = 0;
    __asm__ volatile("1:\n\t"
                     "c.addi s1,1\n\t"
                     "c.ld s0,8(s0)\n\t"
                     "c.bnez s0,1b\n\t"
                     : "+r"(s0), "+r"(s1) : : "memory");
    printf("list sum=%llu steps=%llu c.steps=%llu\n", (unsigned long long)sum, (unsigned long long)steps,
           (unsigned long long)s1);
}

/* ld + beq/bne comparing the loaded value with another register: find a key. */
static void find_key(const uint64_t *a, uint64_t key) {
    const uint64_t *p = a;
    uint64_t t;
    __asm__ volatile("1:\n\t"
                     "addi %0,%0,8\n\t"
                     "ld %1,-8(%0)\n\t"
                     "bne %1,%2,1b\n\t"
                     : "+r"(p), "=&r"(t) : "r"(key) : "memory");
    const uint64_t *e = a;
    __asm__ volatile("1:\n\t"
                     "ld %1,0(%0)\n\t"
                     "beq %1,%2,2f\n\t"
                     "addi %0,%0,8\n\t"
                     "j 1b\n"
                     "2:"
                     : "+r"(e), "=&r"(t) : "r"(key) : "memory");
    printf("find %llx at %ld and %ld\n", (unsigned long long)key, (long)(p - 1 - a), (long)(e - a));
}

/* lbu + bnez (strlen), lbu + beq/bne against a character (strchr-like), lbu into x0. */
static void strings(const char *s, char c) {
    const char *p = s;
    uint64_t ch;
    __asm__ volatile("1:\n\t"
                     "addi %0,%0,1\n\t"
                     "lbu %1,-1(%0)\n\t"
                     "bnez %1,1b\n\t"
                     : "+r"(p), "=&r"(ch) : : "memory");
    const char *q = s;
    __asm__ volatile("1:\n\t"
                     "lbu %1,0(%0)\n\t"
                     "beq %1,%2,2f\n\t"
                     "addi %0,%0,1\n\t"
                     "lbu %1,0(%0)\n\t"
                     "bne %1,zero,1b\n"
                     "2:"
                     : "+r"(q), "=&r"(ch) : "r"((uint64_t)(unsigned char)c) : "memory");
    uint64_t seen = 7;
    __asm__ volatile("lbu zero,0(%1)\n\t"
                     "beqz zero,1f\n\t"
                     "li %0,0\n"
                     "1:"
                     : "+r"(seen) : "r"(s) : "memory");
    printf("strlen=%ld strchr(%c)=%ld x0-load taken=%llu\n", (long)(p - s - 1), c, (long)(q - s),
           (unsigned long long)seen);
}

/* srli + bnez / c.srli + c.bnez (bit loops), srli + beq with the result not the operand. */
static void bit_loops(uint64_t x) {
    uint64_t v = x, n = 0;
    if (v)
        __asm__ volatile("1:\n\t"
                         "addi %1,%1,1\n\t"
                         "srli %0,%0,1\n\t"
                         "bnez %0,1b\n\t"
                         : "+r"(v), "+r"(n));
    register uint64_t s0 __asm__("s0") = x | 1;
    register uint64_t s1 __asm__("s1") = 0;
    __asm__ volatile("1:\n\t"
                     "c.addi s1,1\n\t"
                     "c.srli s0,3\n\t"
                     "c.bnez s0,1b\n\t"
                     : "+r"(s0), "+r"(s1));
    uint64_t t, same = 0;
    __asm__ volatile("srli %0,%2,63\n\t"
                     "beq %2,%3,1f\n\t"
                     "li %1,1\n"
                     "1:"
                     : "=&r"(t), "+r"(same) : "r"(x), "r"(x));
    printf("bits %016llx: width=%llu c.steps=%llu top=%llu same=%llu\n", (unsigned long long)x,
           (unsigned long long)n, (unsigned long long)s1, (unsigned long long)t, (unsigned long long)same);
}

/* addi + j (32-bit and compressed), and a jump that lands on the `j` of a fused pair. */
static void increment_and_jump(uint64_t n) {
    uint64_t i = 0, acc = 0;
    __asm__ volatile("1:\n\t"
                     "bgeu %1,%2,2f\n\t"
                     "add %0,%0,%1\n\t"
                     "addi %1,%1,1\n\t"
                     "j 1b\n"
                     "2:"
                     : "+r"(acc), "+r"(i) : "r"(n));
    register uint64_t s0 __asm__("s0") = 0;
    register uint64_t s1 __asm__("s1") = 0;
    __asm__ volatile("1:\n\t"
                     "bgeu s0,%2,3f\n\t"
                     "andi t0,s0,1\n\t"
                     "c.addi s0,1\n\t"
                     "bnez t0,2f\n\t"
                     "c.addi s1,3\n\t"
                     "c.j 1b\n"
                     "2:\n\t"
                     "c.addi s1,-1\n\t"
                     "c.j 1b\n"
                     "3:"
                     : "+r"(s0), "+r"(s1) : "r"(n) : "t0");
    uint64_t k = 0, hits = 0;
    __asm__ volatile("j 2f\n"
                     "1:\n\t"
                     "addi %0,%0,1\n"
                     "2:\n\t"
                     "j 3f\n"
                     "3:\n\t"
                     "addi %1,%1,1\n\t"
                     "bltu %0,%2,1b\n\t"
                     : "+r"(k), "+r"(hits) : "r"(n));
    printf("loops n=%llu acc=%llu i=%llu c=%llu/%llu into-j k=%llu hits=%llu\n", (unsigned long long)n,
           (unsigned long long)acc, (unsigned long long)i, (unsigned long long)s0, (unsigned long long)s1,
           (unsigned long long)k, (unsigned long long)hits);
}

/* A fused ld + bnez whose load faults: the fault is reported at the ld, the counter incremented
 * before it has retired, nothing after it. */
static sigjmp_buf env;
static volatile uint64_t fault_pc, fault_addr;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    fault_addr = (uint64_t)si->si_addr;
    fault_pc = ((ucontext_t *)uc)->uc_mcontext.__gregs[REG_PC];
    siglongjmp(env, 1);
}

static void faulting_load(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    static volatile uint64_t before, after;
    static uint64_t ld_pc;
    if (!sigsetjmp(env, 1)) {
        __asm__ volatile("lla t1,1f\n\t"
                         "sd t1,%2\n\t"
                         "li t1,1\n\t"
                         "sd t1,%0\n\t"
                         "li t2,0x10\n"
                         "1:\n\t"
                         "ld t2,8(t2)\n\t"
                         "bnez t2,1b\n\t"
                         "li t1,1\n\t"
                         "sd t1,%1\n\t"
                         : "=m"(before), "=m"(after), "=m"(ld_pc) : : "t1", "t2", "memory");
    }
    printf("fault at %llx, at the ld: %d, before=%llu after=%llu\n", (unsigned long long)fault_addr,
           fault_pc == ld_pc, (unsigned long long)before, (unsigned long long)after);
}

int main(void) {
    static struct node nodes[40];
    for (int i = 0; i < 40; i++) {
        nodes[i].value = (uint64_t)i * i + 3;
        nodes[i].next = i + 1 < 40 ? &nodes[i + 1] : 0;
    }
    /* Enough rounds for the native tier to compile the loops too (the suite runs both tiers). */
    for (int round = 0; round < 300; round++) {
        list_walk(&nodes[round % 40]);
        static uint64_t keys[64];
        for (int i = 0; i < 64; i++) keys[i] = (uint64_t)i * 0x9e3779b97f4a7c15ull;
        find_key(keys, keys[round % 64]);
        strings("the quick brown fox jumps over the lazy dog" + round % 40, "aeiou"[round % 5]);
        bit_loops(int_vals[round % NELEM(int_vals)]);
        increment_and_jump((uint64_t)round % 17);
    }
    faulting_load();
    return 0;
}
