/* The interpreter's chained forms (Fusion.swift): slli t,s,k + srli d,t,j with the srli reading
 * the slli's result (`slliSrliChain`), and CoreMark's matrix step slli;slli, srli;srli, add;add,
 * lh;lh whose srli, add and lh each read the result of the one before (`slliSrliAddLhChain`,
 * `Fusion.matrixChain`); both take those values from host registers. Then near misses, where a
 * register of the chain is overwritten before its reader or is x0, which must run in order (as
 * the unchained forms), jumps onto the later units, and faults in the loads: pc and every
 * register as after the instructions before the faulting one. Compared with qemu. */
#include "isa.h"
#include "segv_regs.h"

static int16_t A[64], B[64];

/* slli + srli of every kind, the chained and not, compressed and not, into x0 and from it. */
#define SHIFT2(k, j)                                                                               \
    ({ uint64_t d, t;                                                                              \
       __asm__ volatile("slli %[t],%[s]," #k "\n\tsrli %[d],%[t]," #j : [d] "=&r"(d), [t] "=&r"(t) \
                        : [s] "r"(s));                                                              \
       d ^ t * 3; })
static void shifts(uint64_t s, uint64_t u) {
    uint64_t r[16];
    int n = 0;
    r[n++] = SHIFT2(32, 32);
    r[n++] = SHIFT2(32, 31);
    r[n++] = SHIFT2(48, 48);
    r[n++] = SHIFT2(63, 1);
    r[n++] = SHIFT2(1, 63);
    r[n++] = SHIFT2(0, 0);
    r[n++] = SHIFT2(7, 3);
    /* The destination of both is the source (c.slli + c.srli in a0..a5). */
    uint64_t a = s, b = u, c = s, e = u;
    __asm__ volatile("slli %[a],%[a],32\n\tsrli %[a],%[a],30" : [a] "+r"(a));
    __asm__ volatile("slli %[b],%[b],48\n\tsrli %[b],%[b],48" : [b] "+r"(b));
    /* srli reading another register (not chained), then reading the slli's source. */
    __asm__ volatile("slli %[c],%[s],5\n\tsrli %[e],%[u],3" : [c] "=&r"(c), [e] "=&r"(e) : [s] "r"(s), [u] "r"(u));
    r[n++] = a, r[n++] = b, r[n++] = c, r[n++] = e;
    __asm__ volatile("slli %[c],%[s],9\n\tsrli %[e],%[s],2" : [c] "=&r"(c), [e] "=&r"(e) : [s] "r"(s));
    r[n++] = c ^ e << 1;
    /* slli into x0, then srli of x0: reads 0, not the shifted value. */
    __asm__ volatile("slli zero,%[s],4\n\tsrli %[e],zero,1" : [e] "=&r"(e) : [s] "r"(s));
    r[n++] = e;
    /* A jump onto the srli (it runs alone), then the pair from its start. */
    uint64_t t = 0, d = 0, k = 2;
    __asm__ volatile("mv %[t],%[s]\n\tj 2f\n"
                     "1:\n\t"
                     "slli %[t],%[s],40\n"
                     "2:\n\t"
                     "srli %[d],%[t],20\n\taddi %[k],%[k],-1\n\tbnez %[k],1b"
                     : [t] "+r"(t), [d] "+r"(d), [k] "+r"(k) : [s] "r"(s));
    r[n++] = t ^ d;
    printf("shifts %llx %llx:", (unsigned long long)s, (unsigned long long)u);
    for (int i = 0; i < n; i++) printf(" %llx", (unsigned long long)r[i]);
    printf("\n");
}

/* The matrix step in fixed registers: inputs i (a4) and j (a2) are 32-bit indices (upper bits
 * dropped by the slli), c1 (t1) and c2 (a7) the bases; a3, a5, a6, t3 and t4 are printed. */
#define STEP(name, body, i, j, c1, c2)                                                             \
    do {                                                                                           \
        register uint64_t a2 __asm__("a2") = j, a3 __asm__("a3") = 0, a4 __asm__("a4") = i;        \
        register uint64_t a5 __asm__("a5") = 0, a6 __asm__("a6") = 0, a7 __asm__("a7") = c2;       \
        register uint64_t t1 __asm__("t1") = c1, t3 __asm__("t3") = 0, t4 __asm__("t4") = 0;       \
        __asm__ volatile(body : "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7), "+r"(t1), \
                         "+r"(t3), "+r"(t4) : : "memory");                                           \
        printf("%-10s %llx %llx: a2=%llx a3=%llx a4=%llx a5=%llx a6=%llx t3=%llx t4=%llx\n", name,    \
               (unsigned long long)(i), (unsigned long long)(j), (unsigned long long)a2,                \
               (unsigned long long)a3, (unsigned long long)a4, (unsigned long long)a5,                \
               (unsigned long long)a6, (unsigned long long)t3, (unsigned long long)t4);               \
    } while (0)

static void matrix(uint64_t i, uint64_t j) {
    uint64_t a = (uint64_t)A, b = (uint64_t)B;
    /* CoreMark's shape (chained), then all compressed (c.slli, c.srli, c.add). */
    STEP("coremark", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a3,a3,a7\n\tlh a5,0(a5)\n\tlh a3,0(a3)", i, j, a, b);
    STEP("compressed", "slli a4,a4,32\n\tslli a2,a2,32\n\tsrli a4,a4,31\n\tsrli a2,a2,31\n\t"
         "add a4,a4,t1\n\tadd a2,a2,a7\n\tlh a4,2(a4)\n\tlh a2,-2(a2)", i, j, a, b + 2);
    STEP("norvc", ".option push\n.option norvc\n"
         "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a3,a3,a7\n\tlh a5,0(a5)\n\tlh a3,0(a3)\n.option pop", i, j, a, b);
    /* The loads' bases crossed (CoreMark's bit-extracting multiply), compressed and not. */
    STEP("crossed", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a3,a3,a7\n\tlh a3,0(a3)\n\tlh a5,0(a5)", i, j, a, b);
    STEP("crossed32", ".option push\n.option norvc\n"
         "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a3,a3,a7\n\tlh a3,2(a3)\n\tlh a5,-2(a5)\n.option pop", i, j, a + 2, b);
    /* Near misses: each link overwritten before its reader, or x0. */
    STEP("d1==d2", "slli a3,a4,32\n\tslli a3,a2,32\n\tsrli a5,a3,31\n\tsrli a6,a3,31\n\t"
         "add a5,a5,t1\n\tadd a6,a6,a7\n\tlh a5,0(a5)\n\tlh a6,0(a6)", i, j, a, b);
    STEP("e1==d2", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli t3,a3,31\n\tsrli a6,t3,31\n\t"
         "add t3,t3,t1\n\tadd a6,a6,a7\n\tlh t3,0(t3)\n\tlh a6,0(a6)", i, j, a, b);
    STEP("e1==e2", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a5,t3,31\n\t"
         "add a6,a5,t1\n\tadd t4,a5,a7\n\tlh a6,0(a6)\n\tlh t4,0(t4)", i, j, a, b);
    STEP("f1==e2", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a3,a5,t1\n\tadd a6,a3,a7\n\tlh a3,0(a3)\n\tlh a6,0(a6)", i, j, a, 0);
    STEP("f1==f2", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a5,a3,a7\n\tlh a6,0(a5)\n\tlh a3,0(a5)", i, j, a, b);
    STEP("add order", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,t1,a5\n\tadd a3,a7,a3\n\tlh a5,0(a5)\n\tlh a3,0(a3)", i, j, a, b);
    STEP("other base", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a3,a3,a7\n\tlh a6,0(a3)\n\tlh a3,0(a5)", i, j, a, b);
    STEP("x0 d1", "slli zero,a4,32\n\tslli t3,a2,32\n\tsrli a5,zero,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd a3,a3,a7\n\tlh a5,0(a5)\n\tlh a3,0(a3)", i, j, a, b);
    STEP("x0 f2", "slli a3,a4,32\n\tslli t3,a2,32\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n\t"
         "add a5,a5,t1\n\tadd zero,a3,a7\n\tlh a5,0(a5)\n\tlh a3,0(a7)", i, j, a, b);
    /* Loops over the chained step entered on the srli;srli, the add;add and the lh;lh (each
     * then runs alone), then from the start. */
    STEP("jump-in", "li t4,3\n\tmv t3,zero\n\tmv a3,zero\n\tj 3f\n"
         "1:\n\tslli a3,a4,32\n\tslli t3,a2,32\n"
         "2:\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n"
         "3:\n\tadd a5,a5,t1\n\tadd a3,a3,a7\n"
         "4:\n\tlh a5,0(a5)\n\tlh a3,0(a3)\n\t"
         "addi t4,t4,-1\n\tbeqz t4,5f\n\tmv t3,zero\n\tli a5,0\n\tli a3,0\n\t"
         "andi a6,t4,1\n\tbeqz a6,2b\n\tj 1b\n"
         "5:", i, j, a, b);
    STEP("jump-lh", "li t4,2\n\tmv a5,t1\n\tmv a3,a7\n\tj 4f\n"
         "1:\n\tslli a3,a4,32\n\tslli t3,a2,32\n"
         "2:\n\tsrli a5,a3,31\n\tsrli a3,t3,31\n"
         "3:\n\tadd a5,a5,t1\n\tadd a3,a3,a7\n"
         "4:\n\tlh a5,0(a5)\n\tlh a3,0(a3)\n\t"
         "addi t4,t4,-1\n\tbnez t4,1b", i, j, a, b);
}

/* g1 == f2: the second lh's base is the first's result (here the loaded halfword, an invalid
 * address: both qemu and the interpreter must fault there, with the first load retired). */
static const uint64_t readonly[2] = {0x10, 0};
#define FAULT(name, setup, shape) FAULT_TEMPS(name, 16, setup, shape, readonly, A)

/* The chained step in t0-t6: indices t3 and t4, bases t5 and t6. */
#define CHAIN "slli t0,t3,32\n\tslli t1,t4,32\n\tsrli t2,t0,31\n\tsrli t0,t1,31\n\t"                \
              "add t2,t2,t5\n\tadd t0,t0,t6\n\tlh t2,0(t2)\n\tlh t0,0(t0)\n\tli t5,1"
static void faults(void) {
    catch_segv();
    FAULT("chain at 1st", "li t3,3\n\tli t4,5\n\tli t5,0x10\n\tmv t6,%[ok]", CHAIN);
    FAULT("chain at 2nd", "li t3,3\n\tli t4,5\n\tmv t5,%[ok]\n\tli t6,0x10", CHAIN);
    FAULT("chain norvc 2nd", "li t3,3\n\tli t4,5\n\tmv t5,%[ok]\n\tli t6,0x10",
          ".option push\n.option norvc\n" CHAIN "\n.option pop");
    FAULT("crossed at 1st", "li t3,3\n\tli t4,5\n\tmv t5,%[ok]\n\tli t6,0x10",
          "slli t0,t3,32\n\tslli t1,t4,32\n\tsrli t2,t0,31\n\tsrli t0,t1,31\n\t"
          "add t2,t2,t5\n\tadd t0,t0,t6\n\tlh t0,0(t0)\n\tlh t2,0(t2)\n\tli t5,1");
    FAULT("crossed at 2nd", "li t3,3\n\tli t4,5\n\tli t5,0x10\n\tmv t6,%[ok]",
          "slli t0,t3,32\n\tslli t1,t4,32\n\tsrli t2,t0,31\n\tsrli t0,t1,31\n\t"
          "add t2,t2,t5\n\tadd t0,t0,t6\n\tlh t0,0(t0)\n\tlh t2,0(t2)\n\tli t5,1");
    FAULT("crossed g1==f1", "li t3,3\n\tli t4,5\n\tmv t5,%[ok]\n\tmv t6,%[ok]",
          "slli t0,t3,32\n\tslli t1,t4,32\n\tsrli t2,t0,31\n\tsrli t0,t1,31\n\t"
          "add t2,t2,t5\n\tadd t0,t0,t6\n\tlh t2,0(t0)\n\tlh t1,0(t2)\n\tli t5,1");
    FAULT("g1==f2", "li t3,3\n\tli t4,5\n\tmv t5,%[ok]\n\tmv t6,%[ok]",
          "slli t0,t3,32\n\tslli t1,t4,32\n\tsrli t2,t0,31\n\tsrli t0,t1,31\n\t"
          "add t2,t2,t5\n\tadd t0,t0,t6\n\tlh t0,0(t2)\n\tlh t2,0(t0)\n\tli t5,1");
    FAULT("slli;srli+ld", "li t3,0x10\n\tli t4,7",
          "slli t0,t4,32\n\tsrli t1,t0,29\n\tld t2,0(t3)\n\tli t5,1");
    FAULT("slli;srli+ld rvc", "li t3,0x10\n\tli t4,7",
          "slli t4,t4,32\n\tsrli t4,t4,29\n\tld t2,0(t3)\n\tli t5,1");
}

int main(void) {
    for (int i = 0; i < 64; i++) A[i] = (int16_t)(i * 2654435761u >> 7), B[i] = (int16_t)(i * 40503u - 9000);
    /* Enough rounds for the native tier to compile the code too (the suite runs both tiers). */
    for (int round = 0; round < 200; round++) {
        uint64_t x = int_vals[round % NELEM(int_vals)];
        shifts(x, int_vals[(round + 7) % NELEM(int_vals)]);
        /* Indices 0..30 with garbage in the upper 32 bits (dropped by slli 32). */
        uint64_t i = (round * 7 % 31) | (x & 0xffffffff00000000ull);
        uint64_t j = ((round * 13 + 5) % 31) | (uint64_t)round << 40;
        matrix(i, j);
    }
    faults();
    return 0;
}
