/* Threads waking threads: a futex wait ended by another thread's FUTEX_WAKE, a blocking read, a
   poll and an epoll_wait ended by a write from another thread (long before their timeouts), a
   condition variable's timed wait that times out; a sleeper's deadlines kept while another
   thread computes; a process-directed signal taken by the one thread waiting for it in
   sigwaitinfo while another thread's poll goes on; pthread_kill ending one thread's read. */
// cflags: -pthread
#include "waits.h"
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

static void sleep_ms(long ms) {
    struct timespec d = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&d, NULL);
}

static uint32_t word;
static int p[2];
static int ep;
static long result;
static int result_errno;

static void *futex_waiter(void *arg) {
    (void)arg;
    result = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    result_errno = errno;
    return NULL;
}

static void *reader(void *arg) {
    char c;
    result = read(p[0], &c, 1);
    result_errno = errno;
    (void)arg;
    return NULL;
}

static void *poller(void *arg) {
    struct pollfd pfd = { p[0], POLLIN, 0 };
    result = poll(&pfd, 1, 10000);
    result_errno = errno;
    (void)arg;
    return NULL;
}

static void *epoller(void *arg) {
    struct epoll_event out;
    result = epoll_wait(ep, &out, 1, 10000);
    result_errno = errno;
    (void)arg;
    return NULL;
}

/* A thread waits in `waiter` on the pipe; the main thread writes to it 50 ms later. */
static void woken_by_write(const char *what, void *(*waiter)(void *)) {
    pthread_t th;
    double t = now_ms();
    pthread_create(&th, NULL, waiter, NULL);
    sleep_ms(50);
    write(p[1], "x", 1);
    pthread_join(th, NULL);
    report(what, result, result_errno, t, 50);
}

static void drain(void) {
    char c;
    read(p[0], &c, 1);
}

static atomic_int stop;
static void *spinner(void *arg) {
    (void)arg;
    volatile unsigned long n = 0;
    while (!atomic_load(&stop)) n++;
    return NULL;
}

static volatile int usr1_handled;
static void on_usr1(int s) { (void)s; usr1_handled++; }

static void *sigwaiter(void *arg) {
    sigset_t set;
    sigemptyset(&set); sigaddset(&set, SIGUSR2);
    siginfo_t info;
    result = sigwaitinfo(&set, &info);
    result_errno = errno;
    (void)arg;
    return NULL;
}

int main(void) {
    reset_signals();
    pipe(p);
    pthread_t th;
    double t;

    t = now_ms();
    pthread_create(&th, NULL, futex_waiter, NULL);
    sleep_ms(50);
    word = 1;
    long woken = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(th, NULL);
    report("futex wait, woken by another thread", result, result_errno, t, 50);
    printf("  FUTEX_WAKE woke %ld\n", woken);

    woken_by_write("read, written by another thread", reader);
    woken_by_write("poll 10 s, written at 50 ms", poller);
    drain();
    ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    woken_by_write("epoll_wait 10 s, written at 50 ms", epoller);
    drain();

    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_t cv;
    pthread_cond_init(&cv, &ca);
    struct timespec until = after_ms(CLOCK_MONOTONIC, 60);
    pthread_mutex_lock(&m);
    t = now_ms();
    int rc = pthread_cond_timedwait(&cv, &m, &until);
    pthread_mutex_unlock(&m);
    report("pthread_cond_timedwait 60 ms", rc ? -1 : 0, rc, t, 60);

    /* Deadlines are kept while another thread computes: 20 sleeps of 5 ms. */
    pthread_create(&th, NULL, spinner, NULL);
    t = now_ms();
    for (int i = 0; i < 20; i++) sleep_ms(5);
    report("20 x 5 ms sleeps beside a busy thread", 0, 0, t, 100);
    t = now_ms();
    struct pollfd pfd = { p[0], POLLIN, 0 };
    for (int i = 0; i < 20; i++) poll(&pfd, 1, 5);
    report("20 x poll 5 ms beside a busy thread", 0, 0, t, 100);
    atomic_store(&stop, 1);
    pthread_join(th, NULL);

    /* kill() to the process: the thread in sigwaitinfo takes SIGUSR2; the main thread (SIGUSR2
       blocked in both) polls on undisturbed until its timeout. */
    sigset_t usr2;
    sigemptyset(&usr2); sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    pthread_create(&th, NULL, sigwaiter, NULL);
    sleep_ms(20);
    kill(getpid(), SIGUSR2);
    t = now_ms();
    long pr = poll(&pfd, 1, 80);
    report("poll 80 ms while a thread takes SIGUSR2", pr, errno, t, 80);
    pthread_join(th, NULL);
    printf("  sigwaitinfo returned %s\n", result == SIGUSR2 ? "SIGUSR2" : "something else");
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);

    /* pthread_kill ends one thread's blocking read (no SA_RESTART); the signal is not the main
       thread's. */
    on_signal(SIGUSR1, on_usr1, 0);
    t = now_ms();
    pthread_create(&th, NULL, reader, NULL);
    sleep_ms(50);
    pthread_kill(th, SIGUSR1);
    pthread_join(th, NULL);
    report("read ended by pthread_kill at 50 ms", result, result_errno, t, 50);
    printf("  handler ran %d\n", usr1_handled);
    return 0;
}
