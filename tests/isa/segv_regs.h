/* SIGSEGV caught with the faulting pc, si_addr, si_code and every register from the handler's ucontext,
 * recovered with siglongjmp (tests that check compiled code leaves an exact register file where a
 * load faults):
 *     catch_segv();
 *     if (!sigsetjmp(env, 1)) { ...access that may fault... } else { ...fault_pc, fault_addr, fault_code, fault_regs... } */
#ifndef SKIFF_SEGV_REGS_H
#define SKIFF_SEGV_REGS_H
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
/* x1..x31 at 1..31 (REG_PC at 0). */
static uint64_t fault_regs[32];
static volatile uint64_t fault_pc, fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    fault_addr = (uint64_t)si->si_addr;
    fault_code = si->si_code;
    memcpy(fault_regs, ((ucontext_t *)uc)->uc_mcontext.__gregs, sizeof fault_regs);
    fault_pc = fault_regs[REG_PC];
    siglongjmp(env, 1);
}

static void catch_segv(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
}
/* One line for a caught fault: the pc relative to `start`, si_addr and t0-t5 (x5-x7, x28-x30). */
static void print_fault_temps(const char *name, int width, uint64_t start) {
    printf("%-*s pc=+%lld addr=%llx t0=%llx t1=%llx t2=%llx t3=%llx t4=%llx t5=%llx\n", width, name,
           (long long)(fault_pc - start), (unsigned long long)fault_addr,
           (unsigned long long)fault_regs[5], (unsigned long long)fault_regs[6],
           (unsigned long long)fault_regs[7], (unsigned long long)fault_regs[28],
           (unsigned long long)fault_regs[29], (unsigned long long)fault_regs[30]);
}
/* Runs `setup` then, from label 1, `shape` (assembly text; operands [ro] and [ok] are
 * `ro_value` and `ok_value`) with t0-t5 cleared first, and prints the fault it raises with
 * print_fault_temps, its pc relative to label 1. */
static uint64_t fault_start;
#define FAULT_TEMPS(name, width, setup, shape, ro_value, ok_value)                            \
    do {                                                                                           \
        if (!sigsetjmp(env, 1))                                                                    \
            __asm__ volatile("lla t6,1f\n\tsd t6,%[st]\n\tli t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\t"   \
                             "li t4,0\n\tli t5,0\n\t" setup "\n1:\n\t" shape                 \
                             : [st] "=m"(fault_start) : [ro] "r"(ro_value), [ok] "r"(ok_value)      \
                             : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");                 \
        print_fault_temps(name, width, fault_start);                                               \
    } while (0)
#endif
