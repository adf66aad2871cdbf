/* RV64I register-register and register-immediate ALU instructions, including the W forms
 * (32-bit result sign-extended; shift amounts taken mod 32) and shift amounts >= XLEN taken mod 64,
 * plus lui/auipc and set-less-than. Every op runs over all pairs of int_vals. */
#include "isa.h"

ROP(op_add, "add") ROP(op_sub, "sub") ROP(op_sll, "sll") ROP(op_srl, "srl") ROP(op_sra, "sra")
ROP(op_slt, "slt") ROP(op_sltu, "sltu") ROP(op_xor, "xor") ROP(op_or, "or") ROP(op_and, "and")
ROP(op_addw, "addw") ROP(op_subw, "subw") ROP(op_sllw, "sllw") ROP(op_srlw, "srlw") ROP(op_sraw, "sraw")

static const rop_t rops[] = {
    {"add", op_add}, {"sub", op_sub}, {"sll", op_sll}, {"srl", op_srl}, {"sra", op_sra},
    {"slt", op_slt}, {"sltu", op_sltu}, {"xor", op_xor}, {"or", op_or}, {"and", op_and},
    {"addw", op_addw}, {"subw", op_subw}, {"sllw", op_sllw}, {"srlw", op_srlw}, {"sraw", op_sraw},
};

#define IMM_OPS(X) \
    X(addi_0, addi, 0) X(addi_1, addi, 1) X(addi_m1, addi, -1) X(addi_2047, addi, 2047) X(addi_m2048, addi, -2048) \
    X(slti_0, slti, 0) X(slti_m1, slti, -1) X(slti_2047, slti, 2047) X(slti_m2048, slti, -2048) X(sltiu_0, sltiu, 0) \
    X(sltiu_1, sltiu, 1) X(sltiu_m1, sltiu, -1) X(sltiu_2047, sltiu, 2047) X(xori_m1, xori, -1) X(xori_1365, xori, 1365) \
    X(xori_m2048, xori, -2048) X(ori_2047, ori, 2047) X(ori_m2048, ori, -2048) X(andi_2047, andi, 2047) X(andi_m2048, andi, -2048) \
    X(andi_m1, andi, -1) X(andi_15, andi, 15) X(slli_0, slli, 0) X(slli_1, slli, 1) X(slli_31, slli, 31) \
    X(slli_32, slli, 32) X(slli_63, slli, 63) X(srli_0, srli, 0) X(srli_1, srli, 1) X(srli_31, srli, 31) \
    X(srli_32, srli, 32) X(srli_63, srli, 63) X(srai_0, srai, 0) X(srai_1, srai, 1) X(srai_31, srai, 31) \
    X(srai_32, srai, 32) X(srai_63, srai, 63) X(addiw_0, addiw, 0) X(addiw_1, addiw, 1) X(addiw_m1, addiw, -1) \
    X(addiw_2047, addiw, 2047) X(addiw_m2048, addiw, -2048) X(slliw_0, slliw, 0) X(slliw_1, slliw, 1) X(slliw_31, slliw, 31) \
    X(srliw_0, srliw, 0) X(srliw_1, srliw, 1) X(srliw_31, srliw, 31) X(sraiw_0, sraiw, 0) X(sraiw_1, sraiw, 1) \
    X(sraiw_31, sraiw, 31)
#define DEF_IMM(n, op, imm) IOP(n, #op, imm)
IMM_OPS(DEF_IMM)
#define NAME_IMM(n, op, imm) {#op " " #imm, n},
static const r1op_t iops[] = {IMM_OPS(NAME_IMM)};

static uint64_t do_lui(int which) {
    uint64_t r = 0;
    switch (which) {
    case 0: __asm__ volatile("lui %0,0" : "=r"(r)); break;
    case 1: __asm__ volatile("lui %0,1" : "=r"(r)); break;
    case 2: __asm__ volatile("lui %0,0x7ffff" : "=r"(r)); break;
    case 3: __asm__ volatile("lui %0,0x80000" : "=r"(r)); break;
    case 4: __asm__ volatile("lui %0,0xfffff" : "=r"(r)); break;
    case 5: __asm__ volatile("lui %0,0x12345" : "=r"(r)); break;
    }
    return r;
}

int main(void) {
    for (int o = 0; o < NELEM(rops); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            for (int j = 0; j < NELEM(int_vals); j++)
                printf("%s %016llx %016llx -> %016llx\n", rops[o].name, (unsigned long long)int_vals[i],
                       (unsigned long long)int_vals[j], (unsigned long long)rops[o].fn(int_vals[i], int_vals[j]));
    for (int o = 0; o < NELEM(iops); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            printf("%s %016llx -> %016llx\n", iops[o].name, (unsigned long long)int_vals[i],
                   (unsigned long long)iops[o].fn(int_vals[i]));
    for (int w = 0; w < 6; w++) printf("lui #%d -> %016llx\n", w, (unsigned long long)do_lui(w));
    /* auipc: the difference of two auipc results is link-time constant. */
    uint64_t a1, a2;
    __asm__ volatile("1: auipc %0,0\n\tauipc %1,1\n\tsub %1,%1,%0" : "=&r"(a1), "=&r"(a2));
    printf("auipc delta %llx\n", (unsigned long long)a2);
    __asm__ volatile("auipc %0,0x80000\n\tauipc %1,0\n\tsub %0,%0,%1" : "=&r"(a1), "=&r"(a2));
    printf("auipc negative upper delta %016llx\n", (unsigned long long)a1);
    return 0;
}
