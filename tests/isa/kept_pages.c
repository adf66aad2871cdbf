#define _GNU_SOURCE
/* Loops keeping the pages they cached from one call to the next (the native tier's loop page
 * entries kept across entries of the loop while no translation changed: GuestMemory's TLB
 * generation and the loops' page epoch), compared with qemu. Between two calls of a hot loop:
 * - the contents change (the entries map pages, not contents);
 * - the page is unmapped and mapped again at the same address (a new frame, new contents);
 * - the page is made PROT_NONE (the next call's load must fault: SIGSEGV at the load, si_addr);
 * - a store loop's page is made read-only (the next call's store must fault);
 * - another mapping is moved onto the page with mremap (its contents must be read);
 * - fork with the child alive: the parent's store breaks copy-on-write inside compiled code
 *   (the TLB refill), between two calls of the loop from one compiled caller (no return to the
 *   tier in between): the second call must read the new frame, the child the old one;
 * - a copy loop writes code into an executable page, the code runs hot, the copy loop writes
 *   new code into it (its stores must reach the code invalidation: the new code must run);
 * - a load loop caches a read-only page, then one of 16 store loops (one of which takes the
 *   same context entries: loops take 8 of 64 by their translation's number) stores into it:
 *   the store must fault (entries another loop filled are not kept: the owner tag). */
#include "isa.h"
#include "jit.h"
#include "segv_regs.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* sumw(p, n, 0): the sum of n words from p. The loop heads its function (a block looping to its
 * own entry), in a page of its own so that callers do not follow into it. */
uint64_t sumw(const uint64_t *p, uint64_t n, uint64_t zero);
/* fillw(p, v, n): n words of v from p. copyw(dst, src, n): n words. */
void fillw(uint64_t *p, uint64_t v, uint64_t n);
void copyw(uint64_t *dst, const uint64_t *src, uint64_t n);
/* drive(p, v, n): sumw(p, n) << 20, then p[0] = v, then + sumw(p, n): one compiled caller. */
uint64_t drive(uint64_t *p, uint64_t v, uint64_t n);
extern const char sumw_load[], fillw_store[];
__asm__(".text\n.balign 4096\n.globl sumw\nsumw:\n\t"
        ".globl sumw_load\nsumw_load:\n\t"
        "ld a3,0(a0)\n\t"
        "add a2,a2,a3\n\t"
        "addi a0,a0,8\n\t"
        "addi a1,a1,-1\n\t"
        "bnez a1,sumw\n\t"
        "mv a0,a2\n\t"
        "ret\n"
        ".balign 64\n.globl fillw\nfillw:\n\t"
        ".globl fillw_store\nfillw_store:\n\t"
        "sd a1,0(a0)\n\t"
        "addi a0,a0,8\n\t"
        "addi a2,a2,-1\n\t"
        "bnez a2,fillw\n\t"
        "ret\n"
        ".balign 64\n.globl copyw\ncopyw:\n\t"
        "ld a3,0(a1)\n\t"
        "sd a3,0(a0)\n\t"
        "addi a0,a0,8\n\t"
        "addi a1,a1,8\n\t"
        "addi a2,a2,-1\n\t"
        "bnez a2,copyw\n\t"
        "ret\n"
        ".balign 4096\n.globl drive\ndrive:\n\t"
        "addi sp,sp,-48\n\t"
        "sd ra,0(sp)\n\t"
        "sd s0,8(sp)\n\t"
        "sd s1,16(sp)\n\t"
        "sd s2,24(sp)\n\t"
        "sd s3,32(sp)\n\t"
        "mv s0,a0\n\t"
        "mv s1,a1\n\t"
        "mv s2,a2\n\t"
        "mv a1,s2\n\t"
        "li a2,0\n\t"
        "call sumw\n\t"
        "slli s3,a0,20\n\t"
        "sd s1,0(s0)\n\t"
        "mv a0,s0\n\t"
        "mv a1,s2\n\t"
        "li a2,0\n\t"
        "call sumw\n\t"
        "add a0,a0,s3\n\t"
        "ld ra,0(sp)\n\t"
        "ld s0,8(sp)\n\t"
        "ld s1,16(sp)\n\t"
        "ld s2,24(sp)\n\t"
        "ld s3,32(sp)\n\t"
        "addi sp,sp,48\n\t"
        "ret\n"
        ".balign 4096\n");

/* fill0...fill15: fillw's loop, 16 distinct copies (each compiled as a loop of its own). */
#define FILL(n) ".balign 64\n.globl fill" #n "\nfill" #n ":\n\t" \
    ".globl fill" #n "_store\nfill" #n "_store:\n\t" \
    "sd a1,0(a0)\n\taddi a0,a0,8\n\taddi a2,a2,-1\n\tbnez a2,fill" #n "\n\tret\n"
__asm__(".text\n" FILL(0) FILL(1) FILL(2) FILL(3) FILL(4) FILL(5) FILL(6) FILL(7) FILL(8) FILL(9) FILL(10) FILL(11)
        FILL(12) FILL(13) FILL(14) FILL(15));
#define DECL(n) void fill##n(uint64_t *, uint64_t, uint64_t); extern const char fill##n##_store[];
DECL(0) DECL(1) DECL(2) DECL(3) DECL(4) DECL(5) DECL(6) DECL(7) DECL(8) DECL(9) DECL(10) DECL(11) DECL(12) DECL(13)
DECL(14) DECL(15)
typedef void (*fill_t)(uint64_t *, uint64_t, uint64_t);
static const fill_t fills[16] = {fill0, fill1, fill2, fill3, fill4, fill5, fill6, fill7, fill8, fill9, fill10, fill11,
                                 fill12, fill13, fill14, fill15};
static const char *const fill_stores[16] = {fill0_store, fill1_store, fill2_store, fill3_store, fill4_store,
                                            fill5_store, fill6_store, fill7_store, fill8_store, fill9_store,
                                            fill10_store, fill11_store, fill12_store, fill13_store, fill14_store,
                                            fill15_store};

enum { N = 64, PAGE = 4096 };

static uint64_t *fresh(int pages) {
    return mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void set(uint64_t *p, uint64_t base) {
    for (int i = 0; i < N; i++) p[i] = base + (uint64_t)i * 3;
}

int main(void) {
    uint64_t *a = fresh(1), *b = fresh(1);
    set(a, 1);
    set(b, 1000);
    uint64_t h = 0;
    /* Hot: compiled as a loop, its page entries kept from call to call. */
    for (int r = 0; r < 300; r++) h = h * 31 + sumw(r & 1 ? a : b, N - (r % 7), 0);
    printf("warm: %016lx\n", (unsigned long)h);

    /* Contents change between calls. */
    for (int r = 0; r < 5; r++) {
        a[r] += 100 * (uint64_t)r + 7;
        printf("contents %d: %lu\n", r, (unsigned long)sumw(a, N, 0));
    }

    /* Unmapped and mapped again at the same address. */
    for (int r = 0; r < 4; r++) {
        printf("remap %d: %lu\n", r, (unsigned long)sumw(a, N, 0));
        munmap(a, PAGE);
        if (mmap(a, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != a) printf("remap failed\n");
        set(a, 50 * (uint64_t)r + 2);
    }
    printf("remapped: %lu\n", (unsigned long)sumw(a, N, 0));

    /* PROT_NONE between calls: the load must fault. */
    catch_segv();
    for (int r = 0; r < 3; r++) {
        printf("before none %d: %lu\n", r, (unsigned long)sumw(b, N, 0));
        mprotect(b, PAGE, PROT_NONE);
        if (!sigsetjmp(env, 1)) {
            printf("PROT_NONE %d: no fault, %lu\n", r, (unsigned long)sumw(b, N, 0));
        } else {
            printf("PROT_NONE %d: fault at %s, addr b+%lx, a0 b+%lx a1 %lu a2 %lu\n", r,
                   fault_pc == (uint64_t)sumw_load ? "the load" : "ELSEWHERE", (unsigned long)(fault_addr - (uint64_t)b),
                   (unsigned long)(fault_regs[10] - (uint64_t)b), (unsigned long)fault_regs[11],
                   (unsigned long)fault_regs[12]);
        }
        mprotect(b, PAGE, PROT_READ | PROT_WRITE);
    }

    /* A store loop's page made read-only between calls: the store must fault. */
    uint64_t *w = fresh(1), *w2 = fresh(1);
    for (int r = 0; r < 300; r++) fillw(r & 1 ? w : w2, (uint64_t)r, N - (r % 5));
    for (int r = 0; r < 3; r++) {
        fillw(w, 11 + (uint64_t)r, N);
        mprotect(w, PAGE, PROT_READ);
        if (!sigsetjmp(env, 1)) {
            fillw(w, 99, N);
            printf("read-only %d: no fault, w[0] %lu\n", r, (unsigned long)w[0]);
        } else {
            printf("read-only %d: fault at %s, addr w+%lx, w[0] %lu\n", r,
                   fault_pc == (uint64_t)fillw_store ? "the store" : "ELSEWHERE",
                   (unsigned long)(fault_addr - (uint64_t)w), (unsigned long)w[0]);
        }
        mprotect(w, PAGE, PROT_READ | PROT_WRITE);
    }

    /* mremap moves another mapping onto the page between calls. */
    for (int r = 0; r < 3; r++) {
        uint64_t *y = fresh(1);
        set(y, 7000 + 100 * (uint64_t)r);
        printf("before mremap %d: %lu\n", r, (unsigned long)sumw(a, N, 0));
        if (mremap(y, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a) != a) printf("mremap failed\n");
        printf("after mremap %d: %lu\n", r, (unsigned long)sumw(a, N, 0));
    }

    /* Copy-on-write broken inside compiled code between two calls of the loop. */
    uint64_t *c = fresh(1);
    set(c, 5);
    for (int r = 0; r < 300; r++) h = h * 31 + drive(r & 1 ? c : b, (uint64_t)r, N - (r % 3));
    printf("drive warm: %016lx, c[0] %lu\n", (unsigned long)h, (unsigned long)c[0]);
    int go[2];
    if (pipe(go) != 0) printf("pipe failed\n");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char x;
        if (read(go[0], &x, 1) != 1) printf("child: read failed\n");
        printf("child: c[0] %lu, sum %lu\n", (unsigned long)c[0], (unsigned long)sumw(c, N, 0));
        fflush(stdout);
        _exit(0);
    }
    uint64_t d = drive(c, 777, N);
    printf("parent: drive %lu (before %lu, after %lu), c[0] %lu\n", (unsigned long)d, (unsigned long)(d >> 20),
           (unsigned long)(d & ((1 << 20) - 1)), (unsigned long)c[0]);
    fflush(stdout);
    if (write(go[1], "x", 1) != 1) printf("write failed\n");
    int status;
    waitpid(child, &status, 0);
    printf("parent: child status %d, sum %lu\n", status, (unsigned long)sumw(c, N, 0));

    /* Code written into a page by a hot copy loop, run hot, written again by the same loop. */
    uint8_t *code = mmap(0, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t src[2][N];
    memset(src, 0, sizeof src);
    for (int r = 0; r < 300; r++) copyw((uint64_t *)code + 8, src[r & 1], N - 8 - (r % 4));
    for (int v = 1; v <= 4; v++) {
        emit_const((uint8_t *)src[v & 1], v);
        copyw((uint64_t *)code, src[v & 1], 2);
        flush_icache(code, 16);
        long t = 0;
        for (int i = 0; i < 300; i++) t += ((fn0_t)code)();
        printf("code %d: %ld\n", v, t);
    }

    /* A load loop's entries, then a store loop's on the same page, made read-only. */
    uint64_t *ro = fresh(1), *rw = fresh(1);
    set(ro, 300);
    for (int i = 0; i < 16; i++)
        for (int r = 0; r < 40; r++) fills[i](rw, (uint64_t)(i * 100 + r), N - (r % 3));
    mprotect(ro, PAGE, PROT_READ);
    for (int i = 0; i < 16; i++) {
        uint64_t s = 0;
        for (int r = 0; r < 3; r++) s += sumw(ro, N, 0);
        if (!sigsetjmp(env, 1)) {
            fills[i](ro, 5, N);
            printf("store loop %d after the load loop (%lu): no fault, ro[0] %lu\n", i, (unsigned long)s,
                   (unsigned long)ro[0]);
        } else {
            printf("store loop %d after the load loop (%lu): fault at %s, addr ro+%lx\n", i, (unsigned long)s,
                   fault_pc == (uint64_t)fill_stores[i] ? "the store" : "ELSEWHERE",
                   (unsigned long)(fault_addr - (uint64_t)ro));
        }
    }
    return 0;
}
