/* Loads and stores sharing a base register inside hot (compiled) code: the native tier probes the
 * TLB once for such a group (the span of its offsets) and lets the other accesses reuse the
 * translation. Each case is hot before it checks something that grouping could get wrong:
 * - spans crossing a page boundary (the group falls back to one probe per access), in a function
 *   and in a copy loop that branches back to its own entry;
 * - a fault on a later access of a group (PROT_NONE and unmapped pages): SIGSEGV with the exact
 *   si_addr and si_code, the accesses before it done and the ones after it not, recovered with
 *   siglongjmp; a fault on the group's first access;
 * - a store between loads of one page in a fork child (copy-on-write): a later load must see the
 *   child's own new frame, not the frame shared with the parent;
 * - a load that overwrites the group's base register (pointer chasing). */
#include "isa.h"
#include "segv_regs.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

/* Four loads off p (offsets -8...31), then four stores off out (0...31). */
static uint64_t __attribute__((noinline)) group4(uint64_t *p, uint64_t *out) {
    uint64_t a, b, c, d;
    __asm__ volatile("ld %0,0(%4)\n\t"
                     "ld %1,8(%4)\n\t"
                     "ld %2,24(%4)\n\t"
                     "ld %3,-8(%4)\n\t"
                     "sd %0,0(%5)\n\t"
                     "sd %1,8(%5)\n\t"
                     "sd %2,16(%5)\n\t"
                     "sd %3,24(%5)\n\t"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(p), "r"(out) : "memory");
    return a + 3 * b + 5 * c + 7 * d;
}

/* Narrow loads and stores of mixed sizes off one base (bytes, halves, words). */
static uint64_t __attribute__((noinline)) mixed(uint8_t *p) {
    uint64_t a, b, c, d;
    __asm__ volatile("lbu %0,0(%4)\n\t"
                     "lh %1,2(%4)\n\t"
                     "lw %2,4(%4)\n\t"
                     "lb %3,9(%4)\n\t"
                     "sb %0,11(%4)\n\t"
                     "sh %1,12(%4)\n\t"
                     "sw %2,16(%4)\n\t"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(p) : "memory");
    return a ^ (b << 8) ^ (c << 24) ^ (d << 56);
}

static uint8_t *pattern_pages(int n) {
    uint8_t *m = mmap(0, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { printf("mmap failed\n"); exit(1); }
    for (int i = 0; i < n * PAGE; i++) m[i] = (uint8_t)(i * 131 + (i >> 9));
    return m;
}

static uint64_t checksum(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Every 8-byte position of a base over three pages: the group's span crosses a page boundary at
 * some of them, for the loads and for the stores. */
static void crossing(void) {
    uint8_t *src = pattern_pages(3), *dst = pattern_pages(3);
    uint64_t h = 0;
    for (int round = 0; round < 3; round++)
        for (size_t off = 8; off + 32 <= 3 * PAGE; off += 8) {
            h = h * 31 + group4((uint64_t *)(src + off), (uint64_t *)(dst + 3 * PAGE - 24 - off));
            h += mixed(dst + off - 8 + round);
        }
    printf("crossing h=%016llx dst=%016llx\n", (unsigned long long)h, (unsigned long long)checksum(dst, 3 * PAGE));
    munmap(src, 3 * PAGE);
    munmap(dst, 3 * PAGE);
}

/* A copy loop (a block branching to its own entry) of 4-word groups, source misaligned against
 * the page so groups straddle page boundaries in some iterations. */
static void copy_loop(void) {
    uint8_t *src = pattern_pages(4), *dst = pattern_pages(4);
    for (int shift = 0; shift < 48; shift += 8) {
        uint64_t *s = (uint64_t *)(src + shift), *d = (uint64_t *)(dst + 24 - shift / 2 / 8 * 8);
        uint64_t n = (3 * PAGE) / 32;
        __asm__ volatile("1:\n\t"
                         "ld t0,0(%0)\n\t"
                         "ld t1,8(%0)\n\t"
                         "ld t2,16(%0)\n\t"
                         "ld t3,24(%0)\n\t"
                         "sd t0,0(%1)\n\t"
                         "sd t1,8(%1)\n\t"
                         "sd t2,16(%1)\n\t"
                         "sd t3,24(%1)\n\t"
                         "addi %0,%0,32\n\t"
                         "addi %1,%1,32\n\t"
                         "addi %2,%2,-1\n\t"
                         "bnez %2,1b\n\t"
                         : "+r"(s), "+r"(d), "+r"(n) : : "t0", "t1", "t2", "t3", "memory");
        printf("copy_loop shift=%d dst=%016llx\n", shift, (unsigned long long)checksum(dst, 4 * PAGE));
    }
    munmap(src, 4 * PAGE);
    munmap(dst, 4 * PAGE);
}

/* group4 made hot on good addresses, then run where one of its accesses faults. */
static void fault_case(const char *what, uint8_t *region, long p_off, long out_off) {
    uint64_t *out = (uint64_t *)(region + out_off);
    uint64_t before[4];
    static uint64_t warm[16];
    for (int i = 0; i < 200; i++) group4(warm + 1, warm + 8);
    if (out_off < PAGE) memcpy(before, out, out_off + 32 <= PAGE ? 32 : (size_t)(PAGE - out_off));
    fault_addr = 0;
    fault_code = 0;
    if (sigsetjmp(env, 1) == 0) {
        uint64_t r = group4((uint64_t *)(region + p_off), out);
        printf("%s: no fault r=%016llx\n", what, (unsigned long long)r);
        return;
    }
    long rel = (long)(fault_addr - (uintptr_t)region);
    int stored = 0;
    for (int k = 0; k < 4 && out_off + 8 * k + 8 <= PAGE; k++) stored += out[k] != before[k];
    printf("%s: SIGSEGV at region%+ld code=%d stores done=%d\n", what, rel, fault_code, stored);
}

static void faults(void) {
    catch_segv();
    uint8_t *region = pattern_pages(2);
    mprotect(region + PAGE, PAGE, PROT_NONE);
    fault_case("load member, PROT_NONE", region, PAGE - 16, 256);
    fault_case("load leader, PROT_NONE", region, PAGE + 64, 256);
    fault_case("store member, PROT_NONE", region, 512, PAGE - 8);
    fault_case("store leader, PROT_NONE", region, 512, PAGE);
    munmap(region + PAGE, PAGE);
    fault_case("load member, unmapped", region, PAGE - 24, 256);
    fault_case("store member, unmapped", region, 512, PAGE - 16);
    mprotect(region, PAGE, PROT_READ);
    fault_case("store leader, read-only", region, 512, 1024);
    munmap(region, PAGE);
    signal(SIGSEGV, SIG_DFL);
}

/* Load, store through another register to the same page, load again: the second load must see
 * the store (in a fork child the store moves the page to a new frame). */
static uint64_t __attribute__((noinline)) load_store_load(uint64_t *p, uint64_t *q, uint64_t v) {
    uint64_t a, b, c;
    __asm__ volatile("ld %0,0(%3)\n\t"
                     "sd %5,8(%4)\n\t"
                     "ld %1,8(%3)\n\t"
                     "ld %2,16(%3)\n\t"
                     : "=&r"(a), "=&r"(b), "=&r"(c) : "r"(p), "r"(q), "r"(v) : "memory");
    return a + (b << 1) + c;
}

static void copy_on_write(void) {
    enum { N = 64 };
    uint8_t *m = pattern_pages(N);
    for (int i = 0; i < 16; i++) load_store_load((uint64_t *)(m + i * 64), (uint64_t *)(m + i * 64), 7);
    uint64_t parent_before = checksum(m, N * PAGE);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t h = 0;
        for (int i = 0; i < N; i++) h = h * 7 + load_store_load((uint64_t *)(m + i * PAGE + 128), (uint64_t *)(m + i * PAGE + 128), 1000 + i);
        printf("cow child h=%016llx\n", (unsigned long long)h);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("cow parent unchanged=%d child status=%d\n", checksum(m, N * PAGE) == parent_before, status);
    munmap(m, N * PAGE);
}

/* Nodes {next, value}: the load of next overwrites the base register between loads off it. */
struct node { struct node *next; uint64_t value; };

static uint64_t __attribute__((noinline)) chase2(struct node *n) {
    uint64_t a, b;
    __asm__ volatile("ld %0,8(%2)\n\t"
                     "ld %2,0(%2)\n\t"
                     "ld %1,8(%2)\n\t"
                     : "=&r"(a), "=&r"(b), "+r"(n));
    return a * 3 + b;
}

static void chasing(void) {
    enum { N = 4096 };
    struct node *nodes = malloc(N * sizeof *nodes);
    for (int i = 0; i < N; i++) {
        nodes[i].next = &nodes[(i * 2654435761u + 7) % N];
        nodes[i].value = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    }
    uint64_t h = 0;
    for (int i = 0; i < N; i++) h = h * 5 + chase2(&nodes[i]);
    printf("chasing h=%016llx\n", (unsigned long long)h);
    free(nodes);
}

int main(void) {
    crossing();
    copy_loop();
    faults();
    copy_on_write();
    chasing();
    return 0;
}
