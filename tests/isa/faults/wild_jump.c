/* Jumps to an address no mapping covers (an instruction fetch fault): SIGSEGV, exit status 139. */
#include <stdio.h>
int main(void) {
    printf("before\n");
    fflush(stdout);
    void (*f)(void) = (void (*)(void))0x7ffff000ul;
    f();
    printf("after (must not be printed)\n");
    return 0;
}
