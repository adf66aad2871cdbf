/* Fused multiply-add family (fmadd, fmsub, fnmsub, fnmadd), single and double, over operand
 * triples from a smaller value set, in every static rounding mode and dyn under every frm. */
#include "isa.h"

#define DEF_RM(rm)                                                                             \
    FOP3(fmadd_d_##rm, "fmadd.d", d, "," #rm) FOP3(fmadd_s_##rm, "fmadd.s", s, "," #rm)        \
    FOP3(fmsub_d_##rm, "fmsub.d", d, "," #rm) FOP3(fmsub_s_##rm, "fmsub.s", s, "," #rm)        \
    FOP3(fnmsub_d_##rm, "fnmsub.d", d, "," #rm) FOP3(fnmsub_s_##rm, "fnmsub.s", s, "," #rm)    \
    FOP3(fnmadd_d_##rm, "fnmadd.d", d, "," #rm) FOP3(fnmadd_s_##rm, "fnmadd.s", s, "," #rm)
FOR_EACH_RM(DEF_RM)

typedef res_t (*f3_t)(uint64_t, uint64_t, uint64_t);
struct op3 { const char *name; f3_t d, s; };
#define OPS_RM(rm)                                                                             \
    {{"fmadd", fmadd_d_##rm, fmadd_s_##rm}, {"fmsub", fmsub_d_##rm, fmsub_s_##rm},             \
     {"fnmsub", fnmsub_d_##rm, fnmsub_s_##rm}, {"fnmadd", fnmadd_d_##rm, fnmadd_s_##rm}},
static const struct op3 ops[6][4] = {FOR_EACH_RM(OPS_RM)};

static const uint64_t dv[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff0000000000001ull, 0x3fefffffffffffffull, 0x7fefffffffffffffull, 0x0000000000000001ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
    0x3fd5555555555555ull,
};
static const uint64_t sv[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f800001, 0x3f7fffff, 0x7f7fffff,
    0x00000001, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x3eaaaaab,
};

/* Full lines for two rounding configurations; for the others one line per (op, first operand)
 * with an FNV-1a hash over the results and flags of all (b, c) pairs, to keep the output small. */
static uint64_t fnv(uint64_t h, uint64_t x) {
    for (int i = 0; i < 8; i++) h = (h ^ ((x >> (8 * i)) & 0xff)) * 0x100000001b3ull;
    return h;
}

static void run(int rmi, const char *label, int detail) {
    for (int o = 0; o < 4; o++)
        for (int p = 0; p < 2; p++) {
            const uint64_t *v = p ? sv : dv;
            int n = p ? NELEM(sv) : NELEM(dv);
            f3_t fn = p ? ops[rmi][o].s : ops[rmi][o].d;
            for (int i = 0; i < n; i++) {
                uint64_t h = 0xcbf29ce484222325ull;
                for (int j = 0; j < n; j++)
                    for (int k = 0; k < n; k++) {
                        res_t r = fn(v[i], v[j], v[k]);
                        if (detail)
                            printf("%s.%c %s %016llx %016llx %016llx -> %016llx %s\n",
                                   ops[rmi][o].name, p ? 's' : 'd', label, (unsigned long long)v[i],
                                   (unsigned long long)v[j], (unsigned long long)v[k],
                                   (unsigned long long)r.v, flag_str(r.f));
                        h = fnv(fnv(h, r.v), r.f);
                    }
                if (!detail)
                    printf("%s.%c %s %016llx * all * all -> hash %016llx\n", ops[rmi][o].name,
                           p ? 's' : 'd', label, (unsigned long long)v[i], (unsigned long long)h);
            }
        }
}

int main(void) {
    write_frm(3);
    for (int rm = 0; rm < 5; rm++) run(rm, rm_names[rm], rm == 0);
    for (int frm = 0; frm < 5; frm++) {
        char label[16];
        write_frm(frm);
        snprintf(label, sizeof label, "dyn=%s", rm_names[frm]);
        run(5, label, frm == 2);
    }
    /* The fused product is not rounded: (1+2^-52)(1-2^-53) - 1 is exactly 2^-53 - 2^-105. */
    write_frm(0);
    res_t r = fmadd_d_dyn(0x3ff0000000000001ull, 0x3feffffffffffffeull + 1, 0xbff0000000000000ull);
    printf("fused %016llx %s\n", (unsigned long long)r.v, flag_str(r.f));
    return 0;
}
