/* Code that changes under a slot the interpreter runs with the unit after it (Fusion.fuseUnits:
 * add;add, then the fused lh;lh in the next slot): patching the second unit (a whole word, one
 * byte of an immediate, an instruction that breaks the pair) or the first must drop the fused
 * slot too, or it would run the second unit's dropped (zeroed) slot: a load from address 0.
 * Run with and without the native tier. */
#include "isa.h"
#include <sys/mman.h>

typedef long (*fn_t)(long, long);

static uint32_t itype(int imm, int rs1, int f3, int rd, int opcode) {
    return ((uint32_t)(imm & 0xfff) << 20) | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 | (uint32_t)rd << 7 | (uint32_t)opcode;
}
static uint32_t add(int rd, int rs1, int rs2) { return (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | (uint32_t)rd << 7 | 0x33; }
static uint32_t lh(int rd, int imm, int rs1) { return itype(imm, rs1, 1, rd, 0x03); }
static uint32_t sd(int rs2, int imm, int rs1) {
    return ((uint32_t)(imm >> 5 & 0x7f) << 25) | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | 3u << 12 | (uint32_t)(imm & 0x1f) << 7 | 0x23;
}
static uint32_t bne(int rs1, int rs2, int off) {
    return ((uint32_t)(off >> 12 & 1) << 31) | ((uint32_t)(off >> 5 & 0x3f) << 25) | (uint32_t)rs2 << 20 |
           (uint32_t)rs1 << 15 | 1u << 12 | ((uint32_t)(off >> 1 & 0xf) << 8) | ((uint32_t)(off >> 11 & 1) << 7) | 0x63;
}
static void put(uint8_t *code, int offset, uint32_t w) { memcpy(code + offset, &w, 4); }
static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

int main(void) {
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    fn_t f = (fn_t)code;
    static int16_t data[64];
    for (int i = 0; i < 64; i++) data[i] = (int16_t)(i * 1103 - 30000);
    uint16_t ret = 0x8082;
    for (int round = 0; round < 20; round++) {
        long a = (long)data, b = 2 * (round % 16);
        /* add a2,a0,a1; add a3,a2,a1; lh a4,0(a2); lh a5,2(a3); add a0,a4,a5; ret */
        put(code, 0, add(12, 10, 11));
        put(code, 4, add(13, 12, 11));
        put(code, 8, lh(14, 0, 12));
        put(code, 12, lh(15, 2, 13));
        put(code, 16, add(10, 14, 15));
        memcpy(code + 20, &ret, 2);
        fence_i();
        long r0 = f(a, b), r1 = f(a, b);
        put(code, 12, lh(15, 6, 13));            /* the second unit's second instruction */
        fence_i();
        long r2 = f(a, b);
        code[11] = 0x00;                         /* one byte of the first lh's offset: 0 */
        code[10] = (uint8_t)(code[10] | 0x40);  /* imm[3:0] = 4 */
        fence_i();
        long r3 = f(a, b);
        put(code, 12, itype(5, 15, 0, 15, 0x13)); /* addi a5,a5,5: no lh pair any more */
        fence_i();
        long r4 = f(a, b);
        put(code, 8, lh(14, 8, 12));             /* lh;lh again, other offsets */
        put(code, 12, lh(15, 10, 13));
        fence_i();
        long r5 = f(a, b);
        put(code, 4, add(13, 10, 11));           /* the first unit: a3 = a0 + a1 */
        fence_i();
        long r6 = f(a, b), r7 = f(a, b);
        printf("round %d: %lx %lx %lx %lx %lx %lx %lx %lx\n", round, r0, r1, r2, r3, r4, r5, r6, r7);
        /* add+ld, sd, then add + bne in one dispatch, the sd storing the add+bne's own bytes back
         * (unchanged): the store drops the slot it runs from and the branch's, which then runs
         * decoded again. add a2,zero,a0; ld a3,0(a2); sd a3,0(a2); add a4,zero,a2;
         * bne a3,zero,+8; addi a3,zero,1; add a0,a3,zero; ret */
        put(code, 0, add(12, 0, 10));
        put(code, 4, itype(0, 12, 3, 13, 0x03));
        put(code, 8, sd(13, 0, 12));
        put(code, 12, add(14, 0, 12));
        put(code, 16, bne(13, 0, 8));
        put(code, 20, itype(1, 0, 0, 13, 0x13));
        put(code, 24, add(10, 13, 0));
        memcpy(code + 28, &ret, 2);
        fence_i();
        long s0 = ((fn_t)code)((long)(code + 12), 0), s1 = ((fn_t)code)((long)(code + 12), 0);
        printf("round %d: self-store %lx %lx\n", round, s0, s1);
    }
    return 0;
}
