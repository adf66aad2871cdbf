/* ebreak: SIGTRAP, exit status 128+5 = 133. */
#include <stdio.h>
int main(void) {
    printf("before\n");
    fflush(stdout);
    __asm__ volatile("ebreak");
    printf("after (must not be printed)\n");
    return 0;
}
