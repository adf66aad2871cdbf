/* Stores into the program's own read-only text segment: SIGSEGV (a protection fault, not an
 * unmapped one), exit status 139. */
#include <stdio.h>
int main(void) {
    printf("before\n");
    fflush(stdout);
    *(volatile unsigned char *)(void *)main = 0;
    printf("after (must not be printed)\n");
    return 0;
}
