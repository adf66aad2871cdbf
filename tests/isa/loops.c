// cflags: -march=rv64gc_zba_zbb_zbs
/* Loops that branch back to their own first instruction: the native tier compiles such a block
 * with its guest registers loaded once and kept in host registers across iterations (write-back
 * only at real exits). Each loop here is hot, runs long enough to spend the tier's instruction
 * budget several times, and checks one way a value could be lost across the back edge: side exits
 * in a later iteration after registers were written at the end of an earlier one, more live
 * registers than host registers, destinations equal to a source, byte/halfword stores of cached
 * registers, loads and stores that miss the TLB (page strides), floating-point helper calls and
 * inline double arithmetic inside the loop, a loop re-entered after leaving it early. */
#include "isa.h"
#include <stdlib.h>

/* Side exit at the top: a0, a3 written at the bottom of the previous iteration must reach the
 * register file when the exit is taken. */
static void top_exit(uint64_t n) {
    uint64_t acc = 5, i = 0, last = 0;
    __asm__ volatile("1:\n\t"
                     "beq %1,%3,2f\n\t"
                     "add %0,%0,%1\n\t"
                     "mv %2,%1\n\t"
                     "addi %1,%1,1\n\t"
                     "j 1b\n"
                     "2:"
                     : "+r"(acc), "+r"(i), "+r"(last) : "r"(n));
    printf("top_exit n=%llu acc=%016llx i=%llu last=%llu\n", (unsigned long long)n, (unsigned long long)acc,
           (unsigned long long)i, (unsigned long long)last);
}

/* Twelve live registers (more than the host registers for guest values), operations whose
 * destination is a source (sub/subw with rd == rs2, addw rd == rs1 == rs2), shifts, slt, a middle
 * side exit when the count reaches `stop` (0: never), the back edge at the bottom. */
static void many_registers(uint64_t n, uint64_t stop, uint64_t seed) {
    uint64_t r[12];
    for (int k = 0; k < 12; k++) r[k] = seed * (k + 3) ^ (0x9e3779b97f4a7c15ull >> k);
    uint64_t i = n, exited = 0;
    __asm__ volatile("1:\n\t"
                     "add %0,%0,%1\n\t"
                     "xor %2,%2,%0\n\t"
                     "sub %3,%4,%3\n\t"
                     "slli %5,%2,7\n\t"
                     "srli %6,%3,11\n\t"
                     "or %5,%5,%6\n\t"
                     "subw %7,%8,%7\n\t"
                     "addw %8,%8,%8\n\t"
                     "xor %8,%8,%5\n\t"
                     "sltu %9,%5,%1\n\t"
                     "add %10,%10,%9\n\t"
                     "xor %11,%11,%5\n\t"
                     "rori %1,%11,13\n\t"
                     "andi %10,%10,0x7ff\n\t"
                     "add %10,%10,%4\n\t"
                     "addi %4,%4,3\n\t"
                     "beq %12,%14,2f\n\t"
                     "addi %12,%12,-1\n\t"
                     "bnez %12,1b\n\t"
                     "j 3f\n"
                     "2:\tli %13,1\n"
                     "3:"
                     : "+r"(r[0]), "+r"(r[1]), "+r"(r[2]), "+r"(r[3]), "+r"(r[4]), "+r"(r[5]), "+r"(r[6]),
                       "+r"(r[7]), "+r"(r[8]), "+r"(r[9]), "+r"(r[10]), "+r"(r[11]), "+r"(i), "+r"(exited) : "r"(stop));
    printf("many_registers n=%llu stop=%llu seed=%llu left=%llu exited=%llu", (unsigned long long)n,
           (unsigned long long)stop, (unsigned long long)seed,
           (unsigned long long)i, (unsigned long long)exited);
    for (int k = 0; k < 12; k++) printf(" %016llx", (unsigned long long)r[k]);
    printf("\n");
}

/* Byte, halfword and word stores of cached registers and sign-/zero-extending loads through a
 * buffer that spans several pages with a page stride (TLB misses refill inside the loop). */
static void memory_loop(unsigned char *buf, uint64_t size, uint64_t n) {
    uint64_t p = 0, a = 0x1234, b = 0xfedcba9876543210ull, sum = 0, count = n;
    __asm__ volatile("1:\n\t"
                     "add t0,%5,%0\n\t"
                     "sb %1,0(t0)\n\t"
                     "sh %2,1(t0)\n\t"
                     "sw %1,4(t0)\n\t"
                     "lb t1,0(t0)\n\t"
                     "lhu t2,1(t0)\n\t"
                     "lw t3,4(t0)\n\t"
                     "add %3,%3,t1\n\t"
                     "add %3,%3,t2\n\t"
                     "xor %3,%3,t3\n\t"
                     "addi %1,%1,77\n\t"
                     "srli %2,%2,1\n\t"
                     "xor %2,%2,%3\n\t"
                     "li t4,4099\n\t"
                     "add %0,%0,t4\n\t"
                     "remu %0,%0,%6\n\t"
                     "addi %4,%4,-1\n\t"
                     "bnez %4,1b"
                     : "+r"(p), "+r"(a), "+r"(b), "+r"(sum), "+r"(count) : "r"(buf), "r"(size - 8)
                     : "t0", "t1", "t2", "t3", "t4", "memory");
    uint64_t check = 0;
    for (uint64_t k = 0; k < size; k++) check = check * 31 + buf[k];
    printf("memory_loop n=%llu p=%llu a=%016llx b=%016llx sum=%016llx buffer=%016llx\n", (unsigned long long)n,
           (unsigned long long)p, (unsigned long long)a, (unsigned long long)b, (unsigned long long)sum,
           (unsigned long long)check);
}

/* Floating point in the loop: single precision (a helper call each), double precision inline
 * once inexact is accrued, with integer registers written before and after each. */
static void float_loop(uint64_t n) {
    uint64_t k = 0, bits = 0, dbits = 0, count = n;
    float f = 1.0f;
    double d = 1.0;
    __asm__ volatile("fmv.w.x ft0,zero\n\t"
                     "fmv.d.x ft1,zero\n\t"
                     "1:\n\t"
                     "addi %0,%0,3\n\t"
                     "fcvt.s.l ft2,%0\n\t"
                     "fadd.s %4,%4,ft2\n\t"
                     "fmv.x.w %1,%4\n\t"
                     "fcvt.d.l ft3,%0\n\t"
                     "fmul.d ft3,ft3,%5\n\t"
                     "fadd.d %5,%5,ft3\n\t"
                     "fmv.x.d %2,%5\n\t"
                     "srli %2,%2,40\n\t"
                     "addi %3,%3,-1\n\t"
                     "bnez %3,1b"
                     : "+r"(k), "+r"(bits), "+r"(dbits), "+r"(count), "+f"(f), "+f"(d) : : "ft0", "ft1", "ft2", "ft3");
    printf("float_loop n=%llu k=%llu s=%08llx d=%llx fflags=%s\n", (unsigned long long)n, (unsigned long long)k,
           (unsigned long long)bits, (unsigned long long)dbits, flag_str(read_fflags()));
}

/* A C loop the compiler lays out as a block branching to itself, left early and entered again. */
static uint64_t crc_like(const unsigned char *p, uint64_t len, uint64_t crc) {
    for (uint64_t k = 0; k < len; k++) {
        crc ^= p[k];
        crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        if (crc == 0x12345) break;
    }
    return crc;
}

int main(void) {
    for (uint64_t n = 0; n < 6; n++) top_exit(n);
    top_exit(1000);
    top_exit(3000000);
    for (uint64_t s = 0; s < 4; s++) many_registers(5000 + s * 997, s == 3 ? 0 : 1000 + s, s);
    many_registers(4000000, 0, 11);
    many_registers(4000000, 1234567, 12);
    uint64_t size = 5 * 4096 + 123;
    unsigned char *buf = calloc(size, 1);
    memory_loop(buf, size, 100);
    memory_loop(buf, size, 2000000);
    float_loop(10);
    float_loop(300000);
    unsigned char data[4096];
    for (int k = 0; k < NELEM(data); k++) data[k] = (unsigned char)(k * 7 + (k >> 3));
    uint64_t crc = 0xffffffff;
    for (int round = 0; round < 400; round++) crc = crc_like(data + (round & 63), 4000 - (round & 63), crc);
    printf("crc_like %016llx\n", (unsigned long long)crc);
    free(buf);
    return 0;
}
