/* Floating-point differential program: runs every F/D computational instruction over special
   and random operands in every rounding mode and prints result bits and fflags, one line each.
   Its output under qemu-riscv64 and under Skiff's hart must be identical. */
#include "rt.h"

static void clearflags(void) { asm volatile("csrw fflags, zero"); }
/* rm 0-4: static modes, 5-9: dyn with frm = rm - 5; 10, 11: RNE static/dyn with the inexact
   flag already set (the interpreter's fast path once a program has accrued NX). */
static int setup(int rm) {
    if (rm >= 10) { asm volatile("csrwi fflags, 1"); return rm == 10 ? 0 : 5; }
    asm volatile("csrw fflags, zero");
    return rm;
}
static u64 flags(void) { u64 f; asm volatile("csrr %0, fflags" : "=r"(f)); return f; }

/* One instruction with each static rounding mode and with dyn (frm set to the same mode). */
#define RM_SWITCH(rm, ASM)                                   \
    switch (rm) {                                            \
    case 0: asm volatile(ASM ", rne" OPS); break;            \
    case 1: asm volatile(ASM ", rtz" OPS); break;            \
    case 2: asm volatile(ASM ", rdn" OPS); break;            \
    case 3: asm volatile(ASM ", rup" OPS); break;            \
    case 4: asm volatile(ASM ", rmm" OPS); break;            \
    default: asm volatile("fsrm %0" :: "r"(rm - 5));         \
             asm volatile(ASM ", dyn" OPS); break;           \
    }

#define BIN(name, insn)                                                                 \
    static u64 name(u64 a, u64 b, int rm) {                                            \
        u64 r; register double fa asm("fa0"), fb asm("fa1"), fr asm("fa2");            \
        asm volatile("fmv.d.x fa0, %0\n fmv.d.x fa1, %1" :: "r"(a), "r"(b) : "fa0", "fa1"); \
        _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")                          \
        RM_SWITCH(rm, insn " fa2, fa0, fa1")                                           \
        asm volatile("fmv.x.d %0, fa2" : "=r"(r)); return r; }
#define OPS ::: "fa2"
BIN(fadd_s, "fadd.s") BIN(fsub_s, "fsub.s") BIN(fmul_s, "fmul.s") BIN(fdiv_s, "fdiv.s")
BIN(fadd_d, "fadd.d") BIN(fsub_d, "fsub.d") BIN(fmul_d, "fmul.d") BIN(fdiv_d, "fdiv.d")
#undef OPS

#define TER(name, insn)                                                                 \
    static u64 name(u64 a, u64 b, u64 c, int rm) {                                     \
        u64 r;                                                                          \
        asm volatile("fmv.d.x fa0, %0\n fmv.d.x fa1, %1\n fmv.d.x fa3, %2" :: "r"(a), "r"(b), "r"(c) : "fa0", "fa1", "fa3"); \
        RM_SWITCH(rm, insn " fa2, fa0, fa1, fa3")                                      \
        asm volatile("fmv.x.d %0, fa2" : "=r"(r)); return r; }
#define OPS ::: "fa2"
TER(fmadd_s, "fmadd.s") TER(fmsub_s, "fmsub.s") TER(fnmsub_s, "fnmsub.s") TER(fnmadd_s, "fnmadd.s")
TER(fmadd_d, "fmadd.d") TER(fmsub_d, "fmsub.d") TER(fnmsub_d, "fnmsub.d") TER(fnmadd_d, "fnmadd.d")
#undef OPS

#define UNF(name, insn)                                                                 \
    static u64 name(u64 a, int rm) {                                                   \
        u64 r; asm volatile("fmv.d.x fa0, %0" :: "r"(a) : "fa0");                      \
        RM_SWITCH(rm, insn " fa2, fa0")                                                \
        asm volatile("fmv.x.d %0, fa2" : "=r"(r)); return r; }
#define OPS ::: "fa2"
UNF(fsqrt_s, "fsqrt.s") UNF(fsqrt_d, "fsqrt.d") UNF(fcvt_s_d, "fcvt.s.d")
#undef OPS

/* float -> integer register */
#define F2X(name, insn)                                                                 \
    static u64 name(u64 a, int rm) {                                                   \
        register u64 r asm("a5"); asm volatile("fmv.d.x fa0, %0" :: "r"(a) : "fa0");   \
        RM_SWITCH(rm, insn " a5, fa0")                                                 \
        return r; }
#define OPS : "=r"(r)
F2X(fcvt_w_s, "fcvt.w.s") F2X(fcvt_wu_s, "fcvt.wu.s") F2X(fcvt_l_s, "fcvt.l.s") F2X(fcvt_lu_s, "fcvt.lu.s")
F2X(fcvt_w_d, "fcvt.w.d") F2X(fcvt_wu_d, "fcvt.wu.d") F2X(fcvt_l_d, "fcvt.l.d") F2X(fcvt_lu_d, "fcvt.lu.d")
#undef OPS

/* integer -> float */
#define X2F(name, insn)                                                                 \
    static u64 name(u64 a, int rm) {                                                   \
        u64 r; register u64 x asm("a5") = a;                                            \
        RM_SWITCH(rm, insn " fa2, a5")                                                 \
        asm volatile("fmv.x.d %0, fa2" : "=r"(r)); return r; }
#define OPS :: "r"(x) : "fa2"
X2F(fcvt_s_w, "fcvt.s.w") X2F(fcvt_s_wu, "fcvt.s.wu") X2F(fcvt_s_l, "fcvt.s.l") X2F(fcvt_s_lu, "fcvt.s.lu")
X2F(fcvt_d_l, "fcvt.d.l") X2F(fcvt_d_lu, "fcvt.d.lu")
#undef OPS

/* exact conversions (the assembler takes no rounding mode for them) */
static u64 fcvt_d_s(u64 a, int rm) { u64 r; (void)rm; asm volatile("fmv.d.x fa0, %1\n fcvt.d.s fa2, fa0\n fmv.x.d %0, fa2" : "=r"(r) : "r"(a) : "fa0", "fa2"); return r; }
static u64 fcvt_d_w(u64 a, int rm) { u64 r; (void)rm; asm volatile("fcvt.d.w fa2, %1\n fmv.x.d %0, fa2" : "=r"(r) : "r"(a) : "fa2"); return r; }
static u64 fcvt_d_wu(u64 a, int rm) { u64 r; (void)rm; asm volatile("fcvt.d.wu fa2, %1\n fmv.x.d %0, fa2" : "=r"(r) : "r"(a) : "fa2"); return r; }

/* no rounding mode: min/max, sign injection, compares, class, moves */
#define NORM2(name, insn)                                                               \
    static u64 name(u64 a, u64 b) {                                                    \
        u64 r; asm volatile("fmv.d.x fa0, %1\n fmv.d.x fa1, %2\n" insn " fa2, fa0, fa1\n fmv.x.d %0, fa2" \
                            : "=r"(r) : "r"(a), "r"(b) : "fa0", "fa1", "fa2"); return r; }
NORM2(fmin_s, "fmin.s") NORM2(fmax_s, "fmax.s") NORM2(fmin_d, "fmin.d") NORM2(fmax_d, "fmax.d")
NORM2(fsgnj_s, "fsgnj.s") NORM2(fsgnjn_s, "fsgnjn.s") NORM2(fsgnjx_s, "fsgnjx.s")
NORM2(fsgnj_d, "fsgnj.d") NORM2(fsgnjn_d, "fsgnjn.d") NORM2(fsgnjx_d, "fsgnjx.d")
#define CMP(name, insn)                                                                 \
    static u64 name(u64 a, u64 b) {                                                    \
        u64 r; asm volatile("fmv.d.x fa0, %1\n fmv.d.x fa1, %2\n" insn " %0, fa0, fa1" \
                            : "=r"(r) : "r"(a), "r"(b) : "fa0", "fa1"); return r; }
CMP(feq_s, "feq.s") CMP(flt_s, "flt.s") CMP(fle_s, "fle.s") CMP(feq_d, "feq.d") CMP(flt_d, "flt.d") CMP(fle_d, "fle.d")
static u64 fclass_s(u64 a) { u64 r; asm volatile("fmv.d.x fa0, %1\n fclass.s %0, fa0" : "=r"(r) : "r"(a) : "fa0"); return r; }
static u64 fclass_d(u64 a) { u64 r; asm volatile("fmv.d.x fa0, %1\n fclass.d %0, fa0" : "=r"(r) : "r"(a) : "fa0"); return r; }
static u64 fmv_x_w(u64 a) { u64 r; asm volatile("fmv.d.x fa0, %1\n fmv.x.w %0, fa0" : "=r"(r) : "r"(a) : "fa0"); return r; }

static const u64 SPECIAL_D[] = {
    0, 1ul << 63, 1, 0x000fffffffffffff, 0x0010000000000000, 0x0010000000000001, 0x3ff0000000000000,
    0xbff0000000000000, 0x3ff8000000000000, 0x3fe0000000000000, 0x4000000000000000, 0x7fefffffffffffff,
    0xffefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001,
    0xfff8000000000001, 0x3ff0000000000001, 0x3fefffffffffffff, 0x8000000000000001, 0x800fffffffffffff,
    0x4340000000000000, 0x43e0000000000000, 0xc3e0000000000000, 0x41e0000000000000, 0xc1e0000000000000,
    0x41efffffffe00000, 0x3ca0000000000000, 0x7fe0000000000000, 0x0020000000000000, 0x3fd5555555555555,
};
static const u32 SPECIAL_S[] = {
    0, 0x80000000, 1, 0x007fffff, 0x00800000, 0x00800001, 0x3f800000, 0xbf800000, 0x3fc00000, 0x3f000000,
    0x40000000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc00001,
    0x3f800001, 0x3f7fffff, 0x80000001, 0x807fffff, 0x4b800000, 0x5f000000, 0xdf000000, 0x4f000000,
    0xcf000000, 0x4effffff, 0x33800000, 0x7f000000, 0x01000000, 0x3eaaaaab,
};
#define NSPEC 32

/* Random values that like edges: exponent near the extremes or near a partner's, mantissas
   with long runs of ones or zeros (ties and carries). */
static u64 rand_d(void) {
    u64 r = next(), sign = r & (1ul << 63), exp, man;
    switch ((r >> 1) & 7) {
    case 0: exp = 0; break;
    case 1: exp = 1 + (r >> 8) % 60; break;
    case 2: exp = 0x7fe - (r >> 8) % 60; break;
    case 3: exp = 0x7ff; break;
    default: exp = 0x3ff - 40 + (r >> 8) % 80; break;
    }
    u64 m = next();
    switch ((r >> 4) & 3) {
    case 0: man = m & 0xfffffffffffff; break;
    case 1: man = (0xfffffffffffff >> (m % 52)) << (m % 52) & 0xfffffffffffff; break;
    case 2: man = (0xfffffffffffff >> (m % 52)); break;
    default: man = (m & 0xfffffffffffff) & ~((1ul << (m % 40)) - 1); break;
    }
    return sign | exp << 52 | man;
}
static u64 rand_s(void) {
    u64 r = next(), sign = r & 1, exp, man;
    switch ((r >> 1) & 7) {
    case 0: exp = 0; break;
    case 1: exp = 1 + (r >> 8) % 30; break;
    case 2: exp = 0xfe - (r >> 8) % 30; break;
    case 3: exp = 0xff; break;
    default: exp = 0x7f - 20 + (r >> 8) % 40; break;
    }
    u64 m = next();
    switch ((r >> 4) & 3) {
    case 0: man = m & 0x7fffff; break;
    case 1: man = (0x7fffff >> (m % 23)) << (m % 23) & 0x7fffff; break;
    case 2: man = 0x7fffff >> (m % 23); break;
    default: man = (m & 0x7fffff) & ~((1ul << (m % 20)) - 1); break;
    }
    return 0xffffffff00000000ul | sign << 31 | exp << 23 | man;
}
static u64 box(u32 v) { return 0xffffffff00000000ul | v; }
static u64 pick_d(int i) { return i < NSPEC ? SPECIAL_D[i] : rand_d(); }
static u64 pick_s(int i) { return i < NSPEC ? box(SPECIAL_S[i]) : rand_s(); }

static void line(const char *op, int rm, u64 a, u64 b, u64 c, u64 r, u64 f) {
    puts_(op); putch(' '); dec(rm); putch(' '); hex(a, 16); putch(' '); hex(b, 16); putch(' ');
    hex(c, 16); putch(' '); hex(r, 16); putch(' '); hex(f, 2); putch('\n');
}

typedef u64 (*bin_fn)(u64, u64, int);
typedef u64 (*ter_fn)(u64, u64, u64, int);
typedef u64 (*un_fn)(u64, int);

int main(void) {
    static const struct { const char *n; bin_fn f; int dbl; } bins[] = {
        {"fadd.s", fadd_s, 0}, {"fsub.s", fsub_s, 0}, {"fmul.s", fmul_s, 0}, {"fdiv.s", fdiv_s, 0},
        {"fadd.d", fadd_d, 1}, {"fsub.d", fsub_d, 1}, {"fmul.d", fmul_d, 1}, {"fdiv.d", fdiv_d, 1},
    };
    static const struct { const char *n; ter_fn f; int dbl; } ters[] = {
        {"fmadd.s", fmadd_s, 0}, {"fmsub.s", fmsub_s, 0}, {"fnmsub.s", fnmsub_s, 0}, {"fnmadd.s", fnmadd_s, 0},
        {"fmadd.d", fmadd_d, 1}, {"fmsub.d", fmsub_d, 1}, {"fnmsub.d", fnmsub_d, 1}, {"fnmadd.d", fnmadd_d, 1},
    };
    static const struct { const char *n; un_fn f; int dbl; } uns[] = {
        {"fsqrt.s", fsqrt_s, 0}, {"fsqrt.d", fsqrt_d, 1}, {"fcvt.s.d", fcvt_s_d, 1}, {"fcvt.d.s", fcvt_d_s, 0},
        {"fcvt.w.s", fcvt_w_s, 0}, {"fcvt.wu.s", fcvt_wu_s, 0}, {"fcvt.l.s", fcvt_l_s, 0}, {"fcvt.lu.s", fcvt_lu_s, 0},
        {"fcvt.w.d", fcvt_w_d, 1}, {"fcvt.wu.d", fcvt_wu_d, 1}, {"fcvt.l.d", fcvt_l_d, 1}, {"fcvt.lu.d", fcvt_lu_d, 1},
    };
    static const struct { const char *n; un_fn f; } i2f[] = {
        {"fcvt.s.w", fcvt_s_w}, {"fcvt.s.wu", fcvt_s_wu}, {"fcvt.s.l", fcvt_s_l}, {"fcvt.s.lu", fcvt_s_lu},
        {"fcvt.d.w", fcvt_d_w}, {"fcvt.d.wu", fcvt_d_wu}, {"fcvt.d.l", fcvt_d_l}, {"fcvt.d.lu", fcvt_d_lu},
    };
    int n = 48;   /* operands per position: NSPEC specials then randoms */
    for (unsigned k = 0; k < sizeof bins / sizeof bins[0]; k++)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                u64 a = bins[k].dbl ? pick_d(i) : pick_s(i), b = bins[k].dbl ? pick_d(j) : pick_s(j);
                for (int rm = 0; rm < 12; rm++) {
                    u64 r = bins[k].f(a, b, setup(rm)); u64 f = flags();
                    asm volatile("fsrm zero");
                    line(bins[k].n, rm, a, b, 0, r, f);
                }
            }
    for (unsigned k = 0; k < sizeof ters / sizeof ters[0]; k++)
        for (int t = 0; t < 3000; t++) {
            int pa = t < 1024 ? t % NSPEC : 99, pb = t < 1024 ? t / NSPEC : 99;
            u64 a = ters[k].dbl ? pick_d(pa) : pick_s(pa), b = ters[k].dbl ? pick_d(pb) : pick_s(pb);
            u64 c = ters[k].dbl ? pick_d(next() % (NSPEC * 2)) : pick_s(next() % (NSPEC * 2));
            if (t >= 2000) {
                /* c close to -a*b so that the sum cancels */
                double x, y; u64 p;
                if (ters[k].dbl) { __builtin_memcpy(&x, &a, 8); __builtin_memcpy(&y, &b, 8); x = -x * y; __builtin_memcpy(&p, &x, 8); c = p ^ (next() & 7); }
                else { float fx, fy; u32 ua = a, ub = b, up; __builtin_memcpy(&fx, &ua, 4); __builtin_memcpy(&fy, &ub, 4); fx = -fx * fy; __builtin_memcpy(&up, &fx, 4); c = box(up ^ (next() & 7)); }
            }
            for (int rm = 0; rm < 12; rm++) {
                u64 r = ters[k].f(a, b, c, setup(rm)); u64 f = flags();
                asm volatile("fsrm zero");
                line(ters[k].n, rm, a, b, c, r, f);
            }
        }
    for (unsigned k = 0; k < sizeof uns / sizeof uns[0]; k++)
        for (int i = 0; i < 400; i++) {
            u64 a = uns[k].dbl ? pick_d(i) : pick_s(i);
            for (int rm = 0; rm < 12; rm++) {
                u64 r = uns[k].f(a, setup(rm)); u64 f = flags();
                asm volatile("fsrm zero");
                line(uns[k].n, rm, a, 0, 0, r, f);
            }
        }
    static const u64 SPECIAL_I[] = { 0, 1, -1ul, 0x7fffffff, 0x80000000, 0xffffffff80000000, 0xffffffff,
        0x7fffffffffffffff, 0x8000000000000000, 0x20000000000001, 0x1000001, 0xfffffffffeffffff, 0x100000001,
        0xffffffffffffff, 0x7ffffffffffffdff, 0xffffffff7fffffff };
    for (unsigned k = 0; k < sizeof i2f / sizeof i2f[0]; k++)
        for (int i = 0; i < 200; i++) {
            u64 a = i < 16 ? SPECIAL_I[i] : next() >> (next() % 64);
            if (i >= 16 && (i & 1)) a = -a;
            for (int rm = 0; rm < 12; rm++) {
                u64 r = i2f[k].f(a, setup(rm)); u64 f = flags();
                asm volatile("fsrm zero");
                line(i2f[k].n, rm, a, 0, 0, r, f);
            }
        }
    static const struct { const char *n; u64 (*f)(u64, u64); int dbl; } nr[] = {
        {"fmin.s", fmin_s, 0}, {"fmax.s", fmax_s, 0}, {"fmin.d", fmin_d, 1}, {"fmax.d", fmax_d, 1},
        {"fsgnj.s", fsgnj_s, 0}, {"fsgnjn.s", fsgnjn_s, 0}, {"fsgnjx.s", fsgnjx_s, 0},
        {"fsgnj.d", fsgnj_d, 1}, {"fsgnjn.d", fsgnjn_d, 1}, {"fsgnjx.d", fsgnjx_d, 1},
        {"feq.s", feq_s, 0}, {"flt.s", flt_s, 0}, {"fle.s", fle_s, 0}, {"feq.d", feq_d, 1}, {"flt.d", flt_d, 1}, {"fle.d", fle_d, 1},
    };
    for (unsigned k = 0; k < sizeof nr / sizeof nr[0]; k++)
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 40; j++) {
                u64 a = nr[k].dbl ? pick_d(i) : pick_s(i), b = nr[k].dbl ? pick_d(j) : pick_s(j);
                if (!nr[k].dbl && i == 39) a &= 0xffffffff;      /* an improperly NaN-boxed single */
                clearflags(); u64 r = nr[k].f(a, b); u64 f = flags();
                line(nr[k].n, 0, a, b, 0, r, f);
            }
    for (int i = 0; i < 200; i++) {
        u64 a = pick_d(i), s = pick_s(i);
        if (i == 199) s &= 0x7fffffffffff;
        line("fclass.d", 0, a, 0, 0, fclass_d(a), 0);
        line("fclass.s", 0, s, 0, 0, fclass_s(s), 0);
        line("fmv.x.w", 0, s, 0, 0, fmv_x_w(s), 0);
    }
    /* NaN-boxing: an improperly boxed single operand is the canonical NaN. */
    clearflags();
    line("unboxed-fadd.s", 0, 0x3f800000, 0, 0, fadd_s(0x3f800000, box(0x3f800000), 0), flags());
    puts_("done\n");
    return 0;
}
