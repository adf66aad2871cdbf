/* probe: what the container tests cannot do with busybox.
 *   probe big MB       one anonymous mapping of MB MiB; prints the mmap error (ENOMEM expected
 *                      over the limit) or "mapped"
 *   probe touch MB     maps MB MiB in 4 MiB pieces (each fits), then writes every page: over
 *                      the limit the OOM killer ends the process (status 137)
 *   probe segv 0       writes through a null pointer (SIGSEGV: status 139)
 *   probe fds 0        opens /dev/null until it fails: prints how many descriptors were open,
 *                      the error (EMFILE expected) and the soft RLIMIT_NOFILE
 *   probe rebind 0     binds an AF_UNIX socket at /probe.sock, unlinks it and binds another there
 *                      while the first lives: prints whether the second node has another inode
 *                      (it must: the first socket still holds its node, as asyncio's unix server
 *                      cleanup relies on)
 *   probe truncate P   truncate(2)s the file P to 0 bytes: prints "ok" or the error's name
 *                      (Linux: EINVAL for a FIFO or a device, without opening it)
 *   probe orphan 0     makes an orphan (a child's child whose parent exits), waits for its own
 *                      child, then for any child: prints the orphan's exit status or the wait
 *                      error (with --init the kernel reaps adopted orphans: "No child processes")
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: probe big|touch|segv|orphan|fds|rebind N, probe truncate PATH\n"); return 64; }
    size_t mb = strtoul(argv[2], 0, 10);
    if (strcmp(argv[1], "truncate") == 0) {
        if (truncate(argv[2], 0) == 0) { printf("ok\n"); return 0; }
        printf("%s\n", errno == EINVAL ? "EINVAL" : errno == EISDIR ? "EISDIR" : errno == ENOENT ? "ENOENT" : strerror(errno));
        return 1;
    }
    if (strcmp(argv[1], "orphan") == 0) {
        pid_t child = fork();
        if (child == 0) {
            if (fork() == 0) {
                struct timespec t = {0, 200000000};
                nanosleep(&t, 0);
                _exit(7);
            }
            _exit(0);
        }
        waitpid(child, 0, 0);
        struct timespec t = {0, 600000000};
        nanosleep(&t, 0);
        int status;
        if (wait(&status) < 0) { printf("wait: %s\n", strerror(errno)); return 0; }
        printf("reaped orphan, exit %d\n", WEXITSTATUS(status));
        return 0;
    }
    if (strcmp(argv[1], "rebind") == 0) {
        struct sockaddr_un a = {.sun_family = AF_UNIX, .sun_path = "/probe.sock"};
        struct stat first, second;
        int s1 = socket(AF_UNIX, SOCK_STREAM, 0), s2 = socket(AF_UNIX, SOCK_STREAM, 0);
        if (bind(s1, (struct sockaddr *)&a, sizeof a) || stat(a.sun_path, &first) || unlink(a.sun_path)
            || bind(s2, (struct sockaddr *)&a, sizeof a) || stat(a.sun_path, &second)) {
            printf("rebind: %s\n", strerror(errno));
            return 1;
        }
        printf("rebound: %s\n", first.st_ino == second.st_ino ? "same inode" : "another inode");
        return 0;
    }
    if (strcmp(argv[1], "fds") == 0) {
        int last = 2;
        for (;;) {
            int fd = open("/dev/null", O_RDONLY);
            if (fd < 0) break;
            last = fd;
        }
        int e = errno;
        struct rlimit r;
        getrlimit(RLIMIT_NOFILE, &r);
        printf("open up to %d: %s; limit %llu\n", last, e == EMFILE ? "EMFILE" : strerror(e), (unsigned long long)r.rlim_cur);
        return 0;
    }
    if (strcmp(argv[1], "segv") == 0) {
        *(volatile int *)mb = 1;
        return 0;
    }
    if (strcmp(argv[1], "big") == 0) {
        void *p = mmap(0, mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) { printf("mmap: %s\n", strerror(errno)); return 1; }
        printf("mapped\n");
        return 0;
    }
    size_t pieces = mb / 4;
    char **p = calloc(pieces, sizeof *p);
    for (size_t i = 0; i < pieces; i++) {
        p[i] = mmap(0, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p[i] == MAP_FAILED) { printf("mmap piece %zu: %s\n", i, strerror(errno)); return 1; }
    }
    printf("reserved %zu MiB\n", mb);
    fflush(stdout);
    for (size_t i = 0; i < pieces; i++) {
        memset(p[i], 1, 4 << 20);
        printf("touched %zu MiB\n", (i + 1) * 4);
        fflush(stdout);
    }
    return 0;
}
