/* Generated code where a compiled block follows direct jumps within its page (a trace): the
 * block then holds code before its entry (a jump back) or past a gap (a jump forward), and a
 * store into either must drop it; a followed `jal` must leave the exact return address. A block
 * also runs on into the next page, and holds an instruction straddling the boundary: a store
 * into either page must drop it.
 * Each function is called often enough to be compiled (the tests' threshold, or the default
 * 256), rewritten with stores + flush_icache, and called again; compared with qemu, compiled
 * and interpreted. */
#include "isa.h"
#include "jit.h"
#include <sys/mman.h>

typedef long (*fn_t)(long);

/* jal rd, off (off even, within +-1 MiB). */
static uint32_t rv_jal(int rd, int off) {
    uint32_t u = (uint32_t)off;
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 |
           rd << 7 | 0x6f;
}

static long run(fn_t f, long x, int times) {
    long r = 0;
    for (int i = 0; i < times; i++) r += f(x + i);
    return r;
}

/* Two fresh code pages with, from `at` (a few bytes before the second), a0 += 1, a0 += 2,
 * a0 += 4 and a return (NULL when mmap fails). */
static uint8_t *across_pages(int at) {
    uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 0; }
    put32(p + at, rv_addi(A0, A0, 1));
    put32(p + at + 4, rv_addi(A0, A0, 2));
    put32(p + at + 8, rv_addi(A0, A0, 4));
    put32(p + at + 12, rv_ret());
    flush_icache(p, 8192);
    return p;
}

int main(void) {
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    /* Back: entry at 256 adds 2 and jumps back to 0, which adds 1 and returns. */
    put32(code + 0, rv_addi(A0, A0, 1));
    put32(code + 4, rv_ret());
    put32(code + 256, rv_addi(A0, A0, 2));
    put32(code + 260, rv_jal(X0, -260));
    /* Forward: entry at 512 adds 4 and jumps over a gap to 576, which adds 8 and returns. */
    put32(code + 512, rv_addi(A0, A0, 4));
    put32(code + 516, rv_jal(X0, 60));
    put32(code + 576, rv_addi(A0, A0, 8));
    put32(code + 580, rv_ret());
    /* Call: entry at 1024 keeps ra in t0, calls 1088 (adds 3 to a0, then a0 += ra - t1, where
     * t1 is the return address it expects) and returns. */
    put32(code + 1024, rv_addi(T0, RA, 0));
    put32(code + 1028, rv_auipc(T1, 0));
    put32(code + 1032, rv_addi(T1, T1, 12)); /* t1 = 1040: the return address */
    put32(code + 1036, rv_jal(RA, 52));
    put32(code + 1040, rv_addi(RA, T0, 0));
    put32(code + 1044, rv_ret());
    put32(code + 1088, rv_addi(A0, A0, 3));
    put32(code + 1092, rv_add(A0, A0, RA));
    put32(code + 1096, 0x40650533); /* sub a0, a0, t1 */
    put32(code + 1100, rv_ret());
    flush_icache(code, 4096);

    fn_t back = (fn_t)(code + 256), fwd = (fn_t)(code + 512), call = (fn_t)(code + 1024);
    printf("back %ld fwd %ld call %ld\n", run(back, 100, 400), run(fwd, 100, 400), run(call, 100, 400));

    /* Rewrite the code each function jumps to (not its entry's bytes). */
    put32(code + 0, rv_addi(A0, A0, 16));
    flush_icache(code, 8);
    put32(code + 576, rv_addi(A0, A0, 32));
    flush_icache(code + 576, 4);
    put32(code + 1088, rv_addi(A0, A0, 64));
    flush_icache(code + 1088, 4);
    printf("rewritten: back %ld fwd %ld call %ld\n", back(100), fwd(100), call(100));
    printf("again: back %ld fwd %ld call %ld\n", run(back, 100, 400), run(fwd, 100, 400), run(call, 100, 400));

    /* Rewrite the jump itself: back now jumps to the ret at 4, skipping the add at 0. */
    put32(code + 260, rv_jal(X0, -256));
    flush_icache(code + 260, 4);
    printf("jump rewritten: back %ld, %ld\n", back(100), run(back, 100, 400));

    /* Across a page boundary: entry 8 bytes before it adds 1 and 2, the next page adds 4 and
     * returns; rewritten in the second page, then in the first. */
    uint8_t *two = across_pages(4088);
    if (!two) return 1;
    fn_t cross = (fn_t)(two + 4088);
    printf("cross %ld\n", run(cross, 100, 400));
    put32(two + 4096, rv_addi(A0, A0, 64));
    flush_icache(two + 4096, 4);
    printf("cross rewritten in the second page: %ld, %ld\n", cross(100), run(cross, 100, 400));
    put32(two + 4092, rv_addi(A0, A0, 128));
    flush_icache(two + 4092, 4);
    printf("cross rewritten in the first page: %ld, %ld\n", cross(100), run(cross, 100, 400));
    /* The same with an instruction straddling the boundary (2 bytes in each page), its upper
     * half rewritten. */
    uint8_t *three = across_pages(4086);
    if (!three) return 1;
    fn_t straddle = (fn_t)(three + 4086);
    printf("straddle %ld\n", run(straddle, 100, 400));
    uint32_t w = rv_addi(A0, A0, 256);
    memcpy(three + 4096, (uint8_t *)&w + 2, 2);
    flush_icache(three + 4096, 2);
    printf("straddle rewritten in the second page: %ld, %ld\n", straddle(100), run(straddle, 100, 400));
    return 0;
}
