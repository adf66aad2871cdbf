/* Encoders for the code-generation tests (smc_ranges.c, smc_threads.c): 32-bit RV64I
 * instructions written into executable memory at run time, as a JIT does. */
#ifndef SKIFF_JIT_H
#define SKIFF_JIT_H
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

enum { X0 = 0, RA = 1, T0 = 5, T1 = 6, A0 = 10, A1 = 11 };

static inline uint32_t rv_addi(int rd, int rs1, int imm) { return ((uint32_t)(imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13; }
static inline uint32_t rv_add(int rd, int rs1, int rs2) { return (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33; }
static inline uint32_t rv_lui(int rd, int imm20) { return ((uint32_t)(imm20 & 0xfffff) << 12) | (rd << 7) | 0x37; }
static inline uint32_t rv_auipc(int rd, int imm20) { return ((uint32_t)(imm20 & 0xfffff) << 12) | (rd << 7) | 0x17; }
static inline uint32_t rv_ld(int rd, int rs1, int imm) { return ((uint32_t)(imm & 0xfff) << 20) | (rs1 << 15) | (3 << 12) | (rd << 7) | 0x03; }
static inline uint32_t rv_sd(int rs2, int rs1, int imm) {
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 3 << 12 | (u & 0x1f) << 7 | 0x23;
}
static inline uint32_t rv_bne(int rs1, int rs2, int off) {
    uint32_t u = (uint32_t)off;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | 1 << 12 |
           ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
static inline uint32_t rv_ret(void) { return 0x00008067; } /* jalr x0, 0(ra) */

static inline void put32(uint8_t *p, uint32_t w) { memcpy(p, &w, 4); }

/* What a JIT does after writing code: the riscv_flush_icache system call (glibc's
 * __riscv_flush_icache) for the range, and fence.i on this hart. */
static inline void flush_icache(void *start, size_t len) {
    syscall(259, start, (char *)start + len, 0UL);
    __asm__ volatile("fence.i" ::: "memory");
}

typedef long (*fn2_t)(long, long);
typedef long (*fn0_t)(void);

/* f(a0, a1) = a0 + a1 * k: a counted loop of two adds and a branch (one compiled block). */
static inline void emit_loop(uint8_t *p, int k) {
    put32(p, rv_addi(A0, A0, k));
    put32(p + 4, rv_addi(A1, A1, -1));
    put32(p + 8, rv_bne(A1, X0, -8));
    put32(p + 12, rv_ret());
}

/* f() = v: li a0, v; ret. */
static inline void emit_const(uint8_t *p, int v) {
    put32(p, rv_addi(A0, X0, v));
    put32(p + 4, rv_ret());
}
#endif
