/* build: -msse4.1 -mbmi -mbmi2
 * Instructions the native tier for x86-64 guests does not compile, in the middle of hot compiled
 * loops: the block calls the interpreter's function for each (X86CPU.executeForNative) with the
 * guest registers and flags stored, and loads them again after. Compared with the host CPU:
 *  - string instructions (rep stos/movs forwards and, with std, backwards; repe cmps, repne scas)
 *    with the loop's values in registers around them;
 *  - SSE4.1 with an indexed memory operand (pinsrd, pmovzx, pextrq), BMI (andn, pdep, pext),
 *    bt/bts on memory with an index, shld/shrd, xadd/cmpxchg, lahf/sahf, cmc/stc/clc and
 *    pushf/popf with the flags read after them by adc and setcc;
 *  - x87 arithmetic, conversions and compares (fld, fmul, faddp, fistp, fstp, fcomip) between
 *    compiled instructions, and an fstp faulting on an unmapped page: st0 still there after it
 *    (the status word's TOP), which a second try must not pop twice;
 *  - a rep movs faulting on an unmapped page part way (SIGSEGV with rcx/rsi/rdi as far as it got);
 *  - a rep stos overwriting instructions of the loop that runs it (the code after it changes:
 *    compiled code must not run the stale copy). */
#define _GNU_SOURCE
#include <immintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
static unsigned char *page;
static unsigned char buf[4096], dst[4096];

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld rcx=%lld rsi-buf=%ld rdi-page=%ld\n", (long)((unsigned char *)si->si_addr - page),
           (long long)g[REG_RCX], (long)((unsigned char *)g[REG_RSI] - buf), (long)((unsigned char *)g[REG_RDI] - page));
    (void)sig;
    siglongjmp(back, 1);
}

/* rep stos and rep movs, forwards and backwards, with counts and offsets from the loop. */
__attribute__((noinline)) static uint64_t strings(int rounds) {
    uint64_t h = 0;
    for (int r = 0; r < rounds; r++) {
        long n = 16 + r % 200, off = r % 64;
        unsigned char *d = dst + off, *s = buf + (r * 7) % 512;
        long c = n;
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(r * 3) : "memory");
        d = dst + 700 + off; c = n / 8;
        __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
        d = dst + 1500 + n; s = buf + 900 + n; c = n;
        __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(c) : : "memory", "cc");
        unsigned char *a = dst + 700 + off, *b = buf + (r * 7) % 512;
        c = n / 2;
        uint8_t eq;
        __asm__ volatile("cld\n\trepe cmpsb\n\tsete %[e]" : "+S"(a), "+D"(b), "+c"(c), [e] "=q"(eq) : : "cc", "memory");
        unsigned char *p = dst;
        long left = 300;
        __asm__ volatile("repne scasb" : "+D"(p), "+c"(left) : "a"((r * 3) & 0xff) : "cc", "memory");
        h = h * 31 + (uint64_t)c * 7 + eq + (uint64_t)(p - dst) * 3 + (uint64_t)left;
    }
    for (int i = 0; i < 4096; i += 8) { uint64_t v; memcpy(&v, dst + i, 8); h = h * 31 + v; }
    return h;
}

static uint32_t table[64];

/* SSE4.1, BMI, bit tests, double shifts, exchanges and flag instructions between compiled ones. */
__attribute__((noinline)) static uint64_t mixed(int rounds) {
    uint64_t h = 0, word = 0x0123456789abcdefull;
    for (int r = 0; r < rounds; r++) {
        unsigned i = r & 63, j = (r * 5) & 63;
        __m128i v = _mm_cvtsi32_si128((int)table[i]);
        v = _mm_insert_epi32(v, (int)table[j], 1);                  /* pinsrd from [base + index*4] */
        v = _mm_cvtepu32_epi64(v);
        uint64_t lo = (uint64_t)_mm_cvtsi128_si64(v), hi = (uint64_t)_mm_extract_epi64(v, 1);
        uint64_t x = _andn_u64(lo, hi ^ word) + _pdep_u64(r, 0xf0f0f0f0f0f0f0f0ull) + _pext_u64(word, hi | 0xff00);
        uint8_t bit, c1, c2;
        __asm__ volatile("bts %[n], (%[t])\n\tsetc %[b]" : [b] "=q"(bit) : [t] "r"(table), [n] "r"((long)(r * 13 % 2048)) : "cc", "memory");
        uint64_t a = word, b = lo;
        __asm__ volatile("shld $7, %[b], %[a]\n\tshrd %%cl, %[a], %[b]" : [a] "+r"(a), [b] "+r"(b) : "c"(r) : "cc");
        uint64_t add = (uint64_t)r;
        __asm__ volatile("lock xaddq %[v], (%[m])" : [v] "+r"(add) : [m] "r"(&table[8]) : "memory");
        uint64_t expected = add, want = x;
        __asm__ volatile("lock cmpxchgq %[w], (%[m])" : "+a"(expected) : [w] "r"(want), [m] "r"(&table[8]) : "cc", "memory");
        uint64_t f = 0;
        __asm__ volatile("cmp %[y], %[x]\n\tlahf\n\tcmc\n\tadc $0, %[f]\n\tsahf\n\tsetb %[c1]\n\t"
                         "stc\n\tpushf\n\tclc\n\tpopf\n\tsetc %[c2]"
                         : [f] "+r"(f), [c1] "=q"(c1), [c2] "=q"(c2) : [x] "r"(a), [y] "r"(b) : "rax", "cc");
        word = word * 6364136223846793005ull + x;
        table[j] ^= (uint32_t)word;
        h = h * 31 + x + bit + a * 3 + b * 5 + add + expected + f * 7 + c1 * 2 + c2;
    }
    return h;
}

/* x87 between compiled instructions: a running sum and product of doubles, their integer parts,
 * a compare; the result stored through `out` (the last call's on an unmapped page). */
__attribute__((noinline)) static long x87(const double *in, int n, double *out) {
    long acc = 0;
    for (int i = 0; i < n; i++) {
        long q;
        uint8_t above;
        __asm__ volatile("fldl (%[a])\n\tfldl 8(%[a])\n\tfmul %%st(1), %%st\n\tfaddp\n\t"
                         "fld %%st(0)\n\tfistpll %[q]\n\tfldl (%[a])\n\tfcomip %%st(1), %%st\n\tseta %[b]\n\t"
                         "fstpl (%[o])"
                         : [q] "=m"(q), [b] "=q"(above) : [a] "r"(in + (i & 15)), [o] "r"(out) : "cc", "memory", "st");
        acc = acc * 31 + q + above;
    }
    return acc;
}

static unsigned fpu_top(void) {
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    return (sw >> 11) & 7;
}

/* The faulting fstp's report: the x87 stack as the signal frame has it (TOP, the tags). */
static void on_segv_x87(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    printf("  SIGSEGV at page%+ld, x87 top %u tags %02x\n", (long)((unsigned char *)si->si_addr - page),
           (uc->uc_mcontext.fpregs->swd >> 11) & 7, uc->uc_mcontext.fpregs->ftw & 0xff);
    (void)sig;
    siglongjmp(back, 1);
}

/* rep movs from buf into `page`, whose second page is unmapped: it stops there. */
__attribute__((noinline)) static void copy_into(long offset, long n) {
    unsigned char *d = page + offset, *s = buf;
    long c = n;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
}

/* A loop whose rep stos overwrites its own next instruction (an `add $1` becomes `add $2`: the
 * second byte of each `add` is its immediate) on round 150 of 300. */
__attribute__((noinline)) static long self_modifying(unsigned char *code) {
    long (*f)(long) = (long (*)(long))code;
    long acc = 0;
    for (long i = 0; i < 300; i++) acc += f(i);
    return acc;
}

int main(void) {
    for (int i = 0; i < 4096; i++) buf[i] = (unsigned char)(i * 31 + 7);
    for (int i = 0; i < 64; i++) table[i] = (uint32_t)(i * 0x9e3779b9u);
    printf("strings %016llx\n", (unsigned long long)strings(3000));
    printf("mixed %016llx\n", (unsigned long long)mixed(5000));

    page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    static double in[32], out;
    for (int i = 0; i < 32; i++) in[i] = (i - 11) * 1.375 + 0.001 * i;
    printf("x87 %ld\n", x87(in, 3000, &out));
    printf("x87 stored %a, top %u\n", out, fpu_top());
    sa.sa_sigaction = on_segv_x87;
    sigaction(SIGSEGV, &sa, 0);
    if (sigsetjmp(back, 1) == 0) x87(in, 1, (double *)(page + 4096));
    __asm__ volatile("fninit");
    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, 0);

    for (int k = 0; k < 400; k++) copy_into(k, 64);
    printf("copied %d\n", page[400]);
    if (sigsetjmp(back, 1) == 0) copy_into(4000, 300);

    /* f(i): rcx = i; if i == 150, rep stos writes byte 2 over the add's immediate at `patch`;
     * then rax = i + 1 through that add. */
    static const unsigned char body[] = {
        0x48, 0x89, 0xf9,                         /* mov rcx, rdi */
        0x48, 0x89, 0xf8,                         /* mov rax, rdi */
        0x48, 0x81, 0xf9, 0x96, 0, 0, 0,          /* cmp rcx, 150 */
        0x75, 0x12,                               /* jne +18 (to the add) */
        0x48, 0x8d, 0x3d, 0x0e, 0, 0, 0,          /* lea rdi, [rip + 14] (the add's immediate) */
        0xb9, 0x01, 0, 0, 0,                      /* mov ecx, 1 */
        0x50, 0xb0, 0x02, 0xf3, 0xaa, 0x58,       /* push rax; mov al, 2; rep stosb; pop rax */
        0x48, 0x83, 0xc0, 0x01,                   /* add rax, 1 (its immediate patched) */
        0xc3,                                     /* ret */
    };
    unsigned char *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(code, body, sizeof body);
    printf("self-modifying %ld\n", self_modifying(code));
    return 0;
}
