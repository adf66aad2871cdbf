/* The chains (Sources/X86/X86Pairs.swift, `X86CodeCache.chain`, native only): pairs and forms
 * that follow each other in a block, run by one arm. The loops below are amd64 CoreMark's, as gcc
 * -O2 compiles them, in a writable and executable section of their own. The host CPU is the
 * reference for:
 *  - each loop with varied data: the registers after it and its flags (pushf right after);
 *  - near misses, the same loop with one part in another form so that no chain forms (an indexed
 *    store, a jb instead of jne, a byte compare with another jcc...): they must run as written;
 *  - a fault in each memory access of a chain (the SIGSEGV handler prints si_addr, which
 *    instruction faulted (rip against the labels) and the registers: the parts before it done,
 *    it and those after it not);
 *  - a store of the list-reversal chain into the chain's own code (the instructions after it
 *    change; they must run as changed);
 *  - a timer's signal arriving while matrix_mul_matrix's loop (one chain, a jne back to itself)
 *    runs 2^32 times: the handler moves rip out of it, so it ends only if the chain counts the
 *    budget (the run loop delivers signals when it returns to the scheduler). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

struct node { struct node *next; unsigned long data; };

unsigned long ch_reverse(struct node *head, unsigned long *out);           /* out: rcx, rdx, flags */
unsigned long ch_reverse_ix(struct node *head, unsigned long *out);
unsigned long ch_reverse_flow(struct node *head, unsigned long *out);
unsigned long ch_reverse_smc(struct node *at, unsigned long value, unsigned long *out);
unsigned long ch_crc(unsigned long crc, unsigned long data, unsigned long n, unsigned long *out);
unsigned long ch_crc_ja(unsigned long crc, unsigned long data, unsigned long n, unsigned long *out);
unsigned long ch_crc_flow(unsigned long crc, unsigned long data, unsigned long n, unsigned long *out);
unsigned long ch_crc_same(unsigned long crc, unsigned long data, unsigned long n, unsigned long *out);
unsigned long ch_matrix(unsigned long n, const short *a, const short *b, unsigned long stride, unsigned long *out);
unsigned long ch_matrix_cmp(unsigned long n, const short *a, const short *b, unsigned long stride, unsigned long *out);
unsigned long ch_matrix_flow(unsigned long n, const short *a, const short *b, unsigned long stride, unsigned long *out);
unsigned long ch_bitextract(unsigned long n, const short *a, const short *b, unsigned long stride, unsigned long *out);
unsigned long ch_digits(const unsigned char *s, unsigned long *out);
unsigned long ch_float(const unsigned char *s, unsigned long *out);
unsigned long ch_digits_jb(const unsigned char *s, unsigned long *out);
extern unsigned char ch_reverse_load[], ch_reverse_store[], ch_reverse_mov[], ch_smc_patch[];
extern unsigned char ch_matrix_load1[], ch_matrix_load2[], ch_bitextract_load2[];
extern unsigned char ch_digits_load[], ch_float_load[], ch_matrix_exit[];

/* Each function stores rcx, rdx and the flags (pushf after the loop) into out[0..2]. */
__asm__(
    ".pushsection .chains,\"awx\",@progbits\n"
    ".balign 4096\n"
    /* core_list_reverse (core_bench_list's, inlined there): mov; mov (m); mov (m),r; mov; test; jne */
    "ch_reverse:\n"
    "  mov %rsi,%r8\n  mov %rdi,%rax\n  xor %edx,%edx\n  test %rdi,%rdi\n  je 3f\n"
    "  xor %ecx,%ecx\n  jmp 2f\n"
    "1: mov %rdx,%rax\n"
    ".globl ch_reverse_load\nch_reverse_load:\n"
    "2: mov (%rax),%rdx\n"
    ".globl ch_reverse_store\nch_reverse_store:\n"
    "  mov %rcx,(%rax)\n"
    ".globl ch_reverse_mov\nch_reverse_mov:\n"
    "  mov %rax,%rcx\n  test %rdx,%rdx\n  jne 1b\n"
    "3: pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  ret\n"
    /* the same with an indexed store, -8(%rax,%r9) with r9 = 8: no chain */
    "ch_reverse_ix:\n"
    "  mov %rsi,%r8\n  mov %rdi,%rax\n  xor %edx,%edx\n  mov $8,%r9d\n  test %rdi,%rdi\n  je 3f\n"
    "  xor %ecx,%ecx\n  jmp 2f\n"
    "1: mov %rdx,%rax\n"
    "2: mov (%rax),%rdx\n  mov %rcx,-8(%rax,%r9)\n  mov %rax,%rcx\n  test %rdx,%rdx\n  jne 1b\n"
    "3: pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  ret\n"
    /* near miss of the chain's dataflow (its arm passes the pointer and the loaded value on in
     * host registers): mov %rdx,%rcx instead of mov %rax,%rcx (entered at the chain) */
    "ch_reverse_flow:\n"
    "  mov %rsi,%r8\n  mov %rdi,%rax\n  mov %rdi,%rdx\n  test %rdi,%rdi\n  je 3f\n"
    "  xor %ecx,%ecx\n  jmp 1f\n"
    "1: mov %rdx,%rax\n"
    "  mov (%rax),%rdx\n  mov %rcx,(%rax)\n  mov %rdx,%rcx\n  test %rdx,%rdx\n  jne 1b\n"
    "3: pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  ret\n"
    /* entered at the chain with rdx = `at` and rcx = `value`: the store writes `value` at `at` */
    "ch_reverse_smc:\n"
    "  mov %rdx,%r8\n  mov %rdi,%rdx\n  mov %rsi,%rcx\n  jmp 1f\n"
    "1: mov %rdx,%rax\n  mov (%rax),%rdx\n  mov %rcx,(%rax)\n"
    ".globl ch_smc_patch\nch_smc_patch:\n"
    "  mov %rax,%rcx\n  test %rdx,%rdx\n  jne 1b\n"
    "  pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  ret\n"
    /* crcu8's bit loop: eax crc, edi data, dl count */
    "ch_crc:\n"
    "  mov %rdi,%rax\n  mov %rsi,%rdi\n  mov %rcx,%r8\n  mov $0x5555555500000000,%rsi\n"
    "  mov $0xaaaaaaaa00000000,%rcx\n  jmp 1f\n"
    "1: mov %edi,%esi\n  shr %dil\n  xor %eax,%esi\n  shr %ax\n  mov %eax,%ecx\n  xor $0xa001,%cx\n"
    "  and $1,%esi\n  cmovne %ecx,%eax\n  sub $1,%dl\n  jne 1b\n"
    "  pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  xor %rsi,%rax\n  shl $16,%rdi\n  xor %rdi,%rax\n  ret\n"
    /* near miss: the loop's sub with ja (no NZ form, no chain) */
    "ch_crc_ja:\n"
    "  mov %rdi,%rax\n  mov %rsi,%rdi\n  mov %rcx,%r8\n  mov $0x5555555500000000,%rsi\n"
    "  mov $0xaaaaaaaa00000000,%rcx\n  jmp 1f\n"
    "1: mov %edi,%esi\n  shr %dil\n  xor %eax,%esi\n  shr %ax\n  mov %eax,%ecx\n  xor $0xa001,%cx\n"
    "  and $1,%esi\n  cmovne %ecx,%eax\n  sub $1,%dl\n  ja 1b\n"
    "  pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  xor %rsi,%rax\n  shl $16,%rdi\n  xor %rdi,%rax\n  ret\n"
    /* near misses of the crc chain's dataflow (its arm keeps A = edi, B = esi, C = eax, D = ecx
     * in host registers): cmovne from esi instead of ecx; and A = C (eax shifted as a byte and as
     * a word) */
    "ch_crc_flow:\n"
    "  mov %rdi,%rax\n  mov %rsi,%rdi\n  mov %rcx,%r8\n  mov $0x5555555500000000,%rsi\n"
    "  mov $0xaaaaaaaa00000000,%rcx\n  jmp 1f\n"
    "1: mov %edi,%esi\n  shr %dil\n  xor %eax,%esi\n  shr %ax\n  mov %eax,%ecx\n  xor $0xa001,%cx\n"
    "  and $1,%esi\n  cmovne %esi,%eax\n  sub $1,%dl\n  jne 1b\n"
    "  pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  xor %rsi,%rax\n  shl $16,%rdi\n  xor %rdi,%rax\n  ret\n"
    "ch_crc_same:\n"
    "  mov %rdi,%rax\n  mov %rsi,%rdi\n  mov %rcx,%r8\n  mov $0x5555555500000000,%rsi\n"
    "  mov $0xaaaaaaaa00000000,%rcx\n  jmp 1f\n"
    "1: mov %eax,%esi\n  shr %al\n  xor %eax,%esi\n  shr %ax\n  mov %eax,%ecx\n  xor $0xa001,%cx\n"
    "  and $1,%esi\n  cmovne %ecx,%eax\n  sub $1,%dl\n  jne 1b\n"
    "  pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  xor %rsi,%rax\n  shl $16,%rdi\n  xor %rdi,%rax\n  ret\n"
    /* matrix_mul_matrix's inner loop minus its add + cmp (the imul's result goes to a compare
     * after another instruction): matrixLoadImul, then add; cmp; jne as its own pair.
     * rdi n (r9d), rsi a (r11), rdx b (r10), rcx stride (r8d), r8 out (rbx) */
    "ch_matrix:\n"
    "  push %rbx\n  mov %r8,%rbx\n  mov %edi,%r9d\n  mov %rsi,%r11\n  mov %rdx,%r10\n  mov %ecx,%r8d\n"
    "  xor %eax,%eax\n  xor %ecx,%ecx\n  xor %esi,%esi\n  mov $0x77777777ffffffff,%rdx\n  mov %rdx,%rdi\n  jmp 1f\n"
    "1: mov %eax,%edx\n  mov %ecx,%edi\n"
    "  add $0x1,%eax\n  add %r8d,%ecx\n"
    ".globl ch_matrix_load1\nch_matrix_load1:\n"
    "  movswl (%r11,%rdx,2),%edx\n"
    ".globl ch_matrix_load2\nch_matrix_load2:\n"
    "  movswl (%r10,%rdi,2),%edi\n  imul %edi,%edx\n  add %edx,%esi\n  cmp %eax,%r9d\n"
    "  jne 1b\n"
    ".globl ch_matrix_exit\nch_matrix_exit:\n"
    "  pushfq\n  popq 16(%rbx)\n  mov %rcx,(%rbx)\n  mov %rdx,8(%rbx)\n  mov %esi,%eax\n  pop %rbx\n  ret\n"
    /* the same whose imul is not followed by add; cmp; jne (a mov between): the shorter chain */
    "ch_matrix_cmp:\n"
    "  push %rbx\n  mov %r8,%rbx\n  mov %edi,%r9d\n  mov %rsi,%r11\n  mov %rdx,%r10\n  mov %ecx,%r8d\n"
    "  xor %eax,%eax\n  xor %ecx,%ecx\n  xor %esi,%esi\n  jmp 1f\n"
    "1: mov %eax,%edx\n  mov %ecx,%edi\n  add $0x1,%eax\n  add %r8d,%ecx\n"
    "  movswl (%r11,%rdx,2),%edx\n  movswl (%r10,%rdi,2),%edi\n  imul %edi,%edx\n  mov %edx,%edx\n"
    "  add %edx,%esi\n  cmp %eax,%r9d\n  jne 1b\n"
    "  pushfq\n  popq 16(%rbx)\n  mov %rcx,(%rbx)\n  mov %rdx,8(%rbx)\n  mov %esi,%eax\n  pop %rbx\n  ret\n"
    /* near miss of the matrix chain's dataflow (its arm passes the loaded values to the imul in
     * host registers): the imul's source is the sum, not a loaded value */
    "ch_matrix_flow:\n"
    "  push %rbx\n  mov %r8,%rbx\n  mov %edi,%r9d\n  mov %rsi,%r11\n  mov %rdx,%r10\n  mov %ecx,%r8d\n"
    "  xor %eax,%eax\n  xor %ecx,%ecx\n  mov $3,%esi\n  jmp 1f\n"
    "1: mov %eax,%edx\n  mov %ecx,%edi\n  add $0x1,%eax\n  add %r8d,%ecx\n"
    "  movswl (%r11,%rdx,2),%edx\n  movswl (%r10,%rdi,2),%edi\n  imul %esi,%edx\n  add %edx,%esi\n  cmp %eax,%r9d\n  jne 1b\n"
    "  pushfq\n  popq 16(%rbx)\n  mov %rcx,(%rbx)\n  mov %rdx,8(%rbx)\n  mov %esi,%eax\n  pop %rbx\n  ret\n"
    /* matrix_mul_matrix_bitextract's inner loop */
    "ch_bitextract:\n"
    "  push %rbx\n  mov %r8,%rbx\n  mov %edi,%r9d\n  mov %rsi,%r11\n  mov %rdx,%r10\n  mov %ecx,%r8d\n"
    "  xor %ecx,%ecx\n  xor %esi,%esi\n  xor %edi,%edi\n  jmp 1f\n"
    "1: mov %ecx,%eax\n  mov %esi,%edx\n  add $0x1,%ecx\n  add %r8d,%esi\n  movswl (%r10,%rdx,2),%edx\n"
    ".globl ch_bitextract_load2\nch_bitextract_load2:\n"
    "  movswl (%r11,%rax,2),%eax\n  imul %edx,%eax\n  mov %eax,%edx\n  sar $0x5,%eax\n  sar $0x2,%edx\n"
    "  and $0x7f,%eax\n  and $0xf,%edx\n  imul %eax,%edx\n  add %edx,%edi\n  cmp %r9d,%ecx\n  jne 1b\n"
    "  pushfq\n  popq 16(%rbx)\n  mov %rcx,(%rbx)\n  mov %rdx,8(%rbx)\n  mov %edi,%eax\n  pop %rbx\n  ret\n"
    /* core_state_transition's digit loop: returns the exit (1 ',', 2 '.', 3 other, 4 end) in
     * the top byte, rax - s below */
    "ch_digits:\n"
    "  mov %rsi,%r8\n  mov %rdi,%rax\n  movzbl (%rax),%ecx\n  xor %edx,%edx\n"
    "  test %cl,%cl\n  je 4f\n  jmp 1f\n"
    "1: cmp $0x2c,%cl\n  je 5f\n  cmp $0x2e,%cl\n  je 6f\n  sub $0x30,%ecx\n  cmp $0x9,%cl\n  jbe 2f\n"
    "  mov $3,%edx\n  jmp 7f\n"
    "2:\n"
    ".globl ch_digits_load\nch_digits_load:\n"
    "  movzbl 0x1(%rax),%ecx\n  add $0x1,%rax\n  test %cl,%cl\n  jne 1b\n"
    "4: mov $4,%edx\n  jmp 7f\n"
    "5: mov $1,%edx\n  jmp 7f\n"
    "6: mov $2,%edx\n"
    "7: pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  sub %rdi,%rax\n  shl $56,%rdx\n  or %rdx,%rax\n  ret\n"
    /* near miss: jb instead of jbe (the compare then is a byte compare with another jcc: the
     * same chain), and `cmp $0x2e,%cl; jne` in the middle (no chain) */
    "ch_digits_jb:\n"
    "  mov %rsi,%r8\n  mov %rdi,%rax\n  movzbl (%rax),%ecx\n  xor %edx,%edx\n"
    "  test %cl,%cl\n  je 4f\n  jmp 1f\n"
    "1: cmp $0x2c,%cl\n  je 5f\n  cmp $0x2e,%cl\n  jne 3f\n  jmp 6f\n"
    "3: sub $0x30,%ecx\n  cmp $0xa,%cl\n  jb 2f\n"
    "  mov $3,%edx\n  jmp 7f\n"
    "2: movzbl 0x1(%rax),%ecx\n  add $0x1,%rax\n  test %cl,%cl\n  jne 1b\n"
    "4: mov $4,%edx\n  jmp 7f\n"
    "5: mov $1,%edx\n  jmp 7f\n"
    "6: mov $2,%edx\n"
    "7: pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  sub %rdi,%rax\n  shl $56,%rdx\n  or %rdx,%rax\n  ret\n"
    /* core_state_transition's exponent loop (0x4030b2 and 0x403170 in CoreMark's binary) */
    "ch_float:\n"
    "  mov %rsi,%r8\n  mov %rdi,%rax\n  movzbl (%rax),%ecx\n  mov $-1,%rsi\n  xor %edx,%edx\n"
    "  test %cl,%cl\n  je 4f\n  jmp 1f\n"
    "1: cmp $0x2c,%cl\n  je 5f\n  mov %ecx,%esi\n  and $0xffffffdf,%esi\n  cmp $0x45,%sil\n  jne 3f\n"
    "  mov $2,%edx\n  jmp 7f\n"
    "3: sub $0x30,%ecx\n  cmp $0x9,%cl\n  ja 6f\n"
    ".globl ch_float_load\nch_float_load:\n"
    "  movzbl 0x1(%rax),%ecx\n  add $0x1,%rax\n  test %cl,%cl\n  jne 1b\n"
    "4: mov $4,%edx\n  jmp 7f\n"
    "5: mov $1,%edx\n  jmp 7f\n"
    "6: mov $3,%edx\n"
    "7: pushfq\n  popq 16(%r8)\n  mov %rcx,(%r8)\n  mov %rdx,8(%r8)\n  sub %rdi,%rax\n  shl $56,%rdx\n  or %rdx,%rax\n"
    "  shl $32,%rsi\n  xor %rsi,%rax\n  ret\n"
    ".popsection\n");

static sigjmp_buf back;
static unsigned char *page;
static struct node nodes[16];
static short mat_a[64], mat_b[64];

/* A value as the test sees it: relative to the page, the nodes, or itself when small. */
static void show(const char *name, unsigned long v) {
    unsigned char *p = (unsigned char *)v;
    if (page && p >= page && p < page + 8192) printf(" %s=page%+ld", name, (long)(p - page));
    else if (p >= (unsigned char *)nodes && p < (unsigned char *)(nodes + 16)) printf(" %s=node%+ld", name, (long)(p - (unsigned char *)nodes));
    else if (v < 0x100000) printf(" %s=%lx", name, v);
    else printf(" %s=other", name);
}

static const char *where(uintptr_t rip) {
    static const struct { unsigned char *at; const char *name; } labels[] = {
        {ch_reverse_load, "reverse load"}, {ch_reverse_store, "reverse store"}, {ch_matrix_load1, "matrix load 1"},
        {ch_matrix_load2, "matrix load 2"}, {ch_bitextract_load2, "bitextract load 2"}, {ch_digits_load, "digits load"},
        {ch_float_load, "float load"},
    };
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if ((uintptr_t)labels[i].at == rip) return labels[i].name;
    return "elsewhere";
}

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGSEGV at page%+ld, %s:", (long)((unsigned char *)si->si_addr - page), where(g[REG_RIP]));
    show("rax", g[REG_RAX]); show("rcx", g[REG_RCX]); show("rdx", g[REG_RDX]); show("rsi", g[REG_RSI]);
    show("rdi", g[REG_RDI]);
    printf("\n");
    (void)sig;
    siglongjmp(back, 1);
}

/* The timer's signal: ends ch_matrix's loop (wherever in it the signal arrives). */
static volatile int alarms;
static void on_alarm(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)ch_matrix_exit;
    alarms++;
    (void)sig; (void)si;
}

/* A function's result, rcx and rdx after it (as pointers or as values) and its flags. */
static void print_out(const char *what, unsigned long r, const unsigned long *o) {
    printf("%s: %lx rcx=%lx rdx=%lx flags %03lx\n", what, r, o[0], o[1], o[2] & 0x8d5);
}

static void print_list(const char *what, int n, unsigned long r, const unsigned long *o) {
    printf("%s %d:", what, n);
    show("rax", r);
    show("rcx", o[0]);
    show("rdx", o[1]);
    printf(" flags %03lx, the list:", o[2] & 0x8d5);
    int k = 0;
    for (struct node *q = (struct node *)r; q && k < 20; q = q->next, k++) printf(" %ld/%lu", (long)(q - nodes), q->data);
    printf("\n");
}

/* Nodes 0..n-1 linked in order from `first` (node i's data i*3). */
static struct node *link_nodes(int first, int n) {
    for (int i = 0; i < n; i++) {
        nodes[first + i].next = i + 1 < n ? &nodes[first + i + 1] : 0;
        nodes[first + i].data = (unsigned long)i * 3;
    }
    return n ? &nodes[first] : 0;
}

int main(void) {
    unsigned long o[3];
    for (int i = 0; i < 64; i++) {
        mat_a[i] = (short)(i * 1237 - 30000);
        mat_b[i] = (short)(i * 7919 + 11);
    }
    static const unsigned long vals[] = {0, 1, 0x80, 0xff, 0x7fff, 0xa001, 0xffff, 0x12345, 0x7fffffff, 0x80000000,
                                         0xffffffff, 0x8000000000000081, 0xffffffffffffffff, 0x1122334455667788};
    const int nv = sizeof vals / sizeof vals[0];
    static const char *strs[] = {"", "1", "12,5", "12.5", "abc", "5.5e3", "5.5E3", "x,", "eeee", "-7+", "12345678901",
                                 "e12", "E1x", "0099,", "9e9e9"};
    const int ns = sizeof strs / sizeof strs[0];

    for (int round = 0; round < 3; round++) {    /* decoded, then with the branch targets cached */
        int p = round == 0;
        for (int n = 0; n <= 9; n++) {
            unsigned long r = ch_reverse(link_nodes(0, n), o);
            if (p) print_list("reverse", n, r, o);
            r = ch_reverse_ix(link_nodes(0, n), o);
            if (p) print_list("reverse_ix", n, r, o);
            struct node *h = link_nodes(0, n);
            r = ch_reverse_flow(h, o);
            if (p) print_list("reverse_flow", n, (unsigned long)h, o);
        }
        for (int i = 0; i < nv; i++) {
            for (int j = 0; j < nv; j += 3) {
                unsigned long n = 8 | (vals[j] & 0xff00);
                unsigned long r = ch_crc(vals[i], vals[j], n, o);
                if (p) print_out("crc", r, o);
                r = ch_crc_ja(vals[i], vals[j], 5 | (vals[j] & 0xff00), o);
                if (p) print_out("crc_ja", r, o);
                r = ch_crc_flow(vals[i], vals[j], n, o);
                if (p) print_out("crc_flow", r, o);
                r = ch_crc_same(vals[i], vals[j], n, o);
                if (p) print_out("crc_same", r, o);
            }
        }
        for (unsigned long n = 1; n <= 8; n++) {
            for (unsigned long stride = 0; stride <= 7; stride += 7) {
                unsigned long r = ch_matrix(n, mat_a, mat_b, stride, o);
                if (p) print_out("matrix", r, o);
                r = ch_matrix_cmp(n, mat_a + 3, mat_b + 1, stride, o);
                if (p) print_out("matrix_cmp", r, o);
                r = ch_bitextract(n, mat_a + 1, mat_b + 5, stride, o);
                if (p) print_out("bitextract", r, o);
                r = ch_matrix_flow(n, mat_a + 2, mat_b, stride, o);
                if (p) print_out("matrix_flow", r, o);
            }
        }
        for (int i = 0; i < ns; i++) {
            unsigned long r = ch_digits((const unsigned char *)strs[i], o);
            if (p) { printf("\"%s\" ", strs[i]); print_out("digits", r, o); }
            r = ch_digits_jb((const unsigned char *)strs[i], o);
            if (p) { printf("\"%s\" ", strs[i]); print_out("digits_jb", r, o); }
            r = ch_float((const unsigned char *)strs[i], o);
            if (p) { printf("\"%s\" ", strs[i]); print_out("float", r, o); }
        }
    }

    /* Faults. */
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    for (int round = 0; round < 2; round++) {
        /* the chain's load: the third node's next points past the page */
        struct node *h = link_nodes(0, 5);
        nodes[2].next = (struct node *)(page + 4096 + 64);
        if (!sigsetjmp(back, 1)) { ch_reverse(h, o); printf("  no fault\n"); }
        /* the chain's store: the fourth node is on a read-only page */
        struct node *ro = (struct node *)(page + 256);
        h = link_nodes(0, 5);
        nodes[2].next = ro;
        ro->next = &nodes[3];
        mprotect(page, 4096, PROT_READ);
        if (!sigsetjmp(back, 1)) { ch_reverse(h, o); printf("  no fault\n"); }
        mprotect(page, 4096, PROT_READ | PROT_WRITE);
        /* the matrix loads: a at the page's end, then b */
        short *edge = (short *)(page + 4096 - 6);
        edge[0] = 5; edge[1] = -7; edge[2] = 300;
        if (!sigsetjmp(back, 1)) { ch_matrix(6, edge, mat_b, 1, o); printf("  no fault\n"); }
        if (!sigsetjmp(back, 1)) { ch_matrix(6, mat_a, edge, 1, o); printf("  no fault\n"); }
        if (!sigsetjmp(back, 1)) { ch_bitextract(6, edge, mat_b, 1, o); printf("  no fault\n"); }
        /* the scans' loads: digits running into the unmapped page */
        unsigned char *tail = page + 4096 - 3;
        tail[0] = '1'; tail[1] = '2'; tail[2] = '3';
        if (!sigsetjmp(back, 1)) { ch_digits(tail, o); printf("  no fault\n"); }
        if (!sigsetjmp(back, 1)) { ch_float(tail, o); printf("  no fault\n"); }
    }

    /* The store into the chain's own code: the 8 bytes after it (mov %rax,%rcx; test %rdx,%rdx;
     * jne) become mov %rax,%rcx; xor %edx,%edx; nop; jne (the loop ends). */
    unsigned char code[8], patched[8];
    memcpy(code, ch_smc_patch, 8);
    memcpy(patched, code, 8);
    patched[3] = 0x31; patched[4] = 0xd2; patched[5] = 0x90;
    unsigned long value;
    memcpy(&value, patched, 8);
    for (int round = 0; round < 3; round++) {
        unsigned long r = ch_reverse_smc((struct node *)ch_smc_patch, value, o);
        printf("smc %d: rax=%s rcx=%s rdx=%lx flags %03lx\n", round, r == (unsigned long)ch_smc_patch ? "patch" : "other",
               o[0] == (unsigned long)ch_smc_patch ? "patch" : "other", o[1], o[2] & 0x8d5);
        memcpy(ch_smc_patch, code, 8);
    }

    /* A signal in a loop that is one chain: 2^32 iterations unless the signal ends it. */
    struct sigaction sb = {0};
    sb.sa_sigaction = on_alarm;
    sb.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sb, 0);
    /* 2^32 iterations, a's index counting up (256 MB of zero pages: far more than the loop
     * reaches natively in the timer's 5 ms), b's staying (stride 0) */
    const short *zeros = mmap(0, 256 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    struct itimerval t = {{0, 0}, {0, 5000}};
    setitimer(ITIMER_REAL, &t, 0);
    ch_matrix(0, zeros, zeros, 0, o);
    printf("the timer's signal ended the loop (%d signal)\n", alarms);
    return 0;
}
