/* The interpreter's per-instruction cached page (Sources/X86/X86CodeCache.swift, X86PageCache:
 * each decoded load or store keeps the guest page it touched last and its host address, dropped
 * whenever any TLB entry is: GuestMemory.tlbGeneration). The same few load and store
 * instructions (one noinline function each, so one decoded instruction each) touch a page until
 * it is cached, then the page's translation changes under them and they must see the change.
 * The host CPU is the reference for:
 *  - munmap, then mmap of another file (memfd) at the same address: loads read the new file,
 *    stores land in it (read back from both files with pread); an anonymous page mapped again
 *    reads as zeros;
 *  - mprotect to read-only, then a store that must fault (SIGSEGV: the handler prints the fault
 *    address and the word); PROT_NONE, then a load that must fault; back to read-write;
 *  - mremap: a moved mapping faults at its old address and reads its data at the new one; another
 *    mapping moved onto a cached address (MREMAP_FIXED) reads as its own data there;
 *  - fork's copy-on-write: the child writes, the parent still reads its own value; the parent
 *    writes (breaking the sharing on its side), reads its new value, and the child, reading
 *    after it, still sees the old one; each side's loads and stores were cached before the fork;
 *  - a page that becomes code: a store cached for a data page, then the page holds code that
 *    runs, then the same store patches that code and the new code must run;
 *  - the same load or store instruction right before and after a raw system call (mmap over its
 *    page, munmap, mremap onto it, mprotect PROT_NONE or read-only, fork), with no other access
 *    between them;
 *  - faults in the operand: the cached page's neighbour unmapped, a load and a store running
 *    across the page end (every size), and at the neighbour itself.
 * Each access is done several times first so the cached page is filled and used. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "segv_page.h"

#define PG 4096UL

static void on_segv(int sig, siginfo_t *si, void *uc_) {
    (void)sig; (void)uc_;
    printf("  SIGSEGV at %s%+ld\n", si->si_addr >= (void *)page && si->si_addr < (void *)(page + 4 * PG) ? "page" : "?",
           (long)((unsigned char *)si->si_addr - page));
    siglongjmp(back, 1);
}

/* One decoded instruction each: 64-bit base + disp (movRM64/movMR64), indexed (the X forms),
 * 32-bit (movRM32/movMR32), movzbl, movzwl, movswl, a byte store, cmp r16,[m]. */
__attribute__((noinline)) static unsigned long ld64(const void *p) {
    unsigned long v; __asm__ volatile("mov 16(%1), %0" : "=r"(v) : "r"(p) : "memory"); return v;
}
__attribute__((noinline)) static unsigned long ld64x(const void *p, long i) {
    unsigned long v; __asm__ volatile("mov (%1,%2,8), %0" : "=r"(v) : "r"(p), "r"(i) : "memory"); return v;
}
__attribute__((noinline)) static unsigned long ld32(const void *p) {
    unsigned long v = 0; __asm__ volatile("movl (%1), %k0" : "+r"(v) : "r"(p) : "memory"); return v;
}
__attribute__((noinline)) static unsigned long ldzx8(const void *p) {
    unsigned long v = 0; __asm__ volatile("movzbl (%1), %k0" : "+r"(v) : "r"(p) : "memory"); return v;
}
__attribute__((noinline)) static unsigned long ldzx16(const void *p) {
    unsigned long v = 0; __asm__ volatile("movzwl (%1), %k0" : "+r"(v) : "r"(p) : "memory"); return v;
}
__attribute__((noinline)) static unsigned long ldsx16(const void *p) {
    unsigned long v = 0; __asm__ volatile("movswl (%1), %k0" : "+r"(v) : "r"(p) : "memory"); return v;
}
__attribute__((noinline)) static unsigned long cmp16(const void *p, unsigned long a) {
    unsigned long z = 0;
    __asm__ volatile("cmpw (%1), %w2\n\tjne 1f\n\tmov $1, %0\n1:" : "+r"(z) : "r"(p), "r"(a) : "cc", "memory");
    return z;
}
__attribute__((noinline)) static void st64(void *p, unsigned long v) {
    __asm__ volatile("mov %1, 16(%0)" : : "r"(p), "r"(v) : "memory");
}
__attribute__((noinline)) static void st64x(void *p, long i, unsigned long v) {
    __asm__ volatile("mov %2, (%0,%1,8)" : : "r"(p), "r"(i), "r"(v) : "memory");
}
__attribute__((noinline)) static void st32(void *p, unsigned long v) {
    __asm__ volatile("movl %k1, (%0)" : : "r"(p), "r"(v) : "memory");
}
__attribute__((noinline)) static void st8(void *p, unsigned long v) {
    __asm__ volatile("movb %b1, (%0)" : : "r"(p), "r"(v) : "memory");
}

/* The load of ld64 (at 16(p)), then a system call, then the same load instruction again,
 * with nothing between them (no other access, look-up or miss that could drop the cached page
 * by chance): the second value. The system call's arguments are a1...a6. */
__attribute__((noinline)) static unsigned long load_syscall_load(void *p, long nr, long a1, long a2, long a3, long a4,
                                                                 long a5, long a6) {
    unsigned long v;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("xor %%r12d, %%r12d\n"
                     "1: mov 16(%[p]), %[v]\n\t"
                     "test %%r12, %%r12\n\t"
                     "jnz 2f\n\t"
                     "mov $1, %%r12d\n\t"
                     "mov %[nr], %%rax\n\t"
                     "syscall\n\t"
                     "jmp 1b\n"
                     "2:"
                     : [v] "=&r"(v)
                     : [p] "r"(p), [nr] "r"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rax", "rcx", "r11", "r12", "cc", "memory");
    return v;
}

/* The same with a store of `v` at 16(p) (then `v + 1` after the system call); returns the
 * system call's result. */
__attribute__((noinline)) static long store_syscall_store(void *p, unsigned long v, long nr, long a1, long a2, long a3) {
    long ret;
    __asm__ volatile("xor %%r12d, %%r12d\n"
                     "1: mov %[v], 16(%[p])\n\t"
                     "test %%r12, %%r12\n\t"
                     "jnz 2f\n\t"
                     "mov $1, %%r12d\n\t"
                     "mov %[nr], %%rax\n\t"
                     "syscall\n\t"
                     "mov %%rax, %%r13\n\t"
                     "add $1, %[v]\n\t"
                     "jmp 1b\n"
                     "2: mov %%r13, %[ret]"
                     : [ret] "=&r"(ret), [v] "+r"(v)
                     : [p] "r"(p), [nr] "r"(nr), "D"(a1), "S"(a2), "d"(a3)
                     : "rax", "rcx", "r11", "r12", "r13", "cc", "memory");
    return ret;
}

/* A load at 16(p), a store of `w` there, the same load again (one block, no look-up between):
 * the second value. */
__attribute__((noinline)) static unsigned long load_store_load(void *p, unsigned long w) {
    unsigned long v;
    __asm__ volatile("xor %%r12d, %%r12d\n"
                     "1: mov 16(%[p]), %[v]\n\t"
                     "test %%r12, %%r12\n\t"
                     "jnz 2f\n\t"
                     "mov $1, %%r12d\n\t"
                     "mov %[w], 16(%[p])\n\t"
                     "jmp 1b\n"
                     "2:"
                     : [v] "=&r"(v)
                     : [p] "r"(p), [w] "r"(w)
                     : "r12", "cc", "memory");
    return v;
}

/* fork by the raw system call between two runs of one store: the parent stores `v + 1` right
 * after it (the child nothing); returns the pid. */
__attribute__((noinline)) static long fork_store(void *p, unsigned long v) {
    long ret;
    __asm__ volatile("xor %%r12d, %%r12d\n"
                     "1: mov %[v], 16(%[p])\n\t"
                     "test %%r12, %%r12\n\t"
                     "jnz 2f\n\t"
                     "mov $1, %%r12d\n\t"
                     "mov $57, %%eax\n\t"
                     "syscall\n\t"
                     "mov %%rax, %%r13\n\t"
                     "add $1, %[v]\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1b\n"
                     "2: mov %%r13, %[ret]"
                     : [ret] "=&r"(ret), [v] "+r"(v)
                     : [p] "r"(p)
                     : "rax", "rcx", "r11", "r12", "r13", "cc", "memory");
    return ret;
}

/* Every load, at the offsets from `p` the stores write (and at +8, which they do not), repeated so
 * the cached page is filled and hit. */
static void loads(const char *what, unsigned char *p) {
    unsigned long a = 0;
    for (int i = 0; i < 4; i++) {
        a = ld64(p) ^ ld64x(p, 4) * 3 ^ ld32(p + 40) * 5 ^ ldzx8(p + 48) * 7 ^ ldzx16(p + 40) * 11 ^ ldsx16(p + 42) * 13
            ^ cmp16(p + 16, 0x4252) * 17 ^ ld64x(p, 1) * 19;
    }
    printf("%s: %016lx %016lx %lx %lx %lx %lx %lx %016lx -> %lx\n", what, ld64(p), ld64x(p, 4), ld32(p + 40), ldzx8(p + 48),
           ldzx16(p + 40), ldsx16(p + 42), cmp16(p + 16, 0x4252), ld64x(p, 1), a);
}

static void stores(unsigned char *p, unsigned long v) {
    for (int i = 0; i < 4; i++) {
        st64(p, v); st64x(p, 4, v + 1); st32(p + 40, v + 2); st8(p + 48, (v >> 12) + 3);
    }
}

static int memfd(const char *name, int fill) {
    int fd = memfd_create(name, 0);
    unsigned char buf[PG];
    memset(buf, fill, sizeof buf);
    for (int i = 0; i < 64; i += 8) buf[i] = (unsigned char)(fill + i);
    for (int i = 0; i < 4; i++) {
        buf[17] = (unsigned char)(0x30 + i);   /* each page its own (read by ld64) */
        if (write(fd, buf, PG) != (ssize_t)PG) printf("write failed\n");
    }
    return fd;
}

static void show_file(const char *what, int fd) {
    unsigned long w[7];
    if (pread(fd, w, sizeof w, 0) != (ssize_t)sizeof w) printf("pread failed\n");
    printf("%s: %016lx %016lx %016lx %016lx %016lx %016lx %016lx\n", what, w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
}

/* `body` with faults caught: prints "done" when it completes. */
#define TRY(label, body) do { \
    printf("%s\n", label); \
    if (!sigsetjmp(back, 1)) { body; printf("  done\n"); } \
} while (0)

static void remap_files(void) {
    int a = memfd("a", 0x41), b = memfd("b", 0x42);
    page = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
    loads("file a", page);
    stores(page, 0x1000);
    loads("file a stored", page);
    munmap(page, PG);
    if (mmap(page, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, b, 0) != page) printf("mmap b moved\n");
    loads("file b", page);
    stores(page, 0x2000);
    loads("file b stored", page);
    show_file("file a", a);
    show_file("file b", b);
    /* The same address, the file again at another offset (a different page of the same file). */
    if (mmap(page, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, a, PG) != page) printf("mmap a+1 moved\n");
    loads("file a page 1", page);
    munmap(page, PG);
    if (mmap(page, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != page) printf("anon moved\n");
    loads("anonymous", page);
    stores(page, 0x3000);
    munmap(page, PG);
    if (mmap(page, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != page) printf("anon moved\n");
    loads("anonymous again", page);
    munmap(page, PG);
    close(a); close(b);
}

static void protect(void) {
    page = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stores(page, 0x4000);
    loads("read-write", page);
    mprotect(page, PG, PROT_READ);
    TRY("store to read-only", st64(page, 0x5000));
    TRY("store to read-only (indexed)", st64x(page, 4, 0x5001));
    TRY("store to read-only (32)", st32(page + 40, 0x5002));
    TRY("store to read-only (8)", st8(page + 48, 0x5003));
    loads("read-only", page);
    mprotect(page, PG, PROT_NONE);
    TRY("load from PROT_NONE", ld64(page));
    TRY("load from PROT_NONE (indexed)", ld64x(page, 4));
    TRY("load from PROT_NONE (movzbl)", ldzx8(page + 48));
    TRY("load from PROT_NONE (cmp)", cmp16(page + 16, 0x4252));
    mprotect(page, PG, PROT_READ | PROT_WRITE);
    stores(page, 0x6000);
    loads("read-write again", page);
    munmap(page, 2 * PG);
}

static void remap(void) {
    /* Four pages: a source at +0, a target at +2 (both cached), a hole between. */
    unsigned char *base = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page = base;
    stores(base, 0x7000);
    stores(base + 2 * PG, 0x8000);
    loads("source", base);
    loads("target", base + 2 * PG);
    munmap(base + PG, PG);
    /* Move the source onto the target. */
    if (mremap(base, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, base + 2 * PG) != base + 2 * PG) printf("mremap moved\n");
    loads("target after mremap", base + 2 * PG);
    TRY("load from the source after mremap", ld64(base));
    TRY("store to the source after mremap", st64(base, 0x9000));
    stores(base + 2 * PG, 0xa000);
    loads("target stored", base + 2 * PG);
    /* Grow it in place and read the new page through the same instructions. */
    unsigned char *g = mremap(base + 2 * PG, PG, 2 * PG, MREMAP_MAYMOVE);
    loads("grown", g);
    loads("grown, new page", g + PG);
    munmap(g, 2 * PG);
}

static void cow(void) {
    page = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stores(page, 0xb000);
    loads("before fork", page);
    int go[2], done[2];
    if (pipe(go) || pipe(done)) printf("pipe failed\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* The child writes first: the parent must still read its own value. */
        stores(page, 0xc000);
        loads("child after its store", page);
        fflush(stdout);
        char c = 0;
        if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) printf("child sync failed\n");
        /* The parent has written since: not seen here. */
        loads("child after the parent's store", page);
        fflush(stdout);
        _exit(0);
    }
    char c = 0;
    if (read(done[0], &c, 1) != 1) printf("parent sync failed\n");
    loads("parent after the child's store", page);
    stores(page, 0xd000);
    loads("parent after its store", page);
    fflush(stdout);
    if (write(go[1], &c, 1) != 1) printf("parent sync failed\n");
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child status %d\n", status);
    /* Once more with the child waiting: the parent loads (caching the page it shares with the
     * child), stores (breaking the sharing on its side) and loads again; then the child reads. */
    pid = fork();
    if (pid == 0) {
        if (read(go[0], &c, 1) != 1) printf("child sync failed\n");
        loads("second child", page);
        fflush(stdout);
        _exit(0);
    }
    /* The load caches the shared page, the store breaks the sharing: the load must see it. */
    printf("parent, load store load: %016lx\n", load_store_load(page, 0xe0e0));
    loads("parent, shared again", page);
    stores(page, 0xe000);
    loads("parent after its store, child waiting", page);
    fflush(stdout);
    if (write(go[1], &c, 1) != 1) printf("parent sync failed\n");
    waitpid(pid, &status, 0);
    loads("parent after the second child", page);
    munmap(page, PG);
    close(go[0]); close(go[1]); close(done[0]); close(done[1]);
}

/* The same instruction on both sides of a system call that changes its page's translation. */
static void raw_syscalls(void) {
    int a = memfd("c", 0x61), b = memfd("d", 0x62);
    page = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
    for (int i = 0; i < 3; i++) ld64(page);
    printf("mmap over it: %016lx\n", load_syscall_load(page, SYS_mmap, (long)page, PG, PROT_READ | PROT_WRITE,
                                                       MAP_SHARED | MAP_FIXED, b, 0));
    printf("mmap again: %016lx\n", load_syscall_load(page, SYS_mmap, (long)page, PG, PROT_READ | PROT_WRITE,
                                                     MAP_SHARED | MAP_FIXED, a, PG));
    TRY("munmap", printf("  %016lx\n", load_syscall_load(page, SYS_munmap, (long)page, PG, 0, 0, 0, 0)));
    /* mremap the file's second page (at +PG) onto +2*PG, which was read through the cache. */
    unsigned char *q = page + 2 * PG;
    for (int i = 0; i < 3; i++) ld64(q);
    printf("mremap onto it: %016lx\n", load_syscall_load(q, SYS_mremap, (long)(page + PG), PG, PG,
                                                         MREMAP_MAYMOVE | MREMAP_FIXED, (long)q, 0));
    TRY("mprotect PROT_NONE", printf("  %016lx\n", load_syscall_load(q, SYS_mprotect, (long)q, PG, PROT_NONE, 0, 0, 0)));
    mprotect(q, PG, PROT_READ | PROT_WRITE);
    TRY("mprotect read-only", printf("  %ld\n", store_syscall_store(q, 0x100, SYS_mprotect, (long)q, PG, PROT_READ)));
    printf("  word %016lx\n", ld64(q));
    munmap(page, 4 * PG);
    close(a); close(b);
    /* fork: the parent's store right after it must not reach the child's page. */
    page = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 3; i++) st64(page, 0x500);
    int go[2];
    if (pipe(go)) printf("pipe failed\n");
    fflush(stdout);
    long pid = fork_store(page, 0x600);
    if (pid == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) printf("child sync failed\n");
        printf("raw fork, child: %016lx\n", ld64(page));
        fflush(stdout);
        _exit(0);
    }
    printf("raw fork, parent: %016lx\n", ld64(page));
    fflush(stdout);
    char c = 0;
    if (write(go[1], &c, 1) != 1) printf("parent sync failed\n");
    int status = 0;
    waitpid((pid_t)pid, &status, 0);
    printf("child status %d\n", status);
    munmap(page, PG);
    close(go[0]); close(go[1]);
}

/* mov $imm32, %eax; ret */
static void put_code(unsigned char *p, unsigned v) {
    unsigned char code[8] = {0xb8, (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24), 0xc3, 0x90, 0x90};
    unsigned long w;
    memcpy(&w, code, 8);
    st64(p - 16, w);   /* st64 stores at +16 */
}

static void code_page(void) {
    unsigned char *c = mmap(0, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4; i++) put_code(c + 64, 0x100 + i);   /* data so far: the store is cached */
    unsigned (*f)(void) = (unsigned (*)(void))(c + 64);
    printf("code: %x\n", f());
    for (int i = 0; i < 3; i++) {
        put_code(c + 64, 0x200 + i);   /* the same store, now into code */
        printf("patched code: %x\n", f());
    }
    /* Data beside the code, through the same store. */
    put_code(c + 1024, 0x300);
    printf("code: %x, data %016lx\n", f(), ld64(c + 1008));
    munmap(c, PG);
}

static void operand_faults(void) {
    unsigned char *base = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page = base;
    memset(base, 0x5a, 2 * PG);
    munmap(base + PG, PG);
    unsigned char *end = base + PG;
    loads("last bytes", end - 64);
    TRY("ld64 across the end", ld64(end - 20));
    TRY("ld64x across the end", ld64x(end - 28, 3));
    TRY("ld32 across the end", ld32(end - 2));
    TRY("ldzx16 across the end", ldzx16(end - 1));
    TRY("ldsx16 across the end", ldsx16(end - 1));
    TRY("cmp16 across the end", cmp16(end - 1, 1));
    TRY("ld64 at the end", ld64(end - 24));
    TRY("ld32 at the end", ld32(end - 4));
    TRY("ldzx16 at the end", ldzx16(end - 2));
    TRY("ldzx8 at the end", ldzx8(end - 1));
    TRY("ldzx8 past the end", ldzx8(end));
    TRY("ld64 past the end", ld64(end - 16));
    stores(end - 64, 0xf000);
    TRY("st64 across the end", st64(end - 20, 0xf100));
    TRY("st64x across the end", st64x(end - 28, 3, 0xf101));
    TRY("st32 across the end", st32(end - 3, 0xf102));
    TRY("st8 past the end", st8(end, 0xf103));
    TRY("st64 at the end", st64(end - 24, 0xf104));
    TRY("st32 at the end", st32(end - 4, 0xf105));
    loads("last bytes after", end - 64);
    printf("last word %016lx\n", *(unsigned long *)(end - 8));
    munmap(base, PG);
}

int main(void) {
    catch_segv(on_segv);
    setvbuf(stdout, 0, _IOLBF, 0);
    remap_files();
    protect();
    remap();
    cow();
    raw_syscalls();
    code_page();
    operand_faults();
    return 0;
}
