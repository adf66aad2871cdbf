/* Conversions: fcvt.{w,wu,l,lu}.{s,d} at and beyond the integer limits (saturation, NV on
 * overflow and NaN, NX on inexact), fcvt.{s,d}.{w,wu,l,lu} (only the low 32 bits of the source for
 * the W forms), fcvt.s.d / fcvt.d.s (NaN canonicalisation, overflow by rounding mode), in every
 * static rounding mode and dyn under every frm. */
#include "isa.h"

/* Exact conversions (fcvt.d.w, fcvt.d.wu, fcvt.d.s) take no rounding-mode operand in the
 * assembler; the rm field still exists and must be accepted, so they are encoded with .insn
 * (OP-FP, funct7 0x69 = fcvt.d.[w|wu|l|lu], 0x21 = fcvt.d.s; rs2 selects the source type). */
#define XINSN_D(name, n, rs2)                                                                  \
    static res_t name(uint64_t a) {                                                             \
        res_t r;                                                                                \
        __asm__ volatile("fsflags zero\n\t.insn r 0x53, " n ", 0x69, ft2, %2, " rs2             \
                         "\n\tfmv.x.d %0,ft2\n\tfrflags %1"                                     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft2");                            \
        return r;                                                                               \
    }
#define DEF_RM(rm, n)                                                                          \
    FOP1_X(cvt_w_d_##rm, "fcvt.w.d", d, "," #rm) FOP1_X(cvt_wu_d_##rm, "fcvt.wu.d", d, "," #rm) \
    FOP1_X(cvt_l_d_##rm, "fcvt.l.d", d, "," #rm) FOP1_X(cvt_lu_d_##rm, "fcvt.lu.d", d, "," #rm) \
    FOP1_X(cvt_w_s_##rm, "fcvt.w.s", s, "," #rm) FOP1_X(cvt_wu_s_##rm, "fcvt.wu.s", s, "," #rm) \
    FOP1_X(cvt_l_s_##rm, "fcvt.l.s", s, "," #rm) FOP1_X(cvt_lu_s_##rm, "fcvt.lu.s", s, "," #rm) \
    XINSN_D(cvt_d_w_##rm, #n, "x0") XINSN_D(cvt_d_wu_##rm, #n, "x1")                            \
    XOP1_F(cvt_d_l_##rm, "fcvt.d.l", d, "," #rm) XOP1_F(cvt_d_lu_##rm, "fcvt.d.lu", d, "," #rm) \
    XOP1_F(cvt_s_w_##rm, "fcvt.s.w", s, "," #rm) XOP1_F(cvt_s_wu_##rm, "fcvt.s.wu", s, "," #rm) \
    XOP1_F(cvt_s_l_##rm, "fcvt.s.l", s, "," #rm) XOP1_F(cvt_s_lu_##rm, "fcvt.s.lu", s, "," #rm) \
    static res_t cvt_s_d_##rm(uint64_t a) {                                                     \
        res_t r;                                                                                \
        __asm__ volatile("fsflags zero\n\tfmv.d.x ft0,%2\n\tfcvt.s.d ft2,ft0," #rm               \
                         "\n\tfmv.x.w %0,ft2\n\tfrflags %1"                                     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft0", "ft2");                     \
        return r;                                                                               \
    }                                                                                           \
    static res_t cvt_d_s_##rm(uint64_t a) {                                                     \
        res_t r;                                                                                \
        __asm__ volatile("fsflags zero\n\tfmv.w.x ft0,%2\n\t.insn r 0x53, " #n ", 0x21, ft2, ft0, x0" \
                         "\n\tfmv.x.d %0,ft2\n\tfrflags %1"                                     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft0", "ft2");                     \
        return r;                                                                               \
    }
FOR_EACH_RM2(DEF_RM)

typedef res_t (*f1_t)(uint64_t);
struct op1 { const char *name; int kind; }; /* kind: 0 = from double, 1 = from single, 2 = from int */
#define TABLE_RM(rm)                                                                           \
    {cvt_w_d_##rm, cvt_wu_d_##rm, cvt_l_d_##rm, cvt_lu_d_##rm, cvt_w_s_##rm, cvt_wu_s_##rm,   \
     cvt_l_s_##rm, cvt_lu_s_##rm, cvt_d_w_##rm, cvt_d_wu_##rm, cvt_d_l_##rm, cvt_d_lu_##rm,    \
     cvt_s_w_##rm, cvt_s_wu_##rm, cvt_s_l_##rm, cvt_s_lu_##rm, cvt_s_d_##rm, cvt_d_s_##rm},
static const f1_t fns[6][18] = {FOR_EACH_RM(TABLE_RM)};
static const struct op1 ops[18] = {
    {"fcvt.w.d", 0}, {"fcvt.wu.d", 0}, {"fcvt.l.d", 0}, {"fcvt.lu.d", 0},
    {"fcvt.w.s", 1}, {"fcvt.wu.s", 1}, {"fcvt.l.s", 1}, {"fcvt.lu.s", 1},
    {"fcvt.d.w", 2}, {"fcvt.d.wu", 2}, {"fcvt.d.l", 2}, {"fcvt.d.lu", 2},
    {"fcvt.s.w", 2}, {"fcvt.s.wu", 2}, {"fcvt.s.l", 2}, {"fcvt.s.lu", 2},
    {"fcvt.s.d", 0}, {"fcvt.d.s", 1},
};

/* Doubles around the integer limits. */
static const uint64_t dlim[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3fe0000000000000ull /* .5 */,
    0xbfe0000000000000ull /* -.5 */, 0x3fe0000000000001ull, 0x3ff8000000000000ull /* 1.5 */,
    0x4004000000000000ull /* 2.5 */, 0xbff8000000000000ull /* -1.5 */, 0xbfeccccccccccccdull /* -.9 */,
    0x41dfffffffc00000ull /* 2^31-1 */, 0x41dfffffffe00000ull /* 2^31-.5 */,
    0x41e0000000000000ull /* 2^31 */, 0x41e0000000100000ull /* 2^31+.5 */,
    0xc1e0000000000000ull /* -2^31 */, 0xc1e0000000100000ull /* -2^31-.5 */,
    0xc1e0000000200000ull /* -2^31-1 */, 0x41efffffffe00000ull /* 2^32-1 */,
    0x41effffffff00000ull /* 2^32-.5 */, 0x41f0000000000000ull /* 2^32 */,
    0x43dfffffffffffffull /* largest < 2^63 */, 0x43e0000000000000ull /* 2^63 */,
    0xc3e0000000000000ull /* -2^63 */, 0xc3e0000000000001ull /* < -2^63 */,
    0x43efffffffffffffull /* largest < 2^64 */, 0x43f0000000000000ull /* 2^64 */,
    0xbff0000000000000ull /* -1 */, 0x7fefffffffffffffull, 0xffefffffffffffffull,
    0x0000000000000001ull, 0x8000000000000001ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull, 0x47efffffe0000000ull /* FLT_MAX */,
    0x47efffffe8000000ull /* FLT_MAX + half ulp(f) */, 0x47effffff0000000ull /* rounds to inf at rne */,
    0x36a0000000000000ull /* 2^-149 (min sub f) */, 0x3690000000000000ull /* 2^-150 */,
    0x3698000000000000ull /* 1.5 * 2^-150 */, 0x380fffffc0000000ull /* near min normal f */,
    0x3ff0000010000000ull /* 1 + half ulp(f) */, 0x3ff0000030000000ull /* 1 + 1.5 ulp(f) */,
};
/* Singles around the integer limits. */
static const uint64_t slim[] = {
    0x00000000, 0x80000000, 0x3f000000 /* .5 */, 0xbf000000, 0x3fc00000 /* 1.5 */,
    0x40200000 /* 2.5 */, 0xbfc00000, 0xbf666666 /* -.9 */, 0x4effffff /* < 2^31 */,
    0x4f000000 /* 2^31 */, 0xcf000000 /* -2^31 */, 0xcf000001 /* < -2^31 */,
    0x4f7fffff /* < 2^32 */, 0x4f800000 /* 2^32 */, 0x5effffff /* < 2^63 */, 0x5f000000 /* 2^63 */,
    0xdf000000 /* -2^63 */, 0xdf000001, 0x5f7fffff /* < 2^64 */, 0x5f800000 /* 2^64 */,
    0xbf800000 /* -1 */, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x80000001, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fc12345,
};
/* Integers: the W-form sources carry garbage in the upper 32 bits on purpose. */
static const uint64_t ilim[] = {
    0, 1, 0xffffffffffffffffull, 0x000000007fffffffull, 0x0000000080000000ull,
    0xffffffff80000000ull, 0x00000000ffffffffull, 0x1234567800000001ull, 0xdeadbeef80000001ull,
    0x0000000001000001ull /* 2^24+1 */, 0x0000000001000003ull, 0x0020000000000001ull /* 2^53+1 */,
    0x0020000000000003ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000401ull,
    0xfffffffffffffbffull, 0x00000000fffffff7ull, 0xffffffffff000001ull,
};

static void run(int rmi, const char *label) {
    for (int o = 0; o < 18; o++) {
        const uint64_t *v = ops[o].kind == 0 ? dlim : ops[o].kind == 1 ? slim : ilim;
        int n = ops[o].kind == 0 ? NELEM(dlim) : ops[o].kind == 1 ? NELEM(slim) : NELEM(ilim);
        for (int i = 0; i < n; i++) {
            res_t r = fns[rmi][o](v[i]);
            printf("%s %s %016llx -> %016llx %s\n", ops[o].name, label, (unsigned long long)v[i],
                   (unsigned long long)r.v, flag_str(r.f));
        }
    }
}

int main(void) {
    write_frm(1);
    for (int rm = 0; rm < 5; rm++) run(rm, rm_names[rm]);
    for (int frm = 0; frm < 5; frm++) {
        char label[16];
        write_frm(frm);
        snprintf(label, sizeof label, "dyn=%s", rm_names[frm]);
        run(5, label);
    }
    return 0;
}
