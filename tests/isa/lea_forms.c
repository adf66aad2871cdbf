/* The native tier's `lea` forms, compared with qemu: `slli x, y, k` (k 1-3) and a later
 * `add d, x, b` (array indexing without Zba) become one lea when nothing between reads x, writes
 * y or may leave, and x is dead after the add (or is d); adds and `addiw` from other registers.
 * - `sa`: each k, either operand order, in place (x = y), d = x, d = b, y = b, interleaved up to four
 *   apart, 32-bit overflow in addiw/addw (bit 31 and the upper half);
 * - lookalikes that must stay two operations: k = 4, x read between, y written between, x read
 *   after the add, `add d, x, x`, more than four apart;
 * - `sa_join`: a branch entering between the shift and the add, or at the add;
 * - `sa_load`: a load between them that may fault (x from the handler's ucontext). */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>

uint64_t sa(uint64_t a, uint64_t b, uint64_t c);
__asm__(".text\n.globl sa\nsa:\n\t"
        "slli t0,a0,1\n\tadd t0,t0,a1\n\t"                 /* k 1, d = x */
        "slli t1,a1,2\n\tadd t2,a2,t1\n\t"                 /* k 2, b first, d elsewhere (t1 dead: li below) */
        "li t1,0\n\t"
        "mv t3,a0\n\tslli t3,t3,3\n\tadd t3,t3,t3\n\t"  /* add d, x, x: not a lea */
        "mv t4,a2\n\tslli t4,t4,3\n\tadd t4,a0,t4\n\t"     /* in place, k 3 */
        "slli t5,a1,2\n\taddi t6,a0,7\n\txor a3,a1,a2\n\tsrli a4,a2,3\n\tadd a5,t5,a1\n\t"  /* three apart, y = b */
        "li t5,0\n\t"
        "slli a6,a0,4\n\tadd a6,a6,a1\n\t"                 /* k 4: not a lea */
        "slli a7,a1,2\n\txor t6,t6,a7\n\tadd a7,a7,a2\n\t" /* x read between */
        "slli a4,a2,1\n\taddi a2,a2,5\n\tadd a4,a4,a0\n\t" /* y written between */
        "slli a3,a0,3\n\tadd t5,a3,a1\n\txor a3,a3,t5\n\t" /* x read after */
        "slli t1,a1,1\n\tnop\n\tnop\n\tnop\n\tnop\n\tadd t1,t1,a0\n\t"  /* five apart */
        "addiw a0,a1,1234\n\t"                             /* addiw from another register */
        "addiw a1,a2,-2048\n\t"
        "addw a2,t0,t2\n\t"                                /* addw of two others */
        "add t0,t2,t4\n\t"
        "xor a0,a0,a1\n\tadd a0,a0,a2\n\txor a0,a0,t0\n\tadd a0,a0,t1\n\txor a0,a0,t2\n\tadd a0,a0,t3\n\t"
        "xor a0,a0,t4\n\tadd a0,a0,t5\n\txor a0,a0,t6\n\tadd a0,a0,a3\n\txor a0,a0,a4\n\tadd a0,a0,a5\n\t"
        "xor a0,a0,a6\n\tadd a0,a0,a7\n\t"
        "li t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\tli t4,0\n\tli t5,0\n\tli t6,0\n\t"
        "li a1,0\n\tli a2,0\n\tli a3,0\n\tli a4,0\n\tli a5,0\n\tli a6,0\n\tli a7,0\n\t"
        "ret\n");

/* sa_join(a, b, skip): t0 = b; unless skip, t0 = a << 2; then t0 = t0 + b + (b ^ 1) (the branch
 * enters between the shift and the add, and at the add). */
uint64_t sa_join(uint64_t a, uint64_t b, uint64_t skip);
__asm__(".text\n.globl sa_join\nsa_join:\n\t"
        "mv t0,a1\n\t"
        "bnez a2,1f\n\t"
        "slli t0,a0,2\n"
        "1:\n\t"
        "xori t1,a1,1\n\t"
        "add t0,t0,a1\n\t"
        "add a0,t0,t1\n\t"
        "bnez a2,2f\n\t"
        "slli t0,a0,3\n\t"
        "j 3f\n"
        "2:\n\t"
        "slli t0,a1,3\n"
        "3:\n\t"
        "add t0,t0,a1\n\t"
        "xor a0,a0,t0\n\t"
        "li t0,0\n\tli t1,0\n\t"
        "ret\n");

/* sa_load(a, b, p): t0 = a << 3; t1 = *p (may fault at sa_load_at); t0 = t0 + b; returns t0 ^ t1. */
uint64_t sa_load(uint64_t a, uint64_t b, const uint64_t *p);
extern const char sa_load_at[];
__asm__(".text\n.globl sa_load\nsa_load:\n\t"
        "slli t0,a0,3\n\t"
        ".globl sa_load_at\nsa_load_at:\n\t"
        "ld t1,0(a2)\n\t"
        "add t0,t0,a1\n\t"
        "xor a0,t0,t1\n\t"
        "li t0,0\n\tli t1,0\n\t"
        "ret\n");

int main(void) {
    static const uint64_t seeds[] = {0, 1, 0x80000000u, 0x7fffffffu, 0xffffffff80000001ull, 0x123456789abcdef0ull,
                                     0xfedcba9876543210ull, 0x00000000deadbeefull, 0x7ffffffffffff800ull};
    uint64_t h = 0, hj = 0, hl = 0;
    for (int i = 0; i < 3000; i++) {
        uint64_t a = seeds[i % NELEM(seeds)] ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
        uint64_t b = seeds[(i / 9) % NELEM(seeds)] + (uint64_t)i * 0x100000001ull;
        uint64_t c = seeds[(i / 3) % NELEM(seeds)] ^ ((uint64_t)i << 40);
        h = h * 31 + sa(a, b, c);
        hj = hj * 31 + sa_join(a, b, (uint64_t)(i & 1));
        uint64_t word = a * 3;
        hl = hl * 31 + sa_load(a, b, &word);
        if (i == 2999) {
            /* The same (compiled) call, its load faulting. */
            catch_segv();
            uint64_t *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (!sigsetjmp(env, 1)) {
                hl = hl * 31 + sa_load(a, b, none);
                printf("sa_load in the loop: no fault\n");
            } else {
                printf("sa_load in the loop: fault at %s, addr %s, t0 %016lx, a0 %016lx, a1 %lx\n",
                       fault_pc == (uint64_t)sa_load_at ? "the access" : "ELSEWHERE",
                       fault_addr == (uint64_t)none ? "the page" : "ELSEWHERE", (unsigned long)fault_regs[5],
                       (unsigned long)fault_regs[10], (unsigned long)fault_regs[11]);
            }
        }
        if (i < 12)
            printf("%016lx %016lx %016lx: sa %016lx join %016lx/%016lx\n", (unsigned long)a, (unsigned long)b,
                   (unsigned long)c, (unsigned long)sa(a, b, c), (unsigned long)sa_join(a, b, 0),
                   (unsigned long)sa_join(a, b, 1));
        if (i % 500 == 0) printf("step %d: %016lx %016lx %016lx\n", i, (unsigned long)h, (unsigned long)hj,
                                 (unsigned long)hl);
    }
    printf("sa: %016lx\nsa_join: %016lx\nsa_load: %016lx\n", (unsigned long)h, (unsigned long)hj, (unsigned long)hl);

    catch_segv();
    uint64_t *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(env, 1)) {
        sa_load(0x123456789abcdef1ull, 5, none);
        printf("sa_load: no fault\n");
    } else {
        printf("sa_load: fault at %s, addr %s, t0 %016lx, a0 %016lx, a1 %lx\n",
               fault_pc == (uint64_t)sa_load_at ? "the access" : "ELSEWHERE",
               fault_addr == (uint64_t)none ? "the page" : "ELSEWHERE", (unsigned long)fault_regs[5],
               (unsigned long)fault_regs[10], (unsigned long)fault_regs[11]);
    }
    return 0;
}
