/* Self-modifying code through the interpreter's block copies: a loop entered by a jump to its
 * head, whose body then falls into the head (the interpreter decodes the head twice: its own
 * block and a copy at the end of the body's). Code patched from outside between calls, and code
 * that patches the next instruction of the copy it runs in, must both run as patched. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static const unsigned char loop[] = {
    0x31, 0xc0,                         /* 0: xor eax, eax */
    0xeb, 0x05,                         /* 2: jmp 9 */
    0x83, 0xc0, 0x01,                   /* 4: add eax, 1 */
    0xff, 0xcf,                         /* 7: dec edi */
    0x85, 0xff,                         /* 9: test edi, edi */
    0x75, 0xf7,                         /* b: jne 4 */
    0x05, 0x00, 0x00, 0x00, 0x00,       /* d: add eax, imm32 (patched from outside) */
    0xc6, 0x05, 0x02, 0x00, 0x00, 0x00, 0x05,  /* 12: mov byte [rip+2], 5 (the next add's imm8) */
    0x83, 0xc0, 0x01,                   /* 19: add eax, 1 */
    0xc3,                               /* 1c: ret */
};

int main(void) {
    unsigned char *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    int (*f)(int) = (int (*)(int))code;
    for (int round = 0; round < 3; round++) {
        memcpy(code, loop, sizeof loop);
        for (int n = 0; n < 4; n++) {
            int before = f(n);                  /* n + 0 + 5: the self-patch runs every call */
            int patched = 1000 * (round + 1);
            memcpy(code + 0xe, &patched, 4);
            int after = f(n);
            code[0x1b] = 1;                     /* undo the self-patch */
            memcpy(code + 0xe, (int[]){0}, 4);
            printf("round %d n %d: %d %d\n", round, n, before, after);
        }
    }
    return 0;
}
