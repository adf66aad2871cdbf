/* Every address form of the interpreter's 64-bit loads and stores and its movzx loads
 * (Sources/X86/X86Specialise.swift: movRM64, movMR64, movzxRM8 and movzxRM16 take only base +
 * disp operands and compute no more; their `X` forms take an index; an operand with fs, gs or
 * 0x67 stays generic), and of the pairs made of them (loadTestRR64Z, movLoad64, loadStore64,
 * loadLoadZx8, loadZx8AddRI64nf). The host CPU is the reference for:
 *  - mov r64,[m], movzbl, movzbq, movzwl and mov [m],r64 through base, base+disp8 (+/-),
 *    base+disp32 (+/-), r12 and r13 as base (SIB / disp8 encodings), index*1/2/4/8 with and
 *    without disp, r12 as index, index without base, RIP-relative, absolute, fs: (absolute,
 *    base, base+index), gs: (absolute, base, base+index), and 0x67 (32-bit address: upper
 *    register halves ignored, wrap-around at 4 GiB, with an index);
 *  - the pairs with each of those forms in either half;
 *  - faults (SIGSEGV: the handler prints the fault address and rdx from its ucontext) in each
 *    form of each operation: a load into rdx leaves rdx as it was, a store leaves memory alone,
 *    a pair whose second access faults has its first done.
 * Each function runs several times, so its blocks also run decoded before. */
#define _GNU_SOURCE
#include "segv_page.h"
#include <asm/prctl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned char buf[1024] __attribute__((aligned(64)));
static __thread unsigned char tbuf[256] __attribute__((aligned(64)));
static unsigned long sum;

static void fill(void) {
    for (int i = 0; i < 1024; i++) buf[i] = (unsigned char)(i * 37 + 11 + (i >> 8));
    for (int i = 0; i < 256; i++) tbuf[i] = (unsigned char)(i * 53 + 7);
}

static unsigned long checksum(const unsigned char *p, int n) {
    unsigned long h = 1469598103934665603UL;
    for (int i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211UL;
    return h;
}

static void out(const char *what, unsigned long v) {
    printf("%-28s %016lx\n", what, v);
    sum = sum * 31 + v;
}

/* One operation with one address form: loads into d (preset to all ones), stores v. B and I are
 * the base and index registers' values; FORM the operand (%[b], %[i] for them). */
#define LOADS(name, FORM, B, I)                                                                      \
    do {                                                                                             \
        unsigned long d;                                                                             \
        d = ~0UL; __asm__ volatile("movq " FORM ", %[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movq", d);                                                                        \
        d = ~0UL; __asm__ volatile("movzbl " FORM ", %k[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movzbl", d);                                                                      \
        d = ~0UL; __asm__ volatile("movzbq " FORM ", %[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movzbq", d);                                                                      \
        d = ~0UL; __asm__ volatile("movzwl " FORM ", %k[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movzwl", d);                                                                      \
        d = ~0UL; __asm__ volatile("movzwq " FORM ", %[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movzwq", d);                                                                      \
        d = ~0UL; __asm__ volatile("movswl " FORM ", %k[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movswl", d);                                                                      \
        d = ~0UL; __asm__ volatile("movl " FORM ", %k[d]" : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " movl", d);                                                                        \
        unsigned w = 0x8badf00d ^ (unsigned)__LINE__;                                                \
        __asm__ volatile("movl %[w], " FORM : : [w] "r"(w), [b] "r"(B), [i] "r"(I) : "memory");    \
        out(name " store32", checksum(buf, sizeof buf) ^ checksum(tbuf, sizeof tbuf));               \
        unsigned long v = 0x0102030405060708UL * (unsigned long)(__LINE__ & 0xff);                   \
        __asm__ volatile("movq %[v], " FORM : : [v] "r"(v), [b] "r"(B), [i] "r"(I) : "memory");      \
        out(name " store", checksum(buf, sizeof buf) ^ checksum(tbuf, sizeof tbuf));                 \
    } while (0)

__attribute__((noinline)) static void forms(void) {
    unsigned char *p = buf + 128;
    unsigned long hi = 0xabcd000000000000UL;
    LOADS("base", "(%[b])", p, 0L);
    LOADS("base+d8", "8(%[b])", p, 0L);
    LOADS("base-d8", "-24(%[b])", p, 0L);
    LOADS("base+d32", "0x1000(%[b])", p - 0x1000 + 40, 0L);
    LOADS("base-d32", "-0x2000(%[b])", p + 0x2000 + 3, 0L);
    LOADS("idx*1", "(%[b],%[i],1)", p, 5L);
    LOADS("idx*2", "(%[b],%[i],2)", p, 7L);
    LOADS("idx*4", "(%[b],%[i],4)", p, -9L);
    LOADS("idx*8", "(%[b],%[i],8)", p, 11L);
    LOADS("idx*8+d8", "24(%[b],%[i],8)", p, -3L);
    LOADS("idx*2+d32", "0x1000(%[b],%[i],2)", p - 0x1000, 13L);
    LOADS("idx*4 no base", "buf+16(,%[i],4)", 0L, 17L);
    LOADS("rip", "buf+40(%%rip)", 0L, 0L);
    LOADS("absolute", "buf+48", 0L, 0L);
    {
        register unsigned char *r12 __asm__("r12") = p + 1;
        register unsigned char *r13 __asm__("r13") = p + 2;
        LOADS("r12 base", "(%%r12)", r12, r13);
        LOADS("r13 base", "(%%r13)", r12, r13);
        LOADS("r12+d8", "-5(%%r12)", r12, r13);
    }
    {
        register long r12i __asm__("r12") = 6;
        LOADS("r12 index", "(%[b],%%r12,8)", p, r12i);
    }
    /* fs: the thread's TLS block; tbuf's offset from the thread pointer. */
    long t = (long)((unsigned char *)tbuf - (unsigned char *)__builtin_thread_pointer());
    LOADS("fs absolute", "%%fs:tbuf@tpoff+24", 0L, 0L);
    LOADS("fs base", "%%fs:8(%[b])", t, 0L);
    LOADS("fs base+idx*4", "%%fs:(%[b],%[i],4)", t, 9L);
    /* gs: based at buf for a while. */
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)buf) != 0) printf("ARCH_SET_GS failed\n");
    LOADS("gs absolute", "%%gs:200", 0L, 0L);
    LOADS("gs base", "%%gs:(%[b])", 300L, 0L);
    LOADS("gs base+idx*2", "%%gs:4(%[b],%[i],2)", 100L, 50L);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
    /* 0x67: 32-bit address arithmetic (buf is below 4 GiB in a static non-PIE program). */
    LOADS("a32 base", "(%k[b])", (unsigned long)p | hi, 0L);
    LOADS("a32 base+d8", "8(%k[b])", (unsigned long)p | hi, 0L);
    LOADS("a32 wrap", "buf+384(%k[b])", 0xffffff00UL | hi, 0L);
    LOADS("a32 idx*4", "(%k[b],%k[i],4)", (unsigned long)p | hi, 0x1234000000000005UL);
    LOADS("a32 idx*8 wrap", "16(%k[b],%k[i],8)", (unsigned long)p - 16, 0x20000000UL);
}

/* The pairs, with each address form in the halves that take memory. F(D) is the operand with
 * D (a string: "0", "8", ...) added to its displacement. */
#define PAIRS(name, F, B, I)                                                                         \
    do {                                                                                             \
        unsigned long d = ~0UL, e = 0x55, z = 0;                                                     \
        /* loadTestRR64Z: taken and not taken (the word, then 0 from zero). */                       \
        __asm__ volatile("movq " F("0") ", %[d]\n\ttest %[d], %[d]\n\tje 1f\n\tinc %[z]\n1:\n\t"     \
                         : [d] "+r"(d), [z] "+r"(z) : [b] "r"(B), [i] "r"(I) : "cc", "memory");      \
        out(name " load+test", d ^ z);                                                               \
        /* movLoad64: a register move, then the load. */                                             \
        __asm__ volatile("mov %[e], %[z]\n\tmovq " F("0") ", %[d]"                                   \
                         : [d] "+r"(d), [z] "+r"(z) : [e] "r"(e), [b] "r"(B), [i] "r"(I) : "memory"); \
        out(name " mov+load", d ^ (z << 1));                                                         \
        /* loadStore64: the load, then its value stored 8 bytes further. */                          \
        __asm__ volatile("movq " F("0") ", %[d]\n\tmovq %[d], " F("8")                               \
                         : [d] "+r"(d) : [b] "r"(B), [i] "r"(I) : "memory");                         \
        out(name " load+store", d ^ checksum(buf, sizeof buf) ^ checksum(tbuf, sizeof tbuf));        \
        /* loadLoadZx8: the load, then a byte 3 further. */                                          \
        __asm__ volatile("movq " F("0") ", %[d]\n\tmovzbl " F("3") ", %k[e]"                         \
                         : [d] "+r"(d), [e] "+r"(e) : [b] "r"(B), [i] "r"(I) : "memory");            \
        out(name " load+movzbl", d ^ (e << 3));                                                      \
        /* loadZx8AddRI64nf: movzbl, then add $imm to a 64-bit register whose flags the xor      \
         * after it overwrites. */                                                                   \
        z = 0xfffffffffffffff0UL;                                                                    \
        __asm__ volatile("movzbl " F("5") ", %k[d]\n\tadd $0x21, %[z]\n\txor %k[e], %k[e]"           \
                         : [d] "+r"(d), [z] "+r"(z), [e] "+r"(e) : [b] "r"(B), [i] "r"(I) : "cc", "memory"); \
        out(name " movzbl+add", d ^ (z << 8) ^ e);                                                   \
        /* loadLoadSx16 (two movswl, with an index: matrix loads), loadImulRR (movswl, imul). */     \
        __asm__ volatile("movswl " F("0") ", %k[d]\n\tmovswl " F("6") ", %k[e]"                      \
                         : [d] "+r"(d), [e] "+r"(e) : [b] "r"(B), [i] "r"(I) : "memory");            \
        out(name " movswl+movswl", d ^ (e << 32));                                                   \
        e = 0x12345;                                                                                 \
        __asm__ volatile("movswl " F("2") ", %k[d]\n\timul %k[e], %k[d]\n\tpushfq\n\tpopq %[z]"       \
                         : [d] "+r"(d), [z] "=r"(z) : [e] "r"(e), [b] "r"(B), [i] "r"(I) : "cc", "memory"); \
        out(name " movswl+imul", d ^ ((z & 0x801) << 40));                                           \
    } while (0)

#define P_BASE(D) D "(%[b])"
#define P_D32(D) "0x1000+" D "(%[b])"
#define P_IDX8(D) D "(%[b],%[i],8)"
#define P_IDX1(D) "-4+" D "(%[b],%[i],1)"
#define P_RIP(D) "buf+320+" D "(%%rip)"
#define P_ABS(D) "buf+400+" D
#define P_FS(D) "%%fs:16+" D "(%[b])"
#define P_GS(D) "%%gs:40+" D "(%[b],%[i],4)"
#define P_A32(D) D "(%k[b])"
#define P_A32X(D) "4+" D "(%k[b],%k[i],2)"

__attribute__((noinline)) static void pairs(void) {
    unsigned char *p = buf + 256;
    memset(p + 64, 0, 16);
    PAIRS("base", P_BASE, p, 0L);
    PAIRS("base zero", P_BASE, p + 64, 0L);
    PAIRS("base+d32", P_D32, p - 0x1000 + 9, 0L);
    PAIRS("idx*8", P_IDX8, p, 3L);
    PAIRS("idx*1+d8", P_IDX1, p, 21L);
    PAIRS("rip", P_RIP, 0L, 0L);
    PAIRS("absolute", P_ABS, 0L, 0L);
    long t = (long)((unsigned char *)tbuf - (unsigned char *)__builtin_thread_pointer());
    PAIRS("fs base", P_FS, t, 0L);
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)buf) != 0) printf("ARCH_SET_GS failed\n");
    PAIRS("gs base+idx*4", P_GS, 100L, 30L);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
    PAIRS("a32 base", P_A32, (unsigned long)p | 0x7700000000000000UL, 0L);
    PAIRS("a32 idx*2", P_A32X, (unsigned long)p | 0x7700000000000000UL, 0x100000000UL + 6);
    /* The list walk: a pointer loaded, then the byte it points to (`mov 8(%rax),%rdx; movzbl
     * (%rdx),%edx`), and the pointer's target through an index. */
    unsigned char *ptrs[2] = {buf + 500, buf + 600};
    unsigned long d;
    __asm__ volatile("movq 8(%[b]), %[d]\n\tmovzbl (%[d]), %k[d]" : [d] "=&r"(d) : [b] "r"(ptrs) : "memory");
    out("walk", d);
    __asm__ volatile("movq (%[b]), %[d]\n\tmovzbl 3(%[d],%[i],2), %k[d]" : [d] "=&r"(d) : [b] "r"(ptrs), [i] "r"(7L) : "memory");
    out("walk idx", d);
}

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    long at = (long)((unsigned char *)si->si_addr - page);
    printf("  SIGSEGV at page%+ld rdx=%llx word=%lx\n", at, (unsigned long long)g[REG_RDX],
           *(unsigned long *)(page + 4088));
    (void)sig;
    siglongjmp(back, 1);
}

/* A load into rdx (preset to 0x77) or a store of 0x99 through one form, at page + off. */
#define FAULT(name, FORM, B, I)                                                                       \
    do {                                                                                              \
        printf("%s\n", name);                                                                         \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmovq " FORM ", %%rdx" : : [b] "r"(B), [i] "r"(I) : "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmovzbl " FORM ", %%edx" : : [b] "r"(B), [i] "r"(I) : "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmovzwl " FORM ", %%edx" : : [b] "r"(B), [i] "r"(I) : "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmovswl " FORM ", %%edx" : : [b] "r"(B), [i] "r"(I) : "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmovl " FORM ", %%edx" : : [b] "r"(B), [i] "r"(I) : "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmov $0x99, %%eax\n\tmovq %%rax, " FORM : : [b] "r"(B), [i] "r"(I) : "rax", "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("mov $0x77, %%edx\n\tmov $0x99, %%eax\n\tmovl %%eax, " FORM : : [b] "r"(B), [i] "r"(I) : "rax", "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        /* loadLoadSx16: the first done (edx), the second faults. */                                  \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("movswl (%[w],%[i],1), %%edx\n\tmovswl " FORM ", %%eax" : : [w] "r"(page + 4000 - (long)(I)), [b] "r"(B), [i] "r"(I) : "rax", "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        /* loadLoadZx8: the first load done (rdx), the byte load faults. */                           \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("movq (%[w]), %%rdx\n\tmovzbl " FORM ", %%eax" : : [w] "r"(page + 4088), [b] "r"(B), [i] "r"(I) : "rax", "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
        /* loadStore64: the load done, the store faults. */                                           \
        if (!sigsetjmp(back, 1)) {                                                                    \
            __asm__ volatile("movq (%[w]), %%rdx\n\tmovq %%rdx, " FORM : : [w] "r"(page + 4080), [b] "r"(B), [i] "r"(I) : "rdx", "memory"); \
            printf("  no fault\n");                                                                   \
        }                                                                                             \
    } while (0)

/* page: read-write, then read-only, then unmapped. Each form at the unmapped page's start, at
 * the read-only page (stores fault, loads do not) and across the read-only / unmapped edge. */
__attribute__((noinline)) static void faults(void) {
    static const long offs[] = {8192, 4096, 8188, 8191};
    for (int k = 0; k < 4; k++) {
        unsigned char *q = page + offs[k];
        printf("at page+%ld\n", offs[k]);
        FAULT("base", "(%[b])", q, 0L);
        FAULT("base+d8", "-8(%[b])", q + 8, 0L);
        FAULT("base+d32", "0x1000(%[b])", q - 0x1000, 0L);
        FAULT("idx*4", "(%[b],%[i],4)", q - 40, 10L);
        FAULT("idx*8+d8", "8(%[b],%[i],8)", q - 8 - 16, 2L);
        unsigned long tp = (unsigned long)__builtin_thread_pointer();
        FAULT("fs base", "%%fs:(%[b])", (unsigned long)q - tp, 0L);
        FAULT("fs idx*1", "%%fs:(%[b],%[i],1)", (unsigned long)q - tp - 3, 3L);
        if ((unsigned long)q < 0xffff0000UL) {
            FAULT("a32 base", "(%k[b])", (unsigned long)q | 0x1100000000UL, 0L);
        } else {
            /* The page is above 4 GiB: a 32-bit address cannot reach it; the same bytes of buf. */
            printf("(page above 4 GiB)\n");
        }
    }
}

int main(void) {
    fill();
    for (int round = 0; round < 3; round++) {
        fill();
        printf("round %d\n", round);
        forms();
        pairs();
    }
    page = mmap((void *)0x70000000, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) { printf("mmap failed\n"); return 1; }
    for (int i = 0; i < 4096; i++) page[i] = (unsigned char)(i * 13 + 1);
    for (int i = 0; i < 4096; i++) page[4096 + i] = (unsigned char)(i * 7 + 3);
    mprotect(page + 4096, 4096, PROT_READ);
    munmap(page + 8192, 4096);
    catch_segv(on_segv);
    for (int round = 0; round < 2; round++) faults();
    printf("sum %lx\n", sum);
    return 0;
}
