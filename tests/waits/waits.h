/* Shared helpers of the timed-wait programs (the .c files here): a monotonic clock in ms and a check
   that a wait lasted at least what was asked and not much more. Only facts that do not depend on
   the machine's speed are printed (a wait's lateness is judged against a generous bound, for
   loaded CI machines), so the output can be compared with qemu's. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* How late a wait may end (ms): scheduling on a loaded 2-core machine, not the emulator's ticks. */
#define SLACK_MS 250.0

static inline double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Prints what a call returned and whether it took [asked, asked + SLACK_MS) ms. */
static inline void report(const char *what, long ret, int err, double started, double asked) {
    double took = now_ms() - started;
    printf("%-40s ret %ld errno %-10s %s\n", what, ret, ret < 0 ? strerrorname_np(err) : "-",
           took + 0.05 < asked ? "EARLY" : took < asked + SLACK_MS ? "on time" : "LATE");
    fflush(stdout);
}

/* Signal dispositions and the mask are set explicitly: nothing inherited is relied on. */
static inline void reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < 32; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
}

static inline void on_signal(int sig, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* The time `ms` milliseconds from now on `clock` (for absolute deadlines). */
static inline struct timespec after_ms(clockid_t clock, long ms) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
    return ts;
}

static inline void arm_real_timer(long ms) {
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}
