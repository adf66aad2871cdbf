/* Jumps, calls and returns between code pages (the interpreter's switch between the page it runs
 * in and the one it left last, without a look-up: X86Interpreter.swift, `otherBase`). Three code
 * pages X, Y and W of a writable and executable section: calls X -> Y -> X with a call inside Y
 * (the return address it pushes comes from Y's page base), a rotation X -> Y -> X -> W -> Y, code
 * on Y patched by a store from X between two calls (the second must run the new code), a load
 * that faults and a ud2 on Y reached by a switch (si_addr, rip and the return address pushed on
 * X), and a loop made only of jumps between X and Y that must stop when a timer's signal
 * arrives (the switch must count the budget, or the signal is never delivered). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <ucontext.h>

volatile int stop_flag;

int px_call(int n);
int px_patch(int v);
int px_rotate(int n);
void px_ping(void);
long px_fault(long *address);
void px_ill(void);
extern unsigned char page_x[], page_y[], page_w[];

__asm__(
    ".pushsection .twopages,\"awx\",@progbits\n"
    ".balign 4096\n"
    "page_x:\n"
    /* int px_call(int n): sum of py_triple(i) + 1 for i = n..1 */
    "px_call:\n"
    "  push %rbx\n  push %r12\n  mov %edi,%ebx\n  xor %r12d,%r12d\n"
    "1: test %ebx,%ebx\n  je 2f\n  mov %ebx,%edi\n  call py_triple\n  add %eax,%r12d\n"
    "  dec %ebx\n  jmp 1b\n"
    "2: mov %r12d,%eax\n  pop %r12\n  pop %rbx\n  ret\n"
    /* int px_patch(int v): py_imm() before and after storing v into its immediate, from here */
    "px_patch:\n"
    "  push %rbx\n  push %r12\n  mov %edi,%r12d\n"
    "  call py_imm\n  mov %eax,%ebx\n"
    "  call py_local\n"                      /* to Y and back: Y is the page left last */
    "  mov %r12d,py_imm+1(%rip)\n"           /* the store into Y's code */
    "  call py_imm\n"
    "  imul $1000,%ebx,%ebx\n  add %ebx,%eax\n  pop %r12\n  pop %rbx\n  ret\n"
    /* int px_rotate(int n): X -> Y -> X -> W -> Y -> W -> X, n times */
    "px_rotate:\n"
    "  push %rbx\n  push %r12\n  mov %edi,%ebx\n  xor %r12d,%r12d\n"
    "1: mov %ebx,%edi\n  call py_triple\n  add %eax,%r12d\n  mov %r12d,%edi\n  call pw_mix\n"
    "  mov %eax,%r12d\n  dec %ebx\n  jne 1b\n"
    "  mov %r12d,%eax\n  pop %r12\n  pop %rbx\n  ret\n"
    /* void px_ping(void): jumps between X and Y until stop_flag is set */
    "px_ping:\n"
    ".globl px_ping_head\n"
    "px_ping_head:\n"
    "  cmpl $0,stop_flag(%rip)\n  jne 1f\n  jmp py_pong\n"
    "1: ret\n"
    /* long px_fault(long *a): to Y and back, then a load from a on Y */
    "px_fault:\n"
    "  push %rdi\n  xor %eax,%eax\n  call py_local\n  pop %rdi\n  call py_load\n  ret\n"
    "px_ill:\n"
    "  sub $8,%rsp\n  xor %eax,%eax\n  call py_local\n  call py_ud2\n  add $8,%rsp\n  ret\n"
    ".balign 4096\n"
    "page_y:\n"
    "py_triple:\n  lea (%rdi,%rdi,2),%eax\n  call py_local\n  ret\n"
    "py_local:\n  add $1,%eax\n  ret\n"
    "py_imm:\n  mov $5,%eax\n  ret\n"
    "py_pong:\n  jmp px_ping_head\n"
    "py_load:\n  mov (%rdi),%rax\n  ret\n"
    "py_ud2:\n  ud2\n"
    "py_from_w:\n  lea 7(%rdi),%eax\n  ret\n"
    ".balign 4096\n"
    "page_w:\n"
    "pw_mix:\n  call py_from_w\n  xor $0x55,%eax\n  ret\n"
    ".balign 4096\n"
    ".popsection\n");

static sigjmp_buf back;

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    uintptr_t rip = uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t ret = *(uintptr_t *)uc->uc_mcontext.gregs[REG_RSP];
    uintptr_t addr = (uintptr_t)si->si_addr - (sig == SIGILL ? (uintptr_t)page_y : 0);
    printf("signal %d si_addr %s%#lx rip Y+%#lx return X+%#lx\n", sig, sig == SIGILL ? "Y+" : "", (unsigned long)addr,
           (unsigned long)(rip - (uintptr_t)page_y), (unsigned long)(ret - (uintptr_t)page_x));
    siglongjmp(back, 1);
}

static void on_alarm(int sig) { (void)sig; stop_flag = 1; }

int main(void) {
    for (int n = 0; n < 5; n++) printf("px_call(%d) = %d\n", n * 7, px_call(n * 7));
    for (int n = 1; n < 4; n++) printf("px_rotate(%d) = %d\n", n * 5, px_rotate(n * 5));
    for (int v = 1; v <= 4; v++) printf("px_patch(%d) = %d\n", v * 11, px_patch(v * 11));

    struct sigaction sa = {0};
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGILL, &sa, 0);
    for (int i = 0; i < 3; i++) {
        long x = 1234 + i;
        if (!sigsetjmp(back, 1)) printf("px_fault(&x) = %ld\n", px_fault(&x));
        if (!sigsetjmp(back, 1)) printf("px_fault(bad) = %ld\n", px_fault((long *)(uintptr_t)(0x7000 + 8 * i)));
        if (!sigsetjmp(back, 1)) { px_ill(); printf("no SIGILL\n"); }
    }

    signal(SIGALRM, on_alarm);
    struct itimerval t = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &t, 0);
    px_ping();
    printf("ping stopped: %d\n", stop_flag);
    return 0;
}
