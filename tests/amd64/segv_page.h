/* Shared by the tests that fault on purpose near a page of their own (flags_dead.c, fused_mem.c,
 * jit_faults.c): the page, the way back out of the SIGSEGV handler (siglongjmp to `back`) and the
 * handler's installation. Each test's handler prints the registers and flags it checks from its
 * ucontext. Include after `#define _GNU_SOURCE` (REG_* names). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
static unsigned char *page;

static void catch_segv(void (*handler)(int, siginfo_t *, void *)) {
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
}
