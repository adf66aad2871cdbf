/* The interpreter's per-size memory forms and its compares with a fused je/jne
 * (Sources/X86/X86Specialise.swift: cmp r,[m] at 16, 32 and 64 bits, cmp [m],imm8, add [m],imm32,
 * cmp r16,r16; the `Z` forms of every operation that fuses a jcc, pairs included). The host CPU
 * is the reference for:
 *  - each form's branch (every jcc after the memory compares, je/jne after the others) and the
 *    flags after it (pushf, also after a fused je/jne not taken), for operands at the edges of
 *    each size;
 *  - add [m],imm32's result in memory and its flags;
 *  - faults (SIGSEGV: the handler prints rdx, the arithmetic flags and the fault address from
 *    its ucontext, and the memory word): a compare whose load faults leaves the instruction
 *    before it done (rdx and the flags of that instruction) and its jcc not taken; add [m],imm32
 *    on a read-only page leaves memory and the flags as they were; the load of a load+test pair
 *    faulting leaves the test undone.
 * Each block runs once per call and the calls repeat, so the blocks also run decoded before. */
#define _GNU_SOURCE
#include "segv_page.h"

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld rdx=%llx flags=%03llx word=%x\n",
           (long)((unsigned char *)si->si_addr - page), (unsigned long long)g[REG_RDX],
           (unsigned long long)(g[REG_EFL] & 0x8d5), *(unsigned *)(page + 4092));
    (void)sig;
    siglongjmp(back, 1);
}

/* The memory compares with each jcc: bit n set when branch n is taken; the flags after the last. */
__attribute__((noinline)) static unsigned long mem_branches(const unsigned long *m, unsigned long x) {
    unsigned long bits = 0, a = x, fl = 0;
#define BR(insn, jcc, n) \
    __asm__ volatile(insn "\n\t" jcc " 1f\n\t" "jmp 2f\n\t" "1: or %[bit], %[bits]\n\t" "2:\n\t" \
                     : [bits] "+r"(bits), [a] "+r"(a) : [bit] "r"(1UL << (n)), [m] "r"(m) : "cc", "memory")
    BR("cmpw (%[m]), %w[a]", "je", 0);
    BR("cmpw (%[m]), %w[a]", "jne", 1);
    BR("cmpw (%[m]), %w[a]", "jb", 2);
    BR("cmpw (%[m]), %w[a]", "jl", 3);
    BR("cmpw 2(%[m]), %w[a]", "jbe", 4);
    BR("cmpw 6(%[m]), %w[a]", "jg", 5);
    BR("cmpl (%[m]), %k[a]", "je", 6);
    BR("cmpl (%[m]), %k[a]", "jne", 7);
    BR("cmpl (%[m]), %k[a]", "ja", 8);
    BR("cmpl 4(%[m]), %k[a]", "jge", 9);
    BR("cmpl 1(%[m]), %k[a]", "js", 10);
    BR("cmp (%[m]), %[a]", "je", 11);
    BR("cmp (%[m]), %[a]", "jne", 12);
    BR("cmp (%[m]), %[a]", "jae", 13);
    BR("cmp (%[m]), %[a]", "jle", 14);
    BR("cmp 3(%[m]), %[a]", "jo", 15);
    BR("cmpb $0x80, (%[m])", "je", 16);
    BR("cmpb $0, (%[m])", "jne", 17);
    BR("cmpb $0x7f, 1(%[m])", "jg", 18);
    BR("cmpb $-1, 2(%[m])", "jb", 19);
    BR("cmpb $0x11, 7(%[m])", "jp", 20);
    BR("cmpw %w[a], %w[a]", "jne", 21);
    __asm__ volatile("cmpw 4(%[m]), %w[a]\n\tjne 1f\n\tor $1, %[bits]\n\t1:\n\tpushfq\n\tpopq %[fl]\n\t"
                     : [bits] "+r"(bits), [fl] "=r"(fl) : [a] "r"(a), [m] "r"(m) : "cc", "memory");
    /* The flags a fused je leaves for what follows it when not taken. */
    unsigned long fl2 = 0, fl3 = 0;
    __asm__ volatile("cmpb $0x90, 2(%[m])\n\tje 1f\n\tpushfq\n\tpopq %[fl2]\n\t1:\n\t"
                     "cmpw 2(%[m]), %w[a]\n\tjne 2f\n\tpushfq\n\tpopq %[fl3]\n\t2:\n\t"
                     : [fl2] "+r"(fl2), [fl3] "+r"(fl3) : [a] "r"(a), [m] "r"(m) : "cc", "memory");
    return bits ^ ((fl & 0x8d5) << 40) ^ ((fl2 & 0x8d5) << 52) ^ ((fl3 & 0x8d5) << 28);
#undef BR
}

/* je/jne straight after each operation with a `Z` form (register compares, tests, subs, the
 * add+cmp, mov+test and load+test pairs): 1 bit per branch taken. */
__attribute__((noinline)) static unsigned long zero_branches(const unsigned long *m, unsigned long x, unsigned long y) {
    unsigned long bits = 0, a = x, b = y, c = 0;
#define BR(insn, jcc, n) \
    __asm__ volatile(insn "\n\t" jcc " 1f\n\t" "jmp 2f\n\t" "1: or %[bit], %[bits]\n\t" "2:\n\t" \
                     : [bits] "+r"(bits), [a] "+r"(a), [b] "+q"(b), [c] "+r"(c) : [bit] "r"(1UL << (n)), [m] "r"(m) : "cc", "memory")
    BR("cmpb $0x11, %b[b]", "je", 0);
    BR("cmpb $0x80, %b[a]", "jne", 1);
    BR("subb $1, %b[b]", "jne", 2);
    BR("testb %b[b], %b[b]", "je", 3);
    BR("cmpl %k[b], %k[a]", "jne", 4);
    BR("cmp %[b], %[a]", "je", 5);
    BR("cmpl $0x7fffffff, %k[a]", "je", 6);
    BR("cmp $-2, %[b]", "jne", 7);
    BR("subl $3, %k[a]", "je", 8);
    BR("sub $0x11, %[b]", "jne", 9);
    BR("testl %k[a], %k[b]", "je", 10);
    BR("test %[a], %[b]", "jne", 11);
    BR("addl %k[b], %k[c]\n\tcmpl %k[a], %k[c]", "jne", 12);
    BR("mov %[a], %[c]\n\ttest %[c], %[c]", "je", 13);
    BR("mov (%[m]), %[c]\n\ttest %[c], %[c]", "jne", 14);
    BR("cmpw %w[a], %w[b]", "je", 15);
    BR("cmpw (%[m]), %w[b]", "jne", 16);
    BR("cmpl (%[m]), %k[a]", "je", 17);
    BR("cmp (%[m]), %[b]", "jne", 18);
    BR("cmpb $0x55, 3(%[m])", "je", 19);
    return bits ^ (a << 20) ^ (b << 40) ^ (c << 8);
#undef BR
}

/* add [m],imm32 with the flags after it. */
__attribute__((noinline)) static unsigned long add_mem(unsigned *m, unsigned long imm_case) {
    unsigned long fl;
    switch (imm_case) {
    case 0: __asm__ volatile("addl $1, (%[m])\n\tpushfq\n\tpopq %[fl]" : [fl] "=r"(fl) : [m] "r"(m) : "cc", "memory"); break;
    case 1: __asm__ volatile("addl $-1, (%[m])\n\tpushfq\n\tpopq %[fl]" : [fl] "=r"(fl) : [m] "r"(m) : "cc", "memory"); break;
    case 2: __asm__ volatile("addl $0x7fffffff, (%[m])\n\tpushfq\n\tpopq %[fl]" : [fl] "=r"(fl) : [m] "r"(m) : "cc", "memory"); break;
    default: __asm__ volatile("addl $0x80000000, 0(%[m])\n\tpushfq\n\tpopq %[fl]" : [fl] "=r"(fl) : [m] "r"(m) : "cc", "memory"); break;
    }
    return fl & 0x8d5;
}

/* Faults inside the forms: the instruction before each one (mov to edx, a flag-setting add) done. */
__attribute__((noinline)) static void fault_cmpw(unsigned char *p, unsigned long x) {
    __asm__ volatile("mov %[x], %%rax\n\tmov $5, %%edx\n\taddl $0x7fffffff, %%eax\n\t"
                     "cmpw (%[p]), %%ax\n\tjne 1f\n\tmov $9, %%edx\n\t1:\n\t"
                     : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}
__attribute__((noinline)) static void fault_cmpl(unsigned char *p, unsigned long x) {
    __asm__ volatile("mov %[x], %%rax\n\tmov $6, %%edx\n\tsubl $0x12345, %%eax\n\t"
                     "cmpl (%[p]), %%eax\n\tje 1f\n\tmov $9, %%edx\n\t1:\n\t"
                     : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}
__attribute__((noinline)) static void fault_cmpq(unsigned char *p, unsigned long x) {
    __asm__ volatile("mov %[x], %%rax\n\tmov $7, %%edx\n\tadd %%rax, %%rax\n\t"
                     "cmp (%[p]), %%rax\n\tjb 1f\n\tmov $9, %%edx\n\t1:\n\t"
                     : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}
__attribute__((noinline)) static void fault_cmpb(unsigned char *p, unsigned long x) {
    __asm__ volatile("mov %[x], %%rax\n\tmov $8, %%edx\n\taddl $0x7fffffff, %%eax\n\t"
                     "cmpb $0x11, (%[p])\n\tje 1f\n\tmov $9, %%edx\n\t1:\n\t"
                     : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}
__attribute__((noinline)) static void fault_addl(unsigned char *p, unsigned long x) {
    __asm__ volatile("mov %[x], %%rax\n\tmov $10, %%edx\n\tsubl $0x12345, %%eax\n\t"
                     "addl $0x7fffffff, (%[p])\n\tmov $9, %%edx\n\t"
                     : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}
__attribute__((noinline)) static void fault_load_test(unsigned char *p, unsigned long x) {
    __asm__ volatile("mov %[x], %%rax\n\tmov $11, %%edx\n\taddl $0x7fffffff, %%eax\n\t"
                     "mov (%[p]), %%rdx\n\ttest %%rdx, %%rdx\n\tjne 1f\n\tmov $9, %%edx\n\t1:\n\t"
                     : : [p] "r"(p), [x] "r"(x) : "rax", "rdx", "cc", "memory");
}

int main(void) {
    static const unsigned long vals[] = {0, 1, 0x11, 0x55, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
                                         0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
                                         0x100000000, 0x8000000000000000, 0xffffffffffffffff, 0x1122334455667788};
    const int n = sizeof vals / sizeof vals[0];
    unsigned long sum = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                unsigned long m[2] = {vals[j], vals[(i + j) % n]};
                unsigned long b = mem_branches(m, vals[i]), z = zero_branches(m, vals[i], vals[j]);
                if (round == 0) printf("%lx %lx: mem %lx zero %lx\n", vals[i], vals[j], b, z);
                sum = sum * 31 + (b ^ z);
            }
            for (int k = 0; k < 4; k++) {
                unsigned w[2] = {(unsigned)vals[i], 0x5a5a5a5a};
                unsigned long f = add_mem(w, k);
                if (round == 0) printf("add %lx case %d: %x %x flags %03lx\n", vals[i], k, w[0], w[1], f);
                sum = sum * 31 + (f ^ w[0]);
            }
        }
    }
    printf("sum %lx\n", sum);

    /* page: read-write, then read-only, then unmapped. */
    page = mmap(0, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *(unsigned *)(page + 4092) = 0x11223344;
    mprotect(page + 4096, 4096, PROT_READ);
    munmap(page + 8192, 4096);
    catch_segv(on_segv);
    static const unsigned long fx[] = {0, 1, 0x12345, 0x80000000, 0xffffffff};
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 5; i++) {
            if (!sigsetjmp(back, 1)) { fault_cmpw(page + 8192, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_cmpl(page + 8190, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_cmpq(page + 8188, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_cmpb(page + 8192, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_addl(page + 4096, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_addl(page + 4094, fx[i]); printf("  no fault\n"); }
            if (!sigsetjmp(back, 1)) { fault_load_test(page + 8192, fx[i]); printf("  no fault\n"); }
        }
    }
    return 0;
}
