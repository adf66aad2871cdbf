/* Loads and stores of every width with sign/zero extension (lb lh lw ld lbu lhu lwu, sb sh sw sd),
 * misaligned accesses (Linux emulates them for user space), negative and large offsets, and the
 * C library's string/memory routines at every alignment. */
#include "isa.h"
#include <stdlib.h>

static uint8_t buf[256] __attribute__((aligned(16)));

#define LOAD(insn, off)                                                                        \
    ({ uint64_t r; __asm__ volatile(insn " %0," #off "(%1)" : "=r"(r) : "r"(buf + 64) : "memory"); r; })
#define STORE(insn, off, v) __asm__ volatile(insn " %0," #off "(%1)" : : "r"(v), "r"(buf + 64) : "memory")

static void fill(void) { for (int i = 0; i < 256; i++) buf[i] = (uint8_t)(i * 37 + 0x80); }
static uint64_t sum(void) { uint64_t h = 0; for (int i = 0; i < 256; i++) h = h * 131 + buf[i]; return h; }

int main(void) {
    fill();
#define SHOWL(insn, off) printf("%-4s %4d -> %016llx\n", insn, off, (unsigned long long)LOAD(insn, off));
#define ALL_LOADS(off) SHOWL("lb", off) SHOWL("lbu", off) SHOWL("lh", off) SHOWL("lhu", off) \
    SHOWL("lw", off) SHOWL("lwu", off) SHOWL("ld", off)
    ALL_LOADS(0) ALL_LOADS(1) ALL_LOADS(2) ALL_LOADS(3) ALL_LOADS(5) ALL_LOADS(7) ALL_LOADS(-64)
    ALL_LOADS(-1) ALL_LOADS(-3) ALL_LOADS(63) ALL_LOADS(120)
    fill();
    uint64_t v = 0xfedcba9876543210ull;
    STORE("sb", 0, v); STORE("sh", 3, v); STORE("sw", 9, v); STORE("sd", 17, v);
    STORE("sd", -63, v); STORE("sw", -2, v); STORE("sh", 127, v); STORE("sb", -64, v);
    printf("stores -> %016llx\n", (unsigned long long)sum());
    for (int i = 0; i < 256; i += 16) {
        for (int j = 0; j < 16; j++) printf("%02x", buf[i + j]);
        printf("\n");
    }
    /* libc routines at every alignment and length. */
    uint64_t h = 0;
    char *a = malloc(600), *b = malloc(600);
    for (int sa = 0; sa < 16; sa++)
        for (int sb = 0; sb < 16; sb++)
            for (int n = 0; n < 70; n += 3) {
                for (int i = 0; i < 600; i++) { a[i] = (char)('a' + (i * 7 + sa) % 26); b[i] = 0; }
                memcpy(b + sb, a + sa, n);
                memmove(b + sb + 1, b + sb, n);
                memset(b + sb + n, 'Z' - (n % 5), sa);
                b[sb + n + sa + 1] = 0;
                h = h * 31 + strlen(b + sb) + (uint64_t)(memcmp(a + sa, b + sb + 1, n) != 0)
                    + (uint64_t)(strchr(b + sb, 'q') ? strchr(b + sb, 'q') - b : 0) + (uint64_t)strcmp(a + 500, b + sb);
            }
    printf("libc mem/str hash %016llx\n", (unsigned long long)h);
    free(a); free(b);
    return 0;
}
