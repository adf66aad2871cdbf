/* Branches from a compiled block to one of its own instructions (not its entry), compared with
 * qemu: the native tier jumps there inside the block instead of leaving, turning the registers
 * as they are at the branch into what the target's code expects, and keeping the instruction
 * budget exact. Checked here:
 * - mix_loop: a loop whose body has an `if` (a forward branch to the join inside the loop's
 *   block) with 15 live registers (more than the host registers). Its loop head is one block
 *   (a loop: registers fixed) and the function's entry is another that holds the whole loop as a
 *   backward branch to an instruction of its own (registers loaded as first used: the jump's stub
 *   stores and loads them). The first load off a1 inside the `if` and another after the join (a
 *   probe shared across the join would be skipped with the `if`: the first iteration skips it,
 *   and calls alternate between two pages, so a stale probe reads the wrong one). Results of many calls hashed; then loads that fault (PROT_NONE) after the join and
 *   inside the `if`: SIGSEGV with the exact pc, si_addr and every register from the handler's
 *   ucontext, recovered with siglongjmp.
 * - wait_flag: an inner loop that only a signal ends (a flag set by SIGALRM's handler): the
 *   backward branch inside the block must count instructions against the budget, or compiled
 *   code never yields and the signal is never delivered (a hang). */
#include "isa.h"
#include "segv_regs.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>

/* mix_loop(n, p, out): n > 0 iterations over 32-byte elements of p; out[0..10] the results. */
void mix_loop(uint64_t n, const uint64_t *p, uint64_t *out);
extern const char mix_if_load[], mix_join_load[];
__asm__(".text\n"
        ".globl mix_loop\n"
        "mix_loop:\n\t"
        "addi sp,sp,-16\n\t"
        "sd s1,0(sp)\n\tsd s2,8(sp)\n\t"
        "li t0,0\n\tli t1,0\n\tli t2,0x1234\n\tli t3,0\n\tli t4,7\n\tli t5,0\n\tli t6,0\n\t"
        "li s1,1\n\tli s2,2\n\tmv a5,a1\n"
        "1:\n\t"
        "ld a6,0(a5)\n\t"
        "andi a7,a6,1\n\t"
        "beqz a7,2f\n\t"
        "xor t0,t0,a6\n\t"
        "addi t1,t1,3\n\t"
        "slli t2,t2,1\n\t"
        ".globl mix_if_load\n"
        "mix_if_load:\n\t"
        "ld t5,16(a1)\n\t"
        "add s1,s1,t5\n"
        "2:\n\t"
        "add t3,t3,a6\n\t"
        "add t4,t4,t3\n\t"
        ".globl mix_join_load\n"
        "mix_join_load:\n\t"
        "ld t6,24(a1)\n\t"
        "xor s2,s2,t6\n\t"
        "addi a0,a0,-1\n\t"
        "addi a1,a1,32\n\t"
        "mv a5,a1\n\t"
        "bnez a0,1b\n\t"
        "sd t0,0(a2)\n\tsd t1,8(a2)\n\tsd t2,16(a2)\n\tsd t3,24(a2)\n\tsd t4,32(a2)\n\tsd t5,40(a2)\n\t"
        "sd t6,48(a2)\n\tsd s1,56(a2)\n\tsd s2,64(a2)\n\tsd a6,72(a2)\n\tsd a7,80(a2)\n\t"
        "ld s1,0(sp)\n\tld s2,8(sp)\n\t"
        "addi sp,sp,16\n\t"
        "ret\n");

/* wait_flag(flag): spins until *flag != 0; returns the number of checks. */
uint64_t wait_flag(volatile int *flag);
__asm__(".text\n"
        ".globl wait_flag\n"
        "wait_flag:\n\t"
        "li a1,0\n"
        "1:\n\t"
        "lw t0,0(a0)\n\t"
        "addi a1,a1,1\n\t"
        "beqz t0,1b\n\t"
        "mv a0,a1\n\t"
        "ret\n");

/* The registers mix_loop computes in and a0, as ucontext indices (x1..x31 at 1..31). */
static const int regs[12] = {5, 6, 7, 28, 29, 30, 31, 9, 18, 16, 17, 10};

static volatile int flag;

static void on_alarm(int sig) {
    (void)sig;
    flag = 1;
}

static uint64_t data[64 * 4];

int main(void) {
    uint64_t seed = 0x2545f4914f6cdd1dull, out[11], h = 0;
    for (int k = 0; k < NELEM(data); k++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        data[k] = seed >> 7;
    }
    /* A second copy in another page (other values): calls alternate between them, so a probe
     * shared across the join would find the other page's addend when the `if` is skipped. */
    uint64_t *other = mmap(0, sizeof data, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int k = 0; k < NELEM(data); k++) other[k] = data[k] ^ 0x5a5a5a5a00000000ull;
    for (int k = 0; k < 16; k += 4) data[k] &= ~1ull, other[k] &= ~1ull; /* first iterations skip the `if` */
    /* Hot: compiled after a few calls (the tests' threshold) or 256 (the default); the loop
     * runs long enough to spend the budget in some calls. */
    for (uint64_t i = 0; i < 1500; i++) {
        uint64_t n = 1 + i % 17, first = (i / 2 % 4) * 4;
        if (i % 100 == 99) n = 48;
        mix_loop(n, (i % 2 ? other : data) + first, out);
        for (int k = 0; k < 11; k++) h = h * 31 + out[k];
    }
    printf("mix h=%016llx\n", (unsigned long long)h);

    catch_segv();
    uint8_t *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(page + 4096, 4096, PROT_NONE);
    for (int k = 0; k < 512; k++) ((uint64_t *)page)[k] = data[k % NELEM(data)] + k;
    /* Starts m elements before the element whose later words are in the PROT_NONE page: the last
     * element's word 0 even (the `if` skipped: the fault after the join) or odd (the fault inside
     * the `if`, at 16 when the start is 16 before the end). */
    for (int m = 0; m < 4; m++) {
        for (int odd = 0; odd < 2; odd++) {
            uint64_t *last = (uint64_t *)(page + 4096 - (odd ? 16 : 24));
            *last = (*last & ~1ull) | (uint64_t)odd;
            const uint64_t *p = last - 4 * m;
            if (!sigsetjmp(env, 1)) {
                mix_loop(m + 2, p, out);
                printf("fault m=%d odd=%d: no fault\n", m, odd);
            } else {
                printf("fault m=%d odd=%d: at if %d join %d, addr page+%lld, a1 page+%lld:", m, odd,
                       fault_pc == (uint64_t)mix_if_load, fault_pc == (uint64_t)mix_join_load,
                       (long long)(fault_addr - (uint64_t)page), (long long)(fault_regs[11] - (uint64_t)page));
                for (int k = 0; k < 12; k++) printf(" %llx", (unsigned long long)fault_regs[regs[k]]);
                printf("\n");
            }
        }
    }

    signal(SIGALRM, on_alarm);
    flag = 1;
    uint64_t checks = 0;
    for (int i = 0; i < 600; i++) checks += wait_flag(&flag);
    printf("wait_flag set: %llu checks\n", (unsigned long long)checks);
    flag = 0;
    struct itimerval t = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &t, 0);
    printf("wait_flag woken: %d\n", wait_flag(&flag) > 0);
    return 0;
}
