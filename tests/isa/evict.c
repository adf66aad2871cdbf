/* Blocks with more live guest registers than the native tier's host registers, compiled at the
 * tier's threshold and compared with qemu: straight-line code keeps the registers used soonest
 * in host registers and writes the others back as it evicts them, so wherever compiled code is
 * left the register file must be exact:
 * - a side exit (a taken branch) in the middle of 23 live values, the target storing them all;
 * - a load that faults in the middle of them (PROT_NONE): SIGSEGV with the exact pc and si_addr,
 *   the handler printing every register from its ucontext, recovered with siglongjmp;
 * - loads off one base before and after stores through others (the epilogue's restores after the
 *   results are stored): one TLB probe shared across the stores. */
#include "isa.h"
#include "segv_regs.h"
#include <signal.h>
#include <sys/mman.h>

/* spill_mix(x, p, out): 23 values derived from x in t0-t6, a3-a7, s1-s11; a side exit when
 * x & 16; a load of *p (p may fault) mixed into them; all 23 stored to out[0..22]. */
void spill_mix(uint64_t x, uint64_t *p, uint64_t *out);
extern const char spill_mix_load[];
__asm__(".text\n"
        ".globl spill_mix\n"
        "spill_mix:\n\t"
        "addi sp,sp,-96\n\t"
        "sd s1,0(sp)\n\tsd s2,8(sp)\n\tsd s3,16(sp)\n\tsd s4,24(sp)\n\tsd s5,32(sp)\n\tsd s6,40(sp)\n\t"
        "sd s7,48(sp)\n\tsd s8,56(sp)\n\tsd s9,64(sp)\n\tsd s10,72(sp)\n\tsd s11,80(sp)\n\t"
        "addi t0,a0,1\n\txori t1,a0,0x55\n\tslli t2,a0,3\n\tadd t3,t0,t1\n\tsub t4,t2,t0\n\t"
        "srli t5,a0,7\n\tor t6,t3,t5\n\taddi a3,t4,100\n\txor a4,t6,a3\n\tadd a5,a4,t0\n\t"
        "slli a6,a5,1\n\tsub a7,a6,t1\n\taddi s1,a7,-3\n\txor s2,s1,t2\n\tadd s3,s2,t3\n\t"
        "srli s4,s3,2\n\tor s5,s4,t4\n\tadd s6,s5,t5\n\txor s7,s6,t6\n\taddi s8,s7,11\n\t"
        "add s9,s8,a3\n\txor s10,s9,a4\n\tadd s11,s10,a5\n\t"
        "andi a0,a0,16\n\t"
        "bnez a0,2f\n\t"
        "add t0,t0,s11\n\txor t1,t1,s10\n\tadd t2,t2,s9\n\tsub t3,t3,s8\n\t"
        ".globl spill_mix_load\n"
        "spill_mix_load:\n\t"
        "ld a0,0(a1)\n\t"
        "add t4,t4,a0\n\txor t5,t5,a0\n\tadd s1,s1,t0\n\tadd s2,s2,t1\n\txor s3,s3,t2\n\t"
        "add s4,s4,t3\n\tsub s5,s5,t4\n\tadd s6,s6,t5\n\txor s7,s7,t6\n\tadd a3,a3,s11\n"
        "2:\n\t"
        "sd t0,0(a2)\n\tsd t1,8(a2)\n\tsd t2,16(a2)\n\tsd t3,24(a2)\n\tsd t4,32(a2)\n\tsd t5,40(a2)\n\t"
        "sd t6,48(a2)\n\tsd a3,56(a2)\n\tsd a4,64(a2)\n\tsd a5,72(a2)\n\tsd a6,80(a2)\n\tsd a7,88(a2)\n\t"
        "sd s1,96(a2)\n\tsd s2,104(a2)\n\tsd s3,112(a2)\n\tsd s4,120(a2)\n\tsd s5,128(a2)\n\t"
        "sd s6,136(a2)\n\tsd s7,144(a2)\n\tsd s8,152(a2)\n\tsd s9,160(a2)\n\tsd s10,168(a2)\n\t"
        "sd s11,176(a2)\n\t"
        "ld s1,0(sp)\n\tld s2,8(sp)\n\tld s3,16(sp)\n\tld s4,24(sp)\n\tld s5,32(sp)\n\tld s6,40(sp)\n\t"
        "ld s7,48(sp)\n\tld s8,56(sp)\n\tld s9,64(sp)\n\tld s10,72(sp)\n\tld s11,80(sp)\n\t"
        "addi sp,sp,96\n\t"
        "ret\n");

/* The registers spill_mix computes in (out's order) and a0, as ucontext indices (x1..x31 at
 * 1..31). */
static const int regs[24] = {5, 6, 7, 28, 29, 30, 31, 13, 14, 15, 16, 17, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 10};

int main(void) {
    static uint64_t data = 0x0123456789abcdefull;
    uint64_t out[23], h = 0;
    /* Hot: compiled after a few calls (the tests' threshold) or 256 (the default). */
    for (uint64_t i = 0; i < 600; i++) {
        data = data * 6364136223846793005ull + i;
        spill_mix(i * 0x9e3779b97f4a7c15ull, &data, out);
        for (int k = 0; k < 23; k++) h = h * 31 + out[k];
    }
    printf("mix h=%016llx\n", (unsigned long long)h);
    for (uint64_t x = 0; x < 4; x++) {
        spill_mix(x * 0x1111 + 16, &data, out);
        printf("exit x=%llu:", (unsigned long long)x);
        for (int k = 0; k < 23; k++) printf(" %llx", (unsigned long long)out[k]);
        printf("\n");
    }

    catch_segv();
    uint8_t *page = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (uint64_t x = 0; x < 3; x++) {
        if (!sigsetjmp(env, 1)) {
            spill_mix(x * 0x2222 + 0x40, (uint64_t *)(page + 8 * x), out);
            printf("fault x=%llu: no fault\n", (unsigned long long)x);
        } else {
            printf("fault x=%llu: at spill_mix_load %d, addr page+%lld:", (unsigned long long)x,
                   fault_pc == (uint64_t)spill_mix_load, (long long)(fault_addr - (uint64_t)page));
            for (int k = 0; k < 24; k++) printf(" %llx", (unsigned long long)fault_regs[regs[k]]);
            printf("\n");
        }
    }
    return 0;
}
