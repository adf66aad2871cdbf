/* Integer differential program: RV64I/M/A, Zba/Zbb/Zbs and Zicsr instructions over edge and
   random operands; prints every result. Its output under qemu-riscv64 and under Skiff's hart
   must be identical. Build with -march=rv64gc_zba_zbb_zbs. */
#include "rt.h"

#define R(name, insn) static u64 name(u64 a, u64 b) { u64 r; asm volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
#define U(name, insn) static u64 name(u64 a, u64 b) { u64 r; (void)b; asm volatile(insn " %0, %1" : "=r"(r) : "r"(a)); return r; }
#define I(name, insn, imm) static u64 name(u64 a, u64 b) { u64 r; (void)b; asm volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a)); return r; }

R(add_, "add") R(sub_, "sub") R(sll_, "sll") R(slt_, "slt") R(sltu_, "sltu") R(xor_, "xor") R(srl_, "srl")
R(sra_, "sra") R(or_, "or") R(and_, "and") R(addw_, "addw") R(subw_, "subw") R(sllw_, "sllw") R(srlw_, "srlw")
R(sraw_, "sraw") R(mul_, "mul") R(mulh_, "mulh") R(mulhsu_, "mulhsu") R(mulhu_, "mulhu") R(div_, "div")
R(divu_, "divu") R(rem_, "rem") R(remu_, "remu") R(mulw_, "mulw") R(divw_, "divw") R(divuw_, "divuw")
R(remw_, "remw") R(remuw_, "remuw")
R(adduw_, "add.uw") R(sh1add_, "sh1add") R(sh2add_, "sh2add") R(sh3add_, "sh3add") R(sh1adduw_, "sh1add.uw")
R(sh2adduw_, "sh2add.uw") R(sh3adduw_, "sh3add.uw") R(andn_, "andn") R(orn_, "orn") R(xnor_, "xnor")
R(max_, "max") R(maxu_, "maxu") R(min_, "min") R(minu_, "minu") R(rol_, "rol") R(rolw_, "rolw") R(ror_, "ror")
R(rorw_, "rorw") R(bclr_, "bclr") R(bext_, "bext") R(binv_, "binv") R(bset_, "bset")
U(clz_, "clz") U(clzw_, "clzw") U(ctz_, "ctz") U(ctzw_, "ctzw") U(cpop_, "cpop") U(cpopw_, "cpopw")
U(sextb_, "sext.b") U(sexth_, "sext.h") U(zexth_, "zext.h") U(orcb_, "orc.b") U(rev8_, "rev8")
I(slli_, "slli", 13) I(srli_, "srli", 63) I(srai_, "srai", 35) I(slliw_, "slliw", 31) I(srliw_, "srliw", 7)
I(sraiw_, "sraiw", 31) I(addiw_, "addiw", -2048) I(slti_, "slti", -1) I(sltiu_, "sltiu", -1) I(xori_, "xori", -1)
I(andi_, "andi", 0x7f0) I(ori_, "ori", -0x800) I(rori_, "rori", 17) I(roriw_, "roriw", 31) I(slliuw_, "slli.uw", 5)
I(bclri_, "bclri", 63) I(bexti_, "bexti", 40) I(binvi_, "binvi", 31) I(bseti_, "bseti", 0)

static const u64 SPECIAL[] = { 0, 1, 2, -1ul, -2ul, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffff,
    0x80000000, 0xffffffff, 0xffffffff80000000, 0x100000000, 0x0123456789abcdef, 0xfedcba9876543210,
    63, 64, 31, 32, 0x00ff00ff00ff00ff };
#define NS (sizeof SPECIAL / sizeof SPECIAL[0])

static void out(const char *n, u64 a, u64 b, u64 r) {
    puts_(n); putch(' '); hex(a, 16); putch(' '); hex(b, 16); putch(' '); hex(r, 16); putch('\n');
}

static volatile unsigned char mem[64] __attribute__((aligned(16)));

int main(void) {
    static const struct { const char *n; u64 (*f)(u64, u64); } ops[] = {
        {"add", add_}, {"sub", sub_}, {"sll", sll_}, {"slt", slt_}, {"sltu", sltu_}, {"xor", xor_}, {"srl", srl_},
        {"sra", sra_}, {"or", or_}, {"and", and_}, {"addw", addw_}, {"subw", subw_}, {"sllw", sllw_},
        {"srlw", srlw_}, {"sraw", sraw_}, {"mul", mul_}, {"mulh", mulh_}, {"mulhsu", mulhsu_}, {"mulhu", mulhu_},
        {"div", div_}, {"divu", divu_}, {"rem", rem_}, {"remu", remu_}, {"mulw", mulw_}, {"divw", divw_},
        {"divuw", divuw_}, {"remw", remw_}, {"remuw", remuw_}, {"add.uw", adduw_}, {"sh1add", sh1add_},
        {"sh2add", sh2add_}, {"sh3add", sh3add_}, {"sh1add.uw", sh1adduw_}, {"sh2add.uw", sh2adduw_},
        {"sh3add.uw", sh3adduw_}, {"andn", andn_}, {"orn", orn_}, {"xnor", xnor_}, {"max", max_}, {"maxu", maxu_},
        {"min", min_}, {"minu", minu_}, {"rol", rol_}, {"rolw", rolw_}, {"ror", ror_}, {"rorw", rorw_},
        {"bclr", bclr_}, {"bext", bext_}, {"binv", binv_}, {"bset", bset_}, {"clz", clz_}, {"clzw", clzw_},
        {"ctz", ctz_}, {"ctzw", ctzw_}, {"cpop", cpop_}, {"cpopw", cpopw_}, {"sext.b", sextb_}, {"sext.h", sexth_},
        {"zext.h", zexth_}, {"orc.b", orcb_}, {"rev8", rev8_}, {"slli", slli_}, {"srli", srli_}, {"srai", srai_},
        {"slliw", slliw_}, {"srliw", srliw_}, {"sraiw", sraiw_}, {"addiw", addiw_}, {"slti", slti_},
        {"sltiu", sltiu_}, {"xori", xori_}, {"andi", andi_}, {"ori", ori_}, {"rori", rori_}, {"roriw", roriw_},
        {"slli.uw", slliuw_}, {"bclri", bclri_}, {"bexti", bexti_}, {"binvi", binvi_}, {"bseti", bseti_},
    };
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (unsigned i = 0; i < NS + 12; i++)
            for (unsigned j = 0; j < NS + 12; j++) {
                u64 a = i < NS ? SPECIAL[i] : next() >> (next() % 64), b = j < NS ? SPECIAL[j] : next() >> (next() % 64);
                out(ops[k].n, a, b, ops[k].f(a, b));
            }
    /* Loads of every width and signedness, aligned and misaligned. */
    for (int i = 0; i < 64; i++) mem[i] = (unsigned char)(0x81 + i * 37);
    for (int off = 0; off < 9; off++) {
        volatile unsigned char *p = mem + off;
        u64 v;
        asm volatile("lb %0, 0(%1)" : "=r"(v) : "r"(p)); out("lb", off, 0, v);
        asm volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(p)); out("lbu", off, 0, v);
        asm volatile("lh %0, 0(%1)" : "=r"(v) : "r"(p)); out("lh", off, 0, v);
        asm volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(p)); out("lhu", off, 0, v);
        asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(p)); out("lw", off, 0, v);
        asm volatile("lwu %0, 0(%1)" : "=r"(v) : "r"(p)); out("lwu", off, 0, v);
        asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(p)); out("ld", off, 0, v);
        asm volatile("sd %1, 8(%0)" :: "r"(p), "r"(0x1122334455667788ul) : "memory");
        asm volatile("sw %1, 16(%0)" :: "r"(p), "r"(0xaabbccddul) : "memory");
        asm volatile("sh %1, 20(%0)" :: "r"(p), "r"(0xeeffu) : "memory");
        asm volatile("sb %1, 22(%0)" :: "r"(p), "r"(0x5au) : "memory");
        asm volatile("ld %0, 16(%1)" : "=r"(v) : "r"(p)); out("st", off, 0, v);
    }
    /* AMOs (aligned): every operation, word and doubleword, old value and new memory. */
    static u64 cell __attribute__((aligned(8)));
    static const u64 AV[] = { 5, -5ul, 0x80000000, 0x7fffffff, 0xffffffff00000001 };
    for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
        u64 old;
#define AMO(insn) cell = AV[i]; asm volatile(insn " %0, %2, (%1)" : "=r"(old) : "r"(&cell), "r"(AV[j]) : "memory"); out(insn, AV[i], AV[j], old); out(insn "-mem", AV[i], AV[j], cell);
        AMO("amoswap.d") AMO("amoadd.d") AMO("amoxor.d") AMO("amoand.d") AMO("amoor.d")
        AMO("amomin.d") AMO("amomax.d") AMO("amominu.d") AMO("amomaxu.d")
        AMO("amoswap.w") AMO("amoadd.w") AMO("amoxor.w") AMO("amoand.w") AMO("amoor.w")
        AMO("amomin.w") AMO("amomax.w") AMO("amominu.w") AMO("amomaxu.w")
    }
    /* LR/SC: a successful pair, and an SC without reservation fails. */
    {
        u64 v, fail; cell = 41;
        asm volatile("lr.d %0, (%2)\n addi %0, %0, 1\n sc.d %1, %0, (%2)" : "=&r"(v), "=&r"(fail) : "r"(&cell) : "memory");
        out("lr/sc.d", v, fail, cell);
        asm volatile("sc.d %0, %1, (%2)" : "=&r"(fail) : "r"(99ul), "r"(&cell) : "memory");
        out("sc.d-no-reservation", 0, fail, cell);
        asm volatile("lr.w %0, (%2)\n addi %0, %0, -100\n sc.w %1, %0, (%2)" : "=&r"(v), "=&r"(fail) : "r"(&cell) : "memory");
        out("lr/sc.w", v, fail, cell);
    }
    /* CSRs: fcsr fields. */
    {
        u64 a, b, c;
        asm volatile("csrw fcsr, %0" :: "r"(0xfful));
        asm volatile("csrr %0, fflags\n csrr %1, frm\n csrr %2, fcsr" : "=r"(a), "=r"(b), "=r"(c));
        out("csr", a, b, c);
        asm volatile("csrrci %0, fflags, 5\n csrrsi %1, frm, 0\n csrrwi %2, frm, 2" : "=r"(a), "=r"(b), "=r"(c));
        out("csr2", a, b, c);
        asm volatile("csrr %0, fcsr" : "=r"(a));
        out("csr3", a, 0, 0);
        asm volatile("csrw fcsr, %0" :: "r"(0x1234ul));
        asm volatile("csrr %0, fcsr" : "=r"(a));
        out("csr4", a, 0, 0);
    }
    puts_("done\n");
    return 0;
}
