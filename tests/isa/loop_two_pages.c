/* Loops whose accesses keep the last two pages they probed (the native tier's loop page cache:
 * the last page and the one before), compared with qemu:
 * - a list whose nodes alternate between two pages (every access is in the page probed before
 *   the last one), and one whose nodes go round three pages (neither cached page serves);
 * - copy-on-write in a fork child: the loop's load caches page P, then page Q (P becomes the
 *   previous page), a store through another base register gives P a new frame; the next load
 *   from P must read the new frame, not the old one kept as the previous page (every TLB refill
 *   empties both pages);
 * - the same pages unmapped and mapped again between calls (the cached pages start empty at every
 *   entry of the loop: no frame outlives the mapping);
 * - a list running from two alternating pages into a PROT_NONE page: SIGSEGV at the load, every
 *   register from the handler's ucontext. */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* alt(node, n, 0): n times: acc += node->value; *node->target = acc; node = node->next.
 * A node is {next, value, target}. The three loads share one probe (one base); the store's base
 * is loaded, so it probes (and caches pages) on its own. The loop heads its function: a block
 * looping to its own entry. */
uint64_t alt(const uint64_t *node, uint64_t n, uint64_t zero);
extern const char alt_load[];
__asm__(".text\n.globl alt\nalt:\n\t"
        ".globl alt_load\nalt_load:\n\t"
        "ld a3,8(a0)\n\t"
        "ld a4,16(a0)\n\t"
        "ld a0,0(a0)\n\t"
        "add a2,a2,a3\n\t"
        "sd a2,0(a4)\n\t"
        "addi a1,a1,-1\n\t"
        "bnez a1,alt\n\t"
        "mv a0,a2\n\t"
        "ret\n");

static uint64_t *node(char *page, int k) { return (uint64_t *)(page + 64 + 32 * k); }
static void set_node(uint64_t *n, uint64_t *next, uint64_t value, uint64_t *target) {
    n[0] = (uint64_t)next;
    n[1] = value;
    n[2] = (uint64_t)target;
}

int main(void) {
    enum { K = 100 };
    char *m = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *p = m, *q = m + 4096, *s = m + 8192;
    uint64_t *sink = (uint64_t *)(m + 12288);
    /* Two pages: p0 q0 p1 q1 ... (a circle of 2K nodes). */
    for (int k = 0; k < K; k++) {
        set_node(node(p, k), node(q, k), (uint64_t)k * 7 + 1, &sink[k % 16]);
        set_node(node(q, k), node(p, (k + 1) % K), (uint64_t)k * 11 + 5, &sink[(k + 3) % 16]);
    }
    uint64_t h = 0;
    for (int r = 0; r < 60; r++) h = h * 31 + alt(node(p, r % K), 2 * K + r, 0);
    printf("two pages: %016lx, sink %lx %lx\n", (unsigned long)h, (unsigned long)sink[0], (unsigned long)sink[15]);

    /* Three pages: p q s p q s ... (the two cached pages never hold the next node's). */
    for (int k = 0; k < K; k++) {
        set_node(node(p, k), node(q, k), (uint64_t)k * 3 + 2, &sink[k % 8]);
        set_node(node(q, k), node(s, k), (uint64_t)k * 5 + 3, &sink[8 + k % 8]);
        set_node(node(s, k), node(p, (k + 1) % K), (uint64_t)k * 13 + 7, (uint64_t *)(q + 4000));
    }
    h = 0;
    for (int r = 0; r < 60; r++) h = h * 31 + alt(node(p, r % K), 3 * K - r, 0);
    printf("three pages: %016lx, sink %lx, q+4000 %lx\n", (unsigned long)h, (unsigned long)sink[3],
           (unsigned long)*(uint64_t *)(q + 4000));

    /* For the child: a circle a (P), b (Q), c (P), d (Q). a, b and c store into R, d into a's
     * value (in P). Visits: a b c d a b c d: the store at d breaks P's copy-on-write sharing when
     * P is the loop load's previous page; the next visit of a must read the new frame. */
    char *cow = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *cp = cow, *cq = cow + 4096;
    uint64_t *r = (uint64_t *)(cow + 8192);
    set_node(node(cp, 0), node(cq, 0), 1000, r);
    set_node(node(cq, 0), node(cp, 1), 200, r + 1);
    set_node(node(cp, 1), node(cq, 1), 30, r + 2);
    set_node(node(cq, 1), node(cp, 0), 4, &node(cp, 0)[1]);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        /* The child's tier compiles the loop afresh: warmed up on pages of its own first. */
        char *own = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        uint64_t *or = (uint64_t *)(own + 8192);
        set_node(node(own, 0), node(own + 4096, 0), 1, or);
        set_node(node(own + 4096, 0), node(own, 0), 2, or + 1);
        uint64_t w = 0;
        for (int i = 0; i < 300; i++) w += alt(node(own, 0), 8, 0);
        r[0] = 0; /* R in the write TLB (its own frame) before the loop */
        /* P and Q read here, so the loop's loads find them in the read TLB (a refill would empty
         * the loop's cached pages). A system call then: the loop starts with a fresh time slice,
         * in compiled code. */
        printf("child: warmed up %lu, a %lu, b %lu\n", (unsigned long)w, (unsigned long)node(cp, 0)[1],
               (unsigned long)node(cq, 0)[1]);
        fflush(stdout);
        uint64_t acc = alt(node(cp, 0), 8, 0);
        printf("child: acc %lu, a %lu, r %lu %lu %lu\n", (unsigned long)acc, (unsigned long)node(cp, 0)[1],
               (unsigned long)r[0], (unsigned long)r[1], (unsigned long)r[2]);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("parent: a %lu, r %lu after the child (status %d)\n", (unsigned long)node(cp, 0)[1], (unsigned long)r[0],
           status);

    /* The loop's cached pages are emptied at every entry of the loop: a page unmapped and mapped
     * again at the same address between two calls has a new frame (new contents). */
    char *x = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < K; k++) {
            set_node(node(x, k), node(x + 4096, k), (uint64_t)(round * 1000 + k), &sink[k % 8]);
            set_node(node(x + 4096, k), node(x, (k + 1) % K), (uint64_t)(round * 100 + k), &sink[8 + k % 8]);
        }
        h = 0;
        for (int r = 0; r < 40; r++) h = h * 31 + alt(node(x, r % K), 2 * K, 0);
        printf("remapped round %d: %016lx\n", round, (unsigned long)h);
        munmap(x, 2 * 4096);
        if (mmap(x, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != x) printf("remap failed\n");
    }

    /* Into PROT_NONE: p0 q0 p1 q1 ... p(K-1) q(K-1) then a node in the protected page. */
    char *g = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gp = g, *gq = g + 4096, *gx = g + 8192;
    for (int k = 0; k < K; k++) {
        set_node(node(gp, k), node(gq, k), (uint64_t)k + 1, &sink[k % 4]);
        set_node(node(gq, k), k + 1 < K ? node(gp, k + 1) : node(gx, 5), (uint64_t)k + 2, &sink[4 + k % 4]);
    }
    mprotect(gx, 4096, PROT_NONE);
    for (int i = 0; i < 50; i++) alt(node(gp, 0), 2 * K - 1, 0);
    catch_segv();
    if (!sigsetjmp(env, 1)) {
        alt(node(gp, 0), 2 * K + 10, 0);
        printf("into PROT_NONE: no fault\n");
    } else {
        printf("into PROT_NONE: fault at %s, addr g+%lx, a0 g+%lx a1 %lx a2 %lx a3 %lx a4 sink+%lx\n",
               fault_pc == (uint64_t)alt_load ? "the load" : "ELSEWHERE", (unsigned long)(fault_addr - (uint64_t)g),
               (unsigned long)(fault_regs[10] - (uint64_t)g), (unsigned long)fault_regs[11],
               (unsigned long)fault_regs[12], (unsigned long)fault_regs[13],
               (unsigned long)(fault_regs[14] - (uint64_t)sink));
    }
    return 0;
}
