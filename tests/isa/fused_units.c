/* Units the interpreter runs two at a time (Fusion.fuseUnits: an instruction or fused pair, then
 * the unit in the slot after it) and the pairs added with them (lh + beq/bne, li + any branch,
 * xor + addiw, addiw + andi, add/addi + every branch condition). The loops are the shapes of
 * CoreMark's matrix, CRC, list and parsing code, in 32-bit and compressed forms, taken and not
 * taken, with jumps that land on the second unit; then a fault inside each shape that loads or
 * stores: the fault is reported at the faulting instruction, with the registers of the
 * instructions before it written and none after it. Everything is compared with qemu. */
#include "isa.h"
#include "segv_regs.h"

static int16_t A[64], B[64];

/* slli;slli + srli;srli, add;add + lh;lh, addiw;addw + mulw;addw, mulw;addw + bne (a matrix
 * multiply-accumulate over zero-extended 32-bit indices), and the bit-extract variant:
 * addiw;addw + mulw, sraiw;sraiw + andi;andi, mulw;addw + bne. */
#define MATRIX_STEP                                                                                \
    "slli %[t0],%[t4],32\n\tslli %[t1],%[t5],32\n\t"                                               \
    "srli %[t2],%[t0],31\n\tsrli %[t0],%[t1],31\n\t"                                                \
    "add %[t2],%[t2],%[a]\n\tadd %[t0],%[t0],%[b]\n\t"                                              \
    "lh %[t0],0(%[t0])\n\tlh %[t2],0(%[t2])\n\t"                                                    \
    "addiw %[t4],%[t4],1\n\taddw %[t5],%[t5],%[s]\n\t"                                              \
    "mulw %[t2],%[t2],%[t0]\n\t"
#define MATRIX_OPERANDS                                                                            \
    : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t4] "+r"(t4), [t5] "+r"(t5), [acc] "+r"(acc) \
    : [a] "r"(A), [b] "r"(B), [s] "r"(stride), [n] "r"(n) : "memory"
static void matrix(uint64_t i, uint64_t n, uint64_t j, uint64_t stride) {
    uint64_t t0, t1, t2, t4 = i, t5 = j, acc = 0;
    __asm__ volatile("1:\n\t"
                     MATRIX_STEP
                     "addw %[acc],%[acc],%[t2]\n\t"
                     "bne %[n],%[t4],1b\n\t"
                     MATRIX_OPERANDS);
    printf("matrix %llu..%llu j=%llu: acc=%llx t0=%llx t1=%llx t2=%llx t5=%llx\n", (unsigned long long)i,
           (unsigned long long)n, (unsigned long long)j, (unsigned long long)acc, (unsigned long long)t0,
           (unsigned long long)t1, (unsigned long long)t2, (unsigned long long)t5);
    t4 = i, t5 = j, acc = 0;
    __asm__ volatile("1:\n\t"
                     MATRIX_STEP
                     "sraiw %[t0],%[t2],2\n\tsraiw %[t2],%[t2],5\n\t"
                     "andi %[t0],%[t0],15\n\tandi %[t2],%[t2],127\n\t"
                     "mulw %[t2],%[t0],%[t2]\n\taddw %[acc],%[acc],%[t2]\n\t"
                     "bne %[n],%[t4],1b\n\t"
                     MATRIX_OPERANDS);
    printf("bitextract %llu..%llu j=%llu: acc=%llx t0=%llx t1=%llx t2=%llx t5=%llx\n", (unsigned long long)i,
           (unsigned long long)n, (unsigned long long)j, (unsigned long long)acc, (unsigned long long)t0,
           (unsigned long long)t1, (unsigned long long)t2, (unsigned long long)t5);
}

/* CRC step (CoreMark's crcu8): xor + addiw, srli + andi;andi, xor + srli + beqz, in compressed
 * registers (c.addiw, c.srli, c.andi, c.beqz) and again with compression off. */
#define CRC_LOOP                                                                                   \
    "li a5,8\n"                                                                                    \
    "1:\n\t"                                                                                       \
    "xor a4,a1,a0\n\taddiw a5,a5,-1\n\t"                                                           \
    "srli a0,a0,1\n\tandi a4,a4,1\n\tandi a5,a5,255\n\t"                                           \
    "xor a2,a0,a1\n\tsrli a1,a1,1\n\tbeqz a4,2f\n\t"                                               \
    "xori a1,a1,0x402\n"                                                                           \
    "2:\n\t"                                                                                       \
    "bnez a5,1b\n\t"
static void crc(uint64_t data, uint64_t value) {
    uint64_t out[2][3];
    for (int form = 0; form < 2; form++) {
        register uint64_t a0 __asm__("a0") = data, a1 __asm__("a1") = value, a2 __asm__("a2") = 0;
        if (form == 0)
            __asm__ volatile(CRC_LOOP : "+r"(a0), "+r"(a1), "+r"(a2) : : "a4", "a5");
        else
            __asm__ volatile(".option push\n.option norvc\n" CRC_LOOP ".option pop\n"
                             : "+r"(a0), "+r"(a1), "+r"(a2) : : "a4", "a5");
        out[form][0] = a0, out[form][1] = a1, out[form][2] = a2;
    }
    printf("crc %llx %llx: %llx %llx %llx / %llx %llx %llx\n", (unsigned long long)data, (unsigned long long)value,
           (unsigned long long)out[0][0], (unsigned long long)out[0][1], (unsigned long long)out[0][2],
           (unsigned long long)out[1][0], (unsigned long long)out[1][1], (unsigned long long)out[1][2]);
}

/* Digits of a string: lbu + beqz, addiw + andi (`(unsigned char)(c - '0')`), li + bgtu, addi + j;
 * then strlen-like scans: lbu + addi + bnez, lbu + addi + beqz; then a jump onto the second unit. */
static void digits(const char *s) {
    uint64_t n = 0, c = 0, k = 0;
    const char *p = s;
    __asm__ volatile("1:\n\t"
                     "lbu %[c],0(%[p])\n\tbeqz %[c],3f\n\t"
                     "addiw %[c],%[c],-48\n\tandi %[c],%[c],255\n\t"
                     "li %[k],9\n\tbgtu %[c],%[k],2f\n\t"
                     "addi %[n],%[n],1\n"
                     "2:\n\t"
                     "addi %[p],%[p],1\n\tj 1b\n"
                     "3:"
                     : [c] "+r"(c), [k] "+r"(k), [n] "+r"(n), [p] "+r"(p) : : "memory");
    const char *q = s, *e = s - 1;
    uint64_t t;
    __asm__ volatile("1:\n\t"
                     "lbu %[t],0(%[q])\n\taddi %[q],%[q],1\n\tbnez %[t],1b\n\t"
                     : [t] "=&r"(t), [q] "+r"(q) : : "memory");
    __asm__ volatile("1:\n\t"
                     "lbu %[t],1(%[e])\n\taddi %[e],%[e],1\n\tbeqz %[t],2f\n\t"
                     "j 1b\n"
                     "2:"
                     : [t] "=&r"(t), [e] "+r"(e) : : "memory");
    uint64_t skipped = 5, v = 0;
    __asm__ volatile("j 2f\n\t"
                     "1:\n\t"
                     "lbu %[v],0(%[s])\n"
                     "2:\n\t"
                     "addi %[k],%[k],1\n\tbeqz %[k],1b\n\t"
                     : [v] "+r"(v), [k] "+r"(skipped) : [s] "r"(s) : "memory");
    printf("digits(%s)=%llu c=%llx k=%llu len=%ld/%ld jump-in v=%llu k=%llu\n", s, (unsigned long long)n,
           (unsigned long long)c, (unsigned long long)k, (long)(q - s - 1), (long)(e - s),
           (unsigned long long)v, (unsigned long long)skipped);
}

/* li + each branch condition, the constant on either side, negative and at the 12-bit limits. */
#define LI_BRANCH(br, x, kv, order)                                                                \
    ({ uint64_t taken = 0, k;                                                                      \
       __asm__ volatile("li %[k]," #kv "\n\t" br " " order ",1f\n\tli %[t],1\n1:"                  \
                        : [t] "+r"(taken), [k] "=&r"(k) : [x] "r"(x));                             \
       taken | k << 8; })
#define LI_BOTH(br, x, kv) (LI_BRANCH(br, x, kv, "%[x],%[k]") ^ LI_BRANCH(br, x, kv, "%[k],%[x]") << 1)
static void constant_branches(uint64_t x) {
    uint64_t r[] = {LI_BOTH("beq", x, 7), LI_BOTH("bne", x, 7), LI_BOTH("blt", x, -5), LI_BOTH("bge", x, -5),
                    LI_BOTH("bltu", x, 2047), LI_BOTH("bgeu", x, -2048), LI_BOTH("blt", x, 0), LI_BOTH("bgeu", x, 1),
                    LI_BOTH("bltu", x, 0x7000), LI_BOTH("bne", x, 0x12345000)};
    printf("li+branch %llx:", (unsigned long long)x);
    for (int i = 0; i < NELEM(r); i++) printf(" %llx", (unsigned long long)r[i]);
    printf("\n");
}

/* addi, addiw, add, addw + each branch condition, the branch reading the add's result or not. */
#define ADD_BRANCH(alu, y, br)                                                                     \
    ({ uint64_t taken = 0, d;                                                                      \
       __asm__ volatile(alu " %[d],%[a]," y "\n\t" br " %[d],%[b],1f\n\tli %[t],1\n1:"             \
                        : [t] "+r"(taken), [d] "=&r"(d) : [a] "r"(a), [b] "r"(b));                  \
       taken | (d & 0xffff) << 1; })
#define ADD_ALL(alu, y)                                                                            \
    (ADD_BRANCH(alu, y, "beq") + 3 * ADD_BRANCH(alu, y, "bne") + 5 * ADD_BRANCH(alu, y, "blt") +   \
     7 * ADD_BRANCH(alu, y, "bge") + 11 * ADD_BRANCH(alu, y, "bltu") + 13 * ADD_BRANCH(alu, y, "bgeu"))
static void add_branches(uint64_t a, uint64_t b) {
    printf("add+branch %llx %llx: %llx %llx %llx %llx\n", (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)ADD_ALL("addi", "-3"), (unsigned long long)ADD_ALL("addiw", "1"),
           (unsigned long long)ADD_ALL("add", "%[b]"), (unsigned long long)ADD_ALL("addw", "%[a]"));
}

/* Lists: reversal (add + ld, then sd: CoreMark's list reverse), and searches by a pointed-to
 * halfword or byte (ld + beqz, then ld + lh + bne / ld + lbu + bne), lh + beq over an array. */
struct item { struct item *next; int16_t *info; };
static struct item items[24];
static int16_t infos[24][2];

static struct item *reverse(struct item *head) {
    uint64_t prev = 0, cur = (uint64_t)head, node;
    __asm__ volatile("1:\n\t"
                     "add %[node],zero,%[cur]\n\tld %[cur],0(%[node])\n\tsd %[prev],0(%[node])\n\t"
                     "add %[prev],zero,%[node]\n\tbnez %[cur],1b\n\t"
                     : [prev] "+r"(prev), [cur] "+r"(cur), [node] "=&r"(node) : : "memory");
    return (struct item *)prev;
}

static void lists(int key) {
    struct item *h = reverse(&items[0]);
    long first = h - items;
    h = reverse(h);
    uint64_t p = (uint64_t)h, t;
    __asm__ volatile("j 2f\n"
                     "1:\n\t"
                     "ld %[p],0(%[p])\n\tbeqz %[p],3f\n"
                     "2:\n\t"
                     "ld %[t],8(%[p])\n\tlh %[t],2(%[t])\n\tbne %[t],%[k],1b\n"
                     "3:"
                     : [p] "+r"(p), [t] "=&r"(t) : [k] "r"((uint64_t)(int64_t)key) : "memory");
    uint64_t q = (uint64_t)h, u;
    __asm__ volatile("j 2f\n"
                     "1:\n\t"
                     "ld %[q],0(%[q])\n\tbeqz %[q],3f\n"
                     "2:\n\t"
                     "ld %[u],8(%[q])\n\tlbu %[u],0(%[u])\n\tbne %[k],%[u],1b\n"
                     "3:"
                     : [q] "+r"(q), [u] "=&r"(u) : [k] "r"((uint64_t)(key & 0xff)) : "memory");
    const int16_t *a = A;
    uint64_t v;
    __asm__ volatile("1:\n\t"
                     "lh %[v],0(%[a])\n\tbeq %[v],%[k],2f\n\t"
                     "addi %[a],%[a],2\n\tj 1b\n"
                     "2:"
                     : [a] "+r"(a), [v] "=&r"(v) : [k] "r"((uint64_t)(int64_t)A[key & 63]) : "memory");
    printf("lists key %d: reversed head %ld, by lh %ld (%llx), by lbu %ld (%llx), array %ld\n", key, first,
           p ? (long)((struct item *)p - items) : -1L, (unsigned long long)t,
           q ? (long)((struct item *)q - items) : -1L, (unsigned long long)u, (long)(a - A));
}

/* CPython's bytecode dispatch: lhu of a code unit, then andi + slli + add + ld of its handler's
 * table entry and andi + srli of its opcode and argument (andi, slli+add, ld, then andi;srli in
 * one dispatch), compressed and not; then the same with a jump onto the slli+add. */
static uint64_t table[256];
#define TABLE_LOOP                                                                                 \
    "1:\n\t"                                                                                        \
    "lhu %[c],0(%[p])\n\t"                                                                          \
    "andi %[t],%[c],255\n\tslli %[t],%[t],3\n\tadd %[t],%[t],%[tb]\n\tld %[t],0(%[t])\n\t"           \
    "andi %[o],%[c],255\n\tsrli %[g],%[c],8\n\t"                                                     \
    "add %[acc],%[acc],%[t]\n\txor %[acc],%[acc],%[g]\n\tsub %[acc],%[acc],%[o]\n\t"                  \
    "addi %[p],%[p],2\n\tbne %[p],%[e],1b\n\t"
#define TABLE_OPERANDS                                                                             \
    : [c] "=&r"(c), [t] "=&r"(t), [o] "=&r"(o), [g] "=&r"(g), [acc] "+r"(acc), [p] "+r"(p)         \
    : [tb] "r"(table), [e] "r"(e) : "memory"
static void table_jumps(const uint16_t *units, int n) {
    uint64_t out[3][4];
    for (int form = 0; form < 3; form++) {
        const uint16_t *p = units, *e = units + n;
        uint64_t c, t = 0, o, g, acc = form;
        if (form == 0)
            __asm__ volatile(TABLE_LOOP TABLE_OPERANDS);
        else if (form == 1)
            __asm__ volatile(".option push\n.option norvc\n" TABLE_LOOP ".option pop\n" TABLE_OPERANDS);
        else
            __asm__ volatile("lhu %[c],0(%[p])\n\tandi %[t],%[c],255\n\t"
                             "j 2f\n"
                             "1:\n\t"
                             "lhu %[c],0(%[p])\n\t"
                             "andi %[t],%[c],255\n"
                             "2:\n\t"
                             "slli %[t],%[t],3\n\tadd %[t],%[t],%[tb]\n\tld %[t],0(%[t])\n\t"
                             "andi %[o],%[c],255\n\tsrli %[g],%[c],8\n\t"
                             "add %[acc],%[acc],%[t]\n\txor %[acc],%[acc],%[g]\n\tsub %[acc],%[acc],%[o]\n\t"
                             "addi %[p],%[p],2\n\tbne %[p],%[e],1b\n\t" TABLE_OPERANDS);
        out[form][0] = acc, out[form][1] = t, out[form][2] = o, out[form][3] = g;
    }
    printf("table %d:", n);
    for (int form = 0; form < 3; form++)
        printf(" %llx %llx %llx %llx", (unsigned long long)out[form][0], (unsigned long long)out[form][1],
               (unsigned long long)out[form][2], (unsigned long long)out[form][3]);
    printf("\n");
}

/* andi + beqz/bnez (a type-tag test), taken and not; add + j (a loop's step and its jump); ld +
 * slli, the shift reading the loaded value or another register; compressed and not. */
#define TAG_LOOP                                                                                   \
    "1:\n\t"                                                                                        \
    "andi %[m],%[k],15\n\tbeqz %[m],2f\n\t"                                                        \
    "addi %[n],%[n],1\n"                                                                           \
    "2:\n\t"                                                                                        \
    "andi %[m],%[k],3\n\tbnez %[m],3f\n\t"                                                         \
    "addi %[n],%[n],16\n"                                                                          \
    "3:\n\t"                                                                                        \
    "ld %[m],0(%[p])\n\tslli %[s],%[m],3\n\t"                                                      \
    "ld %[v],8(%[p])\n\tslli %[m],%[n],5\n\t"                                                      \
    "xor %[n],%[n],%[s]\n\txor %[k],%[k],%[v]\n\t"                                                  \
    "srli %[k],%[k],3\n\txori %[k],%[k],5\n\tadd %[n],%[n],%[m]\n\tj 4f\n\t"                        \
    "li %[n],0\n"                                                                                  \
    "4:\n\t"                                                                                        \
    "addi %[t],%[t],-1\n\tbnez %[t],1b\n\t"
#define TAG_OPERANDS                                                                               \
    : [m] "=&r"(m), [s] "=&r"(s), [v] "=&r"(v), [n] "+r"(n), [k] "+r"(k), [t] "+r"(t)              \
    : [p] "r"(words) : "memory"
static uint64_t words[2];
static void tags(uint64_t x, uint64_t y) {
    uint64_t out[2][3];
    words[0] = y, words[1] = x ^ y << 7;
    for (int form = 0; form < 2; form++) {
        uint64_t m, s, v, n = 0, k = x, t = 12;
        if (form == 0)
            __asm__ volatile(TAG_LOOP TAG_OPERANDS);
        else
            __asm__ volatile(".option push\n.option norvc\n" TAG_LOOP ".option pop\n" TAG_OPERANDS);
        out[form][0] = n, out[form][1] = k, out[form][2] = m ^ s ^ v;
    }
    printf("tags %llx %llx: %llx %llx %llx / %llx %llx %llx\n", (unsigned long long)x, (unsigned long long)y,
           (unsigned long long)out[0][0], (unsigned long long)out[0][1], (unsigned long long)out[0][2],
           (unsigned long long)out[1][0], (unsigned long long)out[1][1], (unsigned long long)out[1][2]);
}

/* Faults inside each shape that loads or stores (x5-x7 are t0-t2, x28-x30 t3-t5). */
static const uint64_t readonly[2] = {0x10, 0};
#define FAULT(name, setup, shape) FAULT_TEMPS(name, 22, setup, shape, readonly, A)

static void faults(void) {
    catch_segv();
    FAULT("add+ld/sd at ld", "li t2,0x10\n\tli t3,5\n\tli t4,6",
          "add t1,zero,t2\n\tld t2,0(t1)\n\tsd t3,0(t1)\n\tadd t3,zero,t1\n\tli t4,1\n\tbnez t2,1b");
    FAULT("add+ld/sd at sd", "mv t2,%[ro]\n\tli t3,5\n\tli t4,6",
          "add t1,zero,t2\n\tld t2,0(t1)\n\tsd t3,0(t1)\n\tadd t3,zero,t1\n\tli t4,1\n\tbnez t2,1b");
    FAULT("add;add/lh;lh at 1st", "li t0,0x10\n\tmv t2,%[ok]\n\tli t3,2\n\tli t4,4",
          "add t2,t2,t3\n\tadd t0,t0,t4\n\tlh t0,0(t0)\n\tlh t2,0(t2)\n\tli t5,1");
    FAULT("add;add/lh;lh at 2nd", "mv t0,%[ok]\n\tli t2,0x10\n\tli t3,2\n\tli t4,4",
          "add t2,t2,t3\n\tadd t0,t0,t4\n\tlh t0,0(t0)\n\tlh t2,0(t2)\n\tli t5,1");
    FAULT("lbu/addi+bnez", "li t1,0x10\n\tli t0,3",
          "lbu t0,0(t1)\n\taddi t1,t1,1\n\tbnez t0,1b");
    FAULT("ld/lbu+bne at ld", "li t1,0x10\n\tli t0,3\n\tli t2,9",
          "ld t0,8(t1)\n\tlbu t0,0(t0)\n\tbne t2,t0,1b\n\tli t5,1");
    FAULT("ld/lbu+bne at lbu", "addi t1,%[ro],-8\n\tli t0,3\n\tli t2,9",
          "ld t0,8(t1)\n\tlbu t0,0(t0)\n\tbne t2,t0,1b\n\tli t5,1");
    FAULT("ld/lh+bne at lh", "addi t1,%[ro],-8\n\tli t0,3\n\tli t2,9",
          "ld t0,8(t1)\n\tlh t0,2(t0)\n\tbne t0,t2,1b\n\tli t5,1");
    FAULT("lh+beq", "li t1,0x10\n\tli t0,3\n\tli t2,9",
          "lh t0,0(t1)\n\tbeq t0,t2,1b\n\tli t5,1");
    FAULT("add+ld/sd/add+bnez at ld", "li t2,0x10\n\tli t3,5\n\tli t4,6",
          "add t1,zero,t2\n\tld t2,0(t1)\n\tsd t3,0(t1)\n\tadd t3,zero,t1\n\tbnez t2,1b\n\tli t5,1");
    FAULT("add+ld/sd/add+bnez at sd", "mv t2,%[ro]\n\tli t3,5\n\tli t4,6",
          "add t1,zero,t2\n\tld t2,0(t1)\n\tsd t3,0(t1)\n\tadd t3,zero,t1\n\tbnez t2,1b\n\tli t5,1");
    FAULT("ld+slli", "li t1,0x10\n\tli t2,3",
          "ld t0,0(t1)\n\tslli t2,t2,4\n\tli t5,1");
    FAULT("andi/shladd/ld/andi;srli", "li t0,0x3ff\n\tli t3,0x10",
          "andi t1,t0,255\n\tslli t1,t1,3\n\tadd t1,t1,t3\n\tld t1,0(t1)\n\tandi t2,t0,255\n\tsrli t4,t0,8\n\t"
          "li t5,1");
    FAULT("andi/shladd/ld (norvc)", "li t0,0x3ff\n\tli t3,0x10",
          ".option push\n.option norvc\n"
          "andi t1,t0,255\n\tslli t1,t1,3\n\tadd t1,t1,t3\n\tld t1,0(t1)\n\tandi t2,t0,255\n\tsrli t4,t0,8\n\t"
          ".option pop\n\tli t5,1");
}

int main(void) {
    for (int i = 0; i < 64; i++) A[i] = (int16_t)(i * 2654435761u >> 7), B[i] = (int16_t)(i * 40503u - 9000);
    for (int i = 0; i < 24; i++) {
        items[i].next = i + 1 < 24 ? &items[i + 1] : 0;
        items[i].info = infos[i];
        infos[i][0] = (int16_t)(i * 37 + 1), infos[i][1] = (int16_t)(i * 1000 - 7000);
    }
    static uint16_t units[40];
    for (int i = 0; i < 256; i++) table[i] = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 40; i++) units[i] = (uint16_t)(i * 40503u);
    static const char *texts[] = {"12a34", "", "x", "9876543210", "0-1-2 /:", "\xff\xb0" "5"};
    /* Enough rounds for the native tier to compile the loops too (the suite runs both tiers). */
    for (int round = 0; round < 300; round++) {
        uint64_t x = int_vals[round % NELEM(int_vals)];
        matrix(round % 7, round % 7 + 1 + round % 13, round % 5, 1 + round % 3);
        crc(x, round * 0x9e37u);
        digits(texts[round % NELEM(texts)]);
        constant_branches(x);
        add_branches(x, int_vals[(round + 3) % NELEM(int_vals)]);
        table_jumps(units, 1 + round % 40);
        tags(x, int_vals[(round + 5) % NELEM(int_vals)]);
        lists(round % 3 == 0 ? (int16_t)((round % 24) * 1000 - 7000) : round % 3 == 1 ? (round % 24) * 37 + 1 : 12345);
    }
    faults();
    return 0;
}
