/* fp_accrued.c for singles, the edges of the native tier's inline single-precision path: it runs
 * fadd/fsub/fmul/fdiv/fsqrt.s, the fused forms and feq/flt/fle.s on SSE only when every operand is
 * NaN-boxed, the rounding is to nearest-even and NX is already accrued, and the result is a normal
 * number (written NaN-boxed). So: boxed and unboxed operands (an unboxed one reads as the canonical
 * NaN), results that are subnormal, overflow or round to the smallest normal, fflags preset to NX,
 * to nothing (the first inexact result) and to all five flags, every static rounding mode and dyn
 * under every frm value. Prints the whole 64-bit result and fflags. */
/* fcvt.d.s is exact and takes no rounding-mode operand in the assembler: the rm field through
 * .insn (OP-FP, funct7 0x21, rs2 0 = from single), the suffix AOP1 appends commented out. */
#define FP_CVT(rm) ".insn r 0x53, " #rm ", 0x21, ft2, ft0, f0 #"
#define FP_SFX "s"
#define FP_NAME "fp_accrued_s"
#define BOX(x) (0xffffffff00000000ull | (x))
/* s_vals (isa.h) boxed, then unboxed and half-boxed bit patterns. */
static const unsigned long long single_vals[] = {
    BOX(0x00000000), BOX(0x80000000), BOX(0x3f800000), BOX(0xbf800000), BOX(0x3fc00000),
    BOX(0x40200000), BOX(0xc0600000), BOX(0x3dcccccd), BOX(0x3eaaaaab), BOX(0x3f800001),
    BOX(0x4b800001), BOX(0x7f7fffff), BOX(0x00800000), BOX(0x007fffff), BOX(0x00000001),
    BOX(0x80000001), BOX(0x7f800000), BOX(0xff800000), BOX(0x7fc00000), BOX(0xffc00123),
    BOX(0x7f800001), BOX(0x7fa00000),
    BOX(0x00ffffff), /* just above twice the smallest normal: halves round to it */
    0x000000003f800000ull, /* 1, unboxed */
    0x7fffffff40200000ull, /* 2.5, upper half not all ones */
    0xfffffffe3dcccccdull, /* 0.1, one bit short of boxed */
};
#define FP_VALS single_vals
/* Addends: -0, 1, 1/3, the smallest subnormal, the largest normal, an sNaN, an unboxed 1. */
#define FP_ADDENDS {BOX(0x80000000), BOX(0x3f800000), BOX(0x3eaaaaab), BOX(0x00000001), \
                    BOX(0x7f7fffff), BOX(0x7f800001), 0x000000003f800000ull}
#define FP_PRESETS {0x01, 0x00, 0x1f}
#include "fp_accrued.h"
