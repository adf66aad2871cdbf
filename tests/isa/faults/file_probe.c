/* file_probe r PATH   prints the first line of PATH, or the errno name
 * file_probe w PATH   creates PATH with a marker line, prints "written" or the errno name
 * Used by the confinement tests: paths with .. and symlinks must resolve inside the root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case ENOENT: return "ENOENT"; case EACCES: return "EACCES"; case ELOOP: return "ELOOP";
    case ENOTDIR: return "ENOTDIR"; case EROFS: return "EROFS"; case EEXIST: return "EEXIST";
    default: return strerror(e);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: file_probe r|w PATH\n"); return 2; }
    if (argv[1][0] == 'r') {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) { printf("%s\n", ename(errno)); return 1; }
        char buf[256];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        char *nl = strchr(buf, '\n');
        if (nl) *nl = 0;
        printf("read: %s\n", buf);
        return 0;
    }
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { printf("%s\n", ename(errno)); return 1; }
    if (write(fd, "skiff confinement marker\n", 25) != 25) return 3;
    close(fd);
    printf("written\n");
    return 0;
}
