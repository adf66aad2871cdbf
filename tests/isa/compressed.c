/* The C extension issued explicitly (the rest of every test is compiled as rv64gc, so compressed
 * code is everywhere): c.li c.lui c.addi c.addiw c.addi16sp c.addi4spn c.slli c.srli c.srai
 * c.andi c.mv c.add c.sub c.xor c.or c.and c.subw c.addw, loads/stores (c.lw c.ld c.sw c.sd
 * c.lwsp c.ldsp c.swsp c.sdsp c.fld c.fsd c.fldsp c.fsdsp), c.j c.jr c.jalr c.beqz c.bnez. */
#include "isa.h"

#define C2(name, insn)                                                                         \
    static uint64_t name(uint64_t a, uint64_t b) {                                             \
        register uint64_t x8 __asm__("s0") = a;                                                \
        register uint64_t x9 __asm__("s1") = b;                                                \
        __asm__ volatile(insn " s0,s1" : "+r"(x8) : "r"(x9));                                  \
        return x8;                                                                             \
    }
C2(c_add, "c.add") C2(c_sub, "c.sub") C2(c_xor, "c.xor") C2(c_or, "c.or") C2(c_and, "c.and")
C2(c_subw, "c.subw") C2(c_addw, "c.addw") C2(c_mv, "c.mv")
#define C1(name, insn, imm)                                                                    \
    static uint64_t name(uint64_t a) {                                                         \
        register uint64_t x8 __asm__("s0") = a;                                                \
        __asm__ volatile(insn " s0," #imm : "+r"(x8));                                         \
        return x8;                                                                             \
    }
C1(c_addi_m32, "c.addi", -32) C1(c_addi_31, "c.addi", 31) C1(c_addiw_m1, "c.addiw", -1)
C1(c_addiw_0, "c.addiw", 0) C1(c_slli_1, "c.slli", 1) C1(c_slli_63, "c.slli", 63)
C1(c_slli_32, "c.slli", 32) C1(c_srli_1, "c.srli", 1) C1(c_srli_63, "c.srli", 63)
C1(c_srai_1, "c.srai", 1) C1(c_srai_63, "c.srai", 63) C1(c_srai_32, "c.srai", 32)
C1(c_andi_m1, "c.andi", -1) C1(c_andi_15, "c.andi", 15) C1(c_andi_m32, "c.andi", -32)

static const rop_t ops2[] = {{"c.add", c_add}, {"c.sub", c_sub}, {"c.xor", c_xor}, {"c.or", c_or},
                             {"c.and", c_and}, {"c.subw", c_subw}, {"c.addw", c_addw}, {"c.mv", c_mv}};
static const r1op_t ops1[] = {{"c.addi -32", c_addi_m32}, {"c.addi 31", c_addi_31}, {"c.addiw -1", c_addiw_m1},
                              {"c.addiw 0 (sext.w)", c_addiw_0}, {"c.slli 1", c_slli_1}, {"c.slli 63", c_slli_63},
                              {"c.slli 32", c_slli_32}, {"c.srli 1", c_srli_1}, {"c.srli 63", c_srli_63},
                              {"c.srai 1", c_srai_1}, {"c.srai 63", c_srai_63}, {"c.srai 32", c_srai_32},
                              {"c.andi -1", c_andi_m1}, {"c.andi 15", c_andi_15}, {"c.andi -32", c_andi_m32}};

int main(void) {
    for (int o = 0; o < NELEM(ops2); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            for (int j = 0; j < NELEM(int_vals); j++)
                printf("%s %016llx %016llx -> %016llx\n", ops2[o].name, (unsigned long long)int_vals[i],
                       (unsigned long long)int_vals[j], (unsigned long long)ops2[o].fn(int_vals[i], int_vals[j]));
    for (int o = 0; o < NELEM(ops1); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            printf("%s %016llx -> %016llx\n", ops1[o].name, (unsigned long long)int_vals[i],
                   (unsigned long long)ops1[o].fn(int_vals[i]));
    uint64_t r1, r2, r3;
    __asm__ volatile("c.li %0,-32\n\tc.lui %1,0x1f\n\tc.lui %2,0xfffe1" : "=r"(r1), "=r"(r2), "=r"(r3));
    printf("c.li -32=%016llx c.lui 0x1f=%016llx c.lui 0xfffe1=%016llx\n", (unsigned long long)r1, (unsigned long long)r2, (unsigned long long)r3);
    /* Stack-relative forms: build a frame with c.addi16sp, use c.addi4spn for a pointer. */
    static uint64_t data[4] = {0x1122334455667788ull, 0x99aabbccddeeff00ull, 0xfffffffe80000001ull, 0x400921fb54442d18ull};
    uint64_t out[8] = {0};
    register uint64_t *p __asm__("s0") = data;
    register uint64_t *q __asm__("s1") = out;
    __asm__ volatile(
        "c.addi16sp sp,-64\n\t"
        "c.ld a4,0(s0)\n\tc.sdsp a4,8(sp)\n\tc.ldsp a5,8(sp)\n\tc.sd a5,0(s1)\n\t"
        "c.lw a4,8(s0)\n\tc.swsp a4,16(sp)\n\tc.lwsp a5,16(sp)\n\tc.sd a5,8(s1)\n\t"
        "c.lw a4,20(s0)\n\tc.sw a4,16(s1)\n\tc.lw a5,16(s1)\n\tc.sd a5,24(s1)\n\t"
        "c.fld fa4,24(s0)\n\tc.fsdsp fa4,24(sp)\n\tc.fldsp fa5,24(sp)\n\tc.fsd fa5,32(s1)\n\t"
        "c.addi4spn a4,sp,8\n\tc.ld a5,0(a4)\n\tc.sd a5,40(s1)\n\t"
        "c.addi16sp sp,64\n\t"
        : : "r"(p), "r"(q) : "a4", "a5", "fa4", "fa5", "memory");
    for (int i = 0; i < 6; i++) printf("mem[%d]=%016llx\n", i, (unsigned long long)out[i]);
    /* Control transfer. */
    uint64_t r = 0;
    __asm__ volatile(
        "li %0,0\n\tli a4,0\n\t"
        "c.beqz a4,1f\n\tori %0,%0,1\n"
        "1:\tc.bnez a4,2f\n\tori %0,%0,2\n"
        "2:\tli a4,5\n\tc.bnez a4,3f\n\tori %0,%0,4\n"
        "3:\tc.beqz a4,4f\n\tori %0,%0,8\n"
        "4:\tc.j 5f\n\tori %0,%0,16\n"
        "5:\tla a5,6f\n\tc.jr a5\n\tori %0,%0,32\n"
        "6:\tla a5,7f\n\tmv t1,ra\n\tc.jalr a5\n"
        "7:\tsub a5,ra,a5\n\tmv ra,t1\n\tc.add %0,a5\n"
        : "=&r"(r) : : "a4", "a5", "t1", "ra");
    printf("control r=%llx\n", (unsigned long long)r);
    return 0;
}
