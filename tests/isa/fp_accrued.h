/* The body of fp_accrued.c (doubles) and fp_accrued_s.c (singles): each defines the precision's
 * instruction suffix FP_SFX ("d" or "s"), the conversion from it FP_CVT(rm) (an instruction
 * to which AOP1 appends the operands and the rounding mode), its operands FP_VALS and addends FP_ADDENDS (raw 64-bit
 * register contents: singles NaN-boxed or not), the fflags presets FP_PRESETS and FP_NAME, then
 * includes this file. Operands go in with fmv.d.x and results come out with fmv.x.d, so an unboxed
 * single operand and the boxing of a single result are both visible. */
#include "isa.h"

#define FP_OP(name) name "." FP_SFX

#define AOP2(name, insn, sfx)                                                                   \
    static res_t name(uint64_t a, uint64_t b, uint64_t f) {                                     \
        res_t r;                                                                                \
        __asm__ volatile("fsflags %4\n\tfmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\t" insn              \
                         " ft2,ft0,ft1" sfx "\n\tfmv.x.d %0,ft2\n\tfrflags %1"                  \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b), "r"(f) : "ft0", "ft1", "ft2"); \
        return r;                                                                               \
    }
#define AOP1(name, insn, sfx)                                                                   \
    static res_t name(uint64_t a, uint64_t b, uint64_t f) {                                     \
        res_t r;                                                                                \
        (void)b;                                                                                \
        __asm__ volatile("fsflags %3\n\tfmv.d.x ft0,%2\n\t" insn " ft2,ft0" sfx                 \
                         "\n\tfmv.x.d %0,ft2\n\tfrflags %1"                                     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(f) : "ft0", "ft2");             \
        return r;                                                                               \
    }
#define AOP3(name, insn, sfx)                                                                   \
    static res_t name(uint64_t a, uint64_t b, uint64_t c, uint64_t f) {                         \
        res_t r;                                                                                \
        __asm__ volatile("fsflags %5\n\tfmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\tfmv.d.x ft3,%4\n\t" \
                         insn " ft2,ft0,ft1,ft3" sfx "\n\tfmv.x.d %0,ft2\n\tfrflags %1"         \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b), "r"(c), "r"(f)              \
                         : "ft0", "ft1", "ft2", "ft3");                                         \
        return r;                                                                               \
    }
#define ACMP(name, insn)                                                                        \
    static res_t name(uint64_t a, uint64_t b, uint64_t f) {                                     \
        res_t r;                                                                                \
        __asm__ volatile("fsflags %4\n\tfmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\t" insn              \
                         " %0,ft0,ft1\n\tfrflags %1"                                            \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b), "r"(f) : "ft0", "ft1");     \
        return r;                                                                               \
    }

#define DEF_MODE(m, sfx, n)                                                                     \
    AOP2(add_##m, FP_OP("fadd"), sfx) AOP2(sub_##m, FP_OP("fsub"), sfx)                         \
    AOP2(mul_##m, FP_OP("fmul"), sfx) AOP2(div_##m, FP_OP("fdiv"), sfx)                         \
    AOP1(sqrt_##m, FP_OP("fsqrt"), sfx) AOP1(cvt_##m, FP_CVT(n), sfx)                              \
    AOP3(madd_##m, FP_OP("fmadd"), sfx) AOP3(msub_##m, FP_OP("fmsub"), sfx)                     \
    AOP3(nmsub_##m, FP_OP("fnmsub"), sfx) AOP3(nmadd_##m, FP_OP("fnmadd"), sfx)
DEF_MODE(rne, ",rne", 0)
DEF_MODE(rtz, ",rtz", 1)
DEF_MODE(rdn, ",rdn", 2)
DEF_MODE(rup, ",rup", 3)
DEF_MODE(rmm, ",rmm", 4)
DEF_MODE(dyn, ",dyn", 7)
ACMP(feq, FP_OP("feq")) ACMP(flt, FP_OP("flt")) ACMP(fle, FP_OP("fle"))

typedef res_t (*a2_t)(uint64_t, uint64_t, uint64_t);
typedef res_t (*a3_t)(uint64_t, uint64_t, uint64_t, uint64_t);
/* fused: the fused forms run in this mode too (in four of them: the slowest part of the program). */
struct mode { const char *name; int frm; int fused; a2_t op2[6]; a3_t op3[4]; };
#define MODE(m, label, frm, fused)                                                              \
    {label, frm, fused, {add_##m, sub_##m, mul_##m, div_##m, sqrt_##m, cvt_##m},                \
     {madd_##m, msub_##m, nmsub_##m, nmadd_##m}}
static const struct mode modes[] = {
    MODE(rne, "rne", 1, 1), MODE(rtz, "rtz", 0, 1), MODE(rdn, "rdn", 0, 0), MODE(rup, "rup", 0, 0),
    MODE(rmm, "rmm", 0, 0), MODE(dyn, "dyn/rne", 0, 1), MODE(dyn, "dyn/rtz", 1, 0),
    MODE(dyn, "dyn/rdn", 2, 0), MODE(dyn, "dyn/rup", 3, 1), MODE(dyn, "dyn/rmm", 4, 0),
};
static const char *op2_names[] = {"fadd", "fsub", "fmul", "fdiv", "fsqrt", "fcvt"};
static const char *op3_names[] = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
static const uint64_t addends[] = FP_ADDENDS;
static const uint64_t presets[] = FP_PRESETS;

static void csr_forms(uint64_t x) {
    uint64_t a, b, c, d, e, f, g, h;
    __asm__ volatile("csrw fcsr,%8\n\t"
                     "csrrs %0,fflags,%8\n\t"
                     "csrrc %1,frm,%8\n\t"
                     "csrrw %2,fcsr,%8\n\t"
                     "csrrsi %3,fflags,0x12\n\t"
                     "csrrci %4,fcsr,0x3\n\t"
                     "csrrwi %5,frm,3\n\t"
                     "csrrs %6,fcsr,zero\n\t"
                     "csrrwi zero,fflags,0x5\n\t"
                     "frcsr %7"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f), "=&r"(g), "=&r"(h)
                     : "r"(x));
    printf("csr %llx: %llx %llx %llx %llx %llx %llx %llx %llx\n", (unsigned long long)x,
           (unsigned long long)a, (unsigned long long)b, (unsigned long long)c, (unsigned long long)d,
           (unsigned long long)e, (unsigned long long)f, (unsigned long long)g, (unsigned long long)h);
}

int main(void) {
    for (unsigned p = 0; p < NELEM(presets); p++)
        for (unsigned m = 0; m < NELEM(modes); m++) {
            write_frm(modes[m].frm);
            for (int o = 0; o < 6; o++)
                for (unsigned i = 0; i < NELEM(FP_VALS); i++)
                    for (unsigned j = 0; j < (o >= 4 ? 1 : NELEM(FP_VALS)); j++) {
                        res_t r = modes[m].op2[o](FP_VALS[i], FP_VALS[j], presets[p]);
                        printf("%s %s %02llx %016llx %016llx -> %016llx %s\n", op2_names[o], modes[m].name,
                               (unsigned long long)presets[p], (unsigned long long)FP_VALS[i],
                               (unsigned long long)FP_VALS[j], (unsigned long long)r.v, flag_str(r.f));
                    }
            if (p == 0 && modes[m].fused)
                for (int o = 0; o < 4; o++)
                    for (unsigned i = 0; i < NELEM(FP_VALS); i++)
                        for (unsigned j = 0; j < NELEM(FP_VALS); j++)
                            for (unsigned k = 0; k < NELEM(addends); k++) {
                                res_t r = modes[m].op3[o](FP_VALS[i], FP_VALS[j], addends[k], presets[p]);
                                printf("%s %s %016llx %016llx %016llx -> %016llx %s\n", op3_names[o],
                                       modes[m].name, (unsigned long long)FP_VALS[i],
                                       (unsigned long long)FP_VALS[j], (unsigned long long)addends[k],
                                       (unsigned long long)r.v, flag_str(r.f));
                            }
        }
    write_frm(0);
    static const a2_t cmps[] = {feq, flt, fle};
    static const char *cmp_names[] = {"feq", "flt", "fle"};
    for (unsigned p = 0; p < NELEM(presets); p++)
        for (int o = 0; o < 3; o++)
            for (unsigned i = 0; i < NELEM(FP_VALS); i++)
                for (unsigned j = 0; j < NELEM(FP_VALS); j++) {
                    res_t r = cmps[o](FP_VALS[i], FP_VALS[j], presets[p]);
                    printf("%s %02llx %016llx %016llx -> %llx %s\n", cmp_names[o], (unsigned long long)presets[p],
                           (unsigned long long)FP_VALS[i], (unsigned long long)FP_VALS[j],
                           (unsigned long long)r.v, flag_str(r.f));
                }
    for (uint64_t x = 0; x < 0x200; x += 7) csr_forms(x);
    printf("%s ok\n", FP_NAME);
    return 0;
}
