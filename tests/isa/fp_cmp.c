/* Comparisons (feq/flt/fle: quiet vs signaling NaN behaviour), fmin/fmax (-0 < +0, NaN rules),
 * fclass, sign injection (fsgnj/fsgnjn/fsgnjx, which never canonicalise NaNs), fmv moves and
 * NaN-boxing of singles: a double bit pattern used as a single reads as the canonical NaN. */
#include "isa.h"

FOP2_X(feq_d, "feq.d", d) FOP2_X(flt_d, "flt.d", d) FOP2_X(fle_d, "fle.d", d)
FOP2_X(feq_s, "feq.s", s) FOP2_X(flt_s, "flt.s", s) FOP2_X(fle_s, "fle.s", s)
FOP2(fmin_d, "fmin.d", d, "") FOP2(fmax_d, "fmax.d", d, "")
FOP2(fmin_s, "fmin.s", s, "") FOP2(fmax_s, "fmax.s", s, "")
FOP2(fsgnj_d, "fsgnj.d", d, "") FOP2(fsgnjn_d, "fsgnjn.d", d, "") FOP2(fsgnjx_d, "fsgnjx.d", d, "")
FOP2(fsgnj_s, "fsgnj.s", s, "") FOP2(fsgnjn_s, "fsgnjn.s", s, "") FOP2(fsgnjx_s, "fsgnjx.s", s, "")
FOP1_X(fclass_d, "fclass.d", d, "") FOP1_X(fclass_s, "fclass.s", s, "")

typedef res_t (*f2_t)(uint64_t, uint64_t);
static const struct { const char *name; f2_t fn; int dbl; } ops2[] = {
    {"feq.d", feq_d, 1}, {"flt.d", flt_d, 1}, {"fle.d", fle_d, 1},
    {"fmin.d", fmin_d, 1}, {"fmax.d", fmax_d, 1},
    {"fsgnj.d", fsgnj_d, 1}, {"fsgnjn.d", fsgnjn_d, 1}, {"fsgnjx.d", fsgnjx_d, 1},
    {"feq.s", feq_s, 0}, {"flt.s", flt_s, 0}, {"fle.s", fle_s, 0},
    {"fmin.s", fmin_s, 0}, {"fmax.s", fmax_s, 0},
    {"fsgnj.s", fsgnj_s, 0}, {"fsgnjn.s", fsgnjn_s, 0}, {"fsgnjx.s", fsgnjx_s, 0},
};

/* Single-precision ops whose operands are raw 64-bit register contents (fmv.d.x, no boxing). */
#define RAW2(name, insn)                                                                       \
    static res_t name(uint64_t a, uint64_t b) {                                                \
        res_t r;                                                                               \
        __asm__ volatile("fsflags zero\n\tfmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\t" insn           \
                         " ft2,ft0,ft1\n\tfmv.x.d %0,ft2\n\tfrflags %1"                        \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");     \
        return r;                                                                              \
    }
#define RAW2X(name, insn)                                                                      \
    static res_t name(uint64_t a, uint64_t b) {                                                \
        res_t r;                                                                               \
        __asm__ volatile("fsflags zero\n\tfmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\t" insn           \
                         " %0,ft0,ft1\n\tfrflags %1"                                           \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b) : "ft0", "ft1");            \
        return r;                                                                              \
    }
#define RAW1(name, insn, out)                                                                  \
    static res_t name(uint64_t a) {                                                            \
        res_t r;                                                                               \
        __asm__ volatile("fsflags zero\n\tfmv.d.x ft0,%2\n\t" insn "\n\t" out "\n\tfrflags %1" \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft0", "ft2");                    \
        return r;                                                                              \
    }
RAW2(raw_fadd_s, "fadd.s") RAW2(raw_fsgnj_s, "fsgnj.s") RAW2(raw_fsgnjn_s, "fsgnjn.s")
RAW2(raw_fsgnjx_s, "fsgnjx.s") RAW2(raw_fmin_s, "fmin.s") RAW2(raw_fmax_s, "fmax.s")
RAW2X(raw_feq_s, "feq.s") RAW2X(raw_flt_s, "flt.s")
RAW1(raw_fclass_s, "fclass.s %0,ft0", "")
RAW1(raw_fmv_x_w, "fmv.x.w %0,ft0", "")
RAW1(raw_fcvt_d_s, "fcvt.d.s ft2,ft0", "fmv.x.d %0,ft2")
RAW1(raw_fcvt_w_s, "fcvt.w.s %0,ft0,rtz", "")
RAW1(raw_fsqrt_s, "fsqrt.s ft2,ft0", "fmv.x.d %0,ft2")
RAW1(raw_fsd_flw, "fsw ft0,0(sp)\n\tflw ft2,0(sp)", "fmv.x.d %0,ft2")

int main(void) {
    for (int o = 0; o < NELEM(ops2); o++) {
        const uint64_t *v = ops2[o].dbl ? d_vals : s_vals;
        int n = ops2[o].dbl ? NELEM(d_vals) : NELEM(s_vals);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                res_t r = ops2[o].fn(v[i], v[j]);
                printf("%s %016llx %016llx -> %016llx %s\n", ops2[o].name, (unsigned long long)v[i],
                       (unsigned long long)v[j], (unsigned long long)r.v, flag_str(r.f));
            }
    }
    for (int i = 0; i < NELEM(d_vals); i++) {
        res_t r = fclass_d(d_vals[i]);
        printf("fclass.d %016llx -> %03llx %s\n", (unsigned long long)d_vals[i],
               (unsigned long long)r.v, flag_str(r.f));
    }
    for (int i = 0; i < NELEM(s_vals); i++) {
        res_t r = fclass_s(s_vals[i]);
        printf("fclass.s %08llx -> %03llx %s\n", (unsigned long long)s_vals[i],
               (unsigned long long)r.v, flag_str(r.f));
    }
    /* NaN-boxing: properly boxed singles, then improperly boxed patterns (upper half not all
     * ones) that every single-precision consumer must read as the canonical NaN. */
    static const uint64_t raw[] = {
        0xffffffff3f800000ull, 0xffffffffbf800000ull, 0xffffffff7f800001ull, /* boxed */
        0x000000003f800000ull, 0x3ff0000000000000ull, 0xfffffffe3f800000ull, /* not boxed */
        0x7fffffff3f800000ull, 0xffffffff00000000ull, 0x00000000ffc00000ull,
    };
    static const uint64_t other = 0xffffffffc0000000ull; /* boxed -2.0 */
    for (int i = 0; i < NELEM(raw); i++) {
        res_t r;
        unsigned long long a = raw[i];
#define SHOW2(fn, x, y)                                                                        \
    r = fn(x, y);                                                                              \
    printf("box %-9s %016llx %016llx -> %016llx %s\n", #fn + 4, (unsigned long long)(x),       \
           (unsigned long long)(y), (unsigned long long)r.v, flag_str(r.f));
#define SHOW1(fn)                                                                              \
    r = fn(a);                                                                                 \
    printf("box %-9s %016llx -> %016llx %s\n", #fn + 4, a, (unsigned long long)r.v, flag_str(r.f));
        SHOW2(raw_fadd_s, a, other) SHOW2(raw_fsgnj_s, a, other) SHOW2(raw_fsgnjn_s, a, other)
        SHOW2(raw_fsgnjx_s, a, other) SHOW2(raw_fsgnj_s, other, a) SHOW2(raw_fmin_s, a, other)
        SHOW2(raw_fmax_s, a, other) SHOW2(raw_feq_s, a, a) SHOW2(raw_flt_s, a, other)
        SHOW1(raw_fclass_s) SHOW1(raw_fmv_x_w) SHOW1(raw_fcvt_d_s) SHOW1(raw_fcvt_w_s)
        SHOW1(raw_fsqrt_s) SHOW1(raw_fsd_flw)
    }
    /* fmv.w.x boxes; fmv.x.w sign-extends bit 31; flw boxes; fld/fsd move 64 bits verbatim. */
    uint64_t out;
    __asm__ volatile("li t0,-1\n\tfmv.w.x ft0,t0\n\tfmv.x.d %0,ft0" : "=r"(out) : : "t0", "ft0");
    printf("fmv.w.x(-1) raw %016llx\n", (unsigned long long)out);
    __asm__ volatile("li t0,0x12345678\n\tfmv.w.x ft0,t0\n\tfmv.x.d %0,ft0" : "=r"(out) : : "t0", "ft0");
    printf("fmv.w.x(0x12345678) raw %016llx\n", (unsigned long long)out);
    volatile uint64_t mem = 0x0123456789abcdefull;
    __asm__ volatile("fld ft0,%1\n\tfsw ft0,%1\n\tfmv.x.d %0,ft0" : "=r"(out), "+m"(mem) : : "ft0");
    printf("fld/fsw mem=%016llx reg=%016llx\n", (unsigned long long)mem, (unsigned long long)out);
    return 0;
}
