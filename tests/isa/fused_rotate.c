/* The interpreter's 32-bit rotate (Fusion.fuseRotate): srliw a, x, k and slliw b, x, 32 - k in
 * either order, then the `or` of a and b when it comes right after them (c.or too), as C spells
 * a rotate without Zbb (sha256). Every amount; the or's operands in both orders, its result in a,
 * in x or elsewhere; no or (the pair alone); shapes that must not fuse (the first shift writes x,
 * both shifts write one register, amounts that do not add up to 32, two sources, an or of
 * something else, x0 as a destination); jumps that land on the second and on the third
 * instruction; and a fault right after each form: the fault is reported at the load, with the
 * rotate's registers written. Everything is compared with qemu. */
#include "isa.h"
#include "segv_regs.h"

/* t0 = x, t1 = a, t2 = b, t3 = d. */
#define ROTATE_CASE(name, body)                                                                    \
    do {                                                                                           \
        uint64_t t0 = x, t1 = 0x1111, t2 = 0x2222, t3 = 0x3333;                                    \
        __asm__ volatile(body : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3));                           \
        printf("%-10s k=%2d x=%016llx: %016llx %016llx %016llx %016llx\n", name, K, (unsigned long long)x, \
               (unsigned long long)t0, (unsigned long long)t1, (unsigned long long)t2, (unsigned long long)t3); \
    } while (0)
#define S(v) #v
#define STR(v) S(v)

#define ROTATES(K_)                                                                                \
    static void rotates_##K_(uint64_t x) {                                                         \
        enum { K = K_ };                                                                           \
        ROTATE_CASE("srl/sll/or", "srliw %1,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tor %3,%1,%2");  \
        ROTATE_CASE("sll/srl/or", "slliw %2,%0,32-" STR(K_) "\n\tsrliw %1,%0," STR(K_) "\n\tor %3,%2,%1");  \
        ROTATE_CASE("or swapped", "srliw %1,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tor %3,%2,%1");  \
        ROTATE_CASE("or into a", "srliw %1,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tor %1,%1,%2");   \
        ROTATE_CASE("or into x", "slliw %2,%0,32-" STR(K_) "\n\tsrliw %1,%0," STR(K_) "\n\tor %0,%1,%2");   \
        ROTATE_CASE("b is x", "srliw %1,%0," STR(K_) "\n\tslliw %0,%0,32-" STR(K_) "\n\tor %3,%1,%0");      \
        ROTATE_CASE("a is x", "slliw %2,%0,32-" STR(K_) "\n\tsrliw %0,%0," STR(K_) "\n\tor %3,%0,%2");      \
        ROTATE_CASE("no or", "srliw %1,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tadd %3,%1,%2");      \
        ROTATE_CASE("other or", "srliw %1,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tor %3,%1,%0");    \
        ROTATE_CASE("x first", "srliw %0,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tor %3,%0,%2");     \
        ROTATE_CASE("one dest", "srliw %1,%0," STR(K_) "\n\tslliw %1,%0,32-" STR(K_) "\n\tor %3,%1,%1");    \
        ROTATE_CASE("not 32", "srliw %1,%0," STR(K_) "\n\tslliw %2,%0,31-" STR(K_) "\n\tor %3,%1,%2");      \
        ROTATE_CASE("two srcs", "srliw %1,%0," STR(K_) "\n\tslliw %2,%3,32-" STR(K_) "\n\tor %3,%1,%2");    \
        ROTATE_CASE("x0 dest", "srliw zero,%0," STR(K_) "\n\tslliw %2,%0,32-" STR(K_) "\n\tor %3,zero,%2"); \
    }
ROTATES(1)
ROTATES(2)
ROTATES(7)
ROTATES(13)
ROTATES(17)
ROTATES(19)
ROTATES(25)
ROTATES(31)

/* A sha256-like loop in compressible registers (c.or when compression is on): the rotates of
 * Sigma0/Sigma1, interleaved with xor and addw as the compiler leaves them, some adjacent. */
#define SIGMA_LOOP                                                                                 \
    "1:\n\t"                                                                                       \
    "srliw a1,a0,2\n\tslliw a2,a0,30\n\tor a1,a1,a2\n\t"                                           \
    "slliw a3,a0,19\n\tsrliw a4,a0,13\n\tor a3,a3,a4\n\t"                                          \
    "xor a1,a1,a3\n\t"                                                                             \
    "srliw a3,a0,22\n\tslliw a4,a0,10\n\tor a4,a4,a3\n\t"                                          \
    "xor a1,a1,a4\n\taddw a0,a0,a1\n\taddw a5,a5,a0\n\t"                                           \
    "srliw a2,a5,6\n\tslliw a3,a5,26\n\t"                                                          \
    "xor a5,a5,a2\n\txor a5,a5,a3\n\t"                                                             \
    "addi a6,a6,-1\n\tbnez a6,1b\n\t"
static void sigma(uint64_t x, uint64_t y, int n) {
    uint64_t out[2][2];
    for (int form = 0; form < 2; form++) {
        register uint64_t a0 __asm__("a0") = x, a5 __asm__("a5") = y, a6 __asm__("a6") = n;
        if (form == 0)
            __asm__ volatile(SIGMA_LOOP : "+r"(a0), "+r"(a5), "+r"(a6) : : "a1", "a2", "a3", "a4");
        else
            __asm__ volatile(".option push\n.option norvc\n" SIGMA_LOOP ".option pop\n"
                             : "+r"(a0), "+r"(a5), "+r"(a6) : : "a1", "a2", "a3", "a4");
        out[form][0] = a0, out[form][1] = a5;
    }
    printf("sigma %llx %llx %d: %llx %llx / %llx %llx\n", (unsigned long long)x, (unsigned long long)y, n,
           (unsigned long long)out[0][0], (unsigned long long)out[0][1], (unsigned long long)out[1][0],
           (unsigned long long)out[1][1]);
}

/* Jumps onto the second and the third instruction of a rotate: the first pass enters in the
 * middle, the later ones run it whole (t4 counts the passes). */
static void middles(uint64_t x) {
    uint64_t t0 = x, t1 = 0, t2 = 0, t3 = 0, t4 = 3, t5 = 0;
    __asm__ volatile("j 2f\n"
                     "1:\n\tsrliw %1,%0,9\n"
                     "2:\n\tslliw %2,%0,23\n\tor %3,%1,%2\n\t"
                     "add %5,%5,%3\n\taddi %4,%4,-1\n\tbnez %4,1b\n\t"
                     : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5));
    printf("middle 2nd %llx: %llx %llx %llx %llx\n", (unsigned long long)x, (unsigned long long)t1,
           (unsigned long long)t2, (unsigned long long)t3, (unsigned long long)t5);
    t1 = 0, t2 = 0, t3 = 0, t4 = 3, t5 = 0;
    __asm__ volatile("j 2f\n"
                     "1:\n\tslliw %2,%0,5\n\tsrliw %1,%0,27\n"
                     "2:\n\tor %3,%2,%1\n\t"
                     "add %5,%5,%3\n\taddi %4,%4,-1\n\tbnez %4,1b\n\t"
                     : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5));
    printf("middle 3rd %llx: %llx %llx %llx %llx\n", (unsigned long long)x, (unsigned long long)t1,
           (unsigned long long)t2, (unsigned long long)t3, (unsigned long long)t5);
}

/* A fault at the load right after each form (x5-x7 are t0-t2, x28-x30 t3-t5). */
static uint64_t start;
#define FAULT(name, shape)                                                                         \
    do {                                                                                           \
        if (!sigsetjmp(env, 1))                                                                    \
            __asm__ volatile("lla t6,1f\n\tsd t6,%[st]\n\tli t0,0x12345678\n\tli t1,0\n\tli t2,0\n\t"      \
                             "li t3,0\n\tli t4,0x10\n\tli t5,0\n1:\n\t" shape "\n\tld t5,0(t4)\n\tli t1,1"     \
                             : [st] "=m"(start) : : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory"); \
        print_fault_temps(name, 16, start);                                                              \
    } while (0)
static void faults(void) {
    catch_segv();
    FAULT("rotate", "srliw t1,t0,7\n\tslliw t2,t0,25\n\tor t3,t1,t2");
    FAULT("rotate swapped", "slliw t2,t0,25\n\tsrliw t1,t0,7\n\tor t3,t2,t1");
    FAULT("rotate pair", "srliw t1,t0,7\n\tslliw t2,t0,25");
    FAULT("rotate (norvc)", ".option push\n.option norvc\nsrliw t1,t0,11\n\tslliw t2,t0,21\n\tor t1,t1,t2\n.option pop");
}

int main(void) {
    /* Enough rounds for the native tier to compile the loops too (the suite runs both tiers). */
    for (int round = 0; round < 300; round++) {
        uint64_t x = int_vals[round % NELEM(int_vals)] ^ (uint64_t)round * 0x9e3779b97f4a7c15ull;
        if (round % 50 == 0) {
            rotates_1(x), rotates_2(x), rotates_7(x), rotates_13(x);
            rotates_17(x), rotates_19(x), rotates_25(x), rotates_31(x);
        }
        sigma(x, int_vals[(round + 7) % NELEM(int_vals)], 1 + round % 9);
        middles(x);
    }
    faults();
    return 0;
}
