/* Shared by fpe_sse.c and fpe_x87.c: a SIGFPE handler's common record (si_code, si_addr and the
 * interrupted rip relative to `label`, the address of the instruction expected to trap), the
 * way out of it (siglongjmp), and the loop over instructions x settings x operand pairs. */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile int trapped, code;
static volatile long addr_delta, rip_delta;
static void *volatile label;

static void record_trap(const siginfo_t *info, const ucontext_t *uc) {
    trapped = 1;
    code = info->si_code;
    addr_delta = (char *)info->si_addr - (char *)label;
    rip_delta = (char *)uc->uc_mcontext.gregs[REG_RIP] - (char *)label;
}

static void catch_sigfpe(void (*handler)(int, siginfo_t *, void *)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, 0);
}

/* one(k, s, i, j) for every instruction k < ops, setting s < settings and operand pair; the
 * number of cases that trapped. */
static int every_case(unsigned ops, unsigned settings, unsigned values, void (*one)(unsigned, unsigned, unsigned, unsigned)) {
    int traps = 0;
    for (unsigned k = 0; k < ops; k++)
        for (unsigned s = 0; s < settings; s++)
            for (unsigned i = 0; i < values; i++)
                for (unsigned j = 0; j < values; j++) {
                    one(k, s, i, j);
                    traps += trapped;
                }
    return traps;
}
