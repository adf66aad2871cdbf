/* Minimal freestanding runtime for test programs run by the RISCV tests' ELF loader:
   only the write (64) and exit (93) system calls. Build with
   riscv64-linux-gnu-gcc -O2 -static -nostdlib -ffreestanding -o prog prog.c */
#ifndef RT_H
#define RT_H
typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;

static long sys3(long n, long a, long b, long c) {
    register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a7 asm("a7") = n;
    asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
static char obuf[1 << 16];
static int olen;
static void flush(void) { if (olen) { sys3(64, 1, (long)obuf, olen); olen = 0; } }
static void putch(char c) { if (olen == sizeof obuf) flush(); obuf[olen++] = c; }
static void puts_(const char *s) { while (*s) putch(*s++); }
static void hex(u64 v, int digits) {
    for (int i = digits - 1; i >= 0; i--) putch("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void dec(u64 v) { char t[24]; int n = 0; do { t[n++] = '0' + v % 10; v /= 10; } while (v); while (n) putch(t[--n]); }
static __attribute__((noreturn)) void exit_(int code) { flush(); sys3(93, code, 0, 0); for (;;) {} }
int main(void);
__attribute__((naked, section(".text.start"))) void _start(void) {
    asm volatile(".option push\n.option norelax\nla gp, __global_pointer$\n.option pop\n"
                 "call main\ncall exit_from_main\n");
}
__attribute__((used)) void exit_from_main(int code) { exit_(code); }
static u64 rng = 0x9e3779b97f4a7c15ul;
static u64 next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
#endif
