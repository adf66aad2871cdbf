/* The native tier for x86-64 guests fills its TLB from compiled code: a memory operand's probe
 * that misses calls the refill trampoline (Sources/X86Native/GuestTrampolines.swift) with the
 * block's guest values in host registers and the guest flags saved, then probes again. Each loop
 * below runs hot (compiled at the tests' thresholds and the default) over pages it has not touched
 * yet, so its probes miss; the host CPU is the reference.
 *  - stores into fresh pages (the write refill), then loads from them (the read refill), with a
 *    value in every register the loop can hold and flags live across the access (cmp; mov; adc);
 *  - 8-byte loads and stores straddling each page end: the refill fills the first page only, so
 *    the probe must still miss and leave to the interpreter (a hit would put the bytes meant for
 *    the next page past the end of the first one's frame: the bytes are read back one at a time);
 *  - after fork, the child's compiled stores into pages it shares copy-on-write with the parent
 *    (the write refill copies the frame): the parent's bytes stay as they were. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 12
#define ROUNDS 300
/* One page more than the loops visit: the last page's access at 4093 ends in it. */
#define SIZE ((PAGES + 1) * 4096)

static unsigned char *fresh(void) {
    void *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); _exit(1); }
    return p;
}

/* One 8-byte store per page at `offset`, the value mixed from the loop's registers. */
__attribute__((noinline)) static unsigned long fill(unsigned char *p, long offset, unsigned long seed) {
    register unsigned long r8 __asm__("r8") = seed, r9 __asm__("r9") = seed * 3,
                               r10 __asm__("r10") = seed ^ 0x5555, r11 __asm__("r11") = 7;
    long n = PAGES;
    unsigned char *q = p + offset;
    __asm__ volatile(
        "1:\n\t"
        "lea 0x9e37(%%r8,%%r9), %%r8\n\t"
        "rol $13, %%r9\n\t"
        "xor %%r8, %%r10\n\t"
        "cmp $5, %%rcx\n\t"
        "mov %%r10, (%%rdi)\n\t"          /* store into a fresh page: a write refill */
        "adc %%r10, %%r11\n\t"            /* reads CF from the cmp before the store */
        "add $4096, %%rdi\n\t"
        "dec %%rcx\n\t"
        "jnz 1b\n\t"
        : "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+D"(q), "+c"(n) : : "cc", "memory");
    return r8 ^ r9 ^ r10 ^ r11;
}

/* Sums the 8 bytes at `offset` of every page, with the same register pressure. */
__attribute__((noinline)) static unsigned long sum(unsigned char *p, long offset) {
    register unsigned long r8 __asm__("r8") = 1, r9 __asm__("r9") = 2, r10 __asm__("r10") = 3,
                               r11 __asm__("r11") = 4;
    unsigned long acc = 0, v;
    long n = PAGES;
    unsigned char *q = p + offset;
    __asm__ volatile(
        "1:\n\t"
        "cmp $6, %%rcx\n\t"
        "mov (%%rsi), %[v]\n\t"           /* load from a page not read yet: a read refill */
        "adc %[v], %[acc]\n\t"
        "add %[v], %%r8\n\t"
        "xor %%r8, %%r9\n\t"
        "lea 7(%%r9,%%r10), %%r10\n\t"
        "imul %%r10, %%r11\n\t"
        "add $4096, %%rsi\n\t"
        "dec %%rcx\n\t"
        "jnz 1b\n\t"
        : [acc] "+r"(acc), [v] "=&r"(v), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+S"(q), "+c"(n)
        : : "cc", "memory");
    return acc ^ r8 ^ r9 ^ r10 ^ r11;
}

/* The bytes the stores left, read one at a time (a byte never straddles a page end): a store or
 * a load that used the wrong page for its part in the next page shows here, not in a round trip. */
static unsigned long bytes(unsigned char *p, long offset) {
    unsigned long h = 0;
    for (int i = 0; i < PAGES; i++)
        for (int k = 0; k < 8; k++) h = h * 131 + ((volatile unsigned char *)p)[i * 4096 + offset + k];
    return h;
}

static unsigned long round_trip(long offset, unsigned long seed) {
    unsigned char *p = fresh();
    unsigned long a = fill(p, offset, seed);
    unsigned long b = bytes(p, offset);
    unsigned long c = sum(p, offset);
    munmap(p, SIZE);
    return (a * 31 + b) * 31 + c;
}

int main(void) {
    /* Within each page, then straddling each page end (offset 4093: 3 bytes in this page, 5 in
     * the next; the stores of the next page's round land on the bytes after them). */
    unsigned long offsets[] = {0, 2048, 4093};
    for (int o = 0; o < 3; o++) {
        unsigned long h = 0;
        for (int r = 0; r < ROUNDS; r++) h = h * 1000003 + round_trip(offsets[o], r + 1 + o * 1000);
        printf("offset %lu: %016lx\n", offsets[o], h);
    }

    /* Copy-on-write: the parent's pages are filled, the child writes over them compiled. */
    unsigned long parent = 0, changed = 0;
    for (int r = 0; r < 40; r++) {
        unsigned char *p = fresh();
        fill(p, 100, 77 + r);
        unsigned char before[PAGES * 8];
        for (int i = 0; i < PAGES; i++) memcpy(before + i * 8, p + i * 4096 + 100, 8);
        int fds[2];
        if (pipe(fds) != 0) { perror("pipe"); return 1; }
        pid_t pid = fork();
        if (pid == 0) {
            unsigned long c = 0;
            for (int k = 0; k < 10; k++) c = c * 7 + fill(p, 100, 1000 + k) + sum(p, 100);
            if (write(fds[1], &c, sizeof c) != sizeof c) _exit(2);
            _exit(0);
        }
        unsigned long c = 0;
        if (read(fds[0], &c, sizeof c) != sizeof c) { perror("read"); return 1; }
        waitpid(pid, 0, 0);
        close(fds[0]);
        close(fds[1]);
        for (int i = 0; i < PAGES; i++) changed += memcmp(before + i * 8, p + i * 4096 + 100, 8) != 0;
        parent = parent * 1000003 + c + sum(p, 100);
        munmap(p, SIZE);
    }
    printf("fork: child and parent %016lx, parent pages changed by the child: %lu\n", parent, changed);
    return 0;
}
