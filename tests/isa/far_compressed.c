/* Compressed jumps and branches whose target lies on another page (the interpreter decodes them
 * to jalFar and branchFar with len 1, stepping by the slot's length when not taken): c.beqz and
 * c.bnez to the next page and back to the previous one, taken and not, and c.j both ways, next to
 * a page boundary. Compared with qemu. */
#include "isa.h"

/* far(a0, a1, a3): a2 collects which paths ran. */
__asm__(".text\n"
        ".balign 4096\n"
        ".rept 2038\n\tc.nop\n\t.endr\n"  /* to offset 4076 */
        "back:\n\t"                       /* 4076: a far target from page P+1 */
        "c.addi a2,16\n\t"
        "c.nop\n"                         /* 4078 */
        "onward:\n\t"
        "c.addi a2,1\n\t"                 /* 4080 */
        "c.nop\n\t"                       /* 4082 */
        "c.nop\n\t"                       /* 4084 */
        ".globl far\n"
        "far:\n\t"                        /* 4086 */
        "c.beqz a0,1f\n\t"                /* 4086: to page P+1 */
        "c.bnez a1,2f\n\t"                /* 4088: to page P+1 */
        "c.addi a2,4\n\t"                 /* 4090 */
        "c.j 3f\n\t"                      /* 4092: to page P+1 */
        "c.nop\n"                         /* 4094 */
        "1:\n\t"                          /* page P+1, offset 0 */
        "c.addi a2,8\n\t"
        "c.li a0,1\n\t"
        "c.bnez a3,back_once\n\t"         /* far, backwards (through a flag: once) */
        "ret\n"
        "2:\n\t"
        "c.addi a2,2\n\t"
        "c.li a1,0\n\t"
        "c.beqz a1,far_again\n\t"         /* taken backwards */
        "ret\n"
        "3:\n\t"
        "slli a2,a2,8\n\t"
        "ret\n"
        "back_once:\n\t"
        "c.li a3,0\n\t"
        "c.beqz a3,back\n\t"              /* page P+1 to P: far */
        "ret\n"
        "far_again:\n\t"
        "c.li a0,1\n\t"
        "j far\n");

extern void far(void);

static uint64_t run(uint64_t a0, uint64_t a1, uint64_t a3) {
    register uint64_t x0 __asm__("a0") = a0, x1 __asm__("a1") = a1, x2 __asm__("a2") = 0, x3 __asm__("a3") = a3;
    __asm__ volatile("call far" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "ra", "memory");
    return x2;
}

int main(void) {
    /* Enough rounds for the native tier to compile it too. */
    uint64_t sum = 0;
    for (int round = 0; round < 300; round++) {
        for (int c = 0; c < 8; c++) {
            uint64_t v = run(c & 1, c & 2, c & 4);
            if (round == 0) printf("far %d%d%d: %llx\n", c & 1, (c >> 1) & 1, (c >> 2) & 1, (unsigned long long)v);
            sum = sum * 31 + v;
        }
    }
    printf("sum %llx\n", (unsigned long long)sum);
    return 0;
}
