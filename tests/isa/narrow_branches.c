/* `*w` results left zero-extended across branches (native tier, 2026-12-07, rvtier5), compared
 * with qemu. A branch no longer needs every register in full: its exits sign-extend the words
 * left zero-extended (as a load's exits do), a branch to an instruction of the block (or a loop's
 * back edge to its entry) sign-extends on the way the words its target's code needs in full,
 * words are known through joins only when every way in brings them, and two words compare in
 * 32 bits. Each function is called through a pointer (its entry is a block of its own), hot at
 * the tests' threshold and the default, with words that overflow 32 bits (their sign matters):
 * - side_exit: a word live only on the side exit's path, read in full there (the exit's
 *   write-back must sign-extend it; with SKIFF_JIT_TAILS=1 the path is a tail: the edge does).
 * - forward_join: an `if` whose fall-through redefines the word from its low half; the join's
 *   code reads it in full (the branch's edge must sign-extend it).
 * - loop_entry / inner_loop: a word a loop's next iteration reads in full (`srai`), computed at the
 *   end of the body: the back edge to the block's entry, and an inner back edge (inline), must
 *   sign-extend it; redefined after the loop (so only the edge needs it in full).
 * - cmp_words: branches comparing two words (32-bit compares: signed, unsigned, equality with
 *   negative words) and lookalikes that are not (a copy of an argument, whose upper half differs
 *   from the sign extension of its low half: 64-bit compares).
 * - join_mixed / join_mixed2: a join reached with a word by one way and a full value by the other
 *   (either way round): not a word there, its compare stays 64-bit.
 * - narrow_fault: a word left zero-extended across a side exit's branch, then a load faulting
 *   (SIGSEGV, every register from the handler's ucontext: the word sign-extended). */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>

/* side_exit(x, y, flag): t0 = x + y (word), read in full only when flag sends it out. */
uint64_t side_exit(uint64_t x, uint64_t y, uint64_t flag);
__asm__(".text\n.globl side_exit\nside_exit:\n\t"
        "addw t0,a0,a1\n\t"
        "addw t1,t0,a1\n\t"
        "bnez a2,1f\n\t"
        "li t0,0\n\t"
        "mv a0,t1\n\t"
        "ret\n"
        "1:\n\t"
        "srli a0,t0,1\n\t"
        "add a0,a0,t1\n\t"
        "ret\n");

/* forward_join(x, y, flag, z): t0 = x + y, or (x + y) + z when flag; returned >> 3 (logical). */
uint64_t forward_join(uint64_t x, uint64_t y, uint64_t flag, uint64_t z);
__asm__(".text\n.globl forward_join\nforward_join:\n\t"
        "addw t0,a0,a1\n\t"
        "beqz a2,1f\n\t"
        "addw t0,t0,a3\n"
        "1:\n\t"
        "srli a0,t0,3\n\t"
        "ret\n");

/* loop_entry(n, step, start, acc): acc += v >> 1 (arithmetic) for v = start, start + step, ...
 * as words; the loop's head is the function's entry. */
uint64_t loop_entry(uint64_t n, uint64_t step, uint64_t start, uint64_t acc);
__asm__(".text\n.globl loop_entry\nloop_entry:\n\t"
        "srai t1,a2,1\n\t"
        "add a3,a3,t1\n\t"
        "addw a2,a2,a1\n\t"
        "addi a0,a0,-1\n\t"
        "bnez a0,loop_entry\n\t"
        "li a2,0\n\t"
        "mv a0,a3\n\t"
        "ret\n");

/* inner_loop: the same with the loop's head after the entry (a backward branch inside the block). */
uint64_t inner_loop(uint64_t n, uint64_t step, uint64_t start, uint64_t acc);
__asm__(".text\n.globl inner_loop\ninner_loop:\n\t"
        "li t2,5\n"
        "1:\n\t"
        "srai t1,a2,1\n\t"
        "add a3,a3,t1\n\t"
        "addw a2,a2,a1\n\t"
        "addi a0,a0,-1\n\t"
        "bnez a0,1b\n\t"
        "li a2,0\n\t"
        "add a0,a3,t2\n\t"
        "ret\n");

/* cmp_words(x, y, z): bit k set when compare k does not branch. t0, t1: words (x, y as words);
 * t2: z itself (not a word unless z is one). */
uint64_t cmp_words(uint64_t x, uint64_t y, uint64_t z);
__asm__(".text\n.globl cmp_words\ncmp_words:\n\t"
        "addiw t0,a0,0\n\t"
        "addiw t1,a1,0\n\t"
        "mv t2,a2\n\t"
        "li a5,0\n\t"
        "blt t0,t1,1f\n\tori a5,a5,1\n1:\n\t"
        "bltu t0,t1,2f\n\tori a5,a5,2\n2:\n\t"
        "bge t0,t1,3f\n\tori a5,a5,4\n3:\n\t"
        "beq t0,t1,4f\n\tori a5,a5,8\n4:\n\t"
        "bgeu t1,t0,5f\n\tori a5,a5,16\n5:\n\t"
        "blt t0,t2,6f\n\tori a5,a5,32\n6:\n\t"
        "bltu t2,t0,7f\n\tori a5,a5,64\n7:\n\t"
        "bne t1,t2,8f\n\tori a5,a5,128\n8:\n\t"
        "beq t0,zero,9f\n\tori a5,a5,256\n9:\n\t"
        "mv a0,a5\n\t"
        "ret\n");

/* join_mixed(x, y, flag, z, w): t0 = x + y as a word, or x + z in full when flag; t0 compared
 * with w as a word (t1): two words only on one way in, so 64-bit compares. */
uint64_t join_mixed(uint64_t x, uint64_t y, uint64_t flag, uint64_t z, uint64_t w);
__asm__(".text\n.globl join_mixed\njoin_mixed:\n\t"
        "addiw t1,a4,0\n\t"
        "addw t0,a0,a1\n\t"
        "beqz a2,1f\n\t"
        "add t0,a0,a3\n"
        "1:\n\t"
        "li a5,0\n\t"
        "blt t0,t1,2f\n\t"
        "li a5,1\n"
        "2:\n\t"
        "bltu t1,t0,3f\n\t"
        "ori a5,a5,2\n"
        "3:\n\t"
        "mv a0,a5\n\t"
        "ret\n");

/* join_mixed2: the other way round (the branch brings the full value, the fall-through the word). */
uint64_t join_mixed2(uint64_t x, uint64_t y, uint64_t flag, uint64_t z, uint64_t w);
__asm__(".text\n.globl join_mixed2\njoin_mixed2:\n\t"
        "addiw t1,a4,0\n\t"
        "add t0,a0,a3\n\t"
        "bnez a2,1f\n\t"
        "addw t0,a0,a1\n"
        "1:\n\t"
        "li a5,0\n\t"
        "blt t0,t1,2f\n\t"
        "li a5,1\n"
        "2:\n\t"
        "bltu t1,t0,3f\n\t"
        "ori a5,a5,2\n"
        "3:\n\t"
        "mv a0,a5\n\t"
        "ret\n");

/* narrow_fault(p, x, flag): t3 = x + x (a word only an addw reads), a side exit, then a load of p. */
uint64_t narrow_fault(const uint64_t *p, uint64_t x, uint64_t flag);
extern const char nb_load[];
__asm__(".text\n.globl narrow_fault\nnarrow_fault:\n\t"
        "addw t3,a1,a1\n\t"
        "bnez a2,1f\n\t"
        ".globl nb_load\nnb_load:\n\t"
        "ld t0,0(a0)\n\t"
        "addw t3,t3,t0\n\t"
        "mv a0,t3\n\t"
        "ret\n"
        "1:\n\t"
        "li a0,7\n\t"
        "ret\n");

static uint64_t (*volatile side_exit_p)(uint64_t, uint64_t, uint64_t) = side_exit;
static uint64_t (*volatile forward_join_p)(uint64_t, uint64_t, uint64_t, uint64_t) = forward_join;
static uint64_t (*volatile loop_entry_p)(uint64_t, uint64_t, uint64_t, uint64_t) = loop_entry;
static uint64_t (*volatile inner_loop_p)(uint64_t, uint64_t, uint64_t, uint64_t) = inner_loop;
static uint64_t (*volatile cmp_words_p)(uint64_t, uint64_t, uint64_t) = cmp_words;
static uint64_t (*volatile join_mixed_p)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) = join_mixed;
static uint64_t (*volatile join_mixed2_p)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) = join_mixed2;
static uint64_t (*volatile narrow_fault_p)(const uint64_t *, uint64_t, uint64_t) = narrow_fault;

/* Values around the 32-bit edges, with garbage above the low half in some. */
static const uint64_t vals[] = {0, 1, 5, 0x7ffffff0, 0x7fffffff, 0x80000000, 0xfffffffb, 0xffffffff,
                                0x100000005ull, 0xffffffff80000000ull, 0xfffffffffffffffbull,
                                0x123456789abcdef0ull, 0x80000005ull, 0x17fffffffull, 3, 0x40000000};
#define NV (sizeof vals / sizeof vals[0])

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull + (v >> 17); }

int main(void) {
    uint64_t hs = 0, hf = 0, hl = 0, hi = 0, hc = 0, hj = 0, hj2 = 0;
    for (uint64_t i = 0; i < 3000; i++) {
        uint64_t x = vals[i % NV], y = vals[(i / NV + 3 * i) % NV], z = vals[(i * 7 + 1) % NV];
        uint64_t flag = (i / 3) & 1;
        hs = mix(hs, side_exit_p(x, y, flag));
        hf = mix(hf, forward_join_p(x, y, flag, z));
        hc = mix(hc, cmp_words_p(x, y, z));
        hc = mix(hc, cmp_words_p(y, y, (y & 0xffffffff) | 0x500000000ull));
        hj = mix(hj, join_mixed_p(x, y, flag, z, vals[(i * 5 + 2) % NV]));
        hj2 = mix(hj2, join_mixed2_p(x, y, flag, z, vals[(i * 5 + 2) % NV]));
        if (i % 3 == 0) {
            hl = mix(hl, loop_entry_p(1 + i % 13, 0x1000 + i, 0x7ffff000 + i * 16, i));
            hi = mix(hi, inner_loop_p(1 + i % 13, 0x1000 + i, 0x7ffff000 + i * 16, i));
        }
    }
    printf("side_exit %016llx\nforward_join %016llx\n", (unsigned long long)hs, (unsigned long long)hf);
    printf("loop_entry %016llx\ninner_loop %016llx\n", (unsigned long long)hl, (unsigned long long)hi);
    printf("cmp_words %016llx\njoin_mixed %016llx %016llx\n", (unsigned long long)hc, (unsigned long long)hj,
           (unsigned long long)hj2);
    /* Long loops: the budget runs out at the back edges (out with every register written back). */
    printf("long: %llx %llx\n", (unsigned long long)loop_entry_p(400000, 0x3001, 0x7fff0000, 1),
           (unsigned long long)inner_loop_p(400000, 0x3001, 0x7fff0000, 1));
    /* A few single results, readable. */
    printf("side_exit(0x7fffffff, 1, 1) = %llx\n", (unsigned long long)side_exit_p(0x7fffffff, 1, 1));
    printf("forward_join(0x7ffffff0, 0x10, 0, 0) = %llx\n", (unsigned long long)forward_join_p(0x7ffffff0, 0x10, 0, 0));
    printf("cmp_words(5, 0x100000005, 0x100000005) = %llx\n",
           (unsigned long long)cmp_words_p(5, 0x100000005ull, 0x100000005ull));
    printf("join_mixed(1, 2, 1, 0x100000000, 10) = %llx\n", (unsigned long long)join_mixed_p(1, 2, 1, 0x100000000ull, 10));
    printf("join_mixed2(1, 2, 1, 0x100000000, 10) = %llx\n", (unsigned long long)join_mixed2_p(1, 2, 1, 0x100000000ull, 10));

    /* narrow_fault: hot on a readable word, then a load from PROT_NONE. */
    uint64_t *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect((char *)page + 4096, 4096, PROT_NONE);
    for (int k = 0; k < 512; k++) page[k] = (uint64_t)k * 0x10001;
    uint64_t acc = 0;
    for (uint64_t i = 0; i < 2000; i++) acc = mix(acc, narrow_fault_p(page + i % 512, vals[i % NV], i % 5 == 4));
    printf("narrow_fault acc=%016llx\n", (unsigned long long)acc);
    catch_segv();
    for (int m = 0; m < 4; m++) {
        if (!sigsetjmp(env, 1)) {
            uint64_t r = narrow_fault_p((const uint64_t *)((char *)page + 4096) + m, 0x40000000 + m, 0);
            printf("narrow_fault m=%d: no fault %llx\n", m, (unsigned long long)r);
        } else {
            printf("narrow_fault m=%d: at load %d addr page+%lld t3=%llx a1=%llx a2=%llx\n", m,
                   fault_pc == (uint64_t)nb_load, (long long)(fault_addr - (uint64_t)page),
                   (unsigned long long)fault_regs[28], (unsigned long long)fault_regs[11],
                   (unsigned long long)fault_regs[12]);
        }
    }
    return 0;
}
