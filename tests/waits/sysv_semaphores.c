/* System V semaphores (issue 9): semget's key rules (EEXIST, ENOENT, EINVAL, a key space of
   their own), semctl's SETALL/GETALL/SETVAL/GETVAL/GETPID/GETNCNT/GETZCNT/IPC_STAT/IPC_SET/
   IPC_INFO/IPC_RMID, semop's all-or-nothing operations, IPC_NOWAIT (EAGAIN), ERANGE and EFBIG,
   and its waits: a semtimedop timeout, a wait that another process ends, EINTR from a signal
   whose handler has SA_RESTART (semop is never restarted), EIDRM when the set is removed, and
   SEM_UNDO adjustments undone when a process exits. Sets are IPC_PRIVATE or keyed by the pid
   (the reference shares the host's IPC namespace) and removed before the program ends. */
#include "waits.h"
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static void show(const char *what, long ret) {
    printf("%-40s ret %ld errno %s\n", what, ret, ret < 0 ? strerrorname_np(errno) : "-");
    fflush(stdout);
}

static void handler(int sig) { (void)sig; }

static int op(int id, int num, int delta, int flags) {
    struct sembuf b = { (unsigned short)num, (short)delta, (short)flags };
    return semop(id, &b, 1);
}

/* A child that sleeps `ms` and then does `what` to the set; returns its pid. */
static pid_t later(int id, int ms, int what) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    usleep(ms * 1000);
    int status = 0;
    if (what == 0) { status = semctl(id, 0, GETNCNT); op(id, 0, 1, 0); }
    if (what == 1) semctl(id, 0, IPC_RMID);
    if (what == 2) { status = semctl(id, 1, GETZCNT); op(id, 1, -1, 0); }
    _exit(status);
}

static int child_status(pid_t pid) {
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void) {
    reset_signals();
    union semun arg;
    int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    show("semget private", id < 0 ? -1 : 0);

    unsigned short set[3] = { 1, 0, 5 }, got[3] = { 9, 9, 9 };
    arg.array = set;
    show("SETALL 1 0 5", semctl(id, 0, SETALL, arg));
    arg.array = got;
    semctl(id, 0, GETALL, arg);
    printf("GETALL %d %d %d\n", got[0], got[1], got[2]);
    show("GETVAL 2", semctl(id, 2, GETVAL));
    show("GETVAL 3 (no such semaphore)", semctl(id, 3, GETVAL));
    arg.val = 32768;
    show("SETVAL 32768", semctl(id, 0, SETVAL, arg));
    arg.val = 32767;
    show("SETVAL 32767", semctl(id, 2, SETVAL, arg));
    show("semop +1 on 32767", op(id, 2, 1, 0));
    arg.val = 5;
    semctl(id, 2, SETVAL, arg);
    show("semop on semaphore 7", op(id, 7, 1, 0));
    show("semop -1 on 0, IPC_NOWAIT", op(id, 1, -1, IPC_NOWAIT));
    show("semop wait-for-0 on 1, IPC_NOWAIT", op(id, 0, 0, IPC_NOWAIT));
    struct sembuf two_zero[1] = { { 0, 0, 0 } };
    show("semop no operations", semop(id, two_zero, 0));

    /* All or nothing: the second operation cannot go on, so the first is not applied either. */
    struct sembuf two[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
    show("semop {0:-1, 1:-1 nowait}", semop(id, two, 2));
    show("GETVAL 0 after it", semctl(id, 0, GETVAL));
    struct sembuf three[3] = { { 0, -1, 0 }, { 2, -2, 0 }, { 1, 2, 0 } };
    show("semop {0:-1, 2:-2, 1:+2}", semop(id, three, 3));
    arg.array = got;
    semctl(id, 0, GETALL, arg);
    printf("GETALL %d %d %d\n", got[0], got[1], got[2]);
    printf("GETPID is me %d\n", semctl(id, 1, GETPID) == getpid());

    struct semid_ds ds;
    arg.buf = &ds;
    show("IPC_STAT", semctl(id, 0, IPC_STAT, arg));
    printf("nsems %lu mode %o otime set %d ctime set %d\n", (unsigned long)ds.sem_nsems,
           ds.sem_perm.mode & 0777, ds.sem_otime != 0, ds.sem_ctime != 0);
    ds.sem_perm.mode = 0640;
    show("IPC_SET mode 0640", semctl(id, 0, IPC_SET, arg));
    semctl(id, 0, IPC_STAT, arg);
    printf("mode now %o\n", ds.sem_perm.mode & 0777);

    struct seminfo info;
    arg.__buf = &info;
    printf("IPC_INFO ok %d semmsl %d semopm %d semvmx %d\n", semctl(id, 0, IPC_INFO, arg) >= 0,
           info.semmsl, info.semopm, info.semvmx);

    /* Keys: EEXIST, ENOENT, a larger count, and a message queue with the same key is another object. */
    key_t key = 0x5e000000 | (getpid() & 0xffffff);
    int keyed = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
    show("semget key, IPC_EXCL", keyed < 0 ? -1 : 0);
    show("semget key again, IPC_EXCL", semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
    show("semget key is the same set", semget(key, 1, 0) == keyed ? 0 : -1);
    show("semget key, 3 semaphores", semget(key, 3, 0));
    show("semget key, create with 0", semget(key, 0, IPC_CREAT) == keyed ? 0 : -1);
    int q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    show("msgget same key, IPC_EXCL", q < 0 ? -1 : 0);
    msgctl(q, IPC_RMID, NULL);
    show("IPC_RMID keyed", semctl(keyed, 0, IPC_RMID));
    show("semget removed key", semget(key, 1, 0));
    show("semget key+1 without IPC_CREAT", semget(key + 1, 1, 0));
    show("semget private, 0 semaphores", semget(IPC_PRIVATE, 0, IPC_CREAT | 0600));

    /* Waits. Values now 0 2 3. */
    double t = now_ms();
    struct timespec timeout = { 0, 150 * 1000000 };
    struct sembuf down = { 0, -1, 0 };
    long r = semtimedop(id, &down, 1, &timeout);
    report("semtimedop 150 ms on 0", r, errno, t, 150);

    pid_t pid = later(id, 150, 0);
    t = now_ms();
    r = op(id, 0, -1, 0);
    report("semop -1 until a child's +1", r, errno, t, 100);
    printf("child saw GETNCNT %d\n", child_status(pid));

    pid = later(id, 150, 2);
    t = now_ms();
    struct sembuf zero = { 1, -1, 0 }, wait0[1] = { { 1, 0, 0 } };
    semop(id, &zero, 1);   /* 2 -> 1 */
    r = semop(id, wait0, 1);
    report("semop wait-for-0 until a child's -1", r, errno, t, 100);
    printf("child saw GETZCNT %d\n", child_status(pid));

    on_signal(SIGALRM, handler, SA_RESTART);
    t = now_ms();
    arm_real_timer(100);
    r = op(id, 0, -1, 0);
    report("semop -1, SIGALRM (SA_RESTART)", r, errno, t, 100);
    t = now_ms();
    arm_real_timer(100);
    struct timespec longer = { 0, 400 * 1000000 };
    r = semtimedop(id, &down, 1, &longer);
    report("semtimedop 400 ms, SIGALRM at 100", r, errno, t, 100);

    /* SEM_UNDO: a child's operations are undone when it exits. */
    pid = fork();
    if (pid == 0) {
        op(id, 2, -3, SEM_UNDO);
        op(id, 0, 4, SEM_UNDO);
        op(id, 0, -1, SEM_UNDO);
        _exit(semctl(id, 0, GETVAL) * 10 + semctl(id, 2, GETVAL));
    }
    int st = child_status(pid);
    printf("child saw 0=%d 2=%d\n", st / 10, st % 10);
    printf("after its exit 0=%d 2=%d\n", semctl(id, 0, GETVAL), semctl(id, 2, GETVAL));
    /* A wait that a child's exit ends: it holds semaphore 1 at 1 with SEM_UNDO. */
    arg.val = 0;
    semctl(id, 1, SETVAL, arg);
    int ready[2];
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        op(id, 1, 1, SEM_UNDO);
        write(ready[1], "x", 1);
        usleep(150 * 1000);
        _exit(0);
    }
    char c;
    read(ready[0], &c, 1);
    t = now_ms();
    r = semop(id, wait0, 1);
    report("wait-for-0 until the holder exits", r, errno, t, 100);
    child_status(pid);
    /* SETVAL clears adjustments: the undo of +1 does not come back at exit. */
    pid = fork();
    if (pid == 0) {
        op(id, 1, 1, SEM_UNDO);
        arg.val = 7;
        semctl(id, 1, SETVAL, arg);
        _exit(0);
    }
    child_status(pid);
    printf("after SETVAL 7 and exit %d\n", semctl(id, 1, GETVAL));

    pid = later(id, 150, 1);
    t = now_ms();
    r = op(id, 0, -5, 0);
    report("semop -5 until the set is removed", r, errno, t, 100);
    child_status(pid);
    show("GETVAL on the removed set", semctl(id, 0, GETVAL));
    show("semop on the removed set", op(id, 0, 1, 0));
    return 0;
}
