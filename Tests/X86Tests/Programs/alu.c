/* Integer instructions of every operand size over edge-case operands, with the flags before
 * each set both ways: result and the flags the instruction defines (undefined flags are
 * masked out: they differ between CPU vendors). The host CPU's output is the reference. */
#include "rt.h"

#define CF 0x1ull
#define PF 0x4ull
#define AF 0x10ull
#define ZF 0x40ull
#define SF 0x80ull
#define OF 0x800ull
#define ARITH (CF | PF | AF | ZF | SF | OF)
#define LOGIC (CF | PF | ZF | SF | OF)

static const uint64_t values[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0x123456789abcdef0ull, 0xfedcba9876543210ull, 0x00000000deadbeefull, 0x8080808080808080ull,
};
#define NV (int)(sizeof values / sizeof values[0])
static const unsigned counts[] = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200};
#define NC (int)(sizeof counts / sizeof counts[0])

static void line(const char *op, int bits, uint64_t a, uint64_t b, uint64_t fin, uint64_t r, uint64_t f, uint64_t mask) {
    put_str(op); put_char(' '); put_hex(bits, 2); put_char(' ');
    put_hex(a, 16); put_char(' '); put_hex(b, 16); put_char(' '); put_hex(fin & 1, 1);
    put_str(" -> "); put_hex(r, 16); put_char(' '); put_hex(f & mask, 3); put_char('\n');
}

/* Binary "op src, dst" of each size: dst is x (in/out), the flags go in and come out in fl. */
#define BIN(fn, insn)                                                                                   \
    static void fn##8(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f;                 \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "b %b[b], %b[v]\n\tpushfq\n\tpop %[fl]"         \
                         : [v] "+r"(v), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); *x = v; *f = fl; } \
    static void fn##16(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f;                \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "w %w[b], %w[v]\n\tpushfq\n\tpop %[fl]"         \
                         : [v] "+r"(v), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); *x = v; *f = fl; } \
    static void fn##32(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f;                \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "l %k[b], %k[v]\n\tpushfq\n\tpop %[fl]"         \
                         : [v] "+r"(v), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); *x = v; *f = fl; } \
    static void fn##64(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f;                \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "q %q[b], %q[v]\n\tpushfq\n\tpop %[fl]"         \
                         : [v] "+r"(v), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); *x = v; *f = fl; }

/* The same with the destination in memory. */
#define BINM(fn, insn)                                                                                  \
    static void fn##m64(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t fl = *f;                       \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "q %q[b], %[m]\n\tpushfq\n\tpop %[fl]"          \
                         : [m] "+m"(*x), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); *f = fl; }       \
    static void fn##m8(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t fl = *f;                        \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "b %b[b], %[m]\n\tpushfq\n\tpop %[fl]"          \
                         : [m] "+m"(*(uint8_t *)x), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); *f = fl; }

/* Unary "op dst". */
#define UN(fn, insn)                                                                                    \
    static void fn##8(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f; (void)b;        \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "b %b[v]\n\tpushfq\n\tpop %[fl]"                 \
                         : [v] "+r"(v), [fl] "+r"(fl) : : "cc", "memory"); *x = v; *f = fl; }           \
    static void fn##16(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f; (void)b;       \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "w %w[v]\n\tpushfq\n\tpop %[fl]"                 \
                         : [v] "+r"(v), [fl] "+r"(fl) : : "cc", "memory"); *x = v; *f = fl; }           \
    static void fn##32(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f; (void)b;       \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "l %k[v]\n\tpushfq\n\tpop %[fl]"                 \
                         : [v] "+r"(v), [fl] "+r"(fl) : : "cc", "memory"); *x = v; *f = fl; }           \
    static void fn##64(uint64_t *x, uint64_t b, uint64_t *f) { uint64_t v = *x, fl = *f; (void)b;       \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "q %q[v]\n\tpushfq\n\tpop %[fl]"                 \
                         : [v] "+r"(v), [fl] "+r"(fl) : : "cc", "memory"); *x = v; *f = fl; }

/* Shifts and rotates by cl. */
#define SH(fn, insn)                                                                                    \
    static void fn##8(uint64_t *x, uint64_t c, uint64_t *f) { uint64_t v = *x, fl = *f;                 \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "b %%cl, %b[v]\n\tpushfq\n\tpop %[fl]"           \
                         : [v] "+r"(v), [fl] "+r"(fl) : "c"(c) : "cc", "memory"); *x = v; *f = fl; }    \
    static void fn##16(uint64_t *x, uint64_t c, uint64_t *f) { uint64_t v = *x, fl = *f;                \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "w %%cl, %w[v]\n\tpushfq\n\tpop %[fl]"           \
                         : [v] "+r"(v), [fl] "+r"(fl) : "c"(c) : "cc", "memory"); *x = v; *f = fl; }    \
    static void fn##32(uint64_t *x, uint64_t c, uint64_t *f) { uint64_t v = *x, fl = *f;                \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "l %%cl, %k[v]\n\tpushfq\n\tpop %[fl]"           \
                         : [v] "+r"(v), [fl] "+r"(fl) : "c"(c) : "cc", "memory"); *x = v; *f = fl; }    \
    static void fn##64(uint64_t *x, uint64_t c, uint64_t *f) { uint64_t v = *x, fl = *f;                \
        __asm__ volatile("push %[fl]\n\tpopfq\n\t" insn "q %%cl, %q[v]\n\tpushfq\n\tpop %[fl]"           \
                         : [v] "+r"(v), [fl] "+r"(fl) : "c"(c) : "cc", "memory"); *x = v; *f = fl; }

BIN(op_add, "add") BIN(op_adc, "adc") BIN(op_sub, "sub") BIN(op_sbb, "sbb") BIN(op_and, "and")
BIN(op_or, "or") BIN(op_xor, "xor") BIN(op_cmp, "cmp") BIN(op_test, "test")
BINM(op_add, "add") BINM(op_sbb, "sbb") BINM(op_xor, "xor")
UN(op_inc, "inc") UN(op_dec, "dec") UN(op_neg, "neg") UN(op_not, "not")
SH(op_shl, "shl") SH(op_shr, "shr") SH(op_sar, "sar") SH(op_rol, "rol") SH(op_ror, "ror")
SH(op_rcl, "rcl") SH(op_rcr, "rcr")

typedef void (*opfn)(uint64_t *, uint64_t, uint64_t *);
struct op { const char *name; opfn f[4]; uint64_t mask; };

static const struct op binaries[] = {
    {"add", {op_add8, op_add16, op_add32, op_add64}, ARITH},
    {"adc", {op_adc8, op_adc16, op_adc32, op_adc64}, ARITH},
    {"sub", {op_sub8, op_sub16, op_sub32, op_sub64}, ARITH},
    {"sbb", {op_sbb8, op_sbb16, op_sbb32, op_sbb64}, ARITH},
    {"and", {op_and8, op_and16, op_and32, op_and64}, LOGIC},
    {"or", {op_or8, op_or16, op_or32, op_or64}, LOGIC},
    {"xor", {op_xor8, op_xor16, op_xor32, op_xor64}, LOGIC},
    {"cmp", {op_cmp8, op_cmp16, op_cmp32, op_cmp64}, ARITH},
    {"test", {op_test8, op_test16, op_test32, op_test64}, LOGIC},
    {"inc", {op_inc8, op_inc16, op_inc32, op_inc64}, ARITH},
    {"dec", {op_dec8, op_dec16, op_dec32, op_dec64}, ARITH},
    {"neg", {op_neg8, op_neg16, op_neg32, op_neg64}, ARITH},
    {"not", {op_not8, op_not16, op_not32, op_not64}, ARITH},
};
static const struct op memories[] = {
    {"addm", {op_addm8, 0, 0, op_addm64}, ARITH},
    {"sbbm", {op_sbbm8, 0, 0, op_sbbm64}, ARITH},
    {"xorm", {op_xorm8, 0, 0, op_xorm64}, LOGIC},
};
static const struct op shifts[] = {
    {"shl", {op_shl8, op_shl16, op_shl32, op_shl64}, 0},
    {"shr", {op_shr8, op_shr16, op_shr32, op_shr64}, 0},
    {"sar", {op_sar8, op_sar16, op_sar32, op_sar64}, 0},
    {"rol", {op_rol8, op_rol16, op_rol32, op_rol64}, 0},
    {"ror", {op_ror8, op_ror16, op_ror32, op_ror64}, 0},
    {"rcl", {op_rcl8, op_rcl16, op_rcl32, op_rcl64}, 0},
    {"rcr", {op_rcr8, op_rcr16, op_rcr32, op_rcr64}, 0},
};

/* Flags a shift or rotate defines for a masked count n of an operand of `bits` (0: none). */
static uint64_t shift_mask(const char *name, unsigned c, int bits) {
    unsigned n = c & (bits == 64 ? 63 : 31);
    if (n == 0) return ARITH;                   /* nothing changes: every flag is kept */
    int rotate = name[0] == 'r';
    uint64_t m = rotate ? CF : (CF | SF | ZF | PF);
    if (!rotate && (int)n > bits && name[2] != 'r') m &= ~CF;  /* shl/shr past the size */
    if (name[1] == 'c' && bits < 32) m = CF;    /* rcl/rcr of 8/16 bits: count modulo size+1 */
    if (n == 1) m |= OF;
    return m;
}

/* Every condition code after the last flag-setting instruction, through setcc and jcc. */
#define SETCC(cc) { uint8_t r; __asm__ volatile("set" #cc " %0" : "=r"(r)); bits |= (uint64_t)r << i++; }
static uint64_t conditions_after_cmp(uint64_t a, uint64_t b) {
    uint64_t bits = 0; int i = 0;
    __asm__ volatile("cmpq %1, %0" : : "r"(a), "r"(b) : "cc");
    SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
    SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
    return bits;
}
static uint64_t conditions_after_cmp32(uint64_t a, uint64_t b) {
    uint64_t bits = 0; int i = 0;
    __asm__ volatile("cmpl %k1, %k0" : : "r"(a), "r"(b) : "cc");
    SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
    SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
    return bits;
}
static uint64_t conditions_after_test8(uint64_t a, uint64_t b) {
    uint64_t bits = 0; int i = 0;
    __asm__ volatile("testb %b1, %b0" : : "r"(a), "r"(b) : "cc");
    SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
    SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
    return bits;
}
static uint64_t conditions_after_add16(uint64_t a, uint64_t b) {
    uint64_t bits = 0; int i = 0;
    __asm__ volatile("addw %w1, %w0" : "+r"(a) : "r"(b) : "cc");
    SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
    SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
    return bits;
}
static uint64_t conditions_after_dec(uint64_t a, uint64_t b) {
    uint64_t bits = 0; int i = 0;
    __asm__ volatile("cmpq %2, %1\n\tdecq %0" : "+r"(a) : "r"(a), "r"(b) : "cc");
    SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
    SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
    return bits;
}
static uint64_t conditions_after_sar(uint64_t a, uint64_t b) {
    uint64_t bits = 0; int i = 0;
    __asm__ volatile("sarq %%cl, %0" : "+r"(a) : "c"(b) : "cc");
    SETCC(o) SETCC(no) SETCC(b) SETCC(ae) SETCC(e) SETCC(ne) SETCC(be) SETCC(a)
    SETCC(s) SETCC(ns) SETCC(p) SETCC(np) SETCC(l) SETCC(ge) SETCC(le) SETCC(g)
    return bits & ((b & 63) == 1 ? ~0ull : ~0x3ull);   /* OF is defined for counts of 1 only */
}

static void multiply_divide(uint64_t a, uint64_t b) {
    uint64_t lo, hi, f;
    __asm__ volatile("mulq %q3\n\tpushfq\n\tpop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a) : "cc");
    line("mul", 64, a, b, 0, lo, f, CF | OF); line("mulh", 64, a, b, 0, hi, 0, 0);
    __asm__ volatile("imulq %q3\n\tpushfq\n\tpop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a) : "cc");
    line("imul1", 64, a, b, 0, lo, f, CF | OF); line("imulh", 64, a, b, 0, hi, 0, 0);
    __asm__ volatile("mull %k3\n\tpushfq\n\tpop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a) : "cc");
    line("mul", 32, a, b, 0, lo, f, CF | OF); line("mulh", 32, a, b, 0, hi, 0, 0);
    __asm__ volatile("imulw %w3\n\tpushfq\n\tpop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a) : "cc");
    line("imul1", 16, a, b, 0, lo, f, CF | OF); line("imulh", 16, a, b, 0, hi, 0, 0);
    __asm__ volatile("mulb %b3\n\tpushfq\n\tpop %2" : "=a"(lo), "=d"(hi), "=r"(f) : "r"(b), "a"(a), "d"(0) : "cc");
    line("mul", 8, a, b, 0, lo, f, CF | OF);
    lo = a;
    __asm__ volatile("imulq %q2, %q0\n\tpushfq\n\tpop %1" : "+r"(lo), "=r"(f) : "r"(b) : "cc");
    line("imul2", 64, a, b, 0, lo, f, CF | OF);
    lo = a;
    __asm__ volatile("imull %k2, %k0\n\tpushfq\n\tpop %1" : "+r"(lo), "=r"(f) : "r"(b) : "cc");
    line("imul2", 32, a, b, 0, lo, f, CF | OF);
    __asm__ volatile("imulq $-7, %q2, %q0\n\tpushfq\n\tpop %1" : "=r"(lo), "=r"(f) : "r"(b) : "cc");
    line("imul3", 64, a, b, 0, lo, f, CF | OF);
    __asm__ volatile("imulw $300, %w2, %w0\n\tpushfq\n\tpop %1" : "=r"(lo), "=r"(f) : "r"(b) : "cc");
    line("imul3", 16, a & 0, b, 0, lo & 0xffff, f, CF | OF);
    /* Divisions whose quotient fits (the others are #DE: see the fault tests). */
    if (b != 0) {
        unsigned __int128 n = ((unsigned __int128)(a >> 1) << 64) | a;
        if ((a >> 1) < b) {
            __asm__ volatile("divq %q4" : "=a"(lo), "=d"(hi) : "a"(a), "d"(a >> 1), "r"(b) : "cc");
            line("div", 64, a, b, 0, lo, 0, 0); line("divr", 64, a, b, 0, hi, 0, 0);
        }
        (void)n;
        uint32_t d32 = (uint32_t)b, hi32 = (uint32_t)(a >> 40), lo32 = (uint32_t)a;
        if (d32 != 0 && hi32 < d32) {
            __asm__ volatile("divl %k4" : "=a"(lo), "=d"(hi) : "a"(lo32), "d"(hi32), "r"(b) : "cc");
            line("div", 32, a, b, 0, lo, 0, 0); line("divr", 32, a, b, 0, hi, 0, 0);
        }
        int64_t sd = (int64_t)b, sn = (int64_t)a;
        if (!(sn == INT64_MIN && sd == -1)) {
            __asm__ volatile("cqto\n\tidivq %q3" : "=a"(lo), "=d"(hi) : "a"(a), "r"(b) : "cc");
            line("idiv", 64, a, b, 0, lo, 0, 0); line("idivr", 64, a, b, 0, hi, 0, 0);
        }
        int32_t s32 = (int32_t)b, n32 = (int32_t)a;
        if (s32 != 0 && !(n32 == INT32_MIN && s32 == -1)) {
            __asm__ volatile("cltd\n\tidivl %k3" : "=a"(lo), "=d"(hi) : "a"(a), "r"(b) : "cc");
            line("idiv", 32, a, b, 0, lo, 0, 0); line("idivr", 32, a, b, 0, hi, 0, 0);
        }
        int8_t s8 = (int8_t)b; int16_t n16 = (int16_t)(a >> 3);
        if (s8 != 0 && n16 / s8 <= 127 && n16 / s8 >= -128) {
            __asm__ volatile("idivb %b2" : "=a"(lo) : "a"(n16), "q"(b) : "cc");
            line("idiv", 8, a, b, 0, lo & 0xffff, 0, 0);
        }
    }
}

static void bits_ops(uint64_t a, uint64_t b) {
    uint64_t r, f;
    __asm__ volatile("btq %q2, %q1\n\tpushfq\n\tpop %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
    line("bt", 64, a, b, 0, 0, f, CF);
    r = a;
    __asm__ volatile("btsq %q2, %q0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc");
    line("bts", 64, a, b, 0, r, f, CF);
    r = a;
    __asm__ volatile("btrl %k2, %k0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc");
    line("btr", 32, a, b, 0, r, f, CF);
    r = a;
    __asm__ volatile("btcw %w2, %w0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b) : "cc");
    line("btc", 16, a, b, 0, r, f, CF);
    r = a;
    __asm__ volatile("btsq $45, %q0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : : "cc");
    line("btsi", 64, a, 45, 0, r, f, CF);
    r = b;
    __asm__ volatile("bsfq %q2, %q0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(a) : "cc");
    line("bsf", 64, a, b, 0, r, f, ZF);
    r = b;
    __asm__ volatile("bsrl %k2, %k0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(a) : "cc");
    line("bsr", 32, a, b, 0, r, f, ZF);
    r = b;
    __asm__ volatile("popcntq %q2, %q0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(a) : "cc");
    line("popcnt", 64, a, b, 0, r, f, ARITH);
    r = a;
    __asm__ volatile("bswapq %q0" : "+r"(r));
    line("bswap", 64, a, 0, 0, r, 0, 0);
    r = a;
    __asm__ volatile("bswapl %k0" : "+r"(r));
    line("bswap", 32, a, 0, 0, r, 0, 0);
    uint64_t s = b; r = a;
    __asm__ volatile("xaddq %q1, %q0\n\tpushfq\n\tpop %2" : "+r"(r), "+r"(s), "=r"(f) : : "cc");
    line("xadd", 64, a, b, 0, r ^ s, f, ARITH);
    uint64_t m = a, acc = b;
    __asm__ volatile("lock cmpxchgq %q3, %1\n\tpushfq\n\tpop %2" : "+a"(acc), "+m"(m), "=r"(f) : "r"(~a) : "cc");
    line("cmpxchg", 64, a, b, 0, acc ^ m, f, ARITH);
    m = a; acc = a;
    __asm__ volatile("cmpxchgl %k3, %k1\n\tpushfq\n\tpop %2" : "+a"(acc), "+r"(m), "=r"(f) : "r"(b) : "cc");
    line("cmpxchgeq", 32, a, b, 0, acc ^ (m << 1), f, ARITH);
    r = b; uint64_t c = a;
    __asm__ volatile("cmpq %2, %3\n\tcmovlq %q2, %q0\n\tcmovbl %k3, %k1" : "+r"(r), "+r"(c) : "r"(a), "r"(b) : "cc");
    line("cmov", 64, a, b, 0, r ^ (c << 3), 0, 0);
    r = a;
    __asm__ volatile("movsbq %b1, %q0" : "=r"(r) : "r"(a));
    line("movsb", 64, a, 0, 0, r, 0, 0);
    __asm__ volatile("movswl %w1, %k0" : "=r"(r) : "r"(a));
    line("movsw", 32, a, 0, 0, r, 0, 0);
    __asm__ volatile("movslq %k1, %q0" : "=r"(r) : "r"(a));
    line("movsl", 64, a, 0, 0, r, 0, 0);
    __asm__ volatile("movzbl %b1, %k0" : "=r"(r) : "r"(a));
    line("movzb", 32, a, 0, 0, r, 0, 0);
    r = a;
    __asm__ volatile("cqto" : "=d"(c) : "a"(a));
    line("cqo", 64, a, 0, 0, c, 0, 0);
    __asm__ volatile("cltq" : "=a"(r) : "a"(a));
    line("cdqe", 64, a, 0, 0, r, 0, 0);
    __asm__ volatile("cbtw" : "=a"(r) : "a"(a));
    line("cbw", 16, a, 0, 0, r, 0, 0);
}

/* Immediate forms the interpreter runs through per-size arms (byte compares and subtracts of
 * low and high byte registers, word xor and shr, shifts by an immediate of every size), with
 * the flags they define. */
#define IMM(name, bits, insn, mask) { uint64_t v = a, f;                                                 \
    __asm__ volatile(insn "\n\tpushfq\n\tpop %1" : "+Q"(v), "=r"(f) : : "cc");                          \
    line(name, bits, a, 0, 0, v, f, mask); }
static void immediates(uint64_t a) {
    IMM("cmpi", 8, "cmpb $0x2c, %b0", ARITH) IMM("cmpi", 8, "cmpb $0x80, %b0", ARITH)
    IMM("cmpih", 8, "cmpb $0x2c, %h0", ARITH) IMM("subi", 8, "subb $1, %b0", ARITH)
    IMM("subi", 8, "subb $0x81, %b0", ARITH) IMM("subih", 8, "subb $1, %h0", ARITH)
    IMM("xori", 16, "xorw $0xa001, %w0", LOGIC)
    IMM("shri", 8, "shrb $1, %b0", shift_mask("shr", 1, 8)) IMM("shri", 8, "shrb $7, %b0", shift_mask("shr", 7, 8))
    IMM("shrih", 8, "shrb $3, %h0", shift_mask("shr", 3, 8))
    IMM("shri", 16, "shrw $1, %w0", shift_mask("shr", 1, 16)) IMM("shri", 16, "shrw $9, %w0", shift_mask("shr", 9, 16))
    IMM("shli", 32, "shll $1, %k0", shift_mask("shl", 1, 32)) IMM("shli", 32, "shll $31, %k0", shift_mask("shl", 31, 32))
    IMM("shri", 32, "shrl $1, %k0", shift_mask("shr", 1, 32)) IMM("shri", 32, "shrl $7, %k0", shift_mask("shr", 7, 32))
    IMM("sari", 32, "sarl $1, %k0", shift_mask("sar", 1, 32)) IMM("sari", 32, "sarl $31, %k0", shift_mask("sar", 31, 32))
    IMM("shli", 64, "shlq $1, %q0", shift_mask("shl", 1, 64)) IMM("shli", 64, "shlq $33, %q0", shift_mask("shl", 33, 64))
    IMM("shri", 64, "shrq $1, %q0", shift_mask("shr", 1, 64)) IMM("shri", 64, "shrq $63, %q0", shift_mask("shr", 63, 64))
    IMM("sari", 64, "sarq $1, %q0", shift_mask("sar", 1, 64)) IMM("sari", 64, "sarq $63, %q0", shift_mask("sar", 63, 64))
}

/* A flag-setting instruction directly followed by a jcc (the interpreter runs the jcc with
 * it): every condition, one jcc each, a bit set when not taken. */
#define JCC(insn, cc) { uint64_t v = a, t = 0;                                                          \
    __asm__ volatile(insn "\n\tj" #cc " 1f\n\tmov $1, %k1\n1:" : "+Q"(v), "+r"(t) : "r"(b) : "cc");     \
    bits |= t << i++; }
#define JCCS(insn) JCC(insn, o) JCC(insn, no) JCC(insn, b) JCC(insn, ae) JCC(insn, e) JCC(insn, ne)       \
    JCC(insn, be) JCC(insn, a) JCC(insn, s) JCC(insn, ns) JCC(insn, p) JCC(insn, np) JCC(insn, l)         \
    JCC(insn, ge) JCC(insn, le) JCC(insn, g)
static void branches(uint64_t a, uint64_t b) {
    uint64_t bits; int i;
#define BRANCHES(name, size, insn) bits = 0; i = 0; JCCS(insn) line(name, size, a, b, 0, bits, 0, 0);
    BRANCHES("jcc-subi", 8, "subb $1, %b0") BRANCHES("jcc-subi", 32, "subl $7, %k0")
    BRANCHES("jcc-subi", 64, "subq $1, %q0") BRANCHES("jcc-subi", 16, "subw $3, %w0")
    BRANCHES("jcc-dec", 32, "decl %k0") BRANCHES("jcc-inc", 8, "incb %b0") BRANCHES("jcc-dec", 64, "decq %q0")
    BRANCHES("jcc-cmpi", 8, "cmpb $0x2c, %b0") BRANCHES("jcc-cmpih", 8, "cmpb $0x80, %h0")
    BRANCHES("jcc-test", 8, "testb %b2, %b0")
}

static void double_shifts(uint64_t a, uint64_t b, unsigned c) {
    uint64_t r, f;
    unsigned n64 = c & 63, n32 = c & 31;
    uint64_t m64 = n64 ? CF | SF | ZF | PF | (n64 == 1 ? OF : 0) : ARITH;
    uint64_t m32 = n32 ? CF | SF | ZF | PF | (n32 == 1 ? OF : 0) : ARITH;
    r = a;
    __asm__ volatile("xor %%eax, %%eax\n\tshldq %%cl, %q2, %q0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b), "c"(c) : "cc", "rax");
    line("shld", 64, a, b, c, r, f, m64);
    r = a;
    __asm__ volatile("xor %%eax, %%eax\n\tshrdq %%cl, %q2, %q0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b), "c"(c) : "cc", "rax");
    line("shrd", 64, a, b, c, r, f, m64);
    r = a;
    __asm__ volatile("xor %%eax, %%eax\n\tshldl %%cl, %k2, %k0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b), "c"(c) : "cc", "rax");
    line("shld", 32, a, b, c, r, f, m32);
    r = a;
    __asm__ volatile("xor %%eax, %%eax\n\tshrdl %%cl, %k2, %k0\n\tpushfq\n\tpop %1" : "+r"(r), "=r"(f) : "r"(b), "c"(c) : "cc", "rax");
    line("shrd", 32, a, b, c, r, f, m32);
}

int main(void) {
    static const uint64_t flag_inputs[2] = {0x202, 0x202 | CF | ZF | SF | OF | PF | AF};
    static const int widths[4] = {8, 16, 32, 64};
    for (unsigned k = 0; k < sizeof binaries / sizeof binaries[0]; k++)
        for (int w = 0; w < 4; w++)
            for (int i = 0; i < NV; i++)
                for (int j = 0; j < NV; j++)
                    for (int c = 0; c < 2; c++) {
                        uint64_t x = values[i], f = flag_inputs[c];
                        binaries[k].f[w](&x, values[j], &f);
                        line(binaries[k].name, widths[w], values[i], values[j], c, x, f, binaries[k].mask);
                    }
    for (unsigned k = 0; k < sizeof memories / sizeof memories[0]; k++)
        for (int w = 0; w < 4; w += 3)
            for (int i = 0; i < NV; i++)
                for (int j = 0; j < NV; j++)
                    for (int c = 0; c < 2; c++) {
                        uint64_t x = values[i], f = flag_inputs[c];
                        memories[k].f[w](&x, values[j], &f);
                        line(memories[k].name, widths[w], values[i], values[j], c, x, f, memories[k].mask);
                    }
    for (unsigned k = 0; k < sizeof shifts / sizeof shifts[0]; k++)
        for (int w = 0; w < 4; w++)
            for (int i = 0; i < NV; i++)
                for (int j = 0; j < NC; j++)
                    for (int c = 0; c < 2; c++) {
                        uint64_t x = values[i], f = flag_inputs[c];
                        shifts[k].f[w](&x, counts[j], &f);
                        line(shifts[k].name, widths[w], values[i], counts[j], c, x, f,
                             shift_mask(shifts[k].name, counts[j], widths[w]));
                    }
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++) {
            uint64_t a = values[i], b = values[j];
            line("cc-cmp", 64, a, b, 0, conditions_after_cmp(a, b), 0, 0);
            line("cc-cmp", 32, a, b, 0, conditions_after_cmp32(a, b), 0, 0);
            line("cc-test", 8, a, b, 0, conditions_after_test8(a, b), 0, 0);
            line("cc-add", 16, a, b, 0, conditions_after_add16(a, b), 0, 0);
            line("cc-dec", 64, a, b, 0, conditions_after_dec(a, b), 0, 0);
            line("cc-sar", 64, a, b & 63, 0, conditions_after_sar(a, b), 0, 0);
            branches(a, b);
            multiply_divide(a, b);
            bits_ops(a, b);
        }
    for (int i = 0; i < NV; i++) immediates(values[i]);
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j++)
            for (int k = 0; k < NC; k++) double_shifts(values[i], values[j], counts[k]);
    put_str("done\n");
    return 0;
}
