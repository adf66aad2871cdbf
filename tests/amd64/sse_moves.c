/* SSE2 integer compares, minimum and pmovmskb through intrinsics, and a 64-bit shift. */
#include <stdio.h>
#include <emmintrin.h>
#include <string.h>
static const char a[] = "abcdefghijklmnopqrstuvwxyz0123456789", b[] = "abcdefghijklmnopqrstuvwxyz0123456788";
int main(void) {
    for (int off = 0; off <= 32; off += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(a + off)), y = _mm_loadu_si128((const __m128i *)(b + off));
        __m128i e = _mm_cmpeq_epi8(x, y);
        __m128i m = _mm_min_epu8(e, x);
        __m128i z = _mm_cmpeq_epi8(m, _mm_setzero_si128());
        unsigned long long q[2]; memcpy(q, &e, 16);
        unsigned long long r[2]; memcpy(r, &m, 16);
        printf("%d e=%016llx%016llx m=%016llx%016llx mask=%x\n", off, q[1], q[0], r[1], r[0], _mm_movemask_epi8(z));
    }
    unsigned long long v = 0x20; v <<= 32; printf("%llx\n", v);
    return 0;
}
