/* F/D with flags already accrued, the usual state of a program that has been computing (inexact
 * set): the native tier runs add/sub/mul/div/sqrt, the fused forms and comparisons of doubles
 * inline in that state when the result is an ordinary number, and the floating-point CSR
 * instructions inline always. Every operand pair (triples for the fused forms) under static RNE,
 * RTZ, and dyn under several frm values, with fflags preset to NX and to all five flags; then every
 * CSR instruction form on fflags/frm/fcsr in a hot loop. Prints result bits and fflags. */
#include "isa.h"

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

#define DEF_MODE(m, sfx)                                                                        \
    AOP2(add_##m, "fadd.d", sfx) AOP2(sub_##m, "fsub.d", sfx) AOP2(mul_##m, "fmul.d", sfx)      \
    AOP2(div_##m, "fdiv.d", sfx) AOP1(sqrt_##m, "fsqrt.d", sfx)                                 \
    AOP3(madd_##m, "fmadd.d", sfx) AOP3(msub_##m, "fmsub.d", sfx)                               \
    AOP3(nmsub_##m, "fnmsub.d", sfx) AOP3(nmadd_##m, "fnmadd.d", sfx)
DEF_MODE(rne, ",rne")
DEF_MODE(rtz, ",rtz")
DEF_MODE(dyn, ",dyn")
ACMP(feq, "feq.d") ACMP(flt, "flt.d") ACMP(fle, "fle.d")

typedef res_t (*a2_t)(uint64_t, uint64_t, uint64_t);
typedef res_t (*a3_t)(uint64_t, uint64_t, uint64_t, uint64_t);
struct mode { const char *name; int frm; a2_t op2[5]; a3_t op3[4]; };
#define MODE(m, label, frm) {label, frm, {add_##m, sub_##m, mul_##m, div_##m, sqrt_##m},          \
                             {madd_##m, msub_##m, nmsub_##m, nmadd_##m}}
static const struct mode modes[] = {
    MODE(rne, "rne", 1), MODE(rtz, "rtz", 0), MODE(dyn, "dyn/rne", 0), MODE(dyn, "dyn/rtz", 1),
    MODE(dyn, "dyn/rup", 3),
};
static const char *op2_names[] = {"fadd", "fsub", "fmul", "fdiv", "fsqrt"};
static const char *op3_names[] = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
/* Addends for the fused forms: zero, one, a fraction, a tiny and a huge one, a NaN. */
static const uint64_t addends[] = {0x8000000000000000ull, 0x3ff0000000000000ull, 0x3fd5555555555555ull,
                                   0x0000000000000001ull, 0x7fefffffffffffffull, 0x7ff0000000000001ull};
static const uint64_t presets[] = {0x01, 0x1f};

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
            for (int o = 0; o < 5; o++)
                for (unsigned i = 0; i < NELEM(d_vals); i++)
                    for (unsigned j = 0; j < (o == 4 ? 1 : NELEM(d_vals)); j++) {
                        res_t r = modes[m].op2[o](d_vals[i], d_vals[j], presets[p]);
                        printf("%s %s %02llx %016llx %016llx -> %016llx %s\n", op2_names[o], modes[m].name,
                               (unsigned long long)presets[p], (unsigned long long)d_vals[i],
                               (unsigned long long)d_vals[j], (unsigned long long)r.v, flag_str(r.f));
                    }
            if (p == 0)
                for (int o = 0; o < 4; o++)
                    for (unsigned i = 0; i < NELEM(d_vals); i++)
                        for (unsigned j = 0; j < NELEM(d_vals); j++)
                            for (unsigned k = 0; k < NELEM(addends); k++) {
                                res_t r = modes[m].op3[o](d_vals[i], d_vals[j], addends[k], presets[p]);
                                printf("%s %s %016llx %016llx %016llx -> %016llx %s\n", op3_names[o],
                                       modes[m].name, (unsigned long long)d_vals[i],
                                       (unsigned long long)d_vals[j], (unsigned long long)addends[k],
                                       (unsigned long long)r.v, flag_str(r.f));
                            }
        }
    write_frm(0);
    static const a2_t cmps[] = {feq, flt, fle};
    static const char *cmp_names[] = {"feq", "flt", "fle"};
    for (unsigned p = 0; p < NELEM(presets); p++)
        for (int o = 0; o < 3; o++)
            for (unsigned i = 0; i < NELEM(d_vals); i++)
                for (unsigned j = 0; j < NELEM(d_vals); j++) {
                    res_t r = cmps[o](d_vals[i], d_vals[j], presets[p]);
                    printf("%s %02llx %016llx %016llx -> %llx %s\n", cmp_names[o], (unsigned long long)presets[p],
                           (unsigned long long)d_vals[i], (unsigned long long)d_vals[j],
                           (unsigned long long)r.v, flag_str(r.f));
                }
    for (uint64_t x = 0; x < 0x200; x += 7) csr_forms(x);
    printf("fp_accrued ok\n");
    return 0;
}
