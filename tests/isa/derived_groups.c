/* Accesses whose base registers were derived from one register, in hot (compiled) code: the
 * native tier's access plan follows `addi`, `add`, `slli`, `andi` and `mv` from a base register,
 * so a masked and scaled index added to a base (sha256's X[(i + 9) & 15]) or a copy of a pointer
 * plus a constant (`add t4, a1, 8`, glibc's word copy) share the base's TLB probe, whose span is
 * every offset the derived registers can hold. Each case is hot before it checks something that
 * a wrong span would get wrong:
 * - a 16-word ring read and written through masked indices, placed across a page boundary whose
 *   second page has its own frame (a probe of too small a span would read the first page's
 *   frame past its end);
 * - a copy loop storing through copies of a pointer plus constants while the pointer itself
 *   moves on, across page boundaries;
 * - faults: a masked index reaching into a PROT_NONE page (SIGSEGV at the exact address, for
 *   the indices that reach it only), a store through a pointer plus 8 just past a page's end
 *   (the load before it done). */
#include "isa.h"
#include "segv_regs.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

/* Three pages; the middle one mapped again on its own (a frame of its own), all patterned. */
static uint8_t *pages3(void) {
    uint8_t *m = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { printf("mmap failed\n"); exit(1); }
    for (int i = 0; i < 3 * PAGE; i++) m[i] = (uint8_t)(i * 7 + 1);
    if (mmap(m + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != m + PAGE) {
        printf("mmap fixed failed\n");
        exit(1);
    }
    for (int i = PAGE; i < 2 * PAGE; i++) m[i] = (uint8_t)(i * 13 + 5);
    return m;
}

static uint64_t checksum(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* x[i & 15] = x[i & 15] + x[(i + 9) & 15] + x[(i + 14) & 15] (32-bit words), the indices
 * masked and scaled onto the base as a compiler does; returns the new word. */
static uint32_t __attribute__((noinline)) ring(uint32_t *x, uint64_t i) {
    uint64_t a, b, c, t0, t1, t2;
    __asm__ volatile("andi %3,%7,15\n\t"
                     "slli %3,%3,2\n\t"
                     "add %3,%6,%3\n\t"
                     "lw %0,0(%3)\n\t"
                     "addi %4,%7,9\n\t"
                     "andi %4,%4,15\n\t"
                     "slli %4,%4,2\n\t"
                     "add %4,%6,%4\n\t"
                     "lw %1,0(%4)\n\t"
                     "addi %5,%7,14\n\t"
                     "andi %5,%5,15\n\t"
                     "slli %5,%5,2\n\t"
                     "add %5,%5,%6\n\t"
                     "lw %2,0(%5)\n\t"
                     "addw %0,%0,%1\n\t"
                     "addw %0,%0,%2\n\t"
                     "sw %0,0(%3)\n\t"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(t0), "=&r"(t1), "=&r"(t2) : "r"(x), "r"(i) : "memory");
    return (uint32_t)a;
}

static void rings(void) {
    uint8_t *m = pages3();
    static uint32_t warm[16];
    for (int i = 0; i < 1000; i++) ring(warm, (uint64_t)i);
    uint64_t h = 0;
    // The ring at every word position around the boundary between the first and second page.
    for (long off = PAGE - 80; off <= PAGE + 16; off += 4) {
        uint32_t *x = (uint32_t *)(m + off);
        for (uint64_t i = 0; i < 64; i++) h = h * 31 + ring(x, i);
    }
    printf("rings h=%016llx pages=%016llx\n", (unsigned long long)h, (unsigned long long)checksum(m, 3 * PAGE));
    munmap(m, 3 * PAGE);
}

/* Copies n 4-word units: loads off s; stores through d, a copy of d plus 8 and 16, and then d
 * moved on (the copies keep the old d). */
static void copy_units(uint64_t *s, uint64_t *d, uint64_t n) {
    __asm__ volatile("1:\n\t"
                     "ld t0,0(%0)\n\t"
                     "ld t1,8(%0)\n\t"
                     "ld t2,16(%0)\n\t"
                     "ld t3,24(%0)\n\t"
                     "add t4,%1,8\n\t"
                     "add t5,%1,16\n\t"
                     "mv t6,%1\n\t"
                     "addi %1,%1,32\n\t"
                     "sd t0,0(t6)\n\t"
                     "sd t1,0(t4)\n\t"
                     "sd t2,0(t5)\n\t"
                     "sd t3,8(t5)\n\t"
                     "addi %0,%0,32\n\t"
                     "addi %2,%2,-1\n\t"
                     "bnez %2,1b\n\t"
                     : "+r"(s), "+r"(d), "+r"(n) : : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
}

static void copies(void) {
    uint8_t *src = pages3(), *dst = pages3();
    static uint64_t a[64], b[64];
    for (int i = 0; i < 400; i++) copy_units(a, b, 16);
    for (int shift = 0; shift < 64; shift += 8) {
        copy_units((uint64_t *)(src + shift), (uint64_t *)(dst + 8 + shift / 2 / 8 * 8), (2 * PAGE - 64) / 32);
        printf("copies shift=%d dst=%016llx\n", shift, (unsigned long long)checksum(dst, 3 * PAGE));
    }
    munmap(src, 3 * PAGE);
    munmap(dst, 3 * PAGE);
}

/* x[i & 15] as 8-byte words: a load through a masked index. */
static uint64_t __attribute__((noinline)) masked_load(uint64_t *x, uint64_t i) {
    uint64_t a, b, t;
    __asm__ volatile("andi %2,%4,15\n\t"
                     "slli %2,%2,3\n\t"
                     "add %2,%3,%2\n\t"
                     "ld %0,0(%3)\n\t"
                     "ld %1,0(%2)\n\t"
                     : "=&r"(a), "=&r"(b), "=&r"(t) : "r"(x), "r"(i) : "memory");
    return a + b;
}

/* A load off p, then a store through p + 8. */
static uint64_t __attribute__((noinline)) load_store_next(uint64_t *p, uint64_t v) {
    uint64_t a, q;
    __asm__ volatile("ld %0,0(%2)\n\t"
                     "addi %1,%2,8\n\t"
                     "sd %3,0(%1)\n\t"
                     : "=&r"(a), "=&r"(q) : "r"(p), "r"(v) : "memory");
    return a;
}

static void faults(void) {
    catch_segv();
    uint8_t *region = pages3();
    mprotect(region + PAGE, PAGE, PROT_NONE);
    static uint64_t warm[32];
    for (int i = 0; i < 1000; i++) masked_load(warm, (uint64_t)i), load_store_next(warm, (uint64_t)i);
    // The base 64 bytes before the PROT_NONE page: indices 8...15 reach into it.
    uint64_t *x = (uint64_t *)(region + PAGE - 64);
    for (uint64_t i = 0; i < 20; i++) {
        fault_addr = 0;
        fault_code = 0;
        if (sigsetjmp(env, 1) == 0) {
            uint64_t r = masked_load(x, i);
            printf("masked i=%llu: r=%016llx\n", (unsigned long long)i, (unsigned long long)r);
        } else {
            printf("masked i=%llu: SIGSEGV at region%+ld code=%d\n", (unsigned long long)i,
                   (long)(fault_addr - (uintptr_t)region), fault_code);
        }
    }
    for (long off = PAGE - 24; off <= PAGE - 8; off += 8) {
        uint64_t *p = (uint64_t *)(region + off);
        uint64_t before = off + 16 <= PAGE ? p[1] : 0;
        fault_addr = 0;
        if (sigsetjmp(env, 1) == 0) {
            uint64_t r = load_store_next(p, 0x1234567 + (uint64_t)off);
            printf("next off=%ld: r=%016llx stored=%d\n", off, (unsigned long long)r, p[1] != before);
        } else {
            printf("next off=%ld: SIGSEGV at region%+ld code=%d\n", off, (long)(fault_addr - (uintptr_t)region), fault_code);
        }
    }
    signal(SIGSEGV, SIG_DFL);
    munmap(region, 3 * PAGE);
}

int main(void) {
    rings();
    copies();
    faults();
    printf("derived_groups done\n");
    return 0;
}
