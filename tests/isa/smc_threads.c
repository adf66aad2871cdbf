// cflags: -pthread
/* Cross-modifying code: one thread rewrites code another thread keeps running, as a JIT's
 * compiler thread installs code that mutator threads execute (and patches inline caches).
 * The writer publishes each new version with a release store; the runner calls the function
 * until it sees the version (acquire), executes fence.i as the ISA requires, and checks the
 * function now returns that version. Meanwhile a second writer increments a counter kept in the
 * same page as the running code (data and code in one page, stores from another thread). */
#include "isa.h"
#include "jit.h"
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

enum { VERSIONS = 200, COUNTS = 100000 };
static uint8_t *code;
static long version, ack;

static void *writer(void *arg) {
    (void)arg;
    for (long v = 1; v <= VERSIONS; v++) {
        emit_const(code, (int)v);
        syscall(259, code, code + 8, 1UL); /* riscv_flush_icache for all threads */
        __atomic_store_n(&version, v, __ATOMIC_RELEASE);
        while (__atomic_load_n(&ack, __ATOMIC_ACQUIRE) != v) sched_yield();
    }
    return NULL;
}

static void *counter(void *arg) {
    volatile long *n = arg;
    for (int i = 0; i < COUNTS; i++) {
        *n += 1;
        if (i % 1000 == 0) sched_yield();
    }
    return NULL;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    code = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    emit_const(code, 0);
    emit_loop(code + 64, 5);
    flush_icache(code, 128);

    pthread_t w, c;
    pthread_create(&w, NULL, writer, NULL);
    pthread_create(&c, NULL, counter, code + 2048);
    long bad = 0, stale = 0, wrong_loops = 0;
    for (long v = 1; v <= VERSIONS; v++) {
        /* Until the version is published the function returns the old one (or already v). */
        while (__atomic_load_n(&version, __ATOMIC_ACQUIRE) != v) {
            long got = ((fn0_t)code)();
            if (got != v - 1 && got != v) stale++;
            wrong_loops += ((fn2_t)(code + 64))(0, 10) != 50;
            sched_yield();
        }
        __asm__ volatile("fence.i" ::: "memory");
        if (((fn0_t)code)() != v) bad++;
        __atomic_store_n(&ack, v, __ATOMIC_RELEASE);
    }
    pthread_join(w, NULL);
    pthread_join(c, NULL);
    printf("cross-modified: %d versions, wrong after fence.i: %ld, neither old nor new: %ld\n", VERSIONS, bad, stale);
    printf("loop beside them wrong: %ld times\n", wrong_loops);
    printf("counter in the code page: %ld\n", *(long *)(code + 2048));
    long s = 0;
    for (int i = 0; i < 1000; i++) s += ((fn2_t)(code + 64))(i, 10);
    printf("loop after: %ld\n", s);
    return 0;
}
