/* The vsyscall page (Linux's default vsyscall=xonly): static binaries built against old glibc
 * call gettimeofday at 0xffffffffff600000, time at ...400 and getcpu at ...800. Each entry is
 * called through a function pointer and checked against the system call; then a read of the
 * page, which is execute-only, must raise SIGSEGV; /proc/self/maps lists it as Linux does. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef long (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(long *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static sigjmp_buf env;
static volatile int sig, code;
static void *volatile fault_addr;
static void handler(int s, siginfo_t *info, void *context) {
    (void)context;
    sig = s;
    code = info->si_code;
    fault_addr = info->si_addr;
    siglongjmp(env, 1);
}

int main(void) {
    gettimeofday_fn vgettimeofday = (gettimeofday_fn)0xffffffffff600000ul;
    time_fn vtime = (time_fn)0xffffffffff600400ul;
    getcpu_fn vgetcpu = (getcpu_fn)0xffffffffff600800ul;

    struct timeval tv = {0, 0}, ref;
    struct timezone tz = {1, 1};
    long r = vgettimeofday(&tv, &tz);
    syscall(SYS_gettimeofday, &ref, 0);
    printf("gettimeofday: %ld, within a second %d, usec in range %d, tz %d %d\n", r,
           ref.tv_sec - tv.tv_sec <= 1 && ref.tv_sec >= tv.tv_sec, tv.tv_usec >= 0 && tv.tv_usec < 1000000,
           tz.tz_minuteswest, tz.tz_dsttime);
    printf("gettimeofday(NULL, NULL): %ld\n", vgettimeofday(0, 0));

    long t = 0, rt = vtime(&t), now = (long)syscall(SYS_time, 0);
    printf("time: result and argument agree %d, within a second %d\n", rt == t, now - rt <= 1 && now >= rt);
    printf("time(NULL) within a second %d\n", (long)syscall(SYS_time, 0) - vtime(0) <= 1);

    unsigned cpu = 999, node = 999, rcpu = 0, rnode = 0;
    r = vgetcpu(&cpu, &node, 0);
    syscall(SYS_getcpu, &rcpu, &rnode, 0);
    printf("getcpu: %ld, node %u, cpu valid %d\n", r, node, cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF) || cpu == rcpu);
    printf("getcpu(NULL, NULL): %ld\n", vgetcpu(0, 0, 0));

    /* The caller's registers (but rax) survive, as after a call. */
    long kept;
    __asm__ volatile("mov $0x1234, %%rbx\n\tmov %%rbx, %%r12\n\tmov $0xffffffffff600400, %%rax\n\txor %%edi, %%edi\n\t"
                     "call *%%rax\n\tsub %%rbx, %%r12\n\tmov %%r12, %0\n\t"
                     : "=r"(kept) : : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "memory");
    printf("callee-saved registers kept %d\n", kept == 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    sig = 0;
    if (sigsetjmp(env, 1) == 0) {
        volatile unsigned char *page = (volatile unsigned char *)0xffffffffff600000ul;
        printf("read %02x\n", page[0]);
    }
    printf("read of the page: signal %d code %d address %p\n", sig, code, fault_addr);

    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps && fgets(line, sizeof line, maps))
        if (strstr(line, "[vsyscall]")) { printf("maps: %s", line); found++; }
    printf("maps lines naming it: %d\n", found);
    if (maps) fclose(maps);
    return 0;
}
