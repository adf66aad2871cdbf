/* The interpreter's flag liveness (Sources/X86/X86FlagsLiveness.swift): an add, and, sub, xor,
 * sar, shr or imul whose flags a later instruction of its block overwrites before anything reads
 * them runs without computing them. The host CPU is the reference for:
 *  - each such form with its flags dead (the results), and with them live across register moves
 *    (read by setcc, jcc, pushf, adc and cmov after movs and a lea; AF, undefined after xor, left
 *    out);
 *  - flags live across a load that faults (SIGSEGV: the handler prints the arithmetic flags from
 *    its ucontext, which must be those of the instruction before the load), including the
 *    movswl + imul pair (a fault in its load: nothing of it done, rip at the load);
 *  - the je/jne taken straight from a fused compare's result (X86Attrs.fusedZero), for each
 *    operand size and operation that fuses a jcc.
 * Each block runs once per call and the calls repeat, so the blocks also run decoded before. */
#define _GNU_SOURCE
#include "segv_page.h"

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld rax=%llx rdx=%llx flags=%03llx\n",
           (long)((unsigned char *)si->si_addr - page), (unsigned long long)g[REG_RAX],
           (unsigned long long)g[REG_RDX], (unsigned long long)(g[REG_EFL] & 0x8d5));
    (void)sig;
    siglongjmp(back, 1);
}

/* Dead flags: every form is followed (after register moves) by a compare that overwrites them. */
__attribute__((noinline)) static unsigned long dead(unsigned long x, unsigned long y) {
    unsigned long a = x, b = y, c = x ^ y, d = y * 3, e = x + 11, f = x >> 3, g = y | 5;
    unsigned long flags;
    __asm__ volatile(
        "addl %k[b], %k[a]\n\t"
        "mov %[a], %[c]\n\t"
        "addl $0x7fffff11, %k[c]\n\t"
        "addq $-77, %[d]\n\t"
        "andl $0xf0f0f0f, %k[e]\n\t"
        "subl $12345, %k[f]\n\t"
        "xorl %k[a], %k[g]\n\t"
        "sarl $5, %k[a]\n\t"
        "shrb $1, %b[b]\n\t"
        "shrw $3, %w[c]\n\t"
        "xorw $0x1234, %w[d]\n\t"
        "imull %k[e], %k[f]\n\t"
        "imull $-9, %k[g], %k[g]\n\t"
        "cmp %[b], %[a]\n\t"
        "pushfq\n\t"
        "popq %[fl]\n\t"
        : [a] "+r"(a), [b] "+q"(b), [c] "+r"(c), [d] "+r"(d), [e] "+r"(e), [f] "+r"(f), [g] "+r"(g),
          [fl] "=r"(flags) : : "cc");
    return a ^ (b << 1) ^ (c << 2) ^ (d << 3) ^ (e << 4) ^ (f << 5) ^ (g << 6) ^ ((flags & 0x8d5) << 40);
}

/* Live flags: each form's flags read after register moves (setcc, jcc, pushf, adc, cmov). */
__attribute__((noinline)) static unsigned long live(unsigned long x, unsigned long y) {
    unsigned long a = x, b = y, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, fl = 0;
    __asm__ volatile(
        "addl %k[b], %k[a]\n\t"
        "mov %[a], %[r5]\n\t"
        "lea 1(%[r5]), %[r5]\n\t"
        "seto %b[r1]\n\t"
        "sarl $3, %k[a]\n\t"
        "mov %[a], %[r2]\n\t"
        "jc 1f\n\t"
        "or $256, %[r2]\n\t"
        "1:\n\t"
        "imull %k[b], %k[a]\n\t"
        "mov %[b], %[r3]\n\t"
        "adc $0, %[r3]\n\t"
        "andl $0x80000001, %k[a]\n\t"
        "movzbl %b[b], %k[r4]\n\t"
        "cmovs %[b], %[r4]\n\t"
        "xorw $0x8001, %w[b]\n\t"
        "mov %[b], %[fl]\n\t"
        "pushfq\n\t"
        "popq %[fl]\n\t"
        : [a] "+r"(a), [b] "+q"(b), [r1] "+q"(r1), [r2] "+r"(r2), [r3] "+r"(r3), [r4] "+r"(r4),
          [r5] "+r"(r5), [fl] "+r"(fl) : : "cc");
    return a ^ (b << 3) ^ (r1 << 7) ^ (r2 << 9) ^ (r3 << 13) ^ (r4 << 17) ^ (r5 << 19) ^ ((fl & 0x8c5) << 44);
}

/* Flags live across a faulting load: the add's (or the sub's) must be in the handler's context. */
__attribute__((noinline)) static void fault_add(unsigned char *p, unsigned long x) {
    __asm__ volatile(
        "mov %[x], %%rax\n\t"
        "mov $5, %%edx\n\t"
        "addl $0x7fffffff, %%eax\n\t"
        "movl (%[p]), %%edx\n\t"
        "cmp %%edx, %%eax\n\t"
        : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}

/* movswl + imul (a pair) after a sub whose flags are live across the pair's load. */
__attribute__((noinline)) static void fault_imul(unsigned char *p, unsigned long x) {
    __asm__ volatile(
        "mov %[x], %%rax\n\t"
        "mov $3, %%edx\n\t"
        "subl $0x12345, %%eax\n\t"
        "movswl (%[p]), %%edx\n\t"
        "imull %%edx, %%eax\n\t"
        "test %%eax, %%eax\n\t"
        : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}

/* The same pair reading a good page, imul's flags dead (the test after it). */
__attribute__((noinline)) static unsigned long load_imul(const short *p, unsigned long x) {
    unsigned long a = x, d = 0;
    __asm__ volatile(
        "movswl (%[p]), %k[d]\n\t"
        "imull %k[d], %k[a]\n\t"
        "test %k[a], %k[a]\n\t"
        : [a] "+r"(a), [d] "+r"(d) : [p] "r"(p) : "cc", "memory");
    return a ^ (d << 32);
}

/* je/jne straight after each operation that fuses one, at each size: 1 bit per branch taken. */
__attribute__((noinline)) static unsigned long zero_branches(unsigned long x, unsigned long y) {
    unsigned long bits = 0, a = x, b = y;
#define BR(insn, jcc, n) \
    __asm__ volatile(insn "\n\t" jcc " 1f\n\t" "jmp 2f\n\t" "1: or %[bit], %[bits]\n\t" "2:\n\t" \
                     : [bits] "+r"(bits), [a] "+r"(a), [b] "+q"(b) : [bit] "r"(1UL << (n)) : "cc")
    BR("cmp %[b], %[a]", "je", 0);
    BR("cmp %[b], %[a]", "jne", 1);
    BR("cmpl %k[b], %k[a]", "je", 2);
    BR("cmpw %w[b], %w[a]", "jne", 3);
    BR("cmpb %b[b], %b[a]", "je", 4);
    BR("cmp $0x55, %[a]", "je", 5);
    BR("cmpl $-1, %k[a]", "jne", 6);
    BR("cmpb $0x11, %b[b]", "je", 7);
    BR("test %[a], %[b]", "je", 8);
    BR("testl %k[a], %k[b]", "jne", 9);
    BR("testb %b[b], %b[b]", "je", 10);
    BR("testw $0xff00, %w[a]", "je", 11);
    BR("subl $1, %k[a]", "jne", 12);
    BR("subb $0x11, %b[b]", "je", 13);
    BR("sub $2, %[b]", "je", 14);
    BR("decl %k[a]", "je", 15);
    BR("incw %w[b]", "jne", 16);
    BR("inc %[a]", "je", 17);
    BR("cmpb $0, (%%rsp)", "jne", 18);
    return bits ^ (a << 20) ^ (b << 40);
#undef BR
}

int main(void) {
    static const unsigned long vals[] = {0, 1, 2, 0x11, 0x55, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
                                         0x10000, 0x12345, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
                                         0x100000000, 0x8000000000000000, 0xffffffffffffffff, 0x1122334455667788};
    const int n = sizeof vals / sizeof vals[0];
    unsigned long sum = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                unsigned long d = dead(vals[i], vals[j]), l = live(vals[i], vals[j]);
                unsigned long z = zero_branches(vals[i], vals[j]);
                if (round == 0) printf("%lx %lx: dead %lx live %lx zero %lx\n", vals[i], vals[j], d, l, z);
                sum = sum * 31 + (d ^ l ^ z);
            }
        }
    }
    printf("sum %lx\n", sum);
    short words[] = {-3, 7, 0x7fff, -0x8000};
    for (int i = 0; i < 4; i++) printf("load_imul %lx\n", load_imul(&words[i], 0x10001 * (i + 3)));

    page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    catch_segv(on_segv);
    static const unsigned long fx[] = {0, 1, 0x12345, 0x80000000, 0xffffffff};
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 5; i++) {
            if (!sigsetjmp(back, 1)) { fault_add(page + 4096, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_imul(page + 4097, fx[i]); printf("  no fault\n"); }
        }
    }
    return 0;
}
