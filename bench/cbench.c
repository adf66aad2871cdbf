/* Skiff's CPU benchmark: a few small kernels typical of real programs, cross-compiled for
 * riscv64 (-O2 -static) and run under qemu-riscv64 and skiff by bench/run.sh.
 *
 *   cbench [kernel...]     kernels: hash sort nbody mandel matf mixf memcpy strings (default: all)
 *
 * Each kernel prints a checksum, so a wrong emulation shows as a different output. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Integer hashing: an xxhash64-like mix over a buffer, many passes. */
static uint64_t k_hash(void) {
    enum { N = 1 << 20 };
    uint64_t *buf = malloc(N * sizeof *buf);
    for (int i = 0; i < N; i++) buf[i] = rng();
    uint64_t h = 0;
    for (int pass = 0; pass < 160; pass++) {
        uint64_t acc = 0x27d4eb2f165667c5ull + (uint64_t)pass;
        for (int i = 0; i < N; i++) {
            acc += buf[i] * 0xc2b2ae3d27d4eb4full;
            acc = (acc << 31) | (acc >> 33);
            acc *= 0x9e3779b185ebca87ull;
        }
        acc ^= acc >> 29; acc *= 0x165667b19e3779f9ull; acc ^= acc >> 32;
        h ^= acc;
    }
    free(buf);
    return h;
}

/* Sorting: qsort (indirect calls) and a hand-written quicksort of 32-bit keys. */
static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
static void quicksort(uint32_t *a, long lo, long hi) {
    while (lo < hi) {
        uint32_t p = a[(lo + hi) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; } else { quicksort(a, i, hi); hi = j; }
    }
}
static uint64_t k_sort(void) {
    enum { N = 600000 };
    uint32_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    for (int i = 0; i < N; i++) a[i] = b[i] = (uint32_t)rng();
    qsort(a, N, sizeof *a, cmp_u32);
    quicksort(b, 0, N - 1);
    uint64_t h = 0;
    for (int i = 0; i < N; i += 97) h = h * 31 + a[i] + (a[i] == b[i]);
    free(a); free(b);
    return h;
}

/* FP: n-body (5 bodies, the classic benchmark) in double precision. */
static uint64_t k_nbody(void) {
    double x[5][3] = {{0, 0, 0}, {4.84, -1.16, -0.10}, {8.34, 4.12, -0.40}, {12.89, -15.11, -0.22}, {15.37, -25.91, 0.17}};
    double v[5][3] = {{0, 0, 0}, {0.606, 2.81, -0.02}, {-1.01, 1.82, 0.008}, {1.08, 0.868, -0.01}, {0.979, 0.594, -0.034}};
    double m[5] = {39.47, 0.037, 0.011, 0.0017, 0.002};
    const double dt = 0.01;
    for (int step = 0; step < 300000; step++) {
        for (int i = 0; i < 5; i++)
            for (int j = i + 1; j < 5; j++) {
                double dx = x[i][0] - x[j][0], dy = x[i][1] - x[j][1], dz = x[i][2] - x[j][2];
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * sqrt(d2));
                v[i][0] -= dx * m[j] * mag; v[i][1] -= dy * m[j] * mag; v[i][2] -= dz * m[j] * mag;
                v[j][0] += dx * m[i] * mag; v[j][1] += dy * m[i] * mag; v[j][2] += dz * m[i] * mag;
            }
        for (int i = 0; i < 5; i++)
            for (int k = 0; k < 3; k++) x[i][k] += dt * v[i][k];
    }
    double e = 0;
    for (int i = 0; i < 5; i++) e += m[i] * (v[i][0] * v[i][0] + v[i][1] * v[i][1] + v[i][2] * v[i][2]);
    printf("  nbody energy %.12f\n", e);
    uint64_t bits;
    memcpy(&bits, &e, 8);
    return bits;
}

/* FP: mandelbrot escape counts in single precision. */
static uint64_t k_mandel(void) {
    const int W = 400, H = 300, IT = 200;
    uint64_t total = 0;
    for (int py = 0; py < H; py++)
        for (int px = 0; px < W; px++) {
            float cr = -2.2f + 3.0f * px / W, ci = -1.2f + 2.4f * py / H, zr = 0, zi = 0;
            int n = 0;
            while (n < IT && zr * zr + zi * zi < 4.0f) {
                float t = zr * zr - zi * zi + cr;
                zi = 2.0f * zr * zi + ci;
                zr = t;
                n++;
            }
            total += (uint64_t)n;
        }
    return total;
}

/* FP: single-precision matrix products (fused multiply-adds), each product's rows normalised
 * (sqrtf, a division) and fed back as the next left operand. */
static uint64_t k_matf(void) {
    enum { N = 64 };
    static float a[N][N], b[N][N], c[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (float)((i * 7 + j * 3) % 17) / 17.0f - 0.5f;
            b[i][j] = (float)((i * 5 + j * 11) % 13) / 13.0f - 0.4f;
        }
    for (int rep = 0; rep < 120; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                float s = 0;
                for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        for (int i = 0; i < N; i++) {
            float n2 = 1e-6f;
            for (int j = 0; j < N; j++) n2 += c[i][j] * c[i][j];
            float n = sqrtf(n2);
            for (int j = 0; j < N; j++) a[i][j] = c[i][j] / n;
        }
    }
    float e = 0;
    for (int i = 0; i < N; i++) e += a[i][i];
    printf("  matf trace %.6f\n", e);
    uint32_t bits;
    memcpy(&bits, &e, 4);
    return bits;
}

/* FP: mixed precision, float data with double constants and sums (fcvt.d.s / fcvt.s.d per step). */
static uint64_t k_mixf(void) {
    static float a[4096];
    for (int i = 0; i < 4096; i++) a[i] = (float)(i % 97) / 97.0f;
    double total = 0;
    for (int rep = 0; rep < 6000; rep++)
        for (int i = 0; i < 4096; i++) {
            float x = a[i];
            x = x * 0.999 + 0.0005;  /* double arithmetic, rounded back to float */
            a[i] = x;
            total += x;
        }
    uint64_t bits;
    memcpy(&bits, &total, 8);
    return bits;
}

/* Memory: memcpy/memmove/memset of mixed sizes and alignments, and a byte-wise copy loop. */
static uint64_t k_memcpy(void) {
    enum { N = 4 << 20 };
    uint8_t *src = malloc(N), *dst = malloc(N);
    for (int i = 0; i < N; i++) src[i] = (uint8_t)(i * 131);
    uint64_t h = 0;
    for (int rep = 0; rep < 250; rep++) {
        memcpy(dst, src + (rep & 7), N - 8);
        memmove(dst + 3, dst, N / 2);
        memset(dst + rep * 1000, rep, 4096);
        h += dst[(rep * 7919) % (N - 8)];
    }
    for (int rep = 0; rep < 24; rep++)
        for (int i = 0; i < N; i++) dst[i] = (uint8_t)(src[i] ^ (uint8_t)rep);
    for (int i = 0; i < N; i += 4099) h = h * 33 + dst[i];
    free(src); free(dst);
    return h;
}

/* Strings: formatting and parsing through the C library. */
static uint64_t k_strings(void) {
    char buf[128];
    uint64_t h = 0;
    for (int i = 0; i < 150000; i++) {
        int n = snprintf(buf, sizeof buf, "%d:%08x:%.3f:%s", i, (unsigned)(i * 2654435761u), i / 7.0, (i & 1) ? "odd" : "even");
        h = h * 131 + (uint64_t)n + (uint64_t)strtol(buf, NULL, 10) + (uint64_t)(strchr(buf, ':') - buf);
        h += (uint64_t)(strtod(strrchr(buf, ':') - 9 > buf ? buf + n - 12 : buf, NULL) > 1.0);
    }
    return h;
}

static const struct { const char *name; uint64_t (*fn)(void); } kernels[] = {
    {"hash", k_hash}, {"sort", k_sort}, {"nbody", k_nbody}, {"mandel", k_mandel}, {"matf", k_matf}, {"mixf", k_mixf}, {"memcpy", k_memcpy}, {"strings", k_strings},
};

int main(int argc, char **argv) {
    int n = (int)(sizeof kernels / sizeof kernels[0]);
    for (int k = 0; k < n; k++) {
        int selected = argc < 2;
        for (int a = 1; a < argc; a++) selected |= strcmp(argv[a], kernels[k].name) == 0;
        if (!selected) continue;
        printf("%s %016llx\n", kernels[k].name, (unsigned long long)kernels[k].fn());
    }
    return 0;
}
