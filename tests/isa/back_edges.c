/* Inner loops' jumps back and loop page checks laid out as the native tier lays them out since
 * 2026-12-07 (rvtier4), compared with qemu:
 * - counted: an inner loop held by its function's entry block (a backward branch to the block's
 *   own instruction) whose body first touches registers after the loop head: the target's code
 *   does not hold them, so the jump back stores them (inline, before the budget check) and the
 *   next iteration loads them again. Long calls spend the budget at the jump back (out at the
 *   loop head, with every register written back).
 * - loaded: the same shape where the loop head holds a register the body's end does not (the
 *   body overwrites a cached register's host register: more than nine live registers), so the
 *   jump back must load it: through the stub, as before (inline, a spent budget's exit would
 *   write back host registers the loads changed: the long call below catches that).
 * Each function is called through a pointer, so its entry is a block of its own (a caller's
 * block would follow a `jal` into it with its own registers).
 * - narrow_fault: a block looping to its own entry (loop page checks, the miss path laid out
 *   after the block) with a `*w` result left zero-extended across a load that faults (the load
 *   steps into PROT_NONE): the miss path's probe leaves with the registers as they are at that
 *   load (the `*w` result sign-extended), every register read from the handler's ucontext.
 * - constants: `addi rd, x0, imm` (li) of negative, large and zero immediates, and ori/xori/andi
 *   from x0, in a hot loop with an `if` (a forward branch inside the block). */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>

/* counted(n, p, k, m): sums over n words of p; a2 and a3 (k and m) are first touched after the
 * loop head, so the head's code does not hold them and every jump back stores them. */
uint64_t counted(uint64_t n, const uint64_t *p, uint64_t k, uint64_t m);
__asm__(".text\n.globl counted\ncounted:\n\t"
        "li t1,-3\n"
        "1:\n\t"
        "ld t0,0(a1)\n\t"
        "add a2,a2,t0\n\t"
        "xor a3,a3,a2\n\t"
        "addw t1,t1,t0\n\t"
        "addi a1,a1,8\n\t"
        "addi a0,a0,-1\n\t"
        "bnez a0,1b\n\t"
        "add a0,a2,a3\n\t"
        "add a0,a0,t1\n\t"
        "ret\n");

/* loaded(n, p): an inner loop using 12 registers (more than the host registers). */
uint64_t loaded(uint64_t n, const uint64_t *p);
__asm__(".text\n.globl loaded\nloaded:\n\t"
        "li t0,1\n\tli t1,2\n\tli t2,3\n\tli t3,4\n\tli t4,5\n\tli t5,6\n\tli t6,7\n\tli a2,8\n\tli a3,9\n\t"
        "li a4,10\n\t"
        "1:\n\t"
        "ld a5,0(a1)\n\t"
        "add t0,t0,a5\n\t"
        "xor t1,t1,t0\n\t"
        "add t2,t2,t1\n\t"
        "xor t3,t3,t2\n\t"
        "add t4,t4,t3\n\t"
        "xor t5,t5,t4\n\t"
        "add t6,t6,t5\n\t"
        "xor a2,a2,t6\n\t"
        "add a3,a3,a2\n\t"
        "xor a4,a4,a3\n\t"
        "addi a1,a1,8\n\t"
        "addi a0,a0,-1\n\t"
        "bnez a0,1b\n\t"
        "add a0,t0,t1\n\tadd a0,a0,t2\n\tadd a0,a0,t3\n\tadd a0,a0,t4\n\tadd a0,a0,t5\n\t"
        "add a0,a0,t6\n\tadd a0,a0,a2\n\tadd a0,a0,a3\n\tadd a0,a0,a4\n\t"
        "ret\n");

/* narrow_fault(n, p, q, acc): a loop whose head is the function's entry (a block looping to
 * its entry). t3 = *q + *q (a `*w` result, negative, only an addw reads it, after the load of p). */
uint64_t narrow_fault(uint64_t n, const uint64_t *p, const uint32_t *q, uint64_t acc);
extern const char narrow_load[];
__asm__(".text\n.globl narrow_fault\nnarrow_fault:\n\t"
        "lw t2,0(a2)\n\t"
        "addw t3,t2,t2\n\t"
        ".globl narrow_load\nnarrow_load:\n\t"
        "ld t0,0(a1)\n\t"
        "addw t3,t3,t0\n\t"
        "add a3,a3,t3\n\t"
        "addi a1,a1,8\n\t"
        "addi a0,a0,-1\n\t"
        "bnez a0,narrow_fault\n\t"
        "mv a0,a3\n\t"
        "ret\n");

/* constants(n, x): li forms between a compare and its branch's use, in a loop. */
uint64_t constants(uint64_t n, uint64_t x);
__asm__(".text\n.globl constants\nconstants:\n\t"
        "li a2,0\n"
        "1:\n\t"
        "li t0,-1\n\t"
        "li t1,2047\n\t"
        "li t2,-2048\n\t"
        "addi t3,zero,0\n\t"
        "ori t4,zero,-5\n\t"
        "xori t5,zero,1234\n\t"
        "andi t6,zero,-1\n\t"
        "li a3,44\n\t"
        "add a2,a2,t0\n\tadd a2,a2,t1\n\txor a2,a2,t2\n\tadd a2,a2,t3\n\t"
        "add a2,a2,t4\n\txor a2,a2,t5\n\tadd a2,a2,t6\n\t"
        "andi a4,a1,63\n\t"
        "beq a4,a3,2f\n\t"
        "addi a2,a2,7\n"
        "2:\n\t"
        "addi a1,a1,1\n\t"
        "addi a0,a0,-1\n\t"
        "bnez a0,1b\n\t"
        "mv a0,a2\n\t"
        "ret\n");

static uint64_t data[1024];

/* Called through pointers (jalr): a block of the caller never follows a jump into them, so
 * each function's entry is a block of its own (with the registers as it first uses them). */
static uint64_t (*volatile counted_p)(uint64_t, const uint64_t *, uint64_t, uint64_t) = counted;
static uint64_t (*volatile loaded_p)(uint64_t, const uint64_t *) = loaded;
static uint64_t (*volatile constants_p)(uint64_t, uint64_t) = constants;
static uint64_t (*volatile narrow_fault_p)(uint64_t, const uint64_t *, const uint32_t *, uint64_t) = narrow_fault;

/* ucontext indices of the registers narrow_fault computes in (a0-a3, t0, t2, t3). */
static const int regs[7] = {10, 11, 12, 13, 5, 7, 28};

int main(void) {
    uint64_t seed = 0x9e3779b97f4a7c15ull, h = 0;
    for (int k = 0; k < NELEM(data); k++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        data[k] = seed ^ (seed >> 29);
    }
    /* Hot at the tests' threshold and the default; some calls long enough to spend the budget
     * at the jump back. */
    for (uint64_t i = 0; i < 1200; i++) {
        uint64_t n = 1 + i % 23;
        if (i % 97 == 96) n = 1000;
        h = h * 31 + counted_p(n, data + i % 20, i, i * 7);
        h = h * 31 + loaded_p(n, data + i % 17);
        h = h * 31 + constants_p(1 + i % 70, i * 13);
    }
    printf("counted/loaded/constants h=%016llx\n", (unsigned long long)h);
    /* Long calls: the budget runs out at the jumps back many times (out at the loop head, the
     * register file exact: the loop's own block goes on from it). */
    uint64_t big_n = 300000, *big = mmap(0, big_n * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (uint64_t k = 0; k < big_n; k++) big[k] = data[k % NELEM(data)] + k;
    printf("long: counted %llx loaded %llx\n", (unsigned long long)counted_p(big_n, big, 1, 2),
           (unsigned long long)loaded_p(big_n, big));
    printf("constants once: %llx\n", (unsigned long long)constants(200, 5));

    /* narrow_fault: q points at a word that makes *q + *q negative as a word; p steps from a
     * readable page into PROT_NONE. */
    uint8_t *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(page + 4096, 4096, PROT_NONE);
    for (int k = 0; k < 512; k++) ((uint64_t *)page)[k] = data[k] & 0xffff;
    static uint32_t word = 0x7ffffff0u;
    uint64_t acc = 0;
    for (uint64_t i = 0; i < 600; i++) acc += narrow_fault_p(1 + i % 9, (uint64_t *)page + i % 64, &word, i);
    printf("narrow_fault acc=%llx\n", (unsigned long long)acc);
    catch_segv();
    for (int m = 1; m < 6; m++) {
        const uint64_t *p = (const uint64_t *)(page + 4096) - m;
        if (!sigsetjmp(env, 1)) {
            uint64_t r = narrow_fault_p(m + 3, p, &word, 0x100 + m);
            printf("narrow m=%d: no fault %llx\n", m, (unsigned long long)r);
        } else {
            printf("narrow m=%d: at load %d, addr page+%lld:", m, fault_pc == (uint64_t)narrow_load,
                   (long long)(fault_addr - (uint64_t)page));
            for (int k = 0; k < 7; k++) {
                uint64_t v = fault_regs[regs[k]];
                if (k == 1 || k == 2) v -= k == 1 ? (uint64_t)page : (uint64_t)&word;
                printf(" %llx", (unsigned long long)v);
            }
            printf("\n");
        }
    }
    return 0;
}
