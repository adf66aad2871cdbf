/* glibc, statically linked: stdio, malloc, floating-point formatting, argv and exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    printf("hello, %d args, last %s\n", argc, argv[argc - 1]);
    char *p = malloc(100);
    strcpy(p, "malloc ok");
    puts(p);
    free(p);
    double d = 3.25;
    printf("%.3f %g %d %e\n", d * 2, d / 7, (int)(d * 100), 1e300 * 10);
    unsigned long long sum = 0;
    for (int i = 0; i < 1000000; i++) sum += (unsigned long long)i * i % 7;
    printf("%llu\n", sum);
    return 3;
}
