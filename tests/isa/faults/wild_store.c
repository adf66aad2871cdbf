/* Stores to an address no mapping covers: SIGSEGV, exit status 128+11 = 139. */
#include <stdio.h>
int main(void) {
    printf("before\n");
    fflush(stdout);
    *(volatile long *)0x10 = 42;
    printf("after (must not be printed)\n");
    return 0;
}
