/* The interpreter's three-instruction shift forms (Fusion.fuseShiftOr): slli;srli, or two
 * shifts by a register (sll/srl in any order), then the or of their two results, in one slot (a
 * 64-bit rotate or funnel shift without Zbb: xxhash-style mixing, glibc's unaligned word copy).
 * For each: every register overlap, x0 as a destination, shift amounts 0, 1, 63 and above 63 in
 * the register (masked), the compressed forms (c.slli, c.srli, c.or) and the 32-bit ones; near
 * misses that must not fuse (an xor, an and or an add where the or would be, an or of other
 * registers or of one result twice, both shifts writing one register); mul;add and the
 * register-shift pairs without an or; jumps onto the second and the third instruction; and a
 * fault right after each shape (reported at the load, every result written). Compared with qemu. */
#include "isa.h"
#include "segv_regs.h"

/* t0..t3 hold a, b, c, d. */
#define CASE(name, body)                                                                           \
    do {                                                                                           \
        uint64_t t0 = a, t1 = b, t2 = c, t3 = d;                                                   \
        __asm__ volatile(body : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3));                           \
        printf("%-10s %-10s %016llx %016llx %016llx %016llx\n", pair, name, (unsigned long long)t0, \
               (unsigned long long)t1, (unsigned long long)t2, (unsigned long long)t3);            \
    } while (0)

/* Two register-register instructions: every overlap of the second with the first. */
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
SHAPES(mul_add, "mul", "add")
SHAPES(sll_srl, "sll", "srl")
SHAPES(srl_sll, "srl", "sll")
SHAPES(sll_sll, "sll", "sll")
SHAPES(srl_srl, "srl", "srl")

/* Two shifts by a register, then an or (or a near miss) of their results. */
#define SHIFT_OR(fn, OP1, OP2)                                                                     \
    static void fn(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {                               \
        const char *pair = OP1 ";" OP2 ";or";                                                      \
        CASE("funnel", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%3\n\tor %0,%0,%3");                        \
        CASE("or swapped", OP1 " %0,%1,%2\n\t" OP2 " %3,%2,%3\n\tor %2,%3,%0");                    \
        CASE("or other", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%3\n\tor %1,%2,%1");                      \
        CASE("or x0", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%3\n\tor zero,%0,%3");                       \
        CASE("or to src", OP1 " %0,%1,%2\n\t" OP2 " %3,%0,%2\n\tor %2,%0,%3");                     \
        CASE("xor after", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%3\n\txor %0,%0,%3");                    \
        CASE("and after", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%3\n\tand %0,%0,%3");                    \
        CASE("x0 shifts", OP1 " zero,%1,%2\n\t" OP2 " zero,%1,%3\n\tor %0,%0,%3");                 \
        CASE("x0 first", OP1 " zero,%1,%2\n\t" OP2 " %3,%1,%3\n\tor %0,zero,%3");                \
        CASE("same rd", OP1 " %0,%1,%2\n\t" OP2 " %0,%1,%3\n\tor %3,%0,%0");                     \
        CASE("or one", OP1 " %0,%1,%2\n\t" OP2 " %3,%1,%3\n\tor %2,%0,%1");                      \
    }
SHIFT_OR(sll_srl_or, "sll", "srl")
SHIFT_OR(srl_sll_or, "srl", "sll")
SHIFT_OR(sll_sll_or, "sll", "sll")
SHIFT_OR(srl_srl_or, "srl", "srl")

/* slli k;srli 64-k;or: a rotate, with both or orders, other registers and near misses. */
#define ROTATE(fn, K, L)                                                                           \
    static void fn(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {                               \
        const char *pair = "slli " #K ";srli " #L;                                                 \
        CASE("rotate", "slli %0,%1," #K "\n\tsrli %1,%1," #L "\n\tor %1,%1,%0");                   \
        CASE("or swapped", "slli %0,%1," #K "\n\tsrli %2,%1," #L "\n\tor %3,%2,%0");               \
        CASE("srli of rd", "slli %0,%1," #K "\n\tsrli %2,%0," #L "\n\tor %3,%0,%2");               \
        CASE("or other", "slli %0,%1," #K "\n\tsrli %2,%1," #L "\n\tor %3,%1,%3");                 \
        CASE("or x0", "slli %0,%1," #K "\n\tsrli %2,%1," #L "\n\tor zero,%0,%2");                  \
        CASE("xor after", "slli %0,%1," #K "\n\tsrli %2,%1," #L "\n\txor %3,%0,%2");               \
        CASE("add after", "slli %0,%1," #K "\n\tsrli %2,%1," #L "\n\tadd %3,%0,%2");               \
        CASE("x0 shifts", "slli zero,%1," #K "\n\tsrli zero,%1," #L "\n\tor %3,%0,%2");            \
        CASE("same rd", "slli %0,%1," #K "\n\tsrli %0,%1," #L "\n\tor %3,%0,%0");                \
        CASE("or twice", "slli %0,%1," #K "\n\tsrli %2,%1," #L "\n\tor %3,%2,%2");               \
    }
ROTATE(rot_1, 1, 63)
ROTATE(rot_31, 31, 33)
ROTATE(rot_63, 63, 1)
ROTATE(rot_0, 0, 17)

/* A hash loop in compressible registers (c.add, c.srli, c.or, c.slli when compression is on,
 * the 32-bit forms with .option norvc): mul;add, slli;srli;or, and a funnel shift by registers. */
#define HASH_LOOP                                                                                  \
    "1:\n\t"                                                                                       \
    "mul a1,a1,a3\n\tadd a1,a1,a0\n\t"                                                             \
    "slli a2,a1,31\n\tsrli a1,a1,33\n\tor a1,a1,a2\n\t"                                            \
    "srl a2,a1,a4\n\tsll a5,a0,a4\n\tor a2,a2,a5\n\t"                                              \
    "sll a0,a0,a5\n\tsrl a5,a2,a5\n\tor a0,a0,a5\n\t"                                              \
    "mul a0,a0,a3\n\txor a0,a0,a1\n\t"                                                             \
    "addi a6,a6,-1\n\tbnez a6,1b\n\t"
static void hashes(uint64_t x, uint64_t y, int n) {
    uint64_t out[2][6];
    for (int form = 0; form < 2; form++) {
        register uint64_t a0 __asm__("a0") = x, a1 __asm__("a1") = y, a2 __asm__("a2") = x * 3;
        register uint64_t a3 __asm__("a3") = 0x9e3779b185ebca87ull, a4 __asm__("a4") = y >> 7,
                          a5 __asm__("a5") = x ^ 0x5555;
        register uint64_t a6 __asm__("a6") = n;
        if (form == 0)
            __asm__ volatile(HASH_LOOP : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6));
        else
            __asm__ volatile(".option push\n.option norvc\n" HASH_LOOP ".option pop\n"
                             : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6));
        out[form][0] = a0, out[form][1] = a1, out[form][2] = a2, out[form][3] = a3, out[form][4] = a4,
        out[form][5] = a5;
    }
    printf("hash %llx %llx %d:", (unsigned long long)x, (unsigned long long)y, n);
    for (int form = 0; form < 2; form++)
        for (int i = 0; i < 6; i++) printf(" %llx", (unsigned long long)out[form][i]);
    printf("\n");
}

/* Jumps onto the second and the third instruction of a shape: the first pass enters in the
 * middle, the later ones run it whole (t4 counts the passes). */
#define MIDDLE(label, S1, S2, S3, ENTRY)                                                           \
    do {                                                                                           \
        uint64_t t0 = x, t1 = x >> 3, t2 = 13, t3 = 7, t4 = 3, t5 = 0;                             \
        __asm__ volatile("j " ENTRY "\n"                                                           \
                         "1:\n\t" S1 "\n"                                                          \
                         "2:\n\t" S2 "\n"                                                          \
                         "3:\n\t" S3 "\n\t"                                                        \
                         "add %5,%5,%0\n\taddi %2,%2,1\n\taddi %4,%4,-1\n\tbnez %4,1b\n\t"         \
                         : "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3), "+r"(t4), "+r"(t5));            \
        printf("middle %-18s %llx: %llx %llx %llx\n", label, (unsigned long long)x,               \
               (unsigned long long)t0, (unsigned long long)t3, (unsigned long long)t5);            \
    } while (0)
static void middles(uint64_t x) {
    MIDDLE("slli;srli;or @2", "slli %3,%0,29", "srli %0,%0,35", "or %0,%0,%3", "2f");
    MIDDLE("slli;srli;or @3", "slli %3,%0,29", "srli %0,%0,35", "or %0,%0,%3", "3f");
    MIDDLE("sll;srl;or @2", "sll %3,%0,%2", "srl %0,%0,%2", "or %0,%0,%3", "2f");
    MIDDLE("srl;sll;or @3", "srl %3,%0,%2", "sll %0,%0,%2", "or %0,%0,%3", "3f");
    MIDDLE("mul;add @2", "mul %3,%0,%1", "add %0,%0,%3", "xor %1,%1,%0", "2f");
}

/* A fault at the load right after each shape (x5-x7 are t0-t2, x28-x30 t3-t5). */
static uint64_t start;
#define FAULT(name, shape)                                                                         \
    do {                                                                                           \
        if (!sigsetjmp(env, 1))                                                                    \
            __asm__ volatile("lla t6,1f\n\tsd t6,%[st]\n\tli t0,0x12345678\n\tli t1,0x0f0f0f0f\n\tli t2,0x7fffffff\n\t" \
                             "li t3,0x100\n\tli t4,0x10\n\tli t5,0\n1:\n\t" shape "\n\tld t5,0(t4)\n\tli t1,1"          \
                             : [st] "=m"(start) : : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory"); \
        print_fault_temps(name, 16, start);                                                        \
    } while (0)
static void faults(void) {
    catch_segv();
    FAULT("mul;add", "mul t3,t0,t1\n\tadd t2,t2,t3");
    FAULT("sll;srl", "sll t3,t0,t1\n\tsrl t2,t2,t3");
    FAULT("srl;sll", "srl t3,t0,t1\n\tsll t1,t2,t0");
    FAULT("slli;srli;or", "slli t3,t0,13\n\tsrli t0,t0,51\n\tor t0,t0,t3");
    FAULT("sll;srl;or", "sll t3,t0,t1\n\tsrl t2,t2,t1\n\tor t2,t2,t3");
    FAULT("srl;sll;or", "srl t3,t0,t4\n\tsll t2,t2,t4\n\tor t0,t2,t3");
}

int main(void) {
    /* Enough rounds for the native tier to compile the loops too (the suite runs both tiers). */
    for (int round = 0; round < 300; round++) {
        uint64_t x = int_vals[round % NELEM(int_vals)] ^ (uint64_t)round * 0x9e3779b97f4a7c15ull;
        uint64_t y = int_vals[(round + 7) % NELEM(int_vals)];
        if (round % 50 == 0) {
            /* Shift amounts in c and d: small, 63, and above 63 (masked to 6 bits). */
            uint64_t amounts[] = {0, 1, 5, 63, 64 + 7, 0xffffffffffffffc3ull};
            for (unsigned i = 0; i < NELEM(amounts); i++) {
                uint64_t c = amounts[i], d = amounts[(i + 2) % NELEM(amounts)];
                mul_add(x, y, c * 0x10001 + 3, d), sll_srl(x, y, c, d), srl_sll(x, y, c, d);
                sll_sll(x, y, c, d), srl_srl(x, y, c, d);
                sll_srl_or(x, y, c, d), srl_sll_or(x, y, c, d), sll_sll_or(x, y, c, d), srl_srl_or(x, y, c, d);
            }
            rot_1(x, y, x * 7, ~y), rot_31(x, y, x * 7, ~y), rot_63(x, y, x * 7, ~y), rot_0(x, y, x * 7, ~y);
        }
        hashes(x, y, 1 + round % 9);
        middles(x);
    }
    faults();
    return 0;
}
