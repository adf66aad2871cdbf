/* Executes an all-zero instruction word (defined illegal in RISC-V): the process must die of
 * SIGILL, which a container runtime reports as exit status 128+4 = 132. */
#include <stdio.h>
int main(void) {
    printf("before\n");
    fflush(stdout);
    __asm__ volatile(".4byte 0x00000000");
    printf("after (must not be printed)\n");
    return 0;
}
