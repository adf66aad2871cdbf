/* The flags the manuals leave undefined, as AMD's CPUs set them (Skiff's CPUID says AuthenticAMD;
 * test_amd64.py compares this program with the host CPU only on an AMD host, interpreted and
 * with the native tier): bsf and bsr (CF OF SF AF clear, PF the parity of the index, ZF and PF
 * set for a zero source), shl/shr/sar with every count (AF set; OF from the result as for a count
 * of 1), multiplications (SF ZF AF PF kept as they were), divisions, shld and shrd (AF set, OF
 * as for a count of 1, and the 16-bit forms' counts 17-31, which rotate the source), lzcnt and
 * tzcnt (OF kept, SF AF PF clear), bextr (AF set, SF clear), and what stays defined around them. Each line: the operation, its inputs, the
 * destination after it and RFLAGS & 0x8d5; then a checksum over many more inputs. Found by the
 * x86 fuzzer (Fuzz/Harnesses/x86.swift): the native tier runs the host's instructions. */
#include <stdio.h>

#define OP(name, insn)                                                                          \
    static unsigned long name(unsigned long flagsIn, unsigned long v, unsigned long c,          \
                              unsigned long *dst) {                                           \
        unsigned long out, d = *dst;                                                          \
        __asm__ volatile("push %[in]\n\tpopf\n\t" insn "\n\tpushf\n\tpop %[out]"              \
                         : [out] "=&r"(out), [d] "+r"(d) : [in] "r"(flagsIn), [v] "r"(v), "c"(c) \
                         : "cc");                                                             \
        *dst = d;                                                                             \
        return out & 0x8d5;                                                                   \
    }

OP(bsf64, "bsf %[v], %[d]")
OP(bsr64, "bsr %[v], %[d]")
OP(bsf32, "bsf %k[v], %k[d]")
OP(bsr16, "bsr %w[v], %w[d]")
OP(shl8, "shlb %%cl, %b[d]")
OP(shr8, "shrb %%cl, %b[d]")
OP(sar8, "sarb %%cl, %b[d]")
OP(shl16, "shlw %%cl, %w[d]")
OP(shr16, "shrw %%cl, %w[d]")
OP(sar16, "sarw %%cl, %w[d]")
OP(shl32, "shll %%cl, %k[d]")
OP(shr32, "shrl %%cl, %k[d]")
OP(sar32, "sarl %%cl, %k[d]")
OP(shl64, "shlq %%cl, %[d]")
OP(shr64, "shrq %%cl, %[d]")
OP(sar64, "sarq %%cl, %[d]")
OP(shr32i, "shrl $5, %k[d]")
OP(sar64i, "sarq $3, %[d]")
OP(shl16i, "shlw $9, %w[d]")
/* shld and shrd: the 16-bit forms take counts up to 31 (masked to 5 bits), past the size. */
OP(shld16, "shldw %%cl, %w[v], %w[d]")
OP(shrd16, "shrdw %%cl, %w[v], %w[d]")
OP(shld32, "shldl %%cl, %k[v], %k[d]")
OP(shrd32, "shrdl %%cl, %k[v], %k[d]")
OP(shld64, "shldq %%cl, %[v], %[d]")
OP(shrd64, "shrdq %%cl, %[v], %[d]")
OP(shld16i, "shldw $16, %w[v], %w[d]")
OP(shrd16i, "shrdw $20, %w[v], %w[d]")
OP(shld32i, "shldl $7, %k[v], %k[d]")
/* lzcnt, tzcnt (CF ZF defined) and bextr (ZF defined, CF OF clear). */
OP(lzcnt32, "lzcnt %k[v], %k[d]")
OP(tzcnt16, "tzcnt %w[v], %w[d]")
OP(lzcnt64, "lzcnt %[v], %[d]")
OP(bextr32, "bextr %k[v], %k[d], %k[d]")
OP(bextr64, "bextr %[v], %[d], %[d]")
OP(imul64, "imul %[v], %[d]")
OP(imul32, "imul %k[v], %k[d]")
OP(imul16i, "imul $-300, %w[v], %w[d]")
OP(imul32i, "imul $77777, %k[v], %k[d]")
/* One-operand mul and imul (rdx:rax): SF ZF AF PF are kept by AMD's CPUs. */
#define WIDE(name, insn)                                                                        \
    static unsigned long name(unsigned long flagsIn, unsigned long v, unsigned long c,          \
                              unsigned long *dst) {                                           \
        unsigned long out, lo = *dst, hi = c;                                                 \
        __asm__ volatile("push %[in]\n\tpopf\n\t" insn "\n\tpushf\n\tpop %[out]"              \
                         : [out] "=&r"(out), "+a"(lo), "+d"(hi) : [in] "r"(flagsIn), [v] "r"(v) \
                         : "cc");                                                             \
        *dst = lo ^ (hi << 1);                                                                \
        return out & 0x8d5;                                                                   \
    }
WIDE(mul64, "mulq %[v]")
WIDE(imul64w, "imulq %[v]")
WIDE(mul8, "mulb %b[v]")
WIDE(imul32w, "imull %k[v]")
/* div and idiv (divisors that cannot fault: the high half is cleared first): CF OF kept, AF
 * set, SF ZF PF cleared on AMD's CPUs. */
WIDE(div64, "xor %%edx, %%edx\n\tor $1, %[v]\n\tdivq %[v]")
WIDE(idiv32, "cltd\n\tor $3, %k[v]\n\tidivl %k[v]")
WIDE(div16, "xor %%edx, %%edx\n\tor $1, %w[v]\n\tdivw %w[v]")
WIDE(div32c, "xor %%edx, %%edx\n\tor $1, %k[v]\n\tstc\n\tdivl %k[v]")
/* A shift's or bsf's undefined flags seen later through instructions that keep some flags. */
OP(bsf_inc, "bsf %[v], %[d]\n\tinc %[d]")
OP(shl_dec, "shl %%cl, %[d]\n\tdec %[d]")
OP(bsr_adc, "bsr %[v], %[d]\n\tadc $0, %[d]")
OP(imul_jz, "imul %[v], %[d]\n\tjz 1f\n\tnot %[d]\n1:")
/* The flags an imul keeps are those of the instruction before it: that one's flags are live. */
OP(add_imul, "add %k[v], %k[d]\n\timul %k[v], %k[d]")
OP(sub_imul_jz, "sub $3, %k[d]\n\timul %k[v], %k[d]\n\tjz 1f\n\tnot %[d]\n1:")

typedef unsigned long (*op_fn)(unsigned long, unsigned long, unsigned long, unsigned long *);
static const struct { const char *name; op_fn f; } ops[] = {
    {"bsf64", bsf64}, {"bsr64", bsr64}, {"bsf32", bsf32}, {"bsr16", bsr16},
    {"shl8", shl8}, {"shr8", shr8}, {"sar8", sar8}, {"shl16", shl16}, {"shr16", shr16}, {"sar16", sar16},
    {"shl32", shl32}, {"shr32", shr32}, {"sar32", sar32}, {"shl64", shl64}, {"shr64", shr64}, {"sar64", sar64},
    {"shr32 $5", shr32i}, {"sar64 $3", sar64i}, {"shl16 $9", shl16i},
    {"shld16", shld16}, {"shrd16", shrd16}, {"shld32", shld32}, {"shrd32", shrd32}, {"shld64", shld64},
    {"shrd64", shrd64}, {"shld16 $16", shld16i}, {"shrd16 $20", shrd16i}, {"shld32 $7", shld32i},
    {"lzcnt32", lzcnt32}, {"tzcnt16", tzcnt16}, {"lzcnt64", lzcnt64}, {"bextr32", bextr32}, {"bextr64", bextr64},
    {"imul64", imul64}, {"imul32", imul32}, {"imul16 imm", imul16i}, {"imul32 imm", imul32i},
    {"mul64", mul64}, {"imul64 wide", imul64w}, {"mul8", mul8}, {"imul32 wide", imul32w},
    {"div64", div64}, {"idiv32", idiv32}, {"div16", div16}, {"stc; div32", div32c},
    {"bsf; inc", bsf_inc}, {"shl; dec", shl_dec}, {"bsr; adc", bsr_adc}, {"imul; jz", imul_jz},
    {"add; imul", add_imul}, {"sub; imul; jz", sub_imul_jz},
};

int main(void) {
    static const unsigned long values[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x8000, 0xc001, 0x12345678, 0x80000000,
                                           0xdeadbeefcafef00dUL, 0x8000000000000000UL, 0xffffffffffffffffUL, 0x40};
    static const unsigned long flagsIn[] = {0x202, 0xad7, 0x203, 0x212, 0x282, 0xa02};
    const int nv = sizeof values / sizeof *values, nf = sizeof flagsIn / sizeof *flagsIn;
    for (unsigned k = 0; k < sizeof ops / sizeof *ops; k++) {
        printf("%s:\n", ops[k].name);
        /* A few cases in full, then a checksum over every value, count and incoming flags (the
         * loop makes the function hot: the native tier compiles it at its threshold). */
        for (int i = 0; i < 4; i++) {
            unsigned long d = 0x5555, v = values[i * 3 + 1], c = (unsigned long)(i * 7 + 1);
            if (ops[k].name[1] == 'h' || ops[k].name[1] == 'a') d = v;
            unsigned long f = ops[k].f(flagsIn[i], v, c, &d);
            printf("  v=%lx c=%lu flags in %03lx -> d=%lx flags %03lx\n", v, c, flagsIn[i] & 0x8d5, d, f);
        }
        unsigned long sum = 0;
        for (int i = 0; i < nv; i++)
            for (int c = 0; c < 70; c++)
                for (int j = 0; j < nf; j++) {
                    unsigned long d = values[(i + c) % nv] ^ 0x5a5a;
                    unsigned long f = ops[k].f(flagsIn[j], values[i], (unsigned long)c, &d);
                    sum = (sum * 31 + f) ^ d;
                }
        printf("  checksum %016lx\n", sum);
    }
    return 0;
}
