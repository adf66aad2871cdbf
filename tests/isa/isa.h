/* Shared helpers for the ISA tests (tests/isa/*.c).
 *
 * Every test prints deterministic lines (hex results and fflags) to stdout; the expected output is
 * whatever qemu-riscv64-static prints for the same binary (see tests/differential/test_isa.py).
 * Instructions are issued with inline asm so the compiler cannot fold or replace them, and FP
 * operands travel as raw bit patterns (fmv.{w,d}.x / fmv.x.{w,d}) so NaN payloads survive. */
#ifndef SKIFF_ISA_H
#define SKIFF_ISA_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct { uint64_t v; uint64_t f; } res_t; /* result bits, fflags after the instruction */

static inline uint64_t read_fflags(void) { uint64_t r; __asm__ volatile("frflags %0" : "=r"(r)); return r; }
static inline void clear_fflags(void) { __asm__ volatile("fsflags zero"); }
static inline uint64_t read_frm(void) { uint64_t r; __asm__ volatile("frrm %0" : "=r"(r)); return r; }
static inline void write_frm(uint64_t rm) { __asm__ volatile("fsrm %0" : : "r"(rm)); }
static inline uint64_t read_fcsr(void) { uint64_t r; __asm__ volatile("frcsr %0" : "=r"(r)); return r; }
static inline void write_fcsr(uint64_t v) { __asm__ volatile("fscsr %0" : : "r"(v)); }

/* fflags as letters, e.g. "NV.DZ" ("-" when none): easier to read in a diff than a number. */
static inline const char *flag_str(uint64_t f) {
    static char buf[5][16];
    static int slot;
    char *b = buf[slot++ % 5];
    b[0] = 0;
    if (f & 16) strcat(b, "NV ");
    if (f & 8) strcat(b, "DZ ");
    if (f & 4) strcat(b, "OF ");
    if (f & 2) strcat(b, "UF ");
    if (f & 1) strcat(b, "NX ");
    if (!b[0]) strcpy(b, "- ");
    b[strlen(b) - 1] = 0;
    return b;
}

/* Rounding-mode suffixes accepted by the assembler, in encoding order (dyn = use frm). */
#define FOR_EACH_RM(X) X(rne) X(rtz) X(rdn) X(rup) X(rmm) X(dyn)
/* The same with the 3-bit encodings, for .insn forms of instructions whose mnemonic takes no rm. */
#define FOR_EACH_RM2(X) X(rne, 0) X(rtz, 1) X(rdn, 2) X(rup, 3) X(rmm, 4) X(dyn, 7)
static const char *const rm_names[] = {"rne", "rtz", "rdn", "rup", "rmm", "dyn"};

/* Moves into/out of FP registers for single (NaN-boxing fmv.w.x, sign-extending fmv.x.w) and
 * double precision. */
#define MV_IN_s "fmv.w.x"
#define MV_OUT_s "fmv.x.w"
#define MV_IN_d "fmv.d.x"
#define MV_OUT_d "fmv.x.d"

/* FP op with 1, 2 or 3 FP sources and an FP result; `sfx` is ",rne" etc. or "". fflags are
 * cleared right before and read right after the instruction, inside one asm block. */
#define FOP1(name, insn, P, sfx)                                                              \
    static res_t name(uint64_t a) {                                                           \
        res_t r;                                                                              \
        __asm__ volatile("fsflags zero\n\t" MV_IN_##P " ft0,%2\n\t" insn " ft2,ft0" sfx      \
                         "\n\t" MV_OUT_##P " %0,ft2\n\tfrflags %1"                            \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft0", "ft2");                   \
        return r;                                                                             \
    }
#define FOP2(name, insn, P, sfx)                                                              \
    static res_t name(uint64_t a, uint64_t b) {                                               \
        res_t r;                                                                              \
        __asm__ volatile("fsflags zero\n\t" MV_IN_##P " ft0,%2\n\t" MV_IN_##P " ft1,%3\n\t"  \
                         insn " ft2,ft0,ft1" sfx "\n\t" MV_OUT_##P " %0,ft2\n\tfrflags %1"     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");    \
        return r;                                                                             \
    }
#define FOP3(name, insn, P, sfx)                                                              \
    static res_t name(uint64_t a, uint64_t b, uint64_t c) {                                   \
        res_t r;                                                                              \
        __asm__ volatile("fsflags zero\n\t" MV_IN_##P " ft0,%2\n\t" MV_IN_##P " ft1,%3\n\t"  \
                         MV_IN_##P " ft3,%4\n\t" insn " ft2,ft0,ft1,ft3" sfx "\n\t"           \
                         MV_OUT_##P " %0,ft2\n\tfrflags %1"                                    \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b), "r"(c)                    \
                         : "ft0", "ft1", "ft2", "ft3");                                       \
        return r;                                                                             \
    }
/* FP sources, integer result (compares, fclass, fcvt to integer). */
#define FOP1_X(name, insn, P, sfx)                                                            \
    static res_t name(uint64_t a) {                                                           \
        res_t r;                                                                              \
        __asm__ volatile("fsflags zero\n\t" MV_IN_##P " ft0,%2\n\t" insn " %0,ft0" sfx       \
                         "\n\tfrflags %1"                                                     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft0");                          \
        return r;                                                                             \
    }
#define FOP2_X(name, insn, P)                                                                 \
    static res_t name(uint64_t a, uint64_t b) {                                               \
        res_t r;                                                                              \
        __asm__ volatile("fsflags zero\n\t" MV_IN_##P " ft0,%2\n\t" MV_IN_##P " ft1,%3\n\t"  \
                         insn " %0,ft0,ft1\n\tfrflags %1"                                     \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a), "r"(b) : "ft0", "ft1");           \
        return r;                                                                             \
    }
/* Integer source, FP result (fcvt from integer). */
#define XOP1_F(name, insn, P, sfx)                                                            \
    static res_t name(uint64_t a) {                                                           \
        res_t r;                                                                              \
        __asm__ volatile("fsflags zero\n\t" insn " ft2,%2" sfx "\n\t" MV_OUT_##P             \
                         " %0,ft2\n\tfrflags %1"                                              \
                         : "=&r"(r.v), "=&r"(r.f) : "r"(a) : "ft2");                          \
        return r;                                                                             \
    }

/* Integer R-type and I-type ops. */
#define ROP(name, insn)                                                                       \
    static uint64_t name(uint64_t a, uint64_t b) {                                            \
        uint64_t r;                                                                           \
        __asm__ volatile(insn " %0,%1,%2" : "=r"(r) : "r"(a), "r"(b));                        \
        return r;                                                                             \
    }
#define R1OP(name, insn)                                                                      \
    static uint64_t name(uint64_t a) {                                                        \
        uint64_t r;                                                                           \
        __asm__ volatile(insn " %0,%1" : "=r"(r) : "r"(a));                                   \
        return r;                                                                             \
    }
#define IOP(name, insn, imm)                                                                  \
    static uint64_t name(uint64_t a) {                                                        \
        uint64_t r;                                                                           \
        __asm__ volatile(insn " %0,%1," #imm : "=r"(r) : "r"(a));                             \
        return r;                                                                             \
    }

typedef uint64_t (*rfn_t)(uint64_t, uint64_t);
typedef uint64_t (*r1fn_t)(uint64_t);
typedef struct { const char *name; rfn_t fn; } rop_t;
typedef struct { const char *name; r1fn_t fn; } r1op_t;

/* Interesting 64-bit integers for sweeps. */
static const uint64_t int_vals[] = {
    0x0000000000000000ull, 0x0000000000000001ull, 0x0000000000000002ull, 0x0000000000000003ull,
    0x000000000000001full, 0x0000000000000020ull, 0x000000000000003full, 0x0000000000000040ull,
    0x000000007fffffffull, 0x0000000080000000ull, 0x00000000ffffffffull, 0x0000000100000000ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0xffffffff80000000ull, 0xffffffff7fffffffull, 0x0123456789abcdefull, 0xfedcba9876543210ull,
    0x00000000deadbeefull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, 0x00000000000000ffull,
};

/* Interesting doubles (bit patterns). */
static const uint64_t d_vals[] = {
    0x0000000000000000ull, /* +0 */
    0x8000000000000000ull, /* -0 */
    0x3ff0000000000000ull, /* 1 */
    0xbff0000000000000ull, /* -1 */
    0x3ff8000000000000ull, /* 1.5 */
    0x4004000000000000ull, /* 2.5 */
    0xc00c000000000000ull, /* -3.5 */
    0x3fb999999999999aull, /* 0.1 */
    0x3fd5555555555555ull, /* 1/3 */
    0x3ff0000000000001ull, /* 1 + ulp */
    0x4340000000000001ull, /* 2^53 + 2 */
    0x7fefffffffffffffull, /* max normal */
    0x0010000000000000ull, /* min normal */
    0x000fffffffffffffull, /* max subnormal */
    0x0000000000000001ull, /* min subnormal */
    0x8000000000000001ull, /* -min subnormal */
    0x7ff0000000000000ull, /* +inf */
    0xfff0000000000000ull, /* -inf */
    0x7ff8000000000000ull, /* canonical qNaN */
    0xfff8000000000123ull, /* negative qNaN with payload */
    0x7ff0000000000001ull, /* sNaN */
    0x7ff4000000000000ull, /* sNaN, other payload */
};

/* Interesting singles (bit patterns). */
static const uint64_t s_vals[] = {
    0x00000000, /* +0 */
    0x80000000, /* -0 */
    0x3f800000, /* 1 */
    0xbf800000, /* -1 */
    0x3fc00000, /* 1.5 */
    0x40200000, /* 2.5 */
    0xc0600000, /* -3.5 */
    0x3dcccccd, /* 0.1 */
    0x3eaaaaab, /* 1/3 */
    0x3f800001, /* 1 + ulp */
    0x4b800001, /* 2^24 + 2 */
    0x7f7fffff, /* max normal */
    0x00800000, /* min normal */
    0x007fffff, /* max subnormal */
    0x00000001, /* min subnormal */
    0x80000001, /* -min subnormal */
    0x7f800000, /* +inf */
    0xff800000, /* -inf */
    0x7fc00000, /* canonical qNaN */
    0xffc00123, /* negative qNaN with payload */
    0x7f800001, /* sNaN */
    0x7fa00000, /* sNaN, other payload */
};

#endif
