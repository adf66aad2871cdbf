/* Code that changes under a slot the interpreter runs with the unit after it (Fusion.fuseUnits:
 * srli, then the fused andi;andi in the next slot): patching the second unit (a whole word, one
 * byte of an immediate, an instruction that breaks the pair) or the first must drop the fused
 * slot too, or it would run the old second unit. Run with and without the native tier. */
#include "isa.h"
#include <sys/mman.h>

typedef long (*fn_t)(long, long);

static uint32_t itype(int imm, int rs1, int f3, int rd) {
    return ((uint32_t)(imm & 0xfff) << 20) | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 | (uint32_t)rd << 7 | 0x13;
}
static void put(uint8_t *code, int offset, uint32_t w) { memcpy(code + offset, &w, 4); }
static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

int main(void) {
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    fn_t f = (fn_t)code;
    /* srli a0,a0,1; andi a0,a0,0xff; andi a1,a1,0xf; add a0,a0,a1; ret */
    put(code, 0, itype(1, 10, 5, 10));
    put(code, 4, itype(0xff, 10, 7, 10));
    put(code, 8, itype(0xf, 11, 7, 11));
    put(code, 12, 0x00b50533);
    uint16_t ret = 0x8082;
    memcpy(code + 16, &ret, 2);
    fence_i();
    for (int round = 0; round < 20; round++) {
        long a = 0x12345 + round * 77, b = 0x777 - round;
        put(code, 8, itype(0xf, 11, 7, 11));
        put(code, 4, itype(0xff, 10, 7, 10));
        put(code, 0, itype(1, 10, 5, 10));
        fence_i();
        long r0 = f(a, b), r1 = f(a, b);
        put(code, 8, itype(0x7f, 11, 7, 11));     /* the second unit's second instruction */
        fence_i();
        long r2 = f(a, b);
        code[7] = 0x00;                           /* one byte: andi a0,a0,0xff -> 0x0f */
        fence_i();
        long r3 = f(a, b);
        put(code, 8, itype(5, 11, 0, 11));        /* addi a1,a1,5: no andi pair any more */
        fence_i();
        long r4 = f(a, b);
        put(code, 4, itype(0x3f, 10, 7, 10));     /* andi;andi again, different masks */
        put(code, 8, itype(0x1f, 11, 7, 11));
        fence_i();
        long r5 = f(a, b);
        put(code, 0, itype(3, 10, 5, 10));        /* the first unit: srli by 3 */
        fence_i();
        long r6 = f(a, b), r7 = f(a, b);
        printf("round %d: %lx %lx %lx %lx %lx %lx %lx %lx\n", round, r0, r1, r2, r3, r4, r5, r6, r7);
    }
    return 0;
}
