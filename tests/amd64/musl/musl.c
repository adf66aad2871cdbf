/* Built with Debian's amd64 musl (musl-gcc), as Alpine images' programs are: static, and
 * dynamic through musl's own loader (/lib/ld-musl-x86_64.so.1). Threads, a pipe, fork,
 * environment, musl's own printf/strtod/qsort/string functions, setjmp and time formatting. */
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int local = 5;
static void *work(void *arg) {
    long n = (long)arg;
    local += (int)n;
    for (long i = 1; i <= n; i++) { pthread_mutex_lock(&lock); total += i; pthread_mutex_unlock(&lock); }
    return (void *)(long)local;
}
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static jmp_buf env;

int main(int argc, char **argv) {
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, work, (void *)(1000 * (i + 1)));
    long sum = 0;
    for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
    printf("threads total %ld, thread-locals %ld, main's %d\n", total, sum, local);

    int fd[2];
    if (pipe(fd) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) { close(fd[0]); dprintf(fd[1], "from child %s", getenv("HOME")); _exit(7); }
    close(fd[1]);
    char buf[64] = {0};
    if (read(fd[0], buf, sizeof buf - 1) < 0) return 1;
    int status;
    waitpid(pid, &status, 0);
    printf("%s, status %d\n", buf, WEXITSTATUS(status));

    char *end;
    double parsed = strtod("2.5e3xyz", &end);
    printf("strtod %.3f %s %.17g %La %g %e\n", parsed, end, 0.1, 1.0L / 3, 1e300 * 1e10, -0.0);
    char *words[] = { "pear", "apple", "fig", "banana", "cherry", argc > 1 ? argv[1] : "none" };
    qsort(words, 6, sizeof words[0], cmp);
    for (int i = 0; i < 6; i++) printf("%s%c", words[i], i == 5 ? '\n' : ' ');
    char s[128];
    strcpy(s, "The quick brown fox jumps over the lazy dog");
    printf("%zu %s %s %d\n", strlen(s), strchr(s, 'q'), strstr(s, "lazy"), memcmp(s, "The quick", 9));
    if (setjmp(env) == 0) longjmp(env, 42);
    time_t when = 86400 * 365;
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %a", gmtime(&when));
    printf("jumped; %s\n", date);
    return 3;
}
