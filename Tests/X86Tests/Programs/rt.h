/* A freestanding x86-64 runtime for the test programs (gcc -static -nostdlib -mno-red-zone):
 * _start, write and exit through the syscall instruction, and hex printing. The same binary
 * runs on the host CPU (the reference) and on Skiff's X86CPU (X86TestProgram.swift serves
 * write and exit), so its output must be identical. */
#ifndef X86_RT_H
#define X86_RT_H
#include <stdint.h>

static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static char out_buf[4096];
static int out_len;

static void flush(void) {
    if (out_len) sys3(1, 1, (long)out_buf, out_len);
    out_len = 0;
}

static void put_char(char c) {
    if (out_len == sizeof out_buf) flush();
    out_buf[out_len++] = c;
}

static void put_str(const char *s) { while (*s) put_char(*s++); }

static void put_hex(uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; i--) put_char("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

int main(void);

__attribute__((noreturn)) static void exit_program(int code) {
    flush();
    for (;;) sys3(60, code, 0, 0);
}

__asm__(".globl _start\n_start:\n  xor %ebp, %ebp\n  and $-16, %rsp\n  call c_start\n  hlt\n");

__attribute__((used, noreturn)) void c_start(void) { exit_program(main()); }

/* gcc may emit calls to these even with -nostdlib. */
void *memset(void *d, int c, unsigned long n) { char *p = d; while (n--) *p++ = (char)c; return d; }
void *memcpy(void *d, const void *s, unsigned long n) { char *p = d; const char *q = s; while (n--) *p++ = *q++; return d; }

#endif
