/* F/D arithmetic: fadd/fsub/fmul/fdiv (all operand pairs) and fsqrt, single and double, in every
 * static rounding mode and with dyn under every frm value. Prints result bits and fflags. */
#include "isa.h"

#define DEF_RM(rm)                                                                             \
    FOP2(fadd_d_##rm, "fadd.d", d, "," #rm) FOP2(fadd_s_##rm, "fadd.s", s, "," #rm)            \
    FOP2(fsub_d_##rm, "fsub.d", d, "," #rm) FOP2(fsub_s_##rm, "fsub.s", s, "," #rm)            \
    FOP2(fmul_d_##rm, "fmul.d", d, "," #rm) FOP2(fmul_s_##rm, "fmul.s", s, "," #rm)            \
    FOP2(fdiv_d_##rm, "fdiv.d", d, "," #rm) FOP2(fdiv_s_##rm, "fdiv.s", s, "," #rm)            \
    FOP1(fsqrt_d_##rm, "fsqrt.d", d, "," #rm) FOP1(fsqrt_s_##rm, "fsqrt.s", s, "," #rm)
FOR_EACH_RM(DEF_RM)

typedef res_t (*f2_t)(uint64_t, uint64_t);
typedef res_t (*f1_t)(uint64_t);
struct op2 { const char *name; f2_t d, s; };
struct op1 { const char *name; f1_t d, s; };

#define OPS2_RM(rm)                                                                            \
    {{"fadd", fadd_d_##rm, fadd_s_##rm}, {"fsub", fsub_d_##rm, fsub_s_##rm},                   \
     {"fmul", fmul_d_##rm, fmul_s_##rm}, {"fdiv", fdiv_d_##rm, fdiv_s_##rm}},
#define OPS1_RM(rm) {"fsqrt", fsqrt_d_##rm, fsqrt_s_##rm},
static const struct op2 ops2[6][4] = {FOR_EACH_RM(OPS2_RM)};
static const struct op1 ops1[6] = {FOR_EACH_RM(OPS1_RM)};

static void run_rm(int rmi, const char *label) {
    for (int o = 0; o < 4; o++) {
        for (int i = 0; i < NELEM(d_vals); i++)
            for (int j = 0; j < NELEM(d_vals); j++) {
                res_t r = ops2[rmi][o].d(d_vals[i], d_vals[j]);
                printf("%s.d %s %016llx %016llx -> %016llx %s\n", ops2[rmi][o].name, label,
                       (unsigned long long)d_vals[i], (unsigned long long)d_vals[j],
                       (unsigned long long)r.v, flag_str(r.f));
            }
        for (int i = 0; i < NELEM(s_vals); i++)
            for (int j = 0; j < NELEM(s_vals); j++) {
                res_t r = ops2[rmi][o].s(s_vals[i], s_vals[j]);
                printf("%s.s %s %08llx %08llx -> %016llx %s\n", ops2[rmi][o].name, label,
                       (unsigned long long)s_vals[i], (unsigned long long)s_vals[j],
                       (unsigned long long)r.v, flag_str(r.f));
            }
    }
    for (int i = 0; i < NELEM(d_vals); i++) {
        res_t r = ops1[rmi].d(d_vals[i]);
        printf("fsqrt.d %s %016llx -> %016llx %s\n", label, (unsigned long long)d_vals[i],
               (unsigned long long)r.v, flag_str(r.f));
    }
    for (int i = 0; i < NELEM(s_vals); i++) {
        res_t r = ops1[rmi].s(s_vals[i]);
        printf("fsqrt.s %s %08llx -> %016llx %s\n", label, (unsigned long long)s_vals[i],
               (unsigned long long)r.v, flag_str(r.f));
    }
}

int main(void) {
    /* Static rounding modes; frm set to something else so a wrong "use frm" shows. */
    write_frm(4);
    for (int rm = 0; rm < 5; rm++) run_rm(rm, rm_names[rm]);
    /* Dynamic rounding mode under every valid frm. */
    for (int frm = 0; frm < 5; frm++) {
        char label[16];
        write_frm(frm);
        snprintf(label, sizeof label, "dyn=%s", rm_names[frm]);
        run_rm(5, label);
    }
    /* Extra cases that the table misses: exact cancellation sign, overflow/underflow edges. */
    static const uint64_t pairs[][2] = {
        {0x3ff0000000000000ull, 0x3ff0000000000000ull}, /* 1 - 1 = +0 except RDN -> -0 */
        {0x7fe0000000000000ull, 0x7fe0000000000000ull}, /* overflow in add */
        {0x0010000000000001ull, 0x0010000000000000ull}, /* subnormal difference */
        {0x3ff0000000000000ull, 0x3ca0000000000000ull}, /* 1 + half ulp: ties */
        {0x3ff0000000000001ull, 0x3ca0000000000000ull}, /* odd + half ulp */
    };
    for (int frm = 0; frm < 5; frm++) {
        write_frm(frm);
        for (int k = 0; k < NELEM(pairs); k++) {
            res_t a = fsub_d_dyn(pairs[k][0], pairs[k][1]);
            res_t b = fadd_d_dyn(pairs[k][0], pairs[k][1]);
            printf("edge frm=%d %016llx %016llx sub=%016llx %s add=%016llx %s\n", frm,
                   (unsigned long long)pairs[k][0], (unsigned long long)pairs[k][1],
                   (unsigned long long)a.v, flag_str(a.f), (unsigned long long)b.v, flag_str(b.f));
        }
    }
    return 0;
}
