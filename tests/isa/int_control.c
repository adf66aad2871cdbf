/* Control flow: every branch (beq bne blt bge bltu bgeu) taken and not taken over int_vals
 * pairs, jal/jalr (jalr clears bit 0 of the target, rd == rs1 uses the old value), indirect calls,
 * switch jump tables, recursion, setjmp/longjmp, and a raw ecall (write). */
#include "isa.h"
#include <setjmp.h>

#define BR(name, insn)                                                                         \
    static uint64_t name(uint64_t a, uint64_t b) {                                             \
        uint64_t r;                                                                            \
        __asm__ volatile("li %0,1\n\t" insn " %1,%2,1f\n\tli %0,0\n1:" : "=&r"(r) : "r"(a), "r"(b)); \
        return r;                                                                              \
    }
BR(br_beq, "beq") BR(br_bne, "bne") BR(br_blt, "blt") BR(br_bge, "bge") BR(br_bltu, "bltu") BR(br_bgeu, "bgeu")
static const rop_t brs[] = {{"beq", br_beq}, {"bne", br_bne}, {"blt", br_blt}, {"bge", br_bge}, {"bltu", br_bltu}, {"bgeu", br_bgeu}};

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static jmp_buf jb;
static void jumper(int depth) { if (depth == 0) longjmp(jb, 42); jumper(depth - 1); }
static int classify(int x) {
    switch (x) {
    case 0: return 10; case 1: return 21; case 2: return 32; case 3: return 43; case 4: return 54;
    case 5: return 65; case 6: return 76; case 7: return 87; case 9: return 99; default: return -1;
    }
}
typedef int (*fn_t)(int);
static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
static int negate(int x) { return -x; }

int main(void) {
    for (int o = 0; o < NELEM(brs); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            for (int j = 0; j < NELEM(int_vals); j++)
                printf("%s %016llx %016llx -> %llu\n", brs[o].name, (unsigned long long)int_vals[i],
                       (unsigned long long)int_vals[j], (unsigned long long)brs[o].fn(int_vals[i], int_vals[j]));
    uint64_t ra_delta, r;
    /* jal: link register holds the address of the next instruction. */
    __asm__ volatile("jal t0,1f\n1:\tauipc t1,0\n\tsub %0,t1,t0" : "=r"(ra_delta) : : "t0", "t1");
    printf("jal link delta %lld\n", (long long)ra_delta);
    /* jalr with an odd target: bit 0 is cleared. rd == rs1: the target uses the old value. */
    __asm__ volatile("la t0,1f\n\taddi t0,t0,1\n\tli %0,7\n\tjalr t0,0(t0)\n\tli %0,8\n1:\tli t1,0\n"
                     : "=&r"(r) : : "t0", "t1");
    printf("jalr odd target r=%llu\n", (unsigned long long)r);
    __asm__ volatile("la t0,2f\n\tli %0,1\n\tjalr x0,-4(t0)\n\tli %0,2\n\tli %0,3\n2:\tnop\n" : "=&r"(r) : : "t0");
    printf("jalr negative offset r=%llu\n", (unsigned long long)r);
    printf("fib(24)=%d\n", fib(24));
    int v = setjmp(jb);
    if (v == 0) jumper(50);
    printf("longjmp -> %d\n", v);
    int acc = 0;
    for (int i = -3; i < 13; i++) acc = acc * 3 + classify(i);
    printf("switch %d\n", acc);
    fn_t fns[] = {twice, square, negate};
    for (int i = 0; i < 9; i++) acc += fns[i % 3](acc % 1000);
    printf("indirect %d\n", acc);
    static const char msg[] = "raw ecall write\n";
    fflush(stdout);
    register long a0 __asm__("a0") = 1;
    register long a1 __asm__("a1") = (long)msg;
    register long a2 __asm__("a2") = sizeof msg - 1;
    register long a7 __asm__("a7") = 64;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    printf("ecall returned %ld\n", a0);
    return 0;
}
