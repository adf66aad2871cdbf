/* The native tier's rotates whose shifts stay (a load or store between them and the `or`, a
 * shift result read elsewhere) and and/or/xor of `*w` results left with any upper half, compared
 * with qemu:
 * - `rk`: 32- and 64-bit rotates with a load (that may fault) between the shifts and the `or`,
 *   before the later shift or after it, a shift result read again later, a store reading one;
 *   lookalikes that must stay shifts and an `or`: the later shift overwriting the source with a
 *   load after it, a load writing the source between the shifts or after both, amounts that do not
 *   add up, the `or` of shifts of two registers; the `or` writing the source (d = a);
 * - `jrot`: a loop branching back between a rotate's shifts and its `or` (another path brings
 *   the first shift's register: no rotate);
 * - `wl`: and/or/xor/mv of `*w` results and narrow loads (words), and lookalikes that are not
 *   words (an `or` with a full 64-bit value, a word read by a 64-bit right shift);
 * - `wloop`: a loop with more live registers than host registers (word results kept in the
 *   register file) running into PROT_NONE;
 * every faulting load checked with every register from the handler's ucontext. */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>

/* rk(a, b, p, q): p[0..3] read (may fault at rk_load0/rk_load1/rk_load2), q[4] written. */
uint64_t rk(uint64_t a, uint64_t b, const uint32_t *p, uint32_t *q);
extern const char rk_load0[], rk_load1[], rk_load2[];
__asm__(".text\n.globl rk\nrk:\n\t"
        /* *w rotate right 19, a load between the later shift and the `or`; t0 read again. */
        "srliw t0,a0,19\n\tslliw t1,a0,13\n\t"
        ".globl rk_load0\nrk_load0:\n\t"
        "lw t2,0(a2)\n\tor t1,t0,t1\n\t"
        /* 64-bit rotate right 43, a load between the shifts (the first is written by the `or`). */
        "slli t3,a1,21\n\t"
        ".globl rk_load1\nrk_load1:\n\t"
        "lwu t4,4(a2)\n\tsrli t5,a1,43\n\tor t3,t3,t5\n\t"
        /* *w rotate right 17 with no access between, the earlier result read again (t6). */
        "srliw t6,a1,17\n\tslliw a4,a1,15\n\tor a4,t6,a4\n\t"
        /* Not a rotate: the later shift overwrites its source, a load after it. */
        "slliw a5,a0,7\n\tsrliw a6,a0,25\n\tmv a7,a0\n\tslliw a5,a7,7\n\tsrliw a7,a7,25\n\t"
        ".globl rk_load2\nrk_load2:\n\t"
        "lw a6,8(a2)\n\tor a5,a5,a7\n\t"
        /* Not a rotate: a load writes the source between the shifts, and after both. */
        "mv a7,a1\n\tsrliw t5,a7,3\n\tlw a7,12(a2)\n\tslliw a6,a7,29\n\tor t5,t5,a6\n\t"
        "xor a5,a5,t5\n\t"
        "mv a7,a0\n\tsrliw t5,a7,5\n\tslliw a6,a7,27\n\tlw a7,12(a2)\n\tor t5,t5,a6\n\t"
        "add a5,a5,t5\n\t"
        /* A store reads the earlier shift's result between the shifts and the `or`. */
        "srliw t5,a0,11\n\tslliw a6,a0,21\n\tsw t5,16(a3)\n\tor t5,t5,a6\n\t"
        "xor a5,a5,t5\n\t"
        /* Not rotates: amounts 9 + 22, shifts of two registers; both with a load between. */
        "srliw t5,a0,9\n\tslliw a6,a0,22\n\tlw a7,0(a2)\n\tor t5,t5,a6\n\tadd a5,a5,t5\n\t"
        "srliw t5,a0,9\n\tslliw a6,a1,23\n\tlw a7,4(a2)\n\tor t5,t5,a6\n\txor a5,a5,t5\n\t"
        /* The `or` writes the source (a = rd), a load between. */
        "mv a7,a1\n\tsrliw t5,a7,5\n\tslliw a6,a7,27\n\tlw a3,0(a2)\n\tor a7,t5,a6\n\t"
        "add a5,a5,a7\n\t"
        "xor a0,t0,t1\n\tadd a0,a0,t2\n\txor a0,a0,t3\n\tadd a0,a0,t4\n\txor a0,a0,t6\n\t"
        "add a0,a0,a4\n\txor a0,a0,a5\n\tadd a0,a0,a6\n\txor a0,a0,t5\n\t"
        "li t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\tli t4,0\n\tli t5,0\n\tli t6,0\n\t"
        "li a1,0\n\tli a2,0\n\tli a3,0\n\tli a4,0\n\tli a5,0\n\tli a6,0\n\tli a7,0\n\t"
        "ret\n");

/* jrot(a, n, c): t0 = a >> 7 (32-bit), then n times: t0 |= a << 25; a += c. The loop's branch
 * goes back between the shifts and the `or`: from the second iteration on t0 is no rotate of a. */
uint64_t jrot(uint64_t a, uint64_t n, uint64_t c);
__asm__(".text\n.globl jrot\njrot:\n\t"
        "srliw t0,a0,7\n"
        "1:\n\t"
        "slliw t1,a0,25\n\t"
        "or t0,t0,t1\n\t"
        "addw a0,a0,a2\n\t"
        "addi a1,a1,-1\n\t"
        "bnez a1,1b\n\t"
        "mv a0,t0\n\t"
        "li t0,0\n\tli t1,0\n\t"
        "ret\n");

/* wl(a, b, c, p): words (and/or/xor/mv of `*w` results and narrow loads; their upper halves
 * read by nothing but the ucontext) live across loads at p (may fault at wl_load0, wl_load1), and
 * lookalikes that are not words (an `or` with a full 64-bit value, a word a 64-bit right shift
 * reads, the `xor` of a word and a non-word). */
uint64_t wl(uint64_t a, uint64_t b, uint64_t c, const uint32_t *p);
extern const char wl_load0[], wl_load1[];
__asm__(".text\n.globl wl\nwl:\n\t"
        "addw t0,a0,a1\n\t"           /* word (read in full by the `or` into a6) */
        "srliw t1,a0,3\n\t"           /* word */
        "xor t2,t0,t1\n\t"            /* word */
        "srliw t3,a1,5\n\t"
        "or t3,t3,a2\n\t"             /* not a word: c is full 64-bit */
        "lh t4,2(a3)\n\t"             /* word */
        "and t5,t4,t2\n\t"            /* word */
        "mv t6,t5\n\t"                /* word */
        "or a4,t6,x0\n\t"             /* word */
        "xor a5,t2,t3\n\t"            /* not a word */
        "srliw a6,a1,13\n\t"
        "or a6,a6,t0\n\t"             /* word, read by a 64-bit right shift below */
        ".globl wl_load0\nwl_load0:\n\t"
        "lw a7,4(a3)\n\t"
        "srli a6,a6,7\n\t"
        "addw t0,t0,a7\n\t"
        "addw t2,t2,a7\n\t"
        "addw t3,t3,a7\n\t"
        "addw t5,t5,t3\n\t"
        "addw a4,a4,t5\n\t"
        "addw a5,a5,t2\n\t"
        "xor t1,t1,a5\n\t"            /* word */
        "and t4,t1,t0\n\t"            /* word */
        ".globl wl_load1\nwl_load1:\n\t"
        "lw a7,8(a3)\n\t"
        "addw t4,t4,a7\n\t"
        "addw t1,t1,t6\n\t"
        "addw a0,t0,t1\n\taddw a0,a0,t2\n\taddw a0,a0,t3\n\taddw a0,a0,t4\n\taddw a0,a0,t5\n\t"
        "addw a0,a0,t6\n\taddw a0,a0,a4\n\taddw a0,a0,a5\n\txor a0,a0,a6\n\t"
        "li t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\tli t4,0\n\tli t5,0\n\tli t6,0\n\t"
        "li a1,0\n\tli a2,0\n\tli a3,0\n\tli a4,0\n\tli a5,0\n\tli a6,0\n\tli a7,0\n\t"
        "ret\n");

/* wloop(p, n, x, y, q): sha256's sigma over p[0..n) and q[0..n) with 15 live registers (more
 * than the host registers a loop keeps: word results of the rarely used ones go to the register
 * file), the words dead (overwritten) before the branch back; returns x ^ y. The load of q, at
 * wloop_load, may fault with the words live. */
uint64_t wloop(const uint32_t *p, uint64_t n, uint64_t x, uint64_t y, const uint32_t *q);
extern const char wloop_load[];
__asm__(".text\n.globl wloop\nwloop:\n"
        "1:\n\t"
        "lw t1,0(a0)\n\t"
        "srliw t2,t1,7\n\tslliw t3,t1,25\n\tor t2,t2,t3\n\t"
        "srliw t4,t1,18\n\tslliw t5,t1,14\n\tor t4,t4,t5\n\t"
        "xor t6,t2,t4\n\t"
        "srliw t0,t1,3\n\t"
        "xor a5,t6,t0\n\t"
        "and a6,a5,t1\n\t"
        "or a7,a6,t2\n\t"
        "addw t0,a2,a3\n\t"
        "xor t3,t0,a7\n\t"
        "and t5,t3,a5\n\t"
        ".globl wloop_load\nwloop_load:\n\t"
        "lw t0,0(a4)\n\t"
        "addw a2,a2,a5\n\t"
        "addw a3,a3,a7\n\t"
        "addw a2,a2,t0\n\t"
        "addw a3,a3,a6\n\t"
        "addw a2,a2,t6\n\t"
        "addw a3,a3,t3\n\t"
        "addw a2,a2,t5\n\t"
        "li t6,0\n\tli a5,0\n\tli a6,0\n\tli a7,0\n\tli t3,0\n\tli t5,0\n\tli t2,0\n\tli t4,0\n\t"
        "addi a0,a0,4\n\t"
        "addi a4,a4,4\n\t"
        "addi a1,a1,-1\n\t"
        "bnez a1,1b\n\t"
        "xor a0,a2,a3\n\t"
        "li t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\tli t4,0\n\tli t5,0\n\tli t6,0\n\t"
        "li a1,0\n\tli a2,0\n\tli a3,0\n\tli a4,0\n\tli a5,0\n\tli a6,0\n\tli a7,0\n\t"
        "ret\n");

/* Addresses in the mapping at `base` print as offsets (qemu and skiff map it elsewhere). */
static void show(uint64_t v, uint64_t base) {
    if (v - base < 8192) printf(" page+%lx", (unsigned long)(v - base)); else printf(" %lx", (unsigned long)v);
}

static void show_fault(const char *what, const void *expected_pc, const void *page) {
    printf("%s: fault at %s, addr", what, fault_pc == (uint64_t)expected_pc ? "the access" : "ELSEWHERE");
    show(fault_addr, (uint64_t)page);
    printf(", regs");
    for (int r = 5; r <= 7; r++) show(fault_regs[r], (uint64_t)page);
    for (int r = 10; r <= 17; r++) show(fault_regs[r], (uint64_t)page);
    for (int r = 28; r <= 31; r++) show(fault_regs[r], (uint64_t)page);
    printf("\n");
}

int main(void) {
    static const uint64_t seeds[] = {0, 1, 0x80000000u, 0x7fffffffu, 0xffffffff80000001ull, 0x123456789abcdef0ull,
                                     0xfedcba9876543210ull, 0x00000000deadbeefull, 0xffffffff00000000ull};
    static uint32_t words[64];
    static uint32_t out[8];
    uint64_t h = 0, hj = 0, hw = 0;
    for (int i = 0; i < 64; i++) words[i] = (uint32_t)((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull >> 29);
    for (int i = 0; i < 3000; i++) {
        uint64_t a = seeds[i % NELEM(seeds)] ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
        uint64_t b = seeds[(i / 9) % NELEM(seeds)] + (uint64_t)i * 0x100000001ull;
        uint64_t c = seeds[(i / 3) % NELEM(seeds)] ^ ((uint64_t)i << 40);
        const uint32_t *p = &words[i % 56];
        h = h * 31 + rk(a, b, p, out);
        h = h * 31 + out[4];
        hj = hj * 31 + jrot(a, 1 + (uint64_t)(i % 5), b);
        hw = hw * 31 + wl(a, b, c, p);
        hw = hw * 31 + wloop(words, 63 - (uint64_t)(i % 7), a, b, words + 1);
        if (i < 12)
            printf("%016lx %016lx %016lx: rk %016lx jrot %016lx wl %016lx wloop %016lx\n", (unsigned long)a,
                   (unsigned long)b, (unsigned long)c, (unsigned long)rk(a, b, p, out),
                   (unsigned long)jrot(a, 3, b), (unsigned long)wl(a, b, c, p),
                   (unsigned long)wloop(words, 63, a, b, words + 1));
        if (i % 500 == 0) printf("step %d: %016lx %016lx %016lx\n", i, (unsigned long)h, (unsigned long)hj,
                                 (unsigned long)hw);
    }
    printf("rotates: %016lx\njrot: %016lx\nwords: %016lx\n", (unsigned long)h, (unsigned long)hj, (unsigned long)hw);

    catch_segv();
    /* Two pages: the first readable (words at its end), the second PROT_NONE. */
    uint8_t *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(page + 4096, 4096, PROT_NONE);
    uint32_t *none = (uint32_t *)(page + 4096);
    for (int k = 0; k < 16; k++) ((uint32_t *)(page + 4096))[k - 16] = 0x89abcdefu * (uint32_t)(k + 3);
    static const struct { uint64_t a, b, c; } args[] = {
        {0xfedcba9876543210ull, 0x80000001ffffffffull, 0x8000000000000000ull},
        {0x00000000ffffffffull, 0x7fffffff80000000ull, 0x0123456789abcdefull},
    };
    for (int k = 0; k < 2; k++) {
        uint64_t a = args[k].a, b = args[k].b, c = args[k].c;
        /* rk's loads in turn: p[0] (the first), p[1] (the second), p[2] (the third) in PROT_NONE. */
        const void *sites[] = {rk_load0, rk_load1, rk_load2};
        for (int s = 0; s < 3; s++) {
            if (!sigsetjmp(env, 1)) {
                rk(a, b, none - s, out);
                printf("rk %d/%d: no fault\n", k, s);
            } else {
                char what[32];
                snprintf(what, sizeof what, "rk %d/%d", k, s);
                show_fault(what, sites[s], page);
            }
        }
        const void *wsites[] = {wl_load0, wl_load1};
        for (int s = 0; s < 2; s++) {
            if (!sigsetjmp(env, 1)) {
                wl(a, b, c, none - 1 - s);
                printf("wl %d/%d: no fault\n", k, s);
            } else {
                char what[32];
                snprintf(what, sizeof what, "wl %d/%d", k, s);
                show_fault(what, wsites[s], page);
            }
        }
        for (int s = 0; s < 4; s++) {
            if (!sigsetjmp(env, 1)) {
                wloop(words + s, 40, a, b, none - 16);
                printf("wloop %d/%d: no fault\n", k, s);
            } else {
                char what[32];
                snprintf(what, sizeof what, "wloop %d/%d", k, s);
                show_fault(what, wloop_load, page);
            }
        }
    }
    return 0;
}
