/* CPU-bound benchmark kernels (integer, memory, branches, FP) for comparing the hart's speed
   with qemu-riscv64; prints checksums so both runs can be checked to agree. */
#include "rt.h"
#ifndef KERNELS
#define KERNELS 31
#endif
#ifndef SCALE
#define SCALE 1
#endif

static u32 crc_table[256];
static u32 crc32(const unsigned char *p, int n) {
    u32 c = 0xffffffff;
    for (int i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

static unsigned char buf[1 << 16];
static int arr[1 << 15];
static char sieve[1 << 20];
static double ma[64][64], mb[64][64], mc[64][64];

static void qs(int *a, int lo, int hi) {
    while (lo < hi) {
        int p = a[(lo + hi) / 2], i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { qs(a, lo, j); lo = i; } else { qs(a, i, hi); hi = j; }
    }
}

int main(void) {
    u64 sum = 0;
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (unsigned char)next();
    if (KERNELS & 1) for (int r = 0; r < 60 * SCALE; r++) { buf[r] ^= r; sum += crc32(buf, sizeof buf); }
    puts_("crc "); hex(sum, 16); putch('\n');

    if (KERNELS & 2) for (int r = 0; r < 12 * SCALE; r++) {
        for (int i = 0; i < (int)(sizeof arr / sizeof arr[0]); i++) arr[i] = (int)(next() >> 33);
        qs(arr, 0, sizeof arr / sizeof arr[0] - 1);
        sum += arr[(r * 100) & 0x7fff];
    }
    puts_("sort "); hex(sum, 16); putch('\n');

    if (KERNELS & 4) for (int r = 0; r < 6 * SCALE; r++) {
        int n = sizeof sieve, count = 0;
        for (int i = 0; i < n; i++) sieve[i] = 1;
        for (int i = 2; (long)i * i < n; i++)
            if (sieve[i]) for (int j = i * i; j < n; j += i) sieve[j] = 0;
        for (int i = 2; i < n; i++) count += sieve[i];
        sum += count;
    }
    puts_("sieve "); hex(sum, 16); putch('\n');

    for (int i = 0; i < 64; i++) for (int j = 0; j < 64; j++) { ma[i][j] = (i + j) * 0.5; mb[i][j] = (i - j) * 0.25; }
    double acc = 0;
    if (KERNELS & 8) for (int r = 0; r < 12 * SCALE; r++) {
        for (int i = 0; i < 64; i++)
            for (int j = 0; j < 64; j++) {
                double s = 0;
                for (int k = 0; k < 64; k++) s += ma[i][k] * mb[k][j];
                mc[i][j] = s;
            }
        acc += mc[r & 31][(r & 31) + 1];
        ma[r & 63][r & 63] += 1.0;
    }
    u64 bits; __builtin_memcpy(&bits, &acc, 8);
    puts_("matmul "); hex(bits, 16); putch('\n');

    /* integer hash mixing with multiplies, divides and shifts */
    u64 h = 1;
    if (KERNELS & 16) for (int i = 0; i < 3000000 * SCALE; i++) { h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ul + i; h += h / 7 + (h % 13); }
    puts_("mix "); hex(h, 16); putch('\n');
    return 0;
}
