/* RLIMIT_FSIZE (issue 15), compared with qemu, which hands setrlimit to the host's Linux: with a
   soft limit of 10000 bytes, a write crossing it is shortened to end there (no signal), one at or
   past it fails with EFBIG and SIGXFSZ (caught, ignored, or by default fatal in a forked child),
   for write, pwrite, writev, pwritev, O_APPEND, sendfile, copy_file_range, splice into a file,
   a memfd; ftruncate, truncate and fallocate growing past it fail the same way, shrinking and
   growing to exactly the limit do not; pipes, sockets and /dev/null are not limited; a forked
   child inherits the limit. Each line shows a call's result, its errno and the SIGXFSZ caught
   since the last line (with whether it came from the process itself, as SI_USER).
   Files are made in the working directory (the test runs it in the root's /tmp). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT 10000

static volatile sig_atomic_t caught, from_self;
static char buf[30000];
static char name[64], source[64];

static void on_xfsz(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    caught += sig == SIGXFSZ;
    from_self = si->si_code == SI_USER && si->si_pid == getpid();
}

static void show(const char *what, long ret) {
    printf("%-44s ret %6ld errno %-7s sigxfsz %d%s\n", what, ret, ret < 0 ? strerrorname_np(errno) : "-",
           (int)caught, caught ? (from_self ? " (SI_USER, own pid)" : " (other sender)") : "");
    fflush(stdout);
    caught = 0;
    from_self = 0;
}

static long size_of(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

static int fresh(int flags) {
    int fd = open(name, O_CREAT | O_TRUNC | O_RDWR | flags, 0600);
    if (fd < 0) { perror("open"); exit(1); }
    return fd;
}

static void set_limit(rlim_t soft) {
    struct rlimit r = { soft, RLIM_INFINITY };
    if (setrlimit(RLIMIT_FSIZE, &r) != 0) { perror("setrlimit"); exit(1); }
}

static void handle(void (*handler)(int, siginfo_t *, void *), void (*plain)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (handler) { sa.sa_sigaction = handler; sa.sa_flags = SA_SIGINFO; } else sa.sa_handler = plain;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGXFSZ, &sa, NULL);
}

static void writes(void) {
    int fd = fresh(0);
    show("write 4000 at 0", write(fd, buf, 4000));
    show("write 8000 at 4000 (crosses)", write(fd, buf, 8000));
    show("  position", lseek(fd, 0, SEEK_CUR));
    show("write 100 at 10000 (at the limit)", write(fd, buf, 100));
    show("write 0 at 10000", write(fd, buf, 0));
    show("  size", size_of(fd));
    show("pwrite 10 at 9995", pwrite(fd, buf, 10, 9995));
    show("pwrite 10 at 20000", pwrite(fd, buf, 10, 20000));
    show("pwrite 10 at 100", pwrite(fd, buf, 10, 100));
    lseek(fd, 5000, SEEK_SET);
    struct iovec iov[2] = { { buf, 3000 }, { buf + 3000, 3000 } };
    show("writev 2x3000 at 5000", writev(fd, iov, 2));
    show("writev 2x3000 at 10000", writev(fd, iov, 2));
    show("pwritev 2x3000 at 8000", pwritev(fd, iov, 2, 8000));
    show("pwritev 2x3000 at 12000", pwritev(fd, iov, 2, 12000));
    close(fd);

    fd = fresh(O_APPEND);
    show("O_APPEND write 9990", write(fd, buf, 9990));
    show("O_APPEND write 100", write(fd, buf, 100));
    show("O_APPEND write 1", write(fd, buf, 1));
    show("O_APPEND pwrite 1 at 0", pwrite(fd, buf, 1, 0));
    close(fd);
}

static void sizes(void) {
    int fd = fresh(0);
    show("ftruncate 10000 (the limit)", ftruncate(fd, LIMIT));
    show("ftruncate 10001", ftruncate(fd, LIMIT + 1));
    show("ftruncate 5000", ftruncate(fd, 5000));
    show("truncate 10001", truncate(name, LIMIT + 1));
    show("truncate 8000", truncate(name, 8000));
    show("fallocate 9000+2000", fallocate(fd, 0, 9000, 2000));
    show("fallocate 0+100", fallocate(fd, 0, 0, 100));
    show("fallocate 9000+1000", fallocate(fd, 0, 9000, 1000));
    show("  size", size_of(fd));
    close(fd);
    /* The source file (20000 bytes, written before the limit) may shrink, though still above it. */
    fd = open(source, O_RDWR);
    show("ftruncate 15000 of a 20000-byte file", ftruncate(fd, 15000));
    show("ftruncate 16000 of it", ftruncate(fd, 16000));
    show("  size", size_of(fd));
    show("write 10 at 0 of it", write(fd, buf, 10));
    close(fd);
}

static void transfers(void) {
    int in = open(source, O_RDONLY), fd = fresh(0);
    off_t off = 0;
    lseek(fd, 9000, SEEK_SET);
    show("sendfile 5000 to 9000", sendfile(fd, in, &off, 5000));
    show("  input offset", off);
    show("sendfile 5000 to 10000", sendfile(fd, in, &off, 5000));
    show("  input offset", off);
    lseek(in, 0, SEEK_SET);
    loff_t out = 9500;
    show("copy_file_range 2000 to 9500", copy_file_range(in, NULL, fd, &out, 2000, 0));
    show("  input position", lseek(in, 0, SEEK_CUR));
    show("  output offset", out);
    show("copy_file_range 2000 to 10000", copy_file_range(in, NULL, fd, &out, 2000, 0));
    show("copy_file_range 0 to 10000", copy_file_range(in, NULL, fd, &out, 0, 0));
    loff_t end = 20000;
    show("copy_file_range 10 from the end to 10000", copy_file_range(in, &end, fd, &out, 10, 0));
    out = 9000;
    show("copy_file_range 1000 to 9000 (to the limit)", copy_file_range(in, NULL, fd, &out, 1000, 0));
    off = 0;
    lseek(fd, 8000, SEEK_SET);
    show("sendfile 2000 to 8000 (to the limit)", sendfile(fd, in, &off, 2000));
    off = 20000;
    show("sendfile 10 from the end to 10000", sendfile(fd, in, &off, 10));

    int p[2];
    pipe(p);
    show("pipe write 3000", write(p[1], buf, 3000));
    loff_t at = 9000;
    show("splice 3000 from the pipe to 9000", splice(p[0], NULL, fd, &at, 3000, 0));
    show("  left in the pipe", read(p[0], buf + 20000, 5000));
    show("pipe write 10", write(p[1], buf, 10));
    at = 10000;
    show("splice 10 from the pipe to 10000", splice(p[0], NULL, fd, &at, 10, 0));
    show("  left in the pipe", read(p[0], buf + 20000, 5000));
    show("pipe write 500", write(p[1], buf, 500));
    at = 9500;
    show("splice 500 from the pipe to 9500 (to the limit)", splice(p[0], NULL, fd, &at, 3000, 0));
    close(in);
    close(fd);

    /* Not regular files: not limited. */
    show("pipe write 20000", write(p[1], buf, 20000));
    close(p[0]);
    close(p[1]);
    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    show("socket write 20000", write(s[0], buf, 20000));
    close(s[0]);
    close(s[1]);
    int null = open("/dev/null", O_WRONLY);
    show("/dev/null write 20000", write(null, buf, 20000));
    show("/dev/null pwrite 20000 at 50000", pwrite(null, buf, 20000, 50000));
    close(null);
    /* A memfd is a tmpfs file: limited. */
    int m = memfd_create("limit", 0);
    show("memfd write 20000", write(m, buf, 20000));
    show("memfd write 1", write(m, buf, 1));
    show("memfd ftruncate 20000", ftruncate(m, 20000));
    close(m);
}

/* A child that writes at the limit with SIGXFSZ at its default action dies of it. */
static void child_dies(void) {
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit r;
        getrlimit(RLIMIT_FSIZE, &r);
        printf("child's limit %ld\n", (long)r.rlim_cur);
        fflush(stdout);
        handle(NULL, SIG_DFL);
        int fd = fresh(0);
        write(fd, buf, 12000);   /* shortened to 10000 */
        write(fd, buf, 1);       /* SIGXFSZ */
        printf("child survived\n");
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) printf("child killed by signal %d\n", WTERMSIG(status));
    else printf("child exited %d\n", WEXITSTATUS(status));
    int fd = open(name, O_RDONLY);
    show("  the child's file", size_of(fd));
    close(fd);
}

int main(void) {
    snprintf(name, sizeof name, "fsize-%d", getpid());
    snprintf(source, sizeof source, "fsize-%d-source", getpid());
    memset(buf, 'x', sizeof buf);
    int fd = open(source, O_CREAT | O_TRUNC | O_RDWR, 0600);
    show("source write 20000 (no limit yet)", write(fd, buf, 20000));
    close(fd);

    set_limit(LIMIT);
    struct rlimit r;
    getrlimit(RLIMIT_FSIZE, &r);
    printf("limit %ld, hard %s\n", (long)r.rlim_cur, r.rlim_max == RLIM_INFINITY ? "unlimited" : "set");

    handle(on_xfsz, NULL);
    writes();
    sizes();
    transfers();

    handle(NULL, SIG_IGN);
    fd = fresh(0);
    show("ignored: write 12000", write(fd, buf, 12000));
    show("ignored: write 1", write(fd, buf, 1));
    show("ignored: ftruncate 10001", ftruncate(fd, LIMIT + 1));
    close(fd);

    child_dies();

    set_limit(RLIM_INFINITY);
    fd = fresh(0);
    show("no limit again: write 12000", write(fd, buf, 12000));
    close(fd);
    unlink(name);
    unlink(source);
    return 0;
}
