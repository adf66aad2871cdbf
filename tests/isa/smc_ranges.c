/* Code generation as JITs do it, within one page: the decoded-instruction cache and the native
 * tier must drop exactly the code a store changes and nothing else. Each function is called
 * often enough to be compiled (the differential tests compile after 8 block entries), then
 * rewritten: one instruction in the middle of a hot block, the second instruction of a fused
 * pair, a neighbour function in the same page (the others stay right), code that stores data
 * into its own page on every call (data and code in one page), C code writing data into a code
 * page while its functions keep running, and 64 functions over 4 pages rewritten a third at a
 * time. Every result is printed; qemu's output is the expected one. */
#include "isa.h"
#include "jit.h"
#include <sys/mman.h>

static long call_loop(uint8_t *p, long a0, long a1) { return ((fn2_t)p)(a0, a1); }

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *code = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }

    /* 1. One instruction in the middle of a hot block. */
    uint8_t *f = code;
    emit_loop(f, 3);
    flush_icache(f, 16);
    long s = 0;
    for (int i = 0; i < 50; i++) s += call_loop(f, i, 100);
    printf("loop k=3: %ld\n", s);
    put32(f + 4, rv_addi(A1, A1, -2)); /* the counter step, not the entry instruction */
    flush_icache(f + 4, 4);
    s = 0;
    for (int i = 0; i < 50; i++) s += call_loop(f, i, 100);
    printf("loop step -2: %ld\n", s);
    put32(f, rv_addi(A0, A0, 7)); /* the entry instruction */
    flush_icache(f, 4);
    printf("loop k=7: %ld\n", call_loop(f, 0, 100));

    /* 2. A fused pair (lui + addi: one constant) with only its second half rewritten. */
    uint8_t *g = code + 256;
    put32(g, rv_lui(T0, 0x12));
    put32(g + 4, rv_addi(T0, T0, 0x345));
    put32(g + 8, rv_add(A0, A0, T0));
    put32(g + 12, rv_ret());
    flush_icache(g, 16);
    s = 0;
    for (int i = 0; i < 50; i++) s += call_loop(g, i, 0);
    printf("lui+addi: %ld\n", s);
    put32(g + 4, rv_addi(T0, T0, -0x7f));
    flush_icache(g + 4, 4);
    printf("addi rewritten: %ld\n", call_loop(g, 1, 0));
    put32(g, rv_lui(T0, 0x7));
    flush_icache(g, 4);
    printf("lui rewritten: %ld\n", call_loop(g, 1, 0));

    /* 3. Neighbours: rewrite h over and over; f, in the same page, must not change. */
    uint8_t *h = code + 512;
    long fsum = 0, hsum = 0;
    for (int v = 0; v < 200; v++) {
        emit_loop(h, v - 100);
        flush_icache(h, 16);
        for (int i = 0; i < 10; i++) {
            hsum += call_loop(h, i, 20);
            fsum += call_loop(f, i, 20);
        }
    }
    printf("neighbours: h %ld f %ld\n", hsum, fsum);

    /* 4. A function that counts its calls in its own page: auipc t0; ld t1, 1024(t0);
     *    addi t1, t1, 1; sd t1, 1024(t0); mv a0, t1; ret. */
    uint8_t *c = code + 1024;
    put32(c, rv_auipc(T0, 0));
    put32(c + 4, rv_ld(T1, T0, 1024));
    put32(c + 8, rv_addi(T1, T1, 1));
    put32(c + 12, rv_sd(T1, T0, 1024));
    put32(c + 16, rv_addi(A0, T1, 0));
    put32(c + 20, rv_ret());
    flush_icache(c, 24);
    long last = 0;
    fsum = 0;
    for (int i = 0; i < 3000; i++) {
        last = ((fn0_t)c)();
        if (i % 100 == 0) fsum += call_loop(f, i, 4);
    }
    printf("self-counting: %ld (f alongside: %ld)\n", last, fsum);

    /* 5. C code writes data between the functions of a code page while they run. */
    volatile long *data = (volatile long *)(code + 3072);
    fsum = 0;
    for (int i = 0; i < 3000; i++) {
        data[i % 64] += i;
        fsum += call_loop(f, i, 2) + call_loop(h, 0, 1);
    }
    long dsum = 0;
    for (int i = 0; i < 64; i++) dsum += data[i];
    printf("data beside code: %ld %ld\n", dsum, fsum);

    /* 6. 64 functions over pages 1-3, 160 bytes apart, all hot; rewrite a third at a time. */
    uint8_t *base = code + page;
    enum { N = 64 };
    for (int i = 0; i < N; i++) emit_loop(base + i * 160, i);
    flush_icache(base, N * 160);
    for (int round = 0; round < 6; round++) {
        long sum = 0;
        for (int r = 0; r < 20; r++)
            for (int i = 0; i < N; i++) sum += call_loop(base + i * 160, r, 5 + i % 4);
        printf("round %d: %ld\n", round, sum);
        for (int i = round % 3; i < N; i += 3) {
            emit_loop(base + i * 160, i * (round + 2) - 50);
            flush_icache(base + i * 160, 16);
        }
    }
    return 0;
}
