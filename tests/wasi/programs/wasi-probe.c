/* A WASI preview 1 test program (wasi-libc): each command exercises one thing a WASI container
 * must give its module. Built by tests/wasi/build-programs.sh with clang --target=wasm32-wasi.
 *
 *   wasi-probe args A B          prints argc and each argument
 *   wasi-probe env NAME...       prints NAME=VALUE (or NAME unset)
 *   wasi-probe cat               copies stdin to stdout
 *   wasi-probe ls DIR            lists DIR's entries, sorted
 *   wasi-probe read FILE         prints FILE
 *   wasi-probe write FILE TEXT   writes TEXT to FILE (prints the error and exits 1 if it cannot)
 *   wasi-probe mkdir DIR | rm FILE
 *   wasi-probe roundtrip FILE TEXT   writes TEXT to FILE, renames it to FILE.moved, allocates 8 MiB,
 *                                appends "+", reads it back and prints it (one run: for in-memory trees)
 *   wasi-probe exit N            exits with status N
 *   wasi-probe trap              executes `unreachable`
 *   wasi-probe alloc MB          allocates and touches MB MiB (prints ok, or fails with 1)
 *   wasi-probe sleep SECONDS     sleeps, then prints "slept"
 *   wasi-probe hello             prints "hello from wasi"
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: wasi-probe COMMAND [ARG...]\n"); return 2; }
    const char *c = argv[1];
    if (!strcmp(c, "hello")) { puts("hello from wasi"); return 0; }
    if (!strcmp(c, "args")) {
        printf("argc=%d\n", argc);
        for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
        return 0;
    }
    if (!strcmp(c, "env")) {
        for (int i = 2; i < argc; i++) {
            const char *v = getenv(argv[i]);
            if (v) printf("%s=%s\n", argv[i], v); else printf("%s unset\n", argv[i]);
        }
        return 0;
    }
    if (!strcmp(c, "cat")) {
        char buf[4096];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
        return 0;
    }
    if (!strcmp(c, "ls") && argc == 3) {
        DIR *d = opendir(argv[2]);
        if (!d) { printf("ls %s: %s\n", argv[2], strerror(errno)); return 1; }
        char *names[1024];
        int count = 0;
        struct dirent *e;
        while ((e = readdir(d)) && count < 1024) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[count++] = strdup(e->d_name);
        }
        closedir(d);
        qsort(names, (size_t)count, sizeof names[0], compare);
        for (int i = 0; i < count; i++) puts(names[i]);
        return 0;
    }
    if (!strcmp(c, "read") && argc == 3) {
        FILE *f = fopen(argv[2], "r");
        if (!f) { printf("read %s: %s\n", argv[2], strerror(errno)); return 1; }
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
        fclose(f);
        return 0;
    }
    if (!strcmp(c, "write") && argc == 4) {
        FILE *f = fopen(argv[2], "w");
        if (!f) { printf("write %s: %s\n", argv[2], strerror(errno)); return 1; }
        fputs(argv[3], f);
        if (fclose(f) != 0) { printf("write %s: %s\n", argv[2], strerror(errno)); return 1; }
        printf("wrote %s\n", argv[2]);
        return 0;
    }
    if (!strcmp(c, "roundtrip") && argc == 4) {
        char moved[1024];
        snprintf(moved, sizeof moved, "%s.moved", argv[2]);
        FILE *f = fopen(argv[2], "w");
        if (!f || fputs(argv[3], f) < 0 || fclose(f) != 0) { printf("write %s: %s\n", argv[2], strerror(errno)); return 1; }
        if (rename(argv[2], moved) != 0) { printf("rename %s: %s\n", argv[2], strerror(errno)); return 1; }
        /* Grow the heap while the file is open in memory (a packed module moves its tree). */
        char *big = malloc(8 << 20);
        if (!big) { puts("alloc failed"); return 1; }
        memset(big, 2, 8 << 20);
        f = fopen(moved, "a");
        if (!f || fputs("+", f) < 0 || fclose(f) != 0) { printf("append %s: %s\n", moved, strerror(errno)); return 1; }
        struct stat st;
        if (stat(moved, &st) != 0) { printf("stat %s: %s\n", moved, strerror(errno)); return 1; }
        f = fopen(moved, "r");
        if (!f) { printf("read %s: %s\n", moved, strerror(errno)); return 1; }
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        printf("%s (%lld bytes)\n", buf, (long long)st.st_size);
        return 0;
    }
    if (!strcmp(c, "mkdir") && argc == 3) {
        if (mkdir(argv[2], 0755) != 0) { printf("mkdir %s: %s\n", argv[2], strerror(errno)); return 1; }
        return 0;
    }
    if (!strcmp(c, "rm") && argc == 3) {
        if (unlink(argv[2]) != 0) { printf("rm %s: %s\n", argv[2], strerror(errno)); return 1; }
        return 0;
    }
    if (!strcmp(c, "exit") && argc == 3) return atoi(argv[2]);
    if (!strcmp(c, "trap")) __builtin_trap();
    if (!strcmp(c, "alloc") && argc == 3) {
        size_t bytes = (size_t)atoi(argv[2]) << 20;
        char *p = malloc(bytes);
        if (!p) { puts("alloc failed"); return 1; }
        memset(p, 1, bytes);
        /* Read back through a volatile pointer: otherwise the unused buffer is optimised away. */
        volatile char *v = p;
        printf("alloc %s\n", v[bytes - 1] == 1 ? "ok" : "corrupt");
        return 0;
    }
    if (!strcmp(c, "sleep") && argc == 3) {
        sleep((unsigned)atoi(argv[2]));
        puts("slept");
        return 0;
    }
    fprintf(stderr, "wasi-probe: unknown command %s\n", c);
    return 2;
}
