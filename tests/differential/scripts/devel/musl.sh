# reference: proot
# A program built against Debian's riscv64 musl (as Alpine images' programs are): static and
# dynamic (musl's own loader, /lib/ld-musl-riscv64.so.1), with threads, a pipe, fork and
# environment and time functions from musl rather than glibc.
cat > m.c <<'EOF'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static long total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *work(void *arg) {
    long n = (long)arg;
    for (long i = 1; i <= n; i++) { pthread_mutex_lock(&lock); total += i; pthread_mutex_unlock(&lock); }
    return NULL;
}
int main(void) {
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, work, (void *)(1000 * (i + 1)));
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("threads total %ld\n", total);
    int fd[2];
    pipe(fd);
    pid_t pid = fork();
    if (pid == 0) { close(fd[0]); dprintf(fd[1], "from child %s", getenv("GREETING")); _exit(7); }
    close(fd[1]);
    char buf[64] = {0};
    read(fd[0], buf, sizeof buf - 1);
    int status;
    waitpid(pid, &status, 0);
    printf("%s, status %d\n", buf, WEXITSTATUS(status));
    char *end;
    printf("strtod %.3f %s\n", strtod("2.5e3xyz", &end), end);
    return 0;
}
EOF
export GREETING=hello
musl-gcc -O2 -static -o m-static m.c && ./m-static
musl-gcc -O2 -o m-dynamic m.c && ./m-dynamic
readelf -l m-dynamic | grep -o 'interpreter: [^]]*'
file_type() { readelf -h "$1" | grep -E 'Type:' | tr -s ' '; }
file_type m-static
