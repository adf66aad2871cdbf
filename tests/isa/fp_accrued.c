/* F/D with flags already accrued, the usual state of a program that has been computing (inexact
 * set): the native tier runs add/sub/mul/div/sqrt, the fused forms and comparisons of doubles
 * inline in that state when the result is an ordinary number, and the floating-point CSR
 * instructions inline always. Every operand pair (triples for the fused forms) under every static
 * rounding mode and dyn under every frm value, with fflags preset to NX and to all five flags; then
 * every CSR instruction form on fflags/frm/fcsr in a hot loop. Prints result bits and fflags.
 * fp_accrued_s.c is the same for singles. */
#define FP_CVT(rm) "fcvt.s.d"
#define FP_SFX "d"
#define FP_NAME "fp_accrued"
#define FP_VALS d_vals
/* Addends for the fused forms: zero, one, a fraction, a tiny and a huge one, a NaN. */
#define FP_ADDENDS {0x8000000000000000ull, 0x3ff0000000000000ull, 0x3fd5555555555555ull, \
                    0x0000000000000001ull, 0x7fefffffffffffffull, 0x7ff0000000000001ull}
#define FP_PRESETS {0x01, 0x1f}
#include "fp_accrued.h"
