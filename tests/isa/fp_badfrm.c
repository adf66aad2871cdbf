/* A dynamic-rounding instruction while frm holds a reserved value (5..7) is an illegal
 * instruction: the process dies of SIGILL (exit status 132). Output before it must be flushed. */
#include "isa.h"

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    write_frm(5);
    printf("frm=%llu (storing a reserved value is allowed)\n", (unsigned long long)read_frm());
    volatile double a = 1.0, b = 3.0;
    double c;
    __asm__ volatile("fdiv.d %0,%1,%2,dyn" : "=f"(c) : "f"(a), "f"(b));
    printf("not reached %f\n", c);
    return 0;
}
