// cflags: -march=rv64gc_zba_zbb_zbs
/* Zba, Zbb and Zbs over all int_vals pairs: sh{1,2,3}add(.uw), add.uw, slli.uw, andn, orn, xnor,
 * clz/ctz/cpop (+w), max/min(u), sext.b/h, zext.h, rol/ror(w), rori(w), orc.b, rev8,
 * bclr/bext/binv/bset (+i).
 *
 * Lines starting with "spec " are checked against a software model in this program (and by
 * test_isa.py must all say "ok"), not against qemu: qemu 7.2 computes ctzw over all 64 bits
 * (ctzw 0x8000000000000000 gives 63; the specification says 32, the low word being zero), so
 * the qemu-compared sweep leaves those inputs out of ctzw. */
#include "isa.h"

ROP(sh1add, "sh1add") ROP(sh2add, "sh2add") ROP(sh3add, "sh3add") ROP(add_uw, "add.uw")
ROP(sh1add_uw, "sh1add.uw") ROP(sh2add_uw, "sh2add.uw") ROP(sh3add_uw, "sh3add.uw")
ROP(andn, "andn") ROP(orn, "orn") ROP(xnor, "xnor") ROP(max, "max") ROP(maxu, "maxu") ROP(min, "min")
ROP(minu, "minu") ROP(rol, "rol") ROP(ror, "ror") ROP(rolw, "rolw") ROP(rorw, "rorw")
ROP(bclr, "bclr") ROP(bext, "bext") ROP(binv, "binv") ROP(bset, "bset")
R1OP(clz, "clz") R1OP(ctz, "ctz") R1OP(cpop, "cpop") R1OP(clzw, "clzw") R1OP(ctzw, "ctzw")
R1OP(cpopw, "cpopw") R1OP(sext_b, "sext.b") R1OP(sext_h, "sext.h") R1OP(zext_h, "zext.h")
R1OP(orc_b, "orc.b") R1OP(rev8, "rev8")
IOP(slli_uw_0, "slli.uw", 0) IOP(slli_uw_5, "slli.uw", 5) IOP(slli_uw_63, "slli.uw", 63)
IOP(rori_0, "rori", 0) IOP(rori_1, "rori", 1) IOP(rori_63, "rori", 63) IOP(roriw_0, "roriw", 0)
IOP(roriw_1, "roriw", 1) IOP(roriw_31, "roriw", 31) IOP(bclri_0, "bclri", 0) IOP(bclri_63, "bclri", 63)
IOP(bexti_31, "bexti", 31) IOP(bexti_63, "bexti", 63) IOP(binvi_32, "binvi", 32) IOP(bseti_63, "bseti", 63)
/* The native tier compiles bexti, and bseti/bclri/binvi of bits 0-30 (a 32-bit immediate):
 * both sides of that limit. */
IOP(bexti_0, "bexti", 0) IOP(bexti_5, "bexti", 5) IOP(bseti_0, "bseti", 0) IOP(bseti_30, "bseti", 30)
IOP(bseti_31, "bseti", 31) IOP(bclri_30, "bclri", 30) IOP(bclri_31, "bclri", 31) IOP(binvi_7, "binvi", 7)
IOP(binvi_30, "binvi", 30) IOP(binvi_31, "binvi", 31)

static const rop_t ops2[] = {
    {"sh1add", sh1add}, {"sh2add", sh2add}, {"sh3add", sh3add}, {"add.uw", add_uw}, {"sh1add.uw", sh1add_uw},
    {"sh2add.uw", sh2add_uw}, {"sh3add.uw", sh3add_uw}, {"andn", andn}, {"orn", orn}, {"xnor", xnor},
    {"max", max}, {"maxu", maxu}, {"min", min}, {"minu", minu}, {"rol", rol}, {"ror", ror}, {"rolw", rolw},
    {"rorw", rorw}, {"bclr", bclr}, {"bext", bext}, {"binv", binv}, {"bset", bset},
};
static const r1op_t ops1[] = {
    {"clz", clz}, {"ctz", ctz}, {"cpop", cpop}, {"clzw", clzw}, {"ctzw", ctzw}, {"cpopw", cpopw},
    {"sext.b", sext_b}, {"sext.h", sext_h}, {"zext.h", zext_h}, {"orc.b", orc_b}, {"rev8", rev8},
    {"slli.uw 0", slli_uw_0}, {"slli.uw 5", slli_uw_5}, {"slli.uw 63", slli_uw_63}, {"rori 0", rori_0},
    {"rori 1", rori_1}, {"rori 63", rori_63}, {"roriw 0", roriw_0}, {"roriw 1", roriw_1}, {"roriw 31", roriw_31},
    {"bclri 0", bclri_0}, {"bclri 63", bclri_63}, {"bexti 31", bexti_31}, {"bexti 63", bexti_63},
    {"binvi 32", binvi_32}, {"bseti 63", bseti_63}, {"bexti 0", bexti_0}, {"bexti 5", bexti_5},
    {"bseti 0", bseti_0}, {"bseti 30", bseti_30}, {"bseti 31", bseti_31}, {"bclri 30", bclri_30},
    {"bclri 31", bclri_31}, {"binvi 7", binvi_7}, {"binvi 30", binvi_30}, {"binvi 31", binvi_31},
};

/* Software models, written without builtins so the compiler cannot turn them into the very
 * instructions under test. */
static uint64_t model_ctzw(uint64_t x) {
    uint32_t w = (uint32_t)x;
    uint64_t n = 0;
    if (w == 0) return 32;
    while (!(w & 1)) { w >>= 1; n++; }
    return n;
}
static uint64_t model_clzw(uint64_t x) {
    uint32_t w = (uint32_t)x;
    uint64_t n = 0;
    if (w == 0) return 32;
    while (!(w & 0x80000000u)) { w <<= 1; n++; }
    return n;
}
static uint64_t model_cpopw(uint64_t x) {
    uint32_t w = (uint32_t)x;
    uint64_t n = 0;
    while (w) { n += w & 1; w >>= 1; }
    return n;
}
/* Inputs on which qemu 7.2's ctzw is wrong: low word zero, high word not. */
static int qemu_ctzw_bug(uint64_t x) { return (uint32_t)x == 0 && x != 0; }

int main(void) {
    for (int o = 0; o < NELEM(ops2); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            for (int j = 0; j < NELEM(int_vals); j++)
                printf("%s %016llx %016llx -> %016llx\n", ops2[o].name, (unsigned long long)int_vals[i],
                       (unsigned long long)int_vals[j], (unsigned long long)ops2[o].fn(int_vals[i], int_vals[j]));
    for (int o = 0; o < NELEM(ops1); o++)
        for (int i = 0; i < NELEM(int_vals); i++)
            if (!(ops1[o].fn == ctzw && qemu_ctzw_bug(int_vals[i])))
                printf("%s %016llx -> %016llx\n", ops1[o].name, (unsigned long long)int_vals[i],
                   (unsigned long long)ops1[o].fn(int_vals[i]));
    static const struct { const char *name; r1fn_t insn, model; } spec[] = {
        {"ctzw", ctzw, model_ctzw}, {"clzw", clzw, model_clzw}, {"cpopw", cpopw, model_cpopw},
    };
    for (int o = 0; o < NELEM(spec); o++)
        for (int i = 0; i < NELEM(int_vals); i++) {
            uint64_t got = spec[o].insn(int_vals[i]), want = spec[o].model(int_vals[i]);
            printf("spec %s %016llx -> %llu %s\n", spec[o].name, (unsigned long long)int_vals[i],
                   (unsigned long long)got, got == want ? "ok" : "WRONG");
        }
    return 0;
}
