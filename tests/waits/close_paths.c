/* Every way a descriptor is dropped must do what close does (issue 9): exec's close-on-exec,
   close_range (also with CLOSE_RANGE_UNSHARE), dup2 over an open descriptor, the last close of a
   file, exit. What close does, seen from other processes: POSIX record locks of the process on
   the file go, OFD and flock locks go with the description's last reference, inotify reports
   IN_CLOSE_WRITE, a pipe's reader sees EOF when the last writer goes, epoll forgets a file whose
   last reference went. Children wait, with a time limit, for what the parent's drop releases; a
   wait that is never released shows as LATE (and a different value) instead of hanging.
   The program execs itself, so its reference is proot + qemu (qemu alone cannot follow exec). */
// reference: proot
#include "waits.h"
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#define DELAY_MS 200
#define LIMIT_S 3
#define KINDS 5

static char names[KINDS + 2][64];      /* the locked/watched files, then a scratch file */
static char results[KINDS][64];        /* each child's report, printed after the exec */

static void nothing(int sig) { (void)sig; }

static void name_files(void) {
    for (int i = 0; i < KINDS + 2; i++) snprintf(names[i], sizeof names[i], "/tmp/close-paths-%d-%d", getpid(), i);
    for (int i = 0; i < KINDS; i++) snprintf(results[i], sizeof results[i], "/tmp/close-paths-%d-r%d", getpid(), i);
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static struct flock whole(short type) {
    struct flock l;
    memset(&l, 0, sizeof l);
    l.l_type = type;
    l.l_whence = SEEK_SET;
    return l;
}

/* Is `path` write-locked by another process (POSIX locks)? Asked from a fresh child. */
static const char *posix_lock_state(const char *path) {
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        struct flock l = whole(F_WRLCK);
        _exit(fd < 0 || fcntl(fd, F_GETLK, &l) != 0 ? 2 : l.l_type == F_UNLCK ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WEXITSTATUS(status) == 0 ? "unlocked" : WEXITSTATUS(status) == 1 ? "locked" : "error";
}

/* Phase 1, in a child: waits for what the parent's exec releases; its report goes to a file. */
static void wait_for_release(int kind, int ready, int pipe_reader) {
    int out = open(results[kind], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    close(out);
    on_signal(SIGALRM, nothing, 0);   /* ends a wait that nothing releases: EINTR */
    int fd = kind < 3 ? open(names[kind], O_RDWR) : -1, watch = -1;
    if (kind == 4) {
        watch = inotify_init1(IN_CLOEXEC);
        inotify_add_watch(watch, names[4], IN_CLOSE_WRITE);
    }
    double start = now_ms();
    if (write(ready, "r", 1) != 1) _exit(3);
    alarm(LIMIT_S);
    long ret;
    struct flock l = whole(F_WRLCK);
    char buf[sizeof(struct inotify_event) + 64];
    switch (kind) {
    case 0: ret = fcntl(fd, F_SETLKW, &l); report("exec: POSIX lock released (F_SETLKW)", ret, errno, start, DELAY_MS); break;
    case 1: ret = fcntl(fd, F_OFD_SETLKW, &l); report("exec: OFD lock released (F_OFD_SETLKW)", ret, errno, start, DELAY_MS); break;
    case 2: ret = flock(fd, LOCK_EX); report("exec: flock released (LOCK_EX)", ret, errno, start, DELAY_MS); break;
    case 3: ret = read(pipe_reader, buf, 1); report("exec: last pipe writer gone (read)", ret, errno, start, DELAY_MS); break;
    default:
        ret = read(watch, buf, sizeof buf);
        report("exec: inotify IN_CLOSE_WRITE (read)", ret, errno, start, DELAY_MS);
        if (ret > 0) printf("  event mask %#x\n", ((struct inotify_event *)buf)->mask);
        fflush(stdout);
        break;
    }
    _exit(0);
}

static void before_exec(const char *self) {
    name_files();
    int fds[KINDS], pipe_ends[2], ready[2];
    for (int i = 0; i < KINDS; i++) {
        fds[i] = open(names[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fds[i] < 0) { perror("open"); exit(1); }
    }
    struct flock l = whole(F_WRLCK);
    printf("%-40s ret %d\n", "F_SETLK on a close-on-exec descriptor", fcntl(fds[0], F_SETLK, &l));
    printf("%-40s ret %d\n", "F_OFD_SETLK on one", fcntl(fds[1], F_OFD_SETLK, &l));
    printf("%-40s ret %d\n", "flock on one", flock(fds[2], LOCK_EX));
    if (pipe(pipe_ends) != 0 || pipe2(ready, O_CLOEXEC) != 0) { perror("pipe"); exit(1); }
    fcntl(pipe_ends[1], F_SETFD, FD_CLOEXEC);
    fcntl(pipe_ends[0], F_SETFD, FD_CLOEXEC);

    /* An epoll instance that survives the exec, watching a readable pipe that does not. */
    int ep = epoll_create1(0), watched[2];
    if (pipe2(watched, O_CLOEXEC) != 0 || write(watched[1], "x", 1) != 1) { perror("pipe2"); exit(1); }
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
    epoll_ctl(ep, EPOLL_CTL_ADD, watched[0], &ev);
    struct epoll_event got;
    printf("%-40s ret %d\n", "epoll_wait before the exec", epoll_wait(ep, &got, 1, 0));
    fflush(stdout);

    pid_t children[KINDS];
    for (int k = 0; k < KINDS; k++) {
        children[k] = fork();
        if (children[k] == 0) {
            /* Only the parent's descriptors may hold what the children wait for. */
            for (int i = 0; i < KINDS; i++) close(fds[i]);
            close(pipe_ends[1]);
            close(ready[0]);
            wait_for_release(k, ready[1], pipe_ends[0]);
        }
    }
    close(ready[1]);
    close(pipe_ends[0]);
    char c;
    for (int k = 0; k < KINDS; k++) if (read(ready[0], &c, 1) != 1) { perror("ready"); exit(1); }
    sleep_ms(DELAY_MS);
    char arguments[KINDS + 2][24];
    char *argv[KINDS + 4] = { (char *)self, "after-exec" };
    for (int k = 0; k < KINDS; k++) { snprintf(arguments[k], sizeof arguments[k], "%d", children[k]); argv[2 + k] = arguments[k]; }
    snprintf(arguments[KINDS], sizeof arguments[KINDS], "%d", ep);
    argv[2 + KINDS] = arguments[KINDS];
    argv[3 + KINDS] = NULL;
    execv(self, argv);
    perror("execv");
    exit(1);
}

/* close_range(CLOSE_RANGE_UNSHARE) in a child, whose table is its own (so nothing is copied):
   the pipe's writer goes when the child exits, and the parent's poll sees the end of the pipe. */
static void close_range_unshare(void) {
    int p[2];
    if (pipe(p) != 0) { perror("pipe"); exit(1); }
    double start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        /* Only the reader goes: the writer stays until the exit. */
        syscall(436 /* close_range */, p[0], p[0], 2 /* CLOSE_RANGE_UNSHARE */);
        sleep_ms(DELAY_MS);
        _exit(0);
    }
    close(p[1]);
    struct pollfd pfd = { p[0], POLLIN, 0 };
    int ret = poll(&pfd, 1, LIMIT_S * 1000);
    report("close_range UNSHARE + exit: pipe EOF", ret, errno, start, DELAY_MS);
    waitpid(pid, NULL, 0);
    close(p[0]);
}

/* A child holds a POSIX lock and exits after DELAY_MS: the parent's F_SETLKW ends then. */
static void exit_releases(const char *path) {
    int ready[2];
    if (pipe(ready) != 0) { perror("pipe"); exit(1); }
    double start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        struct flock l = whole(F_WRLCK);
        fcntl(fd, F_SETLK, &l);
        if (write(ready[1], "r", 1) != 1) _exit(1);
        sleep_ms(DELAY_MS);
        _exit(0);
    }
    char c;
    if (read(ready[0], &c, 1) != 1) { perror("ready"); exit(1); }
    int fd = open(path, O_RDWR);
    struct flock l = whole(F_WRLCK);
    alarm(LIMIT_S);
    int ret = fcntl(fd, F_SETLKW, &l);
    report("exit: POSIX lock released (F_SETLKW)", ret, errno, start, DELAY_MS);
    alarm(0);
    close(fd);
    waitpid(pid, NULL, 0);
    close(ready[0]);
    close(ready[1]);
}

static void after_exec(char **argv) {
    name_files();
    for (int k = 0; k < KINDS; k++) {
        waitpid(atoi(argv[2 + k]), NULL, 0);
        FILE *f = fopen(results[k], "r");
        char line[200];
        while (f && fgets(line, sizeof line, f)) fputs(line, stdout);
        if (f) fclose(f);
        unlink(results[k]);
    }
    struct epoll_event got;
    printf("%-40s ret %d\n", "epoll_wait after the exec", epoll_wait(atoi(argv[2 + KINDS]), &got, 1, 0));

    const char *scratch = names[KINDS + 1];
    struct flock l = whole(F_WRLCK);
    int fd = open(scratch, O_RDWR | O_CREAT | O_TRUNC, 0600), other = open(scratch, O_RDONLY);
    fcntl(fd, F_SETLK, &l);
    printf("%-40s %s\n", "locked through one of two descriptors", posix_lock_state(scratch));
    close(other);
    printf("%-40s %s\n", "close of the other one", posix_lock_state(scratch));
    fcntl(fd, F_SETLK, &l);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, fd);
    printf("%-40s %s\n", "dup2 over the locking descriptor", posix_lock_state(scratch));
    close(fd);
    fd = open(scratch, O_RDWR);
    fcntl(fd, F_SETLK, &l);
    close(fd);
    printf("%-40s %s\n", "close of the last descriptor", posix_lock_state(scratch));
    fd = open(scratch, O_RDWR);
    fcntl(fd, F_SETLK, &l);
    syscall(436 /* close_range */, fd, fd, 0);
    printf("%-40s %s\n", "close_range over it", posix_lock_state(scratch));
    fflush(stdout);

    close_range_unshare();
    exit_releases(scratch);
    for (int i = 0; i < KINDS + 2; i++) unlink(names[i]);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "after-exec") == 0) {
        on_signal(SIGALRM, nothing, 0);
        after_exec(argv);
        return 0;
    }
    reset_signals();
    before_exec(argv[0]);
    return 1;
}
