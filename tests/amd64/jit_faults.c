/* What the native tier for x86-64 guests adds (Sources/X86Native): hot loops run compiled, with
 * the guest's flags in the host's RFLAGS. Each loop below runs hundreds of times, so with the
 * default threshold (and the tests' lower ones) it runs compiled, and each is a function of its
 * own (noinline), so the calls that fault run the compiled loop too; the host CPU is the reference.
 *  - a load faulting in a hot loop with flags live across it (cmp; load; adc/jcc): SIGSEGV's
 *    si_addr, the loop registers and the arithmetic flags from the handler's ucontext;
 *  - a read-modify-write (add [m], r) faulting (a store into a read-only page);
 *  - loads through fs (a thread-local counter) and 8/16/32/64-bit ALU forms, shifts by cl and
 *    imm, imul, setcc, cmovcc, adc/sbb chains, whose results and flags are summed. */
#define _GNU_SOURCE
#include "segv_page.h"
#include <string.h>

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld rcx=%lld rdx=%lld rsi-page=%lld flags=%03llx\n",
           (long)((unsigned char *)si->si_addr - page), (long long)g[REG_RCX], (long long)g[REG_RDX],
           (long long)((unsigned char *)g[REG_RSI] - page), (unsigned long long)(g[REG_EFL] & 0x8d5));
    (void)sig;
    siglongjmp(back, 1);
}

/* Sums bytes from p upwards while counting down rcx; the cmp before the load sets the flags the
 * adc after it reads, so they are live across the load (and its TLB probe). */
__attribute__((noinline)) static long sum_across(unsigned char *p, long n) {
    long acc = 0, zero = 0;
    __asm__ volatile(
        "1:\n\t"
        "cmp $100, %%rcx\n\t"
        "movzbl (%%rsi), %%edx\n\t"
        "adc %%rdx, %[acc]\n\t"
        "lea 1(%%rsi), %%rsi\n\t"
        "cmovb %[zero], %%rdx\n\t"
        "dec %%rcx\n\t"
        "jnz 1b\n\t"
        : [acc] "+r"(acc), "+S"(p), "+c"(n) : [zero] "r"(zero) : "rdx", "cc", "memory");
    return acc;
}

/* Adds to every 8-byte word from p on (a read-modify-write), flags live across it. */
__attribute__((noinline)) static void add_across(unsigned char *p, long n) {
    __asm__ volatile(
        "1:\n\t"
        "mov $7, %%edx\n\t"
        "cmp %%rdx, %%rcx\n\t"
        "add %%rdx, (%%rsi)\n\t"
        "lea 8(%%rsi), %%rsi\n\t"
        "dec %%rcx\n\t"
        "jnz 1b\n\t"
        : "+S"(p), "+c"(n) : : "rdx", "cc", "memory");
}

static __thread long tls_counter;

__attribute__((noinline)) static unsigned long mix(unsigned long x, unsigned long y, int round) {
    unsigned long r = x;
    unsigned char b = (unsigned char)y;
    unsigned short w = (unsigned short)(x >> 8);
    unsigned int d = (unsigned int)(x ^ y);
    unsigned long flags;
    __asm__ volatile(
        "add %[y], %[r]\n\t"
        "adc $3, %[r]\n\t"
        "sbb %[y], %[r]\n\t"
        "addb $77, %[b]\n\t"
        "adcb %[b], %[b]\n\t"
        "rolw %%cl, %[w]\n\t"
        "shrl $3, %[d]\n\t"
        "sarq %%cl, %[r]\n\t"
        "imul %[d], %[d]\n\t"
        "imulq $-7, %[r], %[r]\n\t"
        "xorw $0x5a5a, %[w]\n\t"
        "negb %[b]\n\t"
        "notl %[d]\n\t"
        "cmp %[y], %[r]\n\t"
        "cmovl %[y], %[r]\n\t"
        "sete %%al\n\t"
        "pushf\n\t"
        "pop %[f]\n\t"
        : [r] "+&r"(r), [b] "+&q"(b), [w] "+&r"(w), [d] "+&r"(d), [f] "=&r"(flags)
        : [y] "r"(y), "c"(round & 63) : "rax", "cc");
    tls_counter += (long)(r & 0xff);
    return r ^ b ^ ((unsigned long)w << 8) ^ ((unsigned long)d << 16) ^ ((flags & 0x8d5) << 40);
}

/* cbw/cwde/cdqe and cwd/cdq/cqo with the flags of a compare live across them. */
__attribute__((noinline)) static unsigned long widen(unsigned long x, unsigned long y) {
    unsigned long r1, r2, r3, r4, r5, r6, flags;
    __asm__ volatile(
        "cmp %[y], %[x]\n\t"
        "mov %[x], %%rax\n\t" "mov %[y], %%rdx\n\t" "cbtw\n\t" "mov %%rax, %[r1]\n\t"
        "mov %[y], %%rax\n\t" "cwtl\n\t" "mov %%rax, %[r2]\n\t"
        "mov %[x], %%rax\n\t" "cltq\n\t" "mov %%rax, %[r3]\n\t"
        "mov %[x], %%rax\n\t" "mov %[y], %%rdx\n\t" "cwtd\n\t" "mov %%rdx, %[r4]\n\t"
        "mov %[y], %%rax\n\t" "mov %[x], %%rdx\n\t" "cltd\n\t" "mov %%rdx, %[r5]\n\t"
        "mov %[x], %%rax\n\t" "cqto\n\t" "mov %%rdx, %[r6]\n\t"
        "pushf\n\t"
        "pop %[f]\n\t"
        : [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4), [r5] "=&r"(r5), [r6] "=&r"(r6), [f] "=&r"(flags)
        : [x] "r"(x), [y] "r"(y) : "rax", "rdx", "cc");
    return r1 ^ (r2 << 1) ^ (r3 << 2) ^ (r4 << 3) ^ (r5 << 4) ^ (r6 << 5) ^ ((flags & 0x8d5) << 40);
}

/* movd/movq between general and xmm registers and memory, movsd's register and load forms. */
__attribute__((noinline)) static unsigned long lanes(unsigned long x, unsigned long y, double *slot) {
    unsigned long lo1, hi1, r32, r64, lo2, hi2, m32 = 0;
    __asm__ volatile(
        "pcmpeqd %%xmm1, %%xmm1\n\t"          /* all ones: the zeroed upper lanes show */
        "pcmpeqd %%xmm2, %%xmm2\n\t"
        "movd %k[x], %%xmm1\n\t"
        "movq %[y], %%xmm2\n\t"
        "movq %%xmm1, %[lo1]\n\t"
        "pextrq $1, %%xmm1, %[hi1]\n\t"
        "movd %%xmm2, %k[r32]\n\t"
        "movq %%xmm2, %[r64]\n\t"
        "movd %%xmm2, %[m32]\n\t"
        "movsd %%xmm2, %%xmm1\n\t"            /* low lane only */
        "movsd %[slot], %%xmm2\n\t"           /* load: upper lane zeroed */
        "movq %%xmm1, %[lo2]\n\t"
        "pextrq $1, %%xmm2, %[hi2]\n\t"
        "movd %[m32], %%xmm1\n\t"
        "movq %%xmm1, %%rax\n\t"
        "add %%rax, %[hi2]\n\t"
        : [lo1] "=&r"(lo1), [hi1] "=&r"(hi1), [r32] "=&r"(r32), [r64] "=&r"(r64), [lo2] "=&r"(lo2),
          [hi2] "=&r"(hi2), [m32] "+m"(m32)
        : [x] "r"(x), [y] "r"(y), [slot] "m"(*slot) : "rax", "xmm1", "xmm2", "cc");
    return lo1 ^ (hi1 << 1) ^ (r32 << 2) ^ (r64 << 3) ^ (lo2 << 4) ^ (hi2 << 5);
}

int main(void) {
    catch_segv(on_segv);

    page = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4096; i++) page[i] = (unsigned char)(i * 7);
    mprotect(page + 4096, 4096, PROT_NONE);
    mprotect(page + 2 * 4096, 4096, PROT_READ);

    printf("loads, flags live across them:\n");
    for (int round = 0; round < 400; round++) {
        long n = 50 + round % 7;
        long s = sum_across(page + 1000 + round, n);
        if (round % 50 == 0) printf("  round %d: %ld\n", round, s);
    }
    for (int k = 0; k < 3; k++) {
        if (sigsetjmp(back, 1) == 0) {
            long s = sum_across(page + 4096 - 60 - k, 200);
            printf("  no fault? %ld\n", s);
        }
    }
    printf("read-modify-writes:\n");
    for (int round = 0; round < 300; round++) add_across(page + 8 * (round % 16), 30);
    long words = 0;
    for (int i = 0; i < 512; i++) words += ((long *)page)[i];
    printf("  sum %ld\n", words);
    for (int k = 0; k < 2; k++) {
        if (sigsetjmp(back, 1) == 0) {
            add_across(page + 2 * 4096 - 64 - 8 * k, 40);
            printf("  no fault?\n");
        }
    }
    printf("mixed ALU forms:\n");
    unsigned long acc = 0x0123456789abcdefUL;
    for (int round = 0; round < 3000; round++) {
        acc = acc * 6364136223846793005UL + 1442695040888963407UL;
        unsigned long v = mix(acc, acc >> 17 | (unsigned long)round, round);
        acc ^= v;
        if (round % 500 == 0) printf("  round %d: %016lx\n", round, acc);
    }
    printf("  final %016lx tls %ld\n", acc, tls_counter);
    printf("sign extensions:\n");
    for (int round = 0; round < 3000; round++) {
        acc = acc * 6364136223846793005UL + 1442695040888963407UL;
        unsigned long v = widen(acc, acc << (round & 31) | (unsigned long)(round & 0xff) << 7);
        acc ^= v;
        if (round % 500 == 0) printf("  round %d: %016lx\n", round, acc);
    }
    printf("  final %016lx\n", acc);
    printf("xmm moves:\n");
    double slot = 1.5;
    for (int round = 0; round < 3000; round++) {
        acc = acc * 6364136223846793005UL + 1442695040888963407UL;
        slot = slot * 1.25 + (double)(round & 7);
        unsigned long v = lanes(acc, acc >> 13, &slot);
        acc ^= v;
        if (round % 500 == 0) printf("  round %d: %016lx\n", round, acc);
    }
    printf("  final %016lx\n", acc);
    return 0;
}
