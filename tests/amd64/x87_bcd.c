/* The x87 BCD instructions. fbld over packed BCD images (zeros of both signs, single digits,
 * every digit position, the largest, the BCD indefinite): the 80-bit value pushed and the
 * status word. fbstp over edge values (signed zeros, halves and other fractions that round
 * each way, the largest storable integer and values just past it, 2^63, infinities, quiet and
 * signaling NaNs, a denormal, an unnormal, an empty stack) in the four rounding modes: the ten
 * bytes stored (the packed BCD indefinite with IE when invalid or out of range), the status
 * word (flags, C1, TOP). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void bcd_image(unsigned char out[10], const char *digits, int negative) {
    memset(out, 0, 10);
    size_t n = strlen(digits);
    for (size_t k = 0; k < n; k++) {
        int d = digits[n - 1 - k] - '0';
        out[k / 2] |= (unsigned char)(k % 2 ? d << 4 : d);
    }
    if (negative) out[9] = 0x80;
}

static void load(const char *label, const unsigned char image[10]) {
    unsigned char value[10];
    uint16_t sw;
    __asm__ volatile("fninit\n\tfbld %[m]\n\tfnstsw %[s]\n\tfstpt %[v]\n\t"
                     : [v] "=m"(value), [s] "=m"(sw) : [m] "m"(*(const unsigned char(*)[10])image) : "st", "memory");
    uint16_t se; uint64_t m;
    memcpy(&m, value, 8); memcpy(&se, value + 8, 2);
    printf("fbld %s: %04x:%016llx sw %04x\n", label, se, (unsigned long long)m, sw);
}

static void store(const char *label, uint16_t se, uint64_t m, int mode, int empty) {
    unsigned char value[10], out[10];
    memcpy(value, &m, 8); memcpy(value + 8, &se, 2);
    memset(out, 0x55, 10);
    uint16_t cw = 0x37f | (uint16_t)(mode << 10), sw;
    if (empty)
        __asm__ volatile("fninit\n\tfldcw %[c]\n\tfbstp %[o]\n\tfnstsw %[s]\n\t"
                         : [o] "=m"(out), [s] "=m"(sw) : [c] "m"(cw) : "st", "memory");
    else
        __asm__ volatile("fninit\n\tfldcw %[c]\n\tfldt %[v]\n\tfbstp %[o]\n\tfnstsw %[s]\n\t"
                         : [o] "=m"(out), [s] "=m"(sw) : [c] "m"(cw), [v] "m"(value) : "st", "memory");
    printf("fbstp %s rc %d:", label, mode);
    for (int k = 9; k >= 0; k--) printf(" %02x", out[k]);
    printf(" sw %04x\n", sw);
}

int main(void) {
    static const struct { const char *digits; int negative; } L[] = {
        {"0", 0}, {"0", 1}, {"1", 0}, {"1", 1}, {"9", 0}, {"10", 0}, {"99", 1},
        {"123456789012345678", 0}, {"123456789012345678", 1}, {"999999999999999999", 0},
        {"999999999999999999", 1}, {"100000000000000000", 0}, {"9007199254740993", 0},
        {"18446744073709551", 0}, {"500000000000000001", 1}, {"4294967296", 0},
    };
    unsigned char image[10];
    char label[64];
    for (unsigned k = 0; k < sizeof L / sizeof L[0]; k++) {
        bcd_image(image, L[k].digits, L[k].negative);
        snprintf(label, sizeof label, "%s%s", L[k].negative ? "-" : "", L[k].digits);
        load(label, image);
    }
    for (int d = 0; d < 18; d++) {  /* every digit position */
        memset(image, 0, 10);
        image[d / 2] = (unsigned char)(d % 2 ? 0x70 : 0x07);
        snprintf(label, sizeof label, "7e%d", d);
        load(label, image);
    }
    static const unsigned char indefinite[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};
    load("indefinite", indefinite);
    static const unsigned char sign_bits[10] = {0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f};
    load("sign-byte-7f", sign_bits);

    static const struct { const char *label; uint16_t se; uint64_t m; } S[] = {
        {"+0", 0x0000, 0}, {"-0", 0x8000, 0}, {"1", 0x3fff, 1ull << 63}, {"-1", 0xbfff, 1ull << 63},
        {"0.5", 0x3ffe, 1ull << 63}, {"-0.5", 0xbffe, 1ull << 63}, {"1.5", 0x3fff, 0xc000000000000000ull},
        {"2.5", 0x4000, 0xa000000000000000ull}, {"-2.5", 0xc000, 0xa000000000000000ull},
        {"0.3", 0x3ffd, 0x9999999999999800ull}, {"-0.3", 0xbffd, 0x9999999999999800ull},
        {"0.75", 0x3ffe, 0xc000000000000000ull}, {"123.456", 0x4005, 0xf6e978d4fdf3b646ull},
        {"1e17", 0x4037, 0xb1a2bc2ec5000000ull}, {"1e18-1", 0x403a, 0xde0b6b3a763ffff0ull},
        {"-(1e18-1)", 0xc03a, 0xde0b6b3a763ffff0ull}, {"1e18-0.5", 0x403a, 0xde0b6b3a763ffff8ull},
        {"1e18-0.0625", 0x403a, 0xde0b6b3a763fffffull}, {"1e18", 0x403a, 0xde0b6b3a76400000ull},
        {"-1e18", 0xc03a, 0xde0b6b3a76400000ull}, {"2^63", 0x403e, 1ull << 63}, {"1e30", 0x4062, 0xc9f2c9cd04674edfull},
        {"inf", 0x7fff, 1ull << 63}, {"-inf", 0xffff, 1ull << 63}, {"qnan", 0x7fff, 0xc000000000000001ull},
        {"snan", 0x7fff, 0xa000000000000000ull}, {"denormal", 0x0000, 5}, {"-denormal", 0x8000, 5},
        {"smallest-normal", 0x0001, 1ull << 63}, {"unnormal", 0x4000, 0x4000000000000000ull},
        {"9007199254740993", 0x4034, 0x8000000000000400ull},
    };
    for (int mode = 0; mode < 4; mode++) {
        for (unsigned k = 0; k < sizeof S / sizeof S[0]; k++) store(S[k].label, S[k].se, S[k].m, mode, 0);
        store("empty", 0, 0, mode, 1);
    }
    /* Round trips of every digit count. */
    unsigned long long n = 0;
    for (int d = 1; d <= 18; d++) {
        n = n * 10 + (unsigned long long)(d % 10);
        char digits[32];
        snprintf(digits, sizeof digits, "%llu", n);
        bcd_image(image, digits, d % 3 == 0);
        unsigned char back[10];
        __asm__ volatile("fninit\n\tfbld %[m]\n\tfbstp %[o]\n\t" : [o] "=m"(back) : [m] "m"(image) : "st", "memory");
        printf("round trip %s%s: %s\n", d % 3 == 0 ? "-" : "", digits, memcmp(image, back, 10) ? "differs" : "same");
    }
    return 0;
}
