// A small CPU-bound guest for timing the WebAssembly build against the native one: a sieve of
// Eratosthenes, CRC-32 over a buffer, and a little floating point, ROUNDS times (argv[1]).
// Prints checksums so a wrong result cannot pass as a fast one.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    enum { N = 200000 };
    static uint8_t composite[N];
    static uint8_t buffer[65536];
    long primes = 0;
    uint32_t crc = 0;
    double x = 0;
    for (int r = 0; r < rounds; r++) {
        memset(composite, 0, sizeof composite);
        for (long i = 2; i < N; i++) {
            if (composite[i]) continue;
            primes++;
            for (long j = i * i; j < N; j += i) composite[j] = 1;
        }
        for (size_t i = 0; i < sizeof buffer; i++) buffer[i] = (uint8_t)(i * 31 + r);
        crc = crc32(buffer, sizeof buffer, crc);
        for (int i = 1; i < 20000; i++) x += 1.0 / ((double)i * i + r);
    }
    printf("primes %ld crc %08x sum %.6f\n", primes, crc, x);
    return 0;
}
