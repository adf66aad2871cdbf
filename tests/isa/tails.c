/* Tails (the paths a compiled block's forward branches take off its straight line, appended to
 * the block so those branches jump inside it), compared with qemu. `classify` is laid out as a
 * compiler lays out a switch: its main line handles digits and jumps over the other cases to the
 * common exit; the cases come after it, each a tail of the block:
 * - tail 2 (below '0'): a store, then `rdtime` (an instruction compiled code leaves to the
 *   interpreter for: the rest of the tail is never compiled), then a jump to the exit;
 * - tail 3 (above '9'): a second forward branch of its own (tail 4, a jump back to the exit),
 *   a load through a pointer the test sets (SIGSEGV inside a tail: pc, si_addr and every register
 *   from the ucontext, recovered with siglongjmp), a store, a jump to the exit;
 * - tail 1 (','): laid out right before the exit, runs into it (the block holds it: it goes on
 *   there as a jump would). Its last result is a negative `addiw`, and the next tail in the
 *   block's order (tail 2) starts with an `addiw` of that register: what follows an instruction in
 *   the block's order is not its successor when a tail starts there, so the result must still be
 *   sign-extended (the liveness pass).
 * Registers computed before the first branch (t0-t2) are live in every tail. Results and counts
 * of many calls are hashed (compiled after a few calls at the tests' threshold, 256 by default). */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>

/* classify(c, counts): counts[0..2] and [4..5] counted per kind, counts[3] a pointer the
 * letters' tail loads a byte through; returns a value mixing c, the kind and t0-t2. */
uint64_t classify(uint64_t c, uint64_t *counts);
extern const char tail_load[];
__asm__(".text\n"
        ".p2align 7\n"
        ".globl classify\n"
        "classify:\n\t"
        "addi t0,a0,1\n\t"
        "slli t1,a0,3\n\t"
        "xor t2,t0,t1\n\t"
        "li a3,44\n\t"
        "beq a0,a3,1f\n\t"
        "li a3,48\n\t"
        "bltu a0,a3,2f\n\t"
        "li a3,57\n\t"
        "bltu a3,a0,3f\n\t"
        "ld a4,0(a1)\n\t"
        "addi a4,a4,1\n\t"
        "sd a4,0(a1)\n\t"
        "addi a0,a0,-48\n\t"
        "j 5f\n"
        "2:\n\t"
        "addiw a0,a0,5\n\t"
        "ld a5,16(a1)\n\t"
        "add a5,a5,a0\n\t"
        "sd a5,16(a1)\n\t"
        "rdtime t6\n\t"
        "li t6,0\n\t"
        "li a0,200\n\t"
        "j 5f\n"
        "3:\n\t"
        "andi a7,a0,32\n\t"
        "beqz a7,4f\n\t"
        "ld a6,24(a1)\n\t"
        ".globl tail_load\n"
        "tail_load:\n\t"
        "lbu a7,0(a6)\n\t"
        "add a0,a0,a7\n\t"
        "ld a5,32(a1)\n\t"
        "add a5,a5,a0\n\t"
        "sd a5,32(a1)\n\t"
        "j 5f\n"
        "4:\n\t"
        "ld a5,40(a1)\n\t"
        "addi a5,a5,1\n\t"
        "sd a5,40(a1)\n\t"
        "slli a0,a0,2\n\t"
        "j 5f\n"
        "1:\n\t"
        "ld a5,8(a1)\n\t"
        "addi a5,a5,1\n\t"
        "sd a5,8(a1)\n\t"
        "addiw a0,a5,-100\n"
        "5:\n\t"
        "xor a0,a0,t2\n\t"
        "add a0,a0,t0\n\t"
        "ret\n");

static const char text[] = "Tails: 12,345 paths off the line; 6 cases, 789 calls - ok? yes,NO,7!";

int main(void) {
    uint8_t byte = 0x5a;
    uint64_t counts[6] = {0, 0, 0, (uint64_t)&byte, 0, 0}, h = 0;
    for (int i = 0; i < 3000; i++) {
        for (int k = 0; text[k]; k++) h = h * 31 + classify((uint8_t)text[k] + (i & 1), counts);
        byte = (uint8_t)(byte * 5 + 1);
    }
    printf("classify h=%016llx counts %llu %llu %llu %llu %llu\n", (unsigned long long)h,
           (unsigned long long)counts[0], (unsigned long long)counts[1], (unsigned long long)counts[2],
           (unsigned long long)counts[4], (unsigned long long)counts[5]);

    catch_segv();
    uint8_t *page = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int k = 0; k < 3; k++) {
        counts[3] = (uint64_t)(page + 8 * k);
        if (!sigsetjmp(env, 1)) {
            uint64_t r = classify('a' + k, counts);
            printf("fault %d: none, %llx\n", k, (unsigned long long)r);
        } else {
            printf("fault %d: at tail_load %d, addr page+%lld:", k, fault_pc == (uint64_t)tail_load,
                   (long long)(fault_addr - (uint64_t)page));
            /* t0-t2, a0, a3, a5-a7 (a1 and a6 are addresses: relative to counts and page). */
            static const int regs[8] = {5, 6, 7, 10, 13, 15, 16, 17};
            for (int j = 0; j < 8; j++) {
                uint64_t v = fault_regs[regs[j]];
                if (regs[j] == 16) v -= (uint64_t)page;
                printf(" %llx", (unsigned long long)v);
            }
            printf(" a1 %d\n", fault_regs[11] == (uint64_t)counts);
        }
    }
    printf("counts after %llu %llu\n", (unsigned long long)counts[4], (unsigned long long)counts[5]);
    return 0;
}
