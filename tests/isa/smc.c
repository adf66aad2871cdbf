/* Code generation at run time: the decoded-instruction cache must notice code that changes.
 * Writes code into an RWX mapping and runs it; patches it with stores + fence.i and runs it again;
 * rewrites it through read(2) from a pipe (a kernel-side write); remaps it with mprotect; runs
 * a 32-bit instruction that straddles a page boundary; and jumps into a fresh mapping each time. */
#include "isa.h"
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn_t)(long);

/* addi a0,a0,imm ; ret(c.jr ra) encoded as 32-bit + 16-bit */
static uint32_t addi_a0(int imm) { return ((uint32_t)(imm & 0xfff) << 20) | (10 << 15) | (0 << 12) | (10 << 7) | 0x13; }
static const uint16_t c_ret = 0x8082;
static const uint16_t c_nop = 0x0001;

static void emit_addi_ret(uint8_t *p, int imm) {
    uint32_t w = addi_a0(imm);
    memcpy(p, &w, 4);
    memcpy(p + 4, &c_ret, 2);
}
static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *code = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    fn_t f = (fn_t)code;
    emit_addi_ret(code, 1);
    fence_i();
    printf("first: %ld\n", f(100));
    for (int i = 2; i < 40; i += 7) {
        emit_addi_ret(code, i * 10);
        fence_i();
        printf("patched imm %d: %ld\n", i * 10, f(100));
    }
    /* Patch only the immediate's top byte (a partial store into a decoded instruction). */
    code[3] = 0x7f; /* imm[11:4] -> 0x7f0 | low nibble */
    fence_i();
    printf("byte patch: %ld\n", f(0));
    /* Kernel-side write: code arrives through read(2). */
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); return 1; }
    uint8_t tmp[6];
    emit_addi_ret(tmp, -5);
    if (write(fds[1], tmp, 6) != 6) return 1;
    if (read(fds[0], code, 6) != 6) return 1;
    fence_i();
    printf("via read(2): %ld\n", f(0));
    /* W^X flip: write while RW, run while RX. */
    mprotect(code, 2 * page, PROT_READ | PROT_WRITE);
    emit_addi_ret(code, 77);
    mprotect(code, 2 * page, PROT_READ | PROT_EXEC);
    fence_i();
    printf("after mprotect: %ld\n", f(0));
    mprotect(code, 2 * page, PROT_READ | PROT_WRITE | PROT_EXEC);
    /* A run of c.nop up to the page end, then addi straddling the boundary, then ret. */
    uint8_t *p = code;
    for (long off = 0; off < page - 2; off += 2) memcpy(p + off, &c_nop, 2);
    emit_addi_ret(p + page - 2, 33);
    fence_i();
    printf("straddling: %ld\n", f(1));
    /* Change only the bytes on the second page. */
    uint32_t w = addi_a0(44);
    memcpy(p + page, (uint8_t *)&w + 2, 2);
    fence_i();
    printf("straddling, second half patched: %ld\n", f(1));
    /* Unmap and map again at the same place with different code. */
    munmap(code, 2 * page);
    uint8_t *again = mmap(code, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    emit_addi_ret(again, 9);
    fence_i();
    printf("remapped: %ld\n", ((fn_t)again)(0));
    /* A loop that rewrites the code it calls 1000 times. */
    long acc = 0;
    for (int i = 0; i < 1000; i++) {
        emit_addi_ret(again, i % 2000 - 1000);
        fence_i();
        acc += ((fn_t)again)(i);
    }
    printf("rewrite loop: %ld\n", acc);
    return 0;
}
