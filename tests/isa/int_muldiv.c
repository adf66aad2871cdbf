/* M extension over all pairs of int_vals: mul, mulh, mulhsu, mulhu, div, divu, rem, remu and the
 * W forms, which covers division by zero (quotient all ones, remainder = dividend) and the
 * signed overflow INT_MIN / -1 (quotient INT_MIN, remainder 0) in both widths. */
#include "isa.h"

ROP(op_mul, "mul") ROP(op_mulh, "mulh") ROP(op_mulhsu, "mulhsu") ROP(op_mulhu, "mulhu")
ROP(op_div, "div") ROP(op_divu, "divu") ROP(op_rem, "rem") ROP(op_remu, "remu")
ROP(op_mulw, "mulw") ROP(op_divw, "divw") ROP(op_divuw, "divuw") ROP(op_remw, "remw") ROP(op_remuw, "remuw")

static const rop_t ops[] = {
    {"mul", op_mul}, {"mulh", op_mulh}, {"mulhsu", op_mulhsu}, {"mulhu", op_mulhu},
    {"div", op_div}, {"divu", op_divu}, {"rem", op_rem}, {"remu", op_remu},
    {"mulw", op_mulw}, {"divw", op_divw}, {"divuw", op_divuw}, {"remw", op_remw}, {"remuw", op_remuw},
};

int main(void) {
    for (int o = 0; o < NELEM(ops); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            for (int j = 0; j < NELEM(int_vals); j++)
                printf("%s %016llx %016llx -> %016llx\n", ops[o].name, (unsigned long long)int_vals[i],
                       (unsigned long long)int_vals[j], (unsigned long long)ops[o].fn(int_vals[i], int_vals[j]));
    /* Compiler-generated code paths too: 128-bit products and constant divisions. */
    unsigned __int128 acc = 1;
    uint64_t h = 0;
    for (uint64_t x = 1; x < 200000; x += 7) {
        acc = acc * (x | 1) + x;
        h ^= (uint64_t)(acc >> 64) + x / 10 + x % 7 + (uint64_t)((int64_t)x / -3);
    }
    printf("int128 %016llx%016llx h=%016llx\n", (unsigned long long)(acc >> 64), (unsigned long long)acc, (unsigned long long)h);
    return 0;
}
