/* The native tier's liveness pass and shared write probes, compared with qemu:
 * - rotates spelled as two shifts and an `or` (64-bit and `*w`, the later shift overwriting the
 *   source, interleaved with other work, and lookalikes that are not rotates: a shift result read
 *   again later, amounts that do not add up), which compiled code turns into one rotate;
 * - `*w` results whose upper half only other `*w` operations read (left zero-extended in host
 *   registers): a side exit and a faulting load after them must still see every register
 *   sign-extended (SIGSEGV with every register from the handler's ucontext);
 * - zero and sign extensions spelled as two shifts (one movzx/movsx in compiled code) and
 *   lookalikes (`ext`);
 * - loads and stores off one base sharing one write-TLB probe: a list reversal (ld/sd of one
 *   address), such a group on a read-only page (the load is done, the store faults exactly),
 *   and the same group leaving before its store (no fault). */
#include "isa.h"
#include "segv_regs.h"
#include <sys/mman.h>

/* rot(a, b): rotates of a and b in several spellings, mixed into one value. */
uint64_t rot(uint64_t a, uint64_t b);
__asm__(".text\n.globl rot\nrot:\n\t"
        /* 64-bit rotate right by 13, shifts in either order, temp dead after. */
        "slli t1,a0,51\n\tsrli t0,a0,13\n\tor t0,t0,t1\n\t"
        /* interleaved, the later shift overwriting its source (a1 = ror(a1, 33)). */
        "slli t2,a1,31\n\taddi t3,a0,5\n\tsrli a1,a1,33\n\txor t3,t3,t0\n\tor a1,a1,t2\n\t"
        /* *w rotate (right by 7), result feeding *w operations only. */
        "srliw t4,a0,7\n\tslliw t5,a0,25\n\tor t4,t5,t4\n\taddw t4,t4,a1\n\t"
        /* *w rotate whose result a 64-bit shift reads (needs its upper half). */
        "srliw t6,a1,3\n\tslliw a2,a1,29\n\tor a2,a2,t6\n\tsrli a3,a2,20\n\t"
        /* not a rotate: a shift result read again. */
        "slli a4,a0,8\n\tsrli a5,a0,56\n\tor a5,a5,a4\n\tadd a5,a5,a4\n\t"
        /* not a rotate: amounts 12 + 50. */
        "slli a6,a1,12\n\tsrli a7,a1,50\n\tor a7,a7,a6\n\t"
        "xor a0,t0,a1\n\txor a0,a0,t3\n\tadd a0,a0,t4\n\txor a0,a0,a3\n\tadd a0,a0,a5\n\txor a0,a0,a7\n\t"
        "add a0,a0,a2\n\t"
        /* The temporaries dead at the return (else the shifts' results are live there). */
        "li t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\tli t4,0\n\tli t5,0\n\tli t6,0\n\t"
        "li a1,0\n\tli a2,0\n\tli a3,0\n\tli a4,0\n\tli a5,0\n\tli a6,0\n\tli a7,0\n\t"
        "ret\n");

/* wchain(a, b, c, p): *w operations feeding each other, a side exit when c is odd (returns
 * the chain so far), then a load at p (may fault) and more. */
uint64_t wchain(uint64_t a, uint64_t b, uint64_t c, const uint64_t *p);
extern const char wchain_load[];
__asm__(".text\n.globl wchain\nwchain:\n\t"
        "addw t0,a0,a1\n\t"
        "slliw t0,t0,3\n\t"
        "subw t0,t0,a0\n\t"
        "xor t3,t0,a1\n\t"
        "addiw t3,t3,-7\n\t"
        "mulw t3,t3,a1\n\t"
        "addw t0,t0,t3\n\t"
        "andi t6,a2,1\n\t"
        "bnez t6,1f\n\t"
        "addw t1,t0,a1\n\t"
        "sraiw t1,t1,2\n\t"
        "addw t2,t1,t3\n\t"
        "srliw t4,t2,1\n\t"
        "addw t4,t4,t0\n\t"
        ".globl wchain_load\nwchain_load:\n\t"
        "ld a3,0(a3)\n\t"
        "addw t5,t2,a3\n\t"
        "xor a0,t5,t4\n\t"
        "li t0,0\n\tli t1,0\n\tli t2,0\n\tli t3,0\n\tli t4,0\n\tli t5,0\n\t"
        "ret\n"
        "1:\n\t"
        "add a0,t0,t3\n\t"
        "ret\n");

/* reverse(head): reverses a list of {next, value} in place (ld/sd of one address). */
struct node { struct node *next; uint64_t value; };
struct node *reverse(struct node *head);
__asm__(".text\n.globl reverse\nreverse:\n\t"
        "li a1,0\n\t"
        "beqz a0,2f\n"
        "1:\n\t"
        "ld a2,0(a0)\n\t"
        "sd a1,0(a0)\n\t"
        "mv a1,a0\n\t"
        "mv a0,a2\n\t"
        "bnez a0,1b\n"
        "2:\n\t"
        "mv a0,a1\n\t"
        "ret\n");

/* bump(p, skip): t0 = p[0]; when skip is 0, p[1] = t0 + 1 (a load and a store off one base). */
/* ext(a, b, skip): zero and sign extensions spelled as two shifts (64-bit by 32, 48, 56; `*w` by
 * 16, 24; in place and into another register), which compiled code turns into one movzx/movsx,
 * and lookalikes that are not: amounts that differ, the first result read by another register,
 * and a second shift that a branch (skip != 0) jumps to past the first. */
uint64_t ext(uint64_t a, uint64_t b, uint64_t skip);
__asm__(".text\n.globl ext\next:\n\t"
        "slli t0,a0,48\n\tsrli t0,t0,48\n\t"
        "slli t1,a0,32\n\tsrli t1,t1,32\n\t"
        "slli t2,a0,32\n\tsrai t2,t2,32\n\t"
        "slli t3,a0,56\n\tsrli t3,t3,56\n\t"
        "slli t4,a1,56\n\tsrai t4,t4,56\n\t"
        "slliw t5,a0,16\n\tsraiw t5,t5,16\n\t"
        "slliw t6,a1,16\n\tsrliw t6,t6,16\n\t"
        "slliw a3,a0,24\n\tsraiw a3,a3,24\n\t"
        "slliw a4,a1,24\n\tsrliw a4,a4,24\n\t"
        "slli a5,a0,48\n\tsrli a5,a5,47\n\t"
        "slli a6,a1,48\n\tsrai a7,a6,48\n\t"
        "beqz a2,1f\n\t"
        "slli a1,a0,48\n"
        "1:\n\t"
        "srai a1,a1,48\n\t"
        "slli a0,a0,48\n\tsrai a0,a0,48\n\t"
        "add a0,a0,t0\n\txor a0,a0,t1\n\tadd a0,a0,t2\n\txor a0,a0,t3\n\tadd a0,a0,t4\n\txor a0,a0,t5\n\t"
        "add a0,a0,t6\n\txor a0,a0,a3\n\tadd a0,a0,a4\n\txor a0,a0,a5\n\tadd a0,a0,a6\n\txor a0,a0,a7\n\t"
        "slli a0,a0,1\n\txor a0,a0,a1\n\t"
        "ret\n");

uint64_t bump(uint64_t *p, uint64_t skip);
extern const char bump_store[];
__asm__(".text\n.globl bump\nbump:\n\t"
        "ld t0,0(a0)\n\t"
        "bnez a1,1f\n\t"
        "addi t1,t0,1\n\t"
        ".globl bump_store\nbump_store:\n\t"
        "sd t1,8(a0)\n"
        "1:\n\t"
        "mv a0,t0\n\t"
        "ret\n");

/* Addresses in the mapping at `base` print as offsets (qemu and skiff map it elsewhere). */
static void show(uint64_t v, uint64_t base) {
    if (v - base < 4096) printf(" page+%lx", (unsigned long)(v - base)); else printf(" %lx", (unsigned long)v);
}

static void show_fault(const char *what, const void *expected_pc, const void *page) {
    printf("%s: fault at %s, addr", what, fault_pc == (uint64_t)expected_pc ? "the access" : "ELSEWHERE");
    show(fault_addr, (uint64_t)page);
    printf(", regs");
    for (int r = 5; r <= 17; r++) show(fault_regs[r], (uint64_t)page);
    for (int r = 28; r <= 31; r++) show(fault_regs[r], (uint64_t)page);
    printf("\n");
}

int main(void) {
    static const uint64_t seeds[] = {0, 1, 0x80000000u, 0x7fffffffu, 0xffffffff80000001ull, 0x123456789abcdef0ull,
                                     0xfedcba9876543210ull, 0x00000000deadbeefull};
    uint64_t h = 0, he = 0;
    for (int i = 0; i < 3000; i++) {
        uint64_t a = seeds[i % NELEM(seeds)] ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
        uint64_t b = seeds[(i / 8) % NELEM(seeds)] + (uint64_t)i;
        h = h * 31 + rot(a, b);
        uint64_t word = a ^ b;
        h = h * 31 + wchain(a, b, (uint64_t)i, &word);
        he = he * 31 + ext(a, b, (uint64_t)(i & 1));
        if (i < 16) printf("ext %016lx %016lx: %016lx\n", (unsigned long)a, (unsigned long)b, (unsigned long)ext(a, b, 1));
        if (i % 500 == 0) printf("step %d: %016lx\n", i, (unsigned long)h);
    }
    printf("rotates and *w chains: %016lx\n", (unsigned long)h);
    printf("extensions: %016lx\n", (unsigned long)he);

    catch_segv();
    uint64_t *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(env, 1)) {
        wchain(0x7ffffff0, 0x40000000, 2, none);
        printf("wchain: no fault\n");
    } else {
        show_fault("wchain", wchain_load, none);
    }

    enum { N = 1000 };
    static struct node nodes[N];
    for (int i = 0; i < N; i++) nodes[i] = (struct node){i + 1 < N ? &nodes[i + 1] : 0, (uint64_t)i * 7};
    struct node *head = &nodes[0];
    for (int k = 0; k < 51; k++) head = reverse(head);
    uint64_t sum = 0;
    int count = 0;
    for (struct node *n = head; n; n = n->next, count++) sum = sum * 3 + n->value;
    printf("reverse: head %lu, %d nodes, %016lx\n", (unsigned long)head->value, count, (unsigned long)sum);

    uint64_t *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t total = 0;
    for (int i = 0; i < 2000; i++) {
        page[0] = (uint64_t)i;
        total += bump(page, (uint64_t)(i & 1)) + page[1];
    }
    printf("bump: %lu, page[1] %lu\n", (unsigned long)total, (unsigned long)page[1]);
    page[0] = 41;
    mprotect(page, 4096, PROT_READ);
    printf("bump on a read-only page, skipping the store: %lu\n", (unsigned long)bump(page, 1));
    if (!sigsetjmp(env, 1)) {
        bump(page, 0);
        printf("bump: no fault\n");
    } else {
        show_fault("bump on a read-only page", bump_store, page);
    }
    return 0;
}
