/* Loops whose accesses keep the page they last probed (the native tier's loop page cache),
 * compared with qemu:
 * - a list walked over nodes spread across several pages (the cached page changes all the time);
 * - 8-byte loads at a 4-byte stride over two pages (one straddles the boundary: it must not be
 *   served from the cached page);
 * - a loop that reads a page shared copy-on-write after fork and writes it through another base
 *   register (the write breaks the sharing: the page gets a new frame, and the loop's later
 *   loads must read that one, not the cached old frame);
 * - a strided loop running into a PROT_NONE page: SIGSEGV at the exact access, every register
 *   from the handler's ucontext. */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each loop starts its function, so that its head is a block's entry: a block looping to its
 * own entry (a loop's translation, where accesses keep their pages). */

/* walk(node, n, 0): sum of the values of n nodes from `node` ({next, value}). */
uint64_t walk(const uint64_t *node, uint64_t n, uint64_t zero);
__asm__(".text\n.globl walk\nwalk:\n\t"
        "ld a3,8(a0)\n\t"
        "ld a0,0(a0)\n\t"
        "add a2,a2,a3\n\t"
        "addi a1,a1,-1\n\t"
        "bnez a1,walk\n\t"
        "mv a0,a2\n\t"
        "ret\n");

/* strided(p, n, 0): the 8-byte words at p, p + 4, p + 8, ... (n of them), rotated in. */
uint64_t strided(const char *p, uint64_t n, uint64_t zero);
extern const char strided_load[];
__asm__(".text\n.globl strided\nstrided:\n\t"
        ".globl strided_load\nstrided_load:\n\t"
        "ld a3,0(a0)\n\t"
        "slli a4,a2,7\n\t"
        "srli a2,a2,57\n\t"
        "or a2,a2,a4\n\t"
        "xor a2,a2,a3\n\t"
        "addi a0,a0,4\n\t"
        "addi a1,a1,-1\n\t"
        "bnez a1,strided\n\t"
        "mv a0,a2\n\t"
        "ret\n");

/* doubling(src, dst, n, 1): n times: x = *src; acc += x; *dst = acc (src and dst may be one
 * word, through two base registers). */
uint64_t doubling(const uint64_t *src, uint64_t *dst, uint64_t n, uint64_t one);
__asm__(".text\n.globl doubling\ndoubling:\n\t"
        "ld t0,0(a0)\n\t"
        "add a3,a3,t0\n\t"
        "sd a3,0(a1)\n\t"
        "addi a2,a2,-1\n\t"
        "bnez a2,doubling\n\t"
        "mv a0,a3\n\t"
        "ret\n");

int main(void) {
    /* Nodes in 6 pages, linked in an order that jumps between them. */
    enum { PAGES = 6, PER = 4096 / 16, N = PAGES * PER };
    uint64_t *nodes = mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < N; i++) {
        int j = (int)(((uint64_t)i * 1237 + 11) % N), k = (int)(((uint64_t)(i + 1) * 1237 + 11) % N);
        nodes[2 * j] = (uint64_t)&nodes[2 * k];
        nodes[2 * j + 1] = (uint64_t)i * 3 + 1;
    }
    uint64_t h = 0;
    for (int r = 0; r < 40; r++) h = h * 7 + walk(&nodes[2 * ((r * 97) % N)], N - r, 0);
    printf("walk: %016lx\n", (unsigned long)h);

    char *two = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 8192; i++) two[i] = (char)(i * 13 + (i >> 8));
    h = 0;
    for (int r = 0; r < 300; r++) h = h * 3 + strided(two + 4096 - 64 - 4 * (r % 8), 40, 0);
    printf("strided over the boundary: %016lx\n", (unsigned long)h);

    uint64_t *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 300; i++) { shared[0] = 1; shared[1] = (uint64_t)doubling(&shared[0], &shared[1], 20, 1); }
    shared[0] = 5;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        /* The child's tier compiles the loop afresh: warmed up on a page of its own first. Then
         * the shared page: the loop's first load caches it, its first store gives it a new frame
         * (copy-on-write), the later loads must read that one. */
        uint64_t *own = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < 300; i++) { own[0] = 1; own[1] = doubling(&own[0], &own[1], 20, 1); }
        /* A system call first: the loop then starts with a fresh time slice, in compiled code
         * (without it the first iterations may be interpreted, the copy made before the loop). */
        printf("child: warmed up, word %lu\n", (unsigned long)shared[0]);
        fflush(stdout);
        uint64_t r = doubling(&shared[0], &shared[0], 30, 1);
        printf("child: doubling %lu, word %lu\n", (unsigned long)r, (unsigned long)shared[0]);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("parent: word %lu after the child (status %d)\n", (unsigned long)shared[0], status);

    catch_segv();
    char *guard = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(guard, 7, 4096);
    mprotect(guard + 4096, 4096, PROT_NONE);
    for (int r = 0; r < 50; r++) strided(guard + 2048, 256, 0);
    if (!sigsetjmp(env, 1)) {
        strided(guard + 4096 - 400, 1000, 0);
        printf("strided into PROT_NONE: no fault\n");
    } else {
        printf("strided into PROT_NONE: fault at %s, addr guard+%lx, a0 guard+%lx a1 %lx a2 %lx a3 %lx\n",
               fault_pc == (uint64_t)strided_load ? "the load" : "ELSEWHERE", (unsigned long)(fault_addr - (uint64_t)guard),
               (unsigned long)(fault_regs[10] - (uint64_t)guard), (unsigned long)fault_regs[11],
               (unsigned long)fault_regs[12], (unsigned long)fault_regs[13]);
    }
    return 0;
}
