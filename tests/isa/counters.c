/* Zicntr's time counter and fences: rdtime is readable from user mode and never goes backwards;
 * fence, fence.tso, fence.i and pause (a hint) execute. Only comparisons are printed (values
 * differ by host). rdcycle/rdinstret are left out: Linux 6.6+ denies them to user space by
 * default (SIGILL) while qemu-user allows them, so neither behaviour is a reference. */
#include "isa.h"
#include <time.h>

int main(void) {
    uint64_t t0, t1;
    __asm__ volatile("rdtime %0" : "=r"(t0));
    volatile uint64_t x = 0;
    for (int k = 0; k < 100000; k++) x += k;
    __asm__ volatile("fence\n\tfence rw,rw\n\tfence.tso\n\tfence.i\n\t.insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
    __asm__ volatile("rdtime %0" : "=r"(t1));
    printf("time monotonic: %d\n", t1 >= t0);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("clock_gettime ok: %d\n", ts.tv_sec >= 0);
    printf("sum %llu\n", (unsigned long long)x);
    return 0;
}
