/* inotify (issue 9): the events a program watching a directory and a file sees for changes made
   inside the container (create, write, close, chmod, rename with its cookie, mkdir, link, unlink,
   rmdir), IN_MASK_ADD, IN_ONESHOT, IN_ONLYDIR, inotify_rm_watch's IN_IGNORED, IN_NONBLOCK and
   IN_CLOEXEC, FIONREAD, a buffer too small for an event, and the waits: poll, select and
   epoll_wait on the descriptor, a blocking read that a child's change ends, EINTR. Everything
   happens below a scratch directory made relative to the working directory (the reference's
   root). */
#include "waits.h"
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int wds[8];
static const char *wd_names[8];
static int nwds;
static unsigned first_cookie;

static void show(const char *what, long ret) {
    printf("%-40s ret %ld errno %s\n", what, ret, ret < 0 ? strerrorname_np(errno) : "-");
    fflush(stdout);
}

static void watch(int fd, const char *path, const char *name, unsigned mask) {
    int wd = inotify_add_watch(fd, path, mask);
    for (int i = 0; i < nwds; i++) if (wds[i] == wd) { printf("watch %s: the same as %s\n", name, wd_names[i]); return; }
    wds[nwds] = wd; wd_names[nwds++] = name;
    printf("watch %s: %s\n", name, wd > 0 ? "ok" : strerrorname_np(errno));
}

static const char *wd_name(int wd) {
    for (int i = 0; i < nwds; i++) if (wds[i] == wd) return wd_names[i];
    return "?";
}

static void print_mask(unsigned m) {
    static const char *names[] = { "ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE", "OPEN",
                                   "MOVED_FROM", "MOVED_TO", "CREATE", "DELETE", "DELETE_SELF", "MOVE_SELF" };
    for (int i = 0; i < 12; i++) if (m & (1u << i)) printf(" %s", names[i]);
    if (m & IN_IGNORED) printf(" IGNORED");
    if (m & IN_Q_OVERFLOW) printf(" Q_OVERFLOW");
    if (m & IN_ISDIR) printf(" ISDIR");
}

/* Reads and prints every queued event (the descriptor is non-blocking). */
static void drain(int fd, const char *after) {
    char buf[4096] __attribute__((aligned(8)));
    printf("after %s:\n", after);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            printf("  %s", wd_name(e->wd));
            print_mask(e->mask);
            if (e->len) printf(" name %s (len %u)", e->name, e->len);
            if (e->cookie) {
                if (!first_cookie) first_cookie = e->cookie;
                printf(" cookie %s", e->cookie == first_cookie ? "A" : "B");
            }
            printf("\n");
            p += sizeof *e + e->len;
        }
    }
    fflush(stdout);
}

static void write_file(const char *path, const char *text, int times) {
    int f = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    for (int i = 0; i < times; i++) write(f, text, strlen(text));
    close(f);
}

static void handler(int sig) { (void)sig; }

int main(void) {
    reset_signals();
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "tmp/inotify-%d", (int)getpid());
    if (mkdir(dir, 0755) != 0) { perror("mkdir"); return 1; }
#define P(name) (snprintf(path, sizeof path, "%s/%s", dir, name), path)

    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    printf("inotify_init1 nonblock %d cloexec %d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0,
           fcntl(fd, F_GETFD) == FD_CLOEXEC);
    show("inotify_init1 bad flags", inotify_init1(1));
    char c;
    show("read with nothing queued", read(fd, &c, 1));
    watch(fd, dir, "dir", IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                          IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
    show("add_watch mask 0", inotify_add_watch(fd, dir, 0));
    show("add_watch missing path", inotify_add_watch(fd, P("nothing"), IN_MODIFY));
    show("add_watch on a non-inotify fd", inotify_add_watch(0, dir, IN_MODIFY));
    show("add_watch on a bad fd", inotify_add_watch(99, dir, IN_MODIFY));
    show("rm_watch unknown wd", inotify_rm_watch(fd, 12345));

    write_file(P("a"), "hello", 2);
    int queued = -1;
    ioctl(fd, FIONREAD, &queued);
    printf("FIONREAD %d\n", queued);
    show("read into 4 bytes", read(fd, &c, 1));
    drain(fd, "create, 2 writes, close");

    chmod(P("a"), 0600);
    drain(fd, "chmod");
    char to[128];
    snprintf(to, sizeof to, "%s/b", dir);
    rename(P("a"), to);
    drain(fd, "rename a b");
    mkdir(P("sub"), 0755);
    drain(fd, "mkdir sub");

    watch(fd, P("b"), "b", IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_CLOSE_WRITE);
    write_file(P("b"), "more", 1);
    drain(fd, "write b");
    watch(fd, P("b"), "b+open", IN_OPEN | IN_MASK_ADD);
    close(open(P("b"), O_RDONLY));
    drain(fd, "open and close b read-only");
    show("add_watch b IN_ONLYDIR", inotify_add_watch(fd, P("b"), IN_MODIFY | IN_ONLYDIR));

    watch(fd, P("sub"), "sub", IN_CREATE | IN_ONESHOT);
    write_file(P("sub/x"), "", 0);
    write_file(P("sub/y"), "", 0);
    drain(fd, "two files in sub (oneshot)");

    link(P("b"), P("sub/z"));
    drain(fd, "link b sub/z");
    unlink(P("sub/z"));
    drain(fd, "unlink sub/z");
    unlink(P("b"));
    drain(fd, "unlink b");
    unlink(P("sub/x"));
    unlink(P("sub/y"));
    rmdir(P("sub"));
    drain(fd, "rmdir sub");

    /* The waits, on a blocking descriptor. */
    int bfd = inotify_init1(0);
    int dir2 = inotify_add_watch(bfd, dir, IN_CREATE | IN_DELETE);
    show("add_watch dir on a second descriptor", dir2 > 0 ? 0 : -1);
    struct pollfd pfd = { bfd, POLLIN, 0 };
    double t = now_ms();
    int r = poll(&pfd, 1, 150);
    report("poll 150 ms, nothing", r, errno, t, 150);
    pid_t pid = fork();
    if (pid == 0) { usleep(150000); write_file(P("late"), "", 0); _exit(0); }
    t = now_ms();
    char buf[256];
    r = read(bfd, buf, sizeof buf);
    report("read until a child creates a file", r > 0 ? 1 : r, errno, t, 100);
    printf("  event %s", ((struct inotify_event *)buf)->name);
    print_mask(((struct inotify_event *)buf)->mask);
    printf("\n");
    waitpid(pid, NULL, 0);

    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
    epoll_ctl(ep, EPOLL_CTL_ADD, bfd, &ev);
    pid = fork();
    if (pid == 0) { usleep(150000); unlink(P("late")); _exit(0); }
    t = now_ms();
    r = epoll_wait(ep, &ev, 1, 2000);
    report("epoll_wait until a child unlinks", r, errno, t, 100);
    waitpid(pid, NULL, 0);
    r = read(bfd, buf, sizeof buf);
    printf("  read %d event %s", r > 0 ? 1 : r, ((struct inotify_event *)buf)->name);
    print_mask(((struct inotify_event *)buf)->mask);
    printf("\n");

    fd_set set;
    FD_ZERO(&set);
    FD_SET(bfd, &set);
    struct timeval tv = { 0, 150000 };
    t = now_ms();
    r = select(bfd + 1, &set, NULL, NULL, &tv);
    report("select 150 ms, nothing", r, errno, t, 150);

    on_signal(SIGALRM, handler, 0);
    t = now_ms();
    arm_real_timer(100);
    r = read(bfd, buf, sizeof buf);
    report("read, SIGALRM", r, errno, t, 100);

    show("rm_watch dir2", inotify_rm_watch(bfd, dir2));
    r = poll(&pfd, 1, 2000);
    r = r == 1 ? read(bfd, buf, sizeof buf) : -1;
    printf("  read %d", r > 0 ? 1 : r);
    if (r > 0) print_mask(((struct inotify_event *)buf)->mask);
    printf("\n");
    close(bfd);

    rmdir(dir);
    drain(fd, "rmdir dir");
    return 0;
}
