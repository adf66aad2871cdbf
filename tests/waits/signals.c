/* Waits ended by a timer's signal: without SA_RESTART a blocking read, poll, select, epoll_wait,
   nanosleep (with the time left), sigtimedwait, sigsuspend and futex fail with EINTR after the
   handler ran; with SA_RESTART the read goes on and returns what a thread writes later, while
   poll, select, epoll_wait and nanosleep still fail with EINTR (Linux never restarts those after
   a handler). A POSIX timer's signal and a ppoll mask that lets a pending signal in end waits
   too. Every disposition and the mask are set here, nothing is inherited. */
// cflags: -pthread
#include "waits.h"
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int handled;
static void count(int sig) { (void)sig; handled++; }

static int p[2];

static void *late_writer(void *arg) {
    struct timespec d = { 0, (long)(intptr_t)arg * 1000000 };
    nanosleep(&d, NULL);
    write(p[1], "x", 1);
    return NULL;
}

/* Arms a 40 ms timer; returns the time just before (taken after it, a delay between the two on a
   loaded machine would make the wait look EARLY). */
static double interrupted(const char *what, int restart) {
    on_signal(SIGALRM, count, restart ? SA_RESTART : 0);
    handled = 0;
    double t = now_ms();
    arm_real_timer(40);
    return t;
}

int main(void) {
    reset_signals();
    pipe(p);
    char c;
    double t;
    long r;
    struct pollfd pfd = { p[0], POLLIN, 0 };

    t = interrupted("read", 0);
    r = read(p[0], &c, 1); report("read, no SA_RESTART", r, errno, t, 40);
    printf("  handler ran %d\n", handled);

    t = interrupted("read", 1);
    pthread_t th;
    pthread_create(&th, NULL, late_writer, (void *)(intptr_t)120);
    r = read(p[0], &c, 1); report("read, SA_RESTART, data at 120 ms", r, errno, t, 120);
    printf("  handler ran %d, got %c\n", handled, r == 1 ? c : '-');
    pthread_join(th, NULL);

    for (int restart = 0; restart <= 1; restart++) {
        const char *flag = restart ? "SA_RESTART" : "no SA_RESTART";
        char what[64];
        t = interrupted("poll", restart);
        r = poll(&pfd, 1, 5000);
        snprintf(what, sizeof what, "poll 5 s, %s", flag); report(what, r, errno, t, 40);
        t = interrupted("select", restart);
        fd_set rd; FD_ZERO(&rd); FD_SET(p[0], &rd);
        struct timeval tv = { 5, 0 };
        r = select(p[0] + 1, &rd, NULL, NULL, &tv);
        snprintf(what, sizeof what, "select 5 s, %s", flag); report(what, r, errno, t, 40);
        int ep = epoll_create1(0);
        struct epoll_event ev = { .events = EPOLLIN }, out;
        epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
        t = interrupted("epoll", restart);
        r = epoll_wait(ep, &out, 1, 5000);
        snprintf(what, sizeof what, "epoll_wait 5 s, %s", flag); report(what, r, errno, t, 40);
        close(ep);
        t = interrupted("nanosleep", restart);
        struct timespec req = { 5, 0 }, rem = { 0, 0 };
        r = nanosleep(&req, &rem);
        snprintf(what, sizeof what, "nanosleep 5 s, %s", flag); report(what, r, errno, t, 40);
        printf("  time left between 4 and 5 s: %d\n", rem.tv_sec == 4 && rem.tv_nsec > 0);
        static uint32_t word;
        struct timespec fto = { 5, 0 };
        t = interrupted("futex", restart);
        r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &fto, NULL, 0);
        snprintf(what, sizeof what, "futex wait 5 s, %s", flag); report(what, r, errno, t, 40);
        printf("  handlers ran %d\n", handled);
    }

    /* sigtimedwait for SIGUSR1 is ended by SIGALRM's handler. */
    sigset_t usr1;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    t = interrupted("sigtimedwait", 1);
    struct timespec sto = { 5, 0 };
    r = sigtimedwait(&usr1, NULL, &sto); report("sigtimedwait 5 s, SIGALRM", r, errno, t, 40);

    /* sigsuspend with an empty mask: returns EINTR once the handler ran. */
    sigset_t alrm, none;
    sigemptyset(&alrm); sigaddset(&alrm, SIGALRM);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    t = interrupted("sigsuspend", 1);
    r = sigsuspend(&none); report("sigsuspend", r, errno, t, 40);
    printf("  handler ran %d\n", handled);

    /* ppoll's mask lets in a signal that is pending before the call: EINTR at once. */
    on_signal(SIGUSR1, count, SA_RESTART);
    handled = 0;
    kill(getpid(), SIGUSR1);
    struct timespec pto = { 5, 0 };
    t = now_ms(); r = ppoll(&pfd, 1, &pto, &none); report("ppoll, pending signal let in", r, errno, t, 0);
    printf("  handler ran %d\n", handled);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* A POSIX timer (CLOCK_MONOTONIC, SIGEV_SIGNAL) ends a poll. */
    on_signal(SIGRTMIN, count, SA_RESTART);
    handled = 0;
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
    timer_t timer;
    timer_create(CLOCK_MONOTONIC, &sev, &timer);
    struct itimerspec its = { { 0, 0 }, { 0, 30 * 1000000 } };
    t = now_ms(); timer_settime(timer, 0, &its, NULL);
    r = poll(&pfd, 1, 5000); report("poll 5 s, POSIX timer at 30 ms", r, errno, t, 30);
    printf("  handler ran %d\n", handled);
    timer_delete(timer);

    /* A periodic itimer delivers a signal per period into a loop of waits. */
    on_signal(SIGALRM, count, 0);
    handled = 0;
    struct itimerval every = { { 0, 10000 }, { 0, 10000 } };
    t = now_ms();
    setitimer(ITIMER_REAL, &every, NULL);
    while (handled < 10) poll(&pfd, 1, 1000);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    report("10 periods of a 10 ms itimer", 0, 0, t, 100 - 10);
    return 0;
}
