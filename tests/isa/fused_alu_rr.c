/* The interpreter's register-register pairs (Fusion.fuseAluPair): xor;addw, or;xor, addw;xor,
 * xor;xor, or;or, addw;addw and srliw;xor, executed in order in one dispatch. For each: independent registers, the
 * second reading the first's result as its first, its second or both sources, the second
 * writing the first's source or destination, the first writing x0, the compressed forms (c.xor,
 * c.or, c.addw) and the 32-bit ones; jumps that land on the second instruction; and a fault
 * right after each pair (reported at the load, both results written). Compared with qemu. */
#include "isa.h"
#include "segv_regs.h"

/* t0..t3 hold a, b, c, d. */
#define CASE(name, body)                                                                           \
    do {                                                                                           \
        uint64_t t0 = a, t1 = b, t2 = c, t3 = d;                                                   \
        __asm__ volatile(body : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3));                           \
        printf("%-8s %-10s %016llx %016llx %016llx %016llx\n", pair, name, (unsigned long long)t0, \
               (unsigned long long)t1, (unsigned long long)t2, (unsigned long long)t3);            \
    } while (0)

#define SHAPES(fn, OP1, OP2)                                                                       \
    static void fn(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {                               \
        const char *pair = OP1 ";" OP2;                                                            \
        CASE("apart", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%2");                                        \
        CASE("rs1=rd", OP1 " %0,%1,%2\n\t" OP2 " %3,%0,%2");                                       \
        CASE("rs2=rd", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%0");                                       \
        CASE("both=rd", OP1 " %0,%1,%2\n\t" OP2 " %3,%0,%0");                                      \
        CASE("same rd", OP1 " %0,%1,%2\n\t" OP2 " %0,%0,%3");                                      \
        CASE("rd=src", OP1 " %0,%1,%2\n\t" OP2 " %1,%3,%2");                                       \
        CASE("in place", OP1 " %0,%0,%1\n\t" OP2 " %0,%0,%2");                                     \
        CASE("x0 first", OP1 " zero,%1,%2\n\t" OP2 " %3,zero,%2");                                 \
        CASE("x0 second", OP1 " %0,%1,%2\n\t" OP2 " zero,%0,%2");                                  \
    }
SHAPES(xor_addw, "xor", "addw")
SHAPES(or_xor, "or", "xor")
SHAPES(addw_xor, "addw", "xor")
SHAPES(xor_xor, "xor", "xor")
SHAPES(or_or, "or", "or")
SHAPES(addw_addw, "addw", "addw")

/* srliw d,s,k;xor: every shift amount class (0, 1, 31 and between), the same overlaps. */
#define SRLIW_XOR(fn, K)                                                                           \
    static void fn(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {                               \
        const char *pair = "srliw " #K ";xor";                                                     \
        CASE("apart", "srliw %0,%1," #K "\n\txor %3,%1,%2");                                       \
        CASE("rs1=rd", "srliw %0,%1," #K "\n\txor %3,%0,%2");                                      \
        CASE("rs2=rd", "srliw %0,%1," #K "\n\txor %3,%1,%0");                                      \
        CASE("both=rd", "srliw %0,%1," #K "\n\txor %3,%0,%0");                                     \
        CASE("same rd", "srliw %0,%1," #K "\n\txor %0,%0,%3");                                     \
        CASE("rd=src", "srliw %0,%1," #K "\n\txor %1,%3,%2");                                      \
        CASE("in place", "srliw %0,%0," #K "\n\txor %0,%0,%2");                                    \
        CASE("x0 first", "srliw zero,%1," #K "\n\txor %3,zero,%2");                                \
        CASE("x0 second", "srliw %0,%1," #K "\n\txor zero,%0,%2");                                 \
    }
SRLIW_XOR(srliw_xor_0, 0)
SRLIW_XOR(srliw_xor_1, 1)
SRLIW_XOR(srliw_xor_13, 13)
SRLIW_XOR(srliw_xor_31, 31)

/* A sha256-like loop in compressible registers (c.xor, c.or, c.addw when compression is on,
 * the 32-bit forms with .option norvc): every pair, some chained. */
#define ROUND_LOOP                                                                                 \
    "1:\n\t"                                                                                       \
    "xor a1,a1,a2\n\taddw a1,a1,a0\n\t"                                                            \
    "or a2,a2,a3\n\txor a2,a2,a1\n\t"                                                              \
    "addw a3,a3,a2\n\txor a3,a3,a0\n\t"                                                            \
    "xor a4,a4,a3\n\txor a4,a4,a1\n\t"                                                             \
    "or a0,a0,a4\n\tor a0,a0,a2\n\t"                                                               \
    "xor a0,a0,a5\n\taddw a5,a5,a0\n\t"                                                            \
    "addw a1,a1,a3\n\taddw a1,a1,a4\n\t"                                                            \
    "srliw a4,a1,7\n\txor a4,a4,a2\n\t"                                                            \
    "addi a6,a6,-1\n\tbnez a6,1b\n\t"
static void rounds(uint64_t x, uint64_t y, int n) {
    uint64_t out[2][6];
    for (int form = 0; form < 2; form++) {
        register uint64_t a0 __asm__("a0") = x, a1 __asm__("a1") = y, a2 __asm__("a2") = x * 3;
        register uint64_t a3 __asm__("a3") = y >> 7, a4 __asm__("a4") = ~x, a5 __asm__("a5") = x ^ 0x5555;
        register uint64_t a6 __asm__("a6") = n;
        if (form == 0)
            __asm__ volatile(ROUND_LOOP : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6));
        else
            __asm__ volatile(".option push\n.option norvc\n" ROUND_LOOP ".option pop\n"
                             : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6));
        out[form][0] = a0, out[form][1] = a1, out[form][2] = a2, out[form][3] = a3, out[form][4] = a4,
        out[form][5] = a5;
    }
    printf("rounds %llx %llx %d:", (unsigned long long)x, (unsigned long long)y, n);
    for (int form = 0; form < 2; form++)
        for (int i = 0; i < 6; i++) printf(" %llx", (unsigned long long)out[form][i]);
    printf("\n");
}

/* Jumps onto the second instruction of each pair: the first pass enters in the middle, the
 * later ones run the pair whole (t4 counts the passes). */
#define MIDDLE(OP1, OP2)                                                                           \
    do {                                                                                           \
        uint64_t t0 = x, t1 = x >> 3, t2 = x * 5, t3 = 7, t4 = 3, t5 = 0;                           \
        __asm__ volatile("j 2f\n"                                                                  \
                         "1:\n\t" OP1 " %0,%1,%2\n"                                                \
                         "2:\n\t" OP2 " %3,%0,%3\n\t"                                              \
                         "add %5,%5,%3\n\taddi %4,%4,-1\n\tbnez %4,1b\n\t"                         \
                         : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5));            \
        printf("middle %s;%s %llx: %llx %llx %llx\n", OP1, OP2, (unsigned long long)x,             \
               (unsigned long long)t0, (unsigned long long)t3, (unsigned long long)t5);            \
    } while (0)
static void middles(uint64_t x) {
    MIDDLE("xor", "addw");
    MIDDLE("or", "xor");
    MIDDLE("addw", "xor");
    MIDDLE("xor", "xor");
    MIDDLE("or", "or");
    MIDDLE("addw", "addw");
    uint64_t t0 = x, t3 = 9, t4 = 3, t5 = 0;
    __asm__ volatile("j 2f\n"
                     "1:\n\tsrliw %0,%0,3\n"
                     "2:\n\txor %1,%0,%1\n\t"
                     "add %3,%3,%1\n\taddi %2,%2,-1\n\tbnez %2,1b\n\t"
                     : "+r"(t0), "+r"(t3), "+r"(t4), "+r"(t5));
    printf("middle srliw;xor %llx: %llx %llx %llx\n", (unsigned long long)x, (unsigned long long)t0,
           (unsigned long long)t3, (unsigned long long)t5);
}

/* A fault at the load right after each pair (x5-x7 are t0-t2, x28-x30 t3-t5). */
static uint64_t start;
#define FAULT(name, shape)                                                                         \
    do {                                                                                           \
        if (!sigsetjmp(env, 1))                                                                    \
            __asm__ volatile("lla t6,1f\n\tsd t6,%[st]\n\tli t0,0x12345678\n\tli t1,0x0f0f0f0f\n\tli t2,0x7fffffff\n\t" \
                             "li t3,0x100\n\tli t4,0x10\n\tli t5,0\n1:\n\t" shape "\n\tld t5,0(t4)\n\tli t1,1"          \
                             : [st] "=m"(start) : : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory"); \
        print_fault_temps(name, 14, start);                                                              \
    } while (0)
static void faults(void) {
    catch_segv();
    FAULT("xor;addw", "xor t3,t0,t1\n\taddw t2,t2,t3");
    FAULT("or;xor", "or t3,t0,t1\n\txor t2,t3,t2");
    FAULT("addw;xor", "addw t3,t0,t2\n\txor t1,t1,t3");
    FAULT("xor;xor", "xor t3,t0,t1\n\txor t3,t3,t2");
    FAULT("or;or", "or t3,t0,t1\n\tor t2,t2,t3");
    FAULT("addw;addw", "addw t3,t0,t2\n\taddw t2,t2,t3");
    FAULT("srliw;xor", "srliw t3,t2,5\n\txor t1,t3,t1");
}

int main(void) {
    /* Enough rounds for the native tier to compile the loops too (the suite runs both tiers). */
    for (int round = 0; round < 300; round++) {
        uint64_t x = int_vals[round % NELEM(int_vals)] ^ (uint64_t)round * 0x9e3779b97f4a7c15ull;
        uint64_t y = int_vals[(round + 7) % NELEM(int_vals)];
        if (round % 50 == 0) {
            uint64_t c = x * 0x10001, d = ~y + round;
            xor_addw(x, y, c, d), or_xor(x, y, c, d), addw_xor(x, y, c, d);
            xor_xor(x, y, c, d), or_or(x, y, c, d), addw_addw(x, y, c, d);
            srliw_xor_0(x, y, c, d), srliw_xor_1(x, y, c, d), srliw_xor_13(x, y, c, d), srliw_xor_31(x, y, c, d);
        }
        rounds(x, y, 1 + round % 9);
        middles(x);
    }
    faults();
    return 0;
}
