/* sysfuzz: a system-call fuzzer run as a guest (issue 15; docs/reliability.md).
 *
 *   sysfuzz SEED SECONDS [CALLS [FIRST [COUNT [v]]]]
 *
 * Forks one child per batch, for SECONDS (or COUNT batches from batch FIRST); each child issues
 * CALLS (default 300) system calls with numbers and arguments drawn from a generator seeded by
 * (SEED, batch): small integers, descriptors, -1, powers of two, random 64-bit values, pointers
 * into a scratch buffer (whose words are such values themselves, so iovecs, msghdrs and
 * structures hold pointers too) or its string table, into a read-only page, at the end of the
 * scratch buffer before an unmapped guard page, into the null page, into the program's text,
 * and unmapped or non-canonical addresses; descriptors 3 to 12 are open on a file, a directory,
 * a pipe, a socket pair, an inet socket, an eventfd, an epoll and a timerfd. A batch may die of a signal or hang (the parent kills
 * it after 3 s); the run goes on. A batch's own descendants share its process group and die with it.
 *
 * Calls left out, because they would end or hobble the fuzzer itself rather than test the
 * kernel: exit, exit_group (end the batch at once), kill, tkill, tgkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, pidfd_send_signal (a random pid or 0/-1 reaches the parent). prlimit64,
 * process_vm_readv/writev and ptrace are issued with their pid argument 0 (the batch itself),
 * for the same reason. rt_sigreturn, which ends a batch at once, is issued one time in 16.
 *
 * Prints one summary line: batches, calls, how the batches ended (exit, signals, timeouts),
 * and with `v` the batch number before each batch (to replay one: FIRST=N COUNT=1).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#define SCRATCH (64 * 1024)
#define MAX_SYSCALL 460

static uint64_t state;
static uint64_t rnd(void) {
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

static unsigned char *scratch, *readonly_page, *strings;
static const char *paths[] = {
    "/", ".", "..", "/tmp", "/tmp/f", "f", "/sysfuzz", "/etc", "/etc/motd", "/proc/self/mem",
    "/proc/self/fd/0", "/proc/self/maps", "/proc/1/mem", "/dev/null", "/dev/zero", "/dev/tty",
    "/dev/full", "/dev/urandom", "/sys", "/../../..", "/tmp/d/../../..", "", "//", "/proc",
    "/proc/self/exe", "/proc/self/cwd/..", "/tmp/link", "/dev/shm/x",
};
#define NPATHS (sizeof paths / sizeof paths[0])
static uint64_t string_at[NPATHS];

static uint64_t value(int pointers) {
    switch (rnd() % (pointers ? 16 : 9)) {
    case 0: return 0;
    case 1: return rnd() % 16;                       /* descriptors, small counts */
    case 2: return (uint64_t)-1 - rnd() % 4;
    case 3: return 1ULL << (rnd() % 64);
    case 4: return rnd();
    case 5: return rnd() & 0xffffffff;
    case 6: return rnd() % 0x10000;                   /* flags */
    case 7: return rnd() % 256;
    case 8: return rnd() % 4096;                      /* the null page */
    case 9: return (uint64_t)(scratch + rnd() % SCRATCH);
    case 10: return (uint64_t)scratch;
    case 11: return string_at[rnd() % NPATHS];
    case 12: return (uint64_t)(readonly_page + rnd() % 4096);
    case 13: return (uint64_t)(scratch + SCRATCH - 1 - rnd() % 32); /* runs into the guard page */
    case 14: return (uint64_t)&value + rnd() % 4096;  /* the program's text */
    default: return 0xffffffffffff0000ULL + rnd() % 0x10000;
    }
}

static void fill_scratch(void) {
    uint64_t *w = (uint64_t *)scratch;
    for (size_t i = 0; i < SCRATCH / 8; i++) w[i] = value(1);
}

static void on_alarm(int s) { (void)s; }

static int skipped(long nr) {
    switch (nr) {
    case SYS_exit: case SYS_exit_group: case SYS_kill: case SYS_tkill: case SYS_tgkill:
    case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo: case 424 /* pidfd_send_signal */:
        return 1;
    }
    return 0;
}

static void batch(uint64_t seed, long n, int calls) {
    state = (seed * 0x9E3779B97F4A7C15ULL) ^ (uint64_t)(n + 1) * 0xD1B54A32D192ED03ULL;
    if (state == 0) state = 1;
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0); dup2(null, 1); dup2(null, 2);
    /* Descriptors 3 to 12 of every kind the small numbers then name: a file, a directory, a pipe,
     * a socket pair, an inet socket, an eventfd, an epoll, a timerfd. */
    open("/tmp/f", O_RDWR | O_CREAT, 0644);
    open("/", O_RDONLY | O_DIRECTORY);
    int p[2]; pipe(p);
    int sv[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    socket(AF_INET, SOCK_DGRAM, 0);
    eventfd(0, 0);
    epoll_create1(0);
    timerfd_create(CLOCK_MONOTONIC, 0);
    /* A 20 ms interval timer without SA_RESTART: a blocking call returns EINTR instead of
     * stalling the batch (until the fuzzing changes the handler; the parent's timeout remains). */
    struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, 0);
    struct itimerval it = {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, 0);
    for (int i = 0; i < calls; i++) {
        if (i % 64 == 0) fill_scratch();
        long nr = (long)(rnd() % MAX_SYSCALL);
        if (rnd() % 4 == 0) nr = (long)(rnd() % 300); /* the numbers most calls have */
        if (skipped(nr)) continue;
        /* rt_sigreturn jumps to whatever the stack holds: the batch dies at once (SIGSEGV mostly);
         * issued one time in 16 it was drawn, so batches get deeper. */
        if (nr == SYS_rt_sigreturn && rnd() % 16) continue;
        uint64_t a[6];
        for (int k = 0; k < 6; k++) a[k] = value(1);
        if (nr == SYS_prlimit64 || nr == SYS_process_vm_readv || nr == SYS_process_vm_writev || nr == SYS_ptrace)
            a[nr == SYS_ptrace ? 1 : 0] = 0;
        long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r == 0 && (nr == SYS_clone || nr == SYS_clone3) && getpid() != getpgid(0))
            _exit(0); /* a forked copy (sharing memory or not) does not go on fuzzing */
    }
}

static double now(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: sysfuzz SEED SECONDS [CALLS [FIRST [COUNT [v]]]]\n"); return 64; }
    uint64_t seed = strtoull(argv[1], 0, 0);
    double seconds = atof(argv[2]);
    int calls = argc > 3 ? atoi(argv[3]) : 300;
    long first = argc > 4 ? atol(argv[4]) : 0;
    long count = argc > 5 ? atol(argv[5]) : -1;
    int verbose = argc > 6 && argv[6][0] == 'v';
    scratch = mmap(0, SCRATCH + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    readonly_page = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strings = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED || readonly_page == MAP_FAILED || strings == MAP_FAILED) { perror("mmap"); return 1; }
    munmap(scratch + SCRATCH, 4096); /* the guard page */
    size_t at = 0;
    for (size_t i = 0; i < NPATHS; i++) {
        string_at[i] = (uint64_t)(strings + at);
        memcpy(strings + at, paths[i], strlen(paths[i]) + 1);
        at += strlen(paths[i]) + 1;
    }
    long batches = 0, exited = 0, timeouts = 0, forkfail = 0;
    long signals[65] = {0};
    double began = now();
    for (long n = first; count < 0 ? now() - began < seconds : n < first + count; n++) {
        if (verbose) { printf("batch %ld\n", n); fflush(stdout); }
        pid_t pid = fork();
        if (pid < 0) { forkfail++; usleep(10000); continue; }
        if (pid == 0) { batch(seed, n, calls); _exit(0); }
        batches++;
        double deadline = now() + 3;
        int status = 0, done = 0;
        while (!done) {
            pid_t r = waitpid(-1, &status, WNOHANG);
            if (r == pid) { done = 1; break; }
            if (r > 0) continue; /* an adopted orphan */
            if (now() > deadline) { kill(-pid, SIGKILL); kill(pid, SIGKILL); waitpid(pid, &status, 0); timeouts++; done = 2; break; }
            usleep(2000);
        }
        kill(-pid, SIGKILL); /* what the batch left running */
        while (waitpid(-1, 0, WNOHANG) > 0) {}
        if (done == 1) {
            if (WIFEXITED(status)) exited++;
            else if (WIFSIGNALED(status)) signals[WTERMSIG(status) & 63]++;
        }
    }
    printf("sysfuzz: seed %llu: %ld batches of %d calls, %ld exited, %ld timed out, %ld fork failures, signals:",
           (unsigned long long)seed, batches, calls, exited, timeouts, forkfail);
    for (int s = 1; s < 65; s++) if (signals[s]) printf(" %d:%ld", s, signals[s]);
    printf("\n");
    return 0;
}
