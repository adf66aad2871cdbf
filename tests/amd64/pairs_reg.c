/* The pairs of CoreMark's inner loops (Sources/X86/X86Pairs.swift, native only): mov r32,r32 +
 * shr r8,imm; xor r32,r32 + shr r16,imm; mov r32,r32 + xor r16,imm; and r32,imm + cmovcc r32,r32
 * (every condition); mov r32,r32 + sar r32,imm; sar r32,imm + and r32,imm; and r32,imm +
 * imul r32,r32; mov r32,r32 + and r32,imm; and with loads: mov r64,[m] + cmp r16,[m] + je/jne;
 * mov r64,[m] + movzbl r,[m]; movzbl r,[m] + add r64,imm. All but the and+cmov pair and the
 * compare are the forms without flags (a later instruction of the block overwrites them). The
 * host CPU is the reference for:
 *  - crcu8's bit loop as gcc -O2 compiles it, with registers whose upper halves are not zero
 *    (a 16-bit operation done at 32 bits, or a 32-bit one at 64, shows in them);
 *  - the loop entered at the second half of a pair (a jump to it runs it alone);
 *  - matrix_mul_matrix_bitextract's and matrix_mul_matrix's inner loops (straight line);
 *  - and + cmovcc for all 16 conditions, with the flags of the and read after the cmov by pushf,
 *    setcc, jcc, adc and sbb (AF, undefined after and, left out).
 *  - core_bench_list's list walks and core_state_transition's scan (as gcc -O2 compiles them),
 *    the compare's je and jne both ways, and a fault in each load of the pairs with loads (the
 *    SIGSEGV handler prints the registers: a fault in the first load leaves nothing of the pair
 *    done, in the second the first done; rip is checked by where the handler finds the fault).
 * Each block runs many times (decoded before, and with the branch targets cached). */
#define _GNU_SOURCE
#include "segv_page.h"

static unsigned char *lo, *hi;     /* the list's records and nodes (static data) */

/* A register as the test sees it: an offset into the page or the list's data, else the value
 * when small (a pointer elsewhere, e.g. to the stack, is not the same under the emulator). */
static void show(const char *name, unsigned long v) {
    unsigned char *p = (unsigned char *)v;
    if (p >= page && p < page + 8192) printf(" %s=page%+ld", name, (long)(p - page));
    else if (p >= lo && p < hi) printf(" %s=data%+ld", name, (long)(p - lo));
    else if (v < 0x10000) printf(" %s=%lx", name, v);
    else printf(" %s=other", name);
}

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld", (long)((unsigned char *)si->si_addr - page));
    show("rax", g[REG_RAX]); show("rdx", g[REG_RDX]); show("rcx", g[REG_RCX]); show("rsi", g[REG_RSI]);
    printf("\n");
    (void)sig;
    siglongjmp(back, 1);
}

/* A node: next at 0, data at 8 (a pointer to a record whose 16-bit key is at 2). */
struct node { struct node *next; unsigned short *data; };

/* The position of `p` in the list from `head`, or -1 when the walk ended without one. */
static long index_of(struct node *head, struct node *p) {
    long i = 0;
    for (struct node *q = head; q && q != p; q = q->next) i++;
    return p ? i : -1;
}

/* core_bench_list's find by key: the node index whose key is `key` (or -1), after `rax`. */
__attribute__((noinline)) static long find_key(struct node *head, unsigned long key, unsigned long *last) {
    struct node *p = head;
    unsigned long d = 0x1111;
    register unsigned long k12 __asm__("r12") = key;
    __asm__ volatile(
        "jmp 2f\n\t"
        "1:\n\t"
        "mov (%%rax), %%rax\n\t"
        "test %%rax, %%rax\n\t"
        "je 3f\n\t"
        "2:\n\t"
        "mov 0x8(%%rax), %%rdx\n\t"
        "cmp 0x2(%%rdx), %%r12w\n\t"
        "jne 1b\n\t"
        "3:\n\t"
        : "+a"(p), "+d"(d) : "r"(k12) : "cc", "memory");
    *last = d;
    return index_of(head, p);
}

/* find_key with an indexed compare, `cmp 0x2(%rdx,%rcx,2), %r12w` (not paired with the load: the
 * pair's arm takes a base + disp operand only). */
__attribute__((noinline)) static long find_key_ix(struct node *head, unsigned long key, long ix, unsigned long *last) {
    struct node *p = head;
    unsigned long d = 0x3333;
    register unsigned long k12 __asm__("r12") = key;
    __asm__ volatile(
        "jmp 2f\n\t"
        "1:\n\t"
        "mov (%%rax), %%rax\n\t"
        "test %%rax, %%rax\n\t"
        "je 3f\n\t"
        "2:\n\t"
        "mov 0x8(%%rax), %%rdx\n\t"
        "cmp 0x2(%%rdx,%%rcx,2), %%r12w\n\t"
        "jne 1b\n\t"
        "3:\n\t"
        : "+a"(p), "+d"(d) : "r"(k12), "c"(ix) : "cc", "memory");
    *last = d;
    return index_of(head, p);
}

/* The same with the compare the other way (je taken back), and the byte-key walk. */
__attribute__((noinline)) static long find_byte(struct node *head, unsigned long key, unsigned long *last) {
    struct node *p = head;
    unsigned long d = 0x2222;
    register unsigned long k14 __asm__("r14") = key;
    __asm__ volatile(
        "jmp 2f\n\t"
        "1:\n\t"
        "mov (%%rax), %%rax\n\t"
        "test %%rax, %%rax\n\t"
        "je 3f\n\t"
        "2:\n\t"
        "mov 0x8(%%rax), %%rdx\n\t"
        "movzbl (%%rdx), %%edx\n\t"
        "cmp %%dx, %%r14w\n\t"
        "jne 1b\n\t"
        "3:\n\t"
        : "+a"(p), "+d"(d) : "r"(k14) : "cc", "memory");
    *last = d;
    return index_of(head, p);
}

/* Nodes while their key differs from `key` (je back: the compare's je taken, then not). */
__attribute__((noinline)) static long count_equal(struct node *head, unsigned long key) {
    struct node *p = head;
    unsigned long d = 0, n = 0;
    __asm__ volatile(
        "1:\n\t"
        "add $1, %[n]\n\t"
        "mov 0x8(%%rax), %%rdx\n\t"
        "cmp 0x2(%%rdx), %w[k]\n\t"
        "je 2f\n\t"
        "jmp 3f\n\t"
        "2:\n\t"
        "mov (%%rax), %%rax\n\t"
        "test %%rax, %%rax\n\t"
        "jne 1b\n\t"
        "3:\n\t"
        : "+a"(p), "+d"(d), [n] "+r"(n) : [k] "r"(key) : "cc", "memory");
    return (long)n;
}

/* core_state_transition's scan: characters up to a 0, a ',' or (after and $-33) an 'E'. */
__attribute__((noinline)) static unsigned long scan(const unsigned char *s, unsigned long *out) {
    const unsigned char *p = s - 1;
    unsigned long c = 0xffffffff12345678ul, si = 0xfffffffffffffffful, n = 0;
    __asm__ volatile(
        "1:\n\t"
        "add $1, %[n]\n\t"
        "movzbl 0x1(%%rax), %%ecx\n\t"
        "add $0x1, %%rax\n\t"
        "test %%cl, %%cl\n\t"
        "je 2f\n\t"
        "cmp $0x2c, %%cl\n\t"
        "je 2f\n\t"
        "mov %%ecx, %%esi\n\t"
        "and $0xffffffdf, %%esi\n\t"
        "cmp $0x45, %%sil\n\t"
        "jne 1b\n\t"
        "2:\n\t"
        : "+a"(p), "+c"(c), "+S"(si), [n] "+r"(n) : : "cc", "memory");
    *out = c ^ (si << 32);
    return (unsigned long)(p - s) ^ (n << 32);
}

/* crcu8's loop: `n` bits of `data` into `crc`; the flags after it (those of the sub). */
__attribute__((noinline)) static unsigned long crc_loop(unsigned long crc, unsigned long data, unsigned long n,
                                                      unsigned long *flags) {
    unsigned long si = 0x5555555500000000ul, cx = 0xaaaaaaaa00000000ul, fl;
    __asm__ volatile(
        "1:\n\t"
        "mov %%edi, %%esi\n\t"
        "shr %%dil\n\t"
        "xor %%eax, %%esi\n\t"
        "shr %%ax\n\t"
        "mov %%eax, %%ecx\n\t"
        "xor $0xa001, %%cx\n\t"
        "and $1, %%esi\n\t"
        "cmovne %%ecx, %%eax\n\t"
        "sub $1, %%dl\n\t"
        "jne 1b\n\t"
        "pushfq\n\t"
        "popq %[fl]\n\t"
        : "+a"(crc), "+D"(data), "+d"(n), "+S"(si), "+c"(cx), [fl] "=r"(fl) : : "cc");
    *flags = fl & 0x8c5;
    return crc ^ (data << 16) ^ (si << 24) ^ (cx << 32) ^ (n << 56);
}

/* The same loop with 64-bit registers around the 32-bit moves (their upper halves must be
 * cleared) and entered at a pair's second half when `skip` is set. */
__attribute__((noinline)) static unsigned long crc_skip(unsigned long crc, unsigned long data, unsigned long skip) {
    unsigned long si = 0xffffffffffffffff, cx = 0x8000000080000000ul, count = 0x1234567800000008ul;
    __asm__ volatile(
        "test %[k], %[k]\n\t"
        "jne 2f\n\t"
        "1:\n\t"
        "mov %%edi, %%esi\n\t"
        "2:\n\t"
        "shr %%dil\n\t"
        "xor %%eax, %%esi\n\t"
        "jne 3f\n\t"
        "xor %%eax, %%esi\n\t"
        "3:\n\t"
        "shr %%ax\n\t"
        "mov %%eax, %%ecx\n\t"
        "xor $0x1234, %%cx\n\t"
        "and $3, %%esi\n\t"
        "cmove %%ecx, %%eax\n\t"
        "sub $1, %%dl\n\t"
        "jne 1b\n\t"
        : "+a"(crc), "+D"(data), "+S"(si), "+c"(cx), "+d"(count) : [k] "r"(skip) : "cc");
    return crc ^ (data << 16) ^ (si << 24) ^ (cx << 40) ^ count;
}

/* matrix_mul_matrix_bitextract's loop body, then matrix_mul_matrix's imul + add (register
 * form and the immediate form), each ending in a compare whose flags are returned. */
__attribute__((noinline)) static unsigned long bitextract(unsigned long x, unsigned long y, unsigned long *flags) {
    unsigned long a = x, d = y, di = x ^ 0xf0f0f0f0f0f0f0f0ul, c = y | 0x100000000ul, si = x + y, b = y * 7;
    unsigned long fl;
    __asm__ volatile(
        "imul %%edx, %%eax\n\t"
        "mov %%eax, %%edx\n\t"
        "sar $5, %%eax\n\t"
        "sar $2, %%edx\n\t"
        "and $0x7f, %%eax\n\t"
        "and $0xf, %%edx\n\t"
        "imul %%eax, %%edx\n\t"
        "add %%edx, %%edi\n\t"
        "cmp %%ecx, %%edi\n\t"
        "imul %%edi, %%ecx\n\t"
        "add %%ecx, %%esi\n\t"
        "cmp %%eax, %%esi\n\t"
        "imul $-9, %%esi, %%ebx\n\t"
        "add %%ebx, %%edx\n\t"
        "mov %%edx, %%eax\n\t"
        "sar $31, %%eax\n\t"
        "and $-2, %%eax\n\t"
        "imul %%ebx, %%eax\n\t"
        "cmp %%edx, %%eax\n\t"
        "pushfq\n\t"
        "popq %[fl]\n\t"
        : "+a"(a), "+d"(d), "+D"(di), "+c"(c), "+S"(si), "+b"(b), [fl] "=r"(fl) : : "cc");
    *flags = fl & 0x8d5;
    return a ^ (d << 8) ^ (di << 16) ^ (c << 24) ^ (si << 32) ^ (b << 40);
}

/* and r32,imm + cmovcc: the result, the moved register, the flags by pushf, setcc, jcc, adc, sbb. */
#define ANDCMOV(cc)                                                                                   \
    __attribute__((noinline)) static unsigned long and_cmov##cc(unsigned long x, unsigned long y) {   \
        unsigned long s = x, a = y, c = x * 3 + 1, fl, st = 0, j = 0, ad = 5, sb = 9;                 \
        __asm__ volatile(                                                                             \
            "and $0x80000081, %k[s]\n\t"                                                              \
            "cmov" #cc " %k[c], %k[a]\n\t"                                                            \
            "pushfq\n\t"                                                                              \
            "popq %[fl]\n\t"                                                                          \
            "set" #cc " %b[st]\n\t"                                                                   \
            "j" #cc " 1f\n\t"                                                                         \
            "mov $7, %[j]\n\t"                                                                        \
            "1:\n\t"                                                                                  \
            "adc $0, %[ad]\n\t"                                                                       \
            : [s] "+r"(s), [a] "+r"(a), [fl] "=r"(fl), [st] "+q"(st), [j] "+r"(j), [ad] "+r"(ad)      \
            : [c] "r"(c) : "cc");                                                                     \
        __asm__ volatile("and $1, %k[s]\n\tsbb $0, %[sb]\n\t" : [sb] "+r"(sb) : [s] "r"(s) : "cc");   \
        return s ^ (a << 8) ^ ((fl & 0x8c5) << 48) ^ (st << 40) ^ (j << 41) ^ (ad << 44) ^ (sb << 60); \
    }
ANDCMOV(o) ANDCMOV(no) ANDCMOV(b) ANDCMOV(ae) ANDCMOV(e) ANDCMOV(ne) ANDCMOV(be) ANDCMOV(a)
ANDCMOV(s) ANDCMOV(ns) ANDCMOV(p) ANDCMOV(np) ANDCMOV(l) ANDCMOV(ge) ANDCMOV(le) ANDCMOV(g)
#undef ANDCMOV

typedef unsigned long (*and_cmov_fn)(unsigned long, unsigned long);
static const and_cmov_fn and_cmov[16] = {
    and_cmovo, and_cmovno, and_cmovb, and_cmovae, and_cmove, and_cmovne, and_cmovbe, and_cmova,
    and_cmovs, and_cmovns, and_cmovp, and_cmovnp, and_cmovl, and_cmovge, and_cmovle, and_cmovg,
};

int main(void) {
    static const unsigned long vals[] = {0, 1, 2, 0x80, 0x81, 0xff, 0x7fff, 0x8000, 0xa001, 0xffff, 0x12345,
                                         0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000,
                                         0x8000000000000081, 0xffffffffffffffff, 0x1122334455667788};
    const int n = sizeof vals / sizeof vals[0];
    unsigned long sum = 0;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                unsigned long x = vals[i], y = vals[j], f1, f2;
                unsigned long c1 = crc_loop(x, y, 8 | (y & 0xff00), &f1);
                unsigned long c2 = crc_skip(x, y, 0), c3 = crc_skip(x, y, 1);
                unsigned long b = bitextract(x, y, &f2);
                unsigned long m = 0;
                for (int cc = 0; cc < 16; cc++) m = m * 131 + and_cmov[cc](x, y);
                if (round == 0) {
                    printf("%lx %lx: crc %lx/%03lx skip %lx %lx bitextract %lx/%03lx", x, y, c1, f1, c2, c3, b, f2);
                    for (int cc = 0; cc < 16; cc++) printf(" %lx", and_cmov[cc](x, y));
                    printf("\n");
                }
                sum = sum * 31 + (c1 ^ c2 ^ c3 ^ b ^ m ^ (f1 << 50) ^ (f2 << 52));
            }
        }
    }
    printf("sum %lx\n", sum);

    /* The list: 12 nodes, keys 3*i (16-bit at 2), bytes at 0 of the same records. */
    static struct { unsigned short recs[12][4]; struct node nodes[12]; } list;
    unsigned short (*recs)[4] = list.recs;
    struct node *nodes = list.nodes;
    lo = (unsigned char *)&list; hi = lo + sizeof list;
    for (int i = 0; i < 12; i++) {
        recs[i][0] = (unsigned short)(0x30 + 7 * i);
        recs[i][1] = (unsigned short)(3 * i + 0x8000 * (i & 1));
        nodes[i].data = recs[i];
        nodes[i].next = i < 11 ? &nodes[i + 1] : 0;
    }
    for (int round = 0; round < 3; round++) {
        for (unsigned long k = 0; k < 40; k++) {
            unsigned long key = 3 * k + 0x8000 * (k & 1), l1 = 0, l2 = 0;
            long a = find_key(nodes, key, &l1), b = find_byte(nodes, 0x30 + k, &l2);
            long c = count_equal(nodes, 0), d = count_equal(&nodes[k % 12], key);
            unsigned long l3 = 0;
            long e = find_key_ix(nodes, 0x30 + k, -1, &l3);
            if (round == 0) printf("list %lx: %ld %ld %ld %lx %ld %ld %ld %ld\n", key, a, (long)((unsigned char *)l1 - lo), b, l2, c, d,
                                   e, (long)((unsigned char *)l3 - lo));
        }
    }
    static const char *strs[] = {"", "1", "12,5", "abc", "5.5e3", "5.5E3", "x,", "eeee", "-7+", "12345678901"};
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 10; i++) {
            unsigned long o, r = scan((const unsigned char *)strs[i], &o);
            if (round == 0) printf("scan \"%s\": %lx %lx\n", strs[i], r, o);
        }
    }

    /* Faults in each load of the pairs with loads. */
    page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    catch_segv(on_segv);
    struct node *edge = (struct node *)(page + 4096 - 8);     /* data (at 8) on the unmapped page */
    edge->next = 0;
    unsigned char *tail = page + 4096 - 3;                     /* a string running into it */
    tail[0] = 'a'; tail[1] = 'b'; tail[2] = 'c';
    for (int round = 0; round < 2; round++) {
        unsigned long l;
        nodes[11].next = edge;                                 /* first load of the pair */
        if (!sigsetjmp(back, 1)) { find_key(nodes, 0xffff, &l); printf("  no fault\n"); }
        if (!sigsetjmp(back, 1)) { find_byte(nodes, 0xff, &l); printf("  no fault\n"); }
        nodes[11].next = 0;
        recs[0][0] = 0;
        nodes[5].data = (unsigned short *)(page + 4096 + 16);   /* second load of the pair */
        if (!sigsetjmp(back, 1)) { find_key(nodes, 0xffff, &l); printf("  no fault\n"); }
        if (!sigsetjmp(back, 1)) { find_byte(nodes, 0xff, &l); printf("  no fault\n"); }
        nodes[5].data = (unsigned short *)(page + 4096 - 2);    /* the 16-bit key split across */
        if (!sigsetjmp(back, 1)) { find_key(nodes, 0xffff, &l); printf("  no fault\n"); }
        nodes[5].data = recs[5];
        recs[0][0] = 0x30;
        if (!sigsetjmp(back, 1)) { unsigned long o; scan(tail, &o); printf("  no fault\n"); }
    }
    return 0;
}
