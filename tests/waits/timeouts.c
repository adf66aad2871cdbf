/* Timed waits that nothing ends early: each must last at least its timeout and not much more
   (poll, ppoll, select, pselect, epoll_wait, epoll_pwait, nanosleep, clock_nanosleep relative
   and absolute, futex, sigtimedwait, a blocking read with SO_RCVTIMEO); zero timeouts return at
   once; and many 1 ms sleeps in a row are not stretched by a coarse tick. */
#include "waits.h"
#include <linux/futex.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    reset_signals();
    int p[2];
    pipe(p);                           /* never written: never ready for reading */
    struct pollfd pfd = { p[0], POLLIN, 0 };
    double t;
    long r;

    t = now_ms(); r = poll(&pfd, 1, 60); report("poll 60 ms", r, errno, t, 60);
    t = now_ms(); r = poll(NULL, 0, 25); report("poll no fds 25 ms", r, errno, t, 25);
    t = now_ms(); r = poll(&pfd, 1, 0); report("poll 0 ms", r, errno, t, 0);
    struct timespec ts = { 0, 40 * 1000000 };
    t = now_ms(); r = ppoll(&pfd, 1, &ts, NULL); report("ppoll 40 ms", r, errno, t, 40);

    fd_set rd;
    FD_ZERO(&rd); FD_SET(p[0], &rd);
    struct timeval tv = { 0, 50 * 1000 };
    t = now_ms(); r = select(p[0] + 1, &rd, NULL, NULL, &tv); report("select 50 ms", r, errno, t, 50);
    printf("select left the timeout at %ld.%06ld, fd set %d\n", (long)tv.tv_sec, (long)tv.tv_usec, FD_ISSET(p[0], &rd));
    FD_ZERO(&rd); FD_SET(p[0], &rd);
    struct timespec pts = { 0, 30 * 1000000 };
    t = now_ms(); r = pselect(p[0] + 1, &rd, NULL, NULL, &pts, NULL); report("pselect 30 ms", r, errno, t, 30);
    tv.tv_sec = 0; tv.tv_usec = 0;
    t = now_ms(); r = select(0, NULL, NULL, NULL, &tv); report("select 0", r, errno, t, 0);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    t = now_ms(); r = epoll_wait(ep, out, 4, 45); report("epoll_wait 45 ms", r, errno, t, 45);
    sigset_t none;
    sigemptyset(&none);
    t = now_ms(); r = epoll_pwait(ep, out, 4, 35, &none); report("epoll_pwait 35 ms", r, errno, t, 35);
    t = now_ms(); r = epoll_wait(ep, out, 4, 0); report("epoll_wait 0", r, errno, t, 0);

    struct timespec req = { 0, 30 * 1000000 }, rem = { 9, 9 };
    t = now_ms(); r = nanosleep(&req, &rem); report("nanosleep 30 ms", r, errno, t, 30);
    t = now_ms(); r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    report("clock_nanosleep relative 30 ms", r ? -1 : 0, r, t, 30);
    struct timespec abs = after_ms(CLOCK_MONOTONIC, 40);
    t = now_ms(); r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
    report("clock_nanosleep absolute +40 ms", r ? -1 : 0, r, t, 40);
    abs = after_ms(CLOCK_REALTIME, 20);
    t = now_ms(); r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL);
    report("clock_nanosleep realtime absolute +20 ms", r ? -1 : 0, r, t, 20);

    static uint32_t word = 0;
    struct timespec fto = { 0, 30 * 1000000 };
    t = now_ms(); r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &fto, NULL, 0);
    report("futex wait 30 ms", r, errno, t, 30);
    t = now_ms(); r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &fto, NULL, 0);
    report("futex wait, value differs", r, errno, t, 0);

    sigset_t usr1;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    struct timespec sto = { 0, 40 * 1000000 };
    t = now_ms(); r = sigtimedwait(&usr1, NULL, &sto); report("sigtimedwait 40 ms", r, errno, t, 40);
    struct timespec zero = { 0, 0 };
    t = now_ms(); r = sigtimedwait(&usr1, NULL, &zero); report("sigtimedwait 0", r, errno, t, 0);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct timeval rto = { 0, 50 * 1000 };
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof rto);
    char c;
    t = now_ms(); r = read(sv[0], &c, 1); report("read with SO_RCVTIMEO 50 ms", r, errno, t, 50);

    /* No coarse tick: 40 sleeps of 1 ms take about 40 ms, not 40 ticks. */
    struct timespec ms1 = { 0, 1000000 };
    t = now_ms();
    for (int i = 0; i < 40; i++) nanosleep(&ms1, NULL);
    report("40 x nanosleep 1 ms", 0, 0, t, 40);
    t = now_ms();
    for (int i = 0; i < 40; i++) poll(&pfd, 1, 1);
    report("40 x poll 1 ms", 0, 0, t, 40);
    return 0;
}
