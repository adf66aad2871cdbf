/* System V message queues (issue 9): msgget's key rules, msgsnd/msgrcv by type (0, positive,
   negative, MSG_EXCEPT), E2BIG and MSG_NOERROR, IPC_NOWAIT (ENOMSG, EAGAIN on a full queue),
   msgctl IPC_STAT/IPC_SET (msg_qbytes)/IPC_INFO/IPC_RMID, and the waits: a receive that a
   child's send ends, a send that a child's receive makes room for, EINTR from a signal whose
   handler has SA_RESTART (never restarted), EIDRM when the queue is removed. Queues are
   IPC_PRIVATE or keyed by the pid (the reference shares the host's IPC namespace) and removed
   before the program ends. */
#include "waits.h"
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

struct message { long type; char text[64]; };

static void show(const char *what, long ret) {
    printf("%-40s ret %ld errno %s\n", what, ret, ret < 0 ? strerrorname_np(errno) : "-");
    fflush(stdout);
}

static void handler(int sig) { (void)sig; }

static int send(int q, long type, const char *text, int flags) {
    struct message m = { type, "" };
    strncpy(m.text, text, sizeof m.text - 1);
    return msgsnd(q, &m, strlen(text), flags);
}

static void receive(int q, const char *what, size_t size, long type, int flags) {
    struct message m = { 0, "" };
    long n = msgrcv(q, &m, size, type, flags);
    if (n < 0) { show(what, n); return; }
    printf("%-40s ret %ld type %ld text %.*s\n", what, n, m.type, (int)n, m.text);
    fflush(stdout);
}

/* A child that sleeps `ms` and then sends (what 0), receives (1) or removes the queue (2). */
static pid_t later(int q, int ms, int what) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    usleep(ms * 1000);
    struct message m;
    if (what == 0) send(q, 9, "late", 0);
    if (what == 1) msgrcv(q, &m, sizeof m.text, 0, 0);
    if (what == 2) msgctl(q, IPC_RMID, NULL);
    _exit(0);
}

static void reap(pid_t pid) { int st; waitpid(pid, &st, 0); }

int main(void) {
    reset_signals();
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    show("msgget private", q < 0 ? -1 : 0);
    show("msgsnd type 3 three", send(q, 3, "three", 0));
    show("msgsnd type 1 one", send(q, 1, "one", 0));
    show("msgsnd type 2 two", send(q, 2, "two", 0));
    show("msgsnd type 1 uno", send(q, 1, "uno", 0));
    show("msgsnd type 5 five", send(q, 5, "five", 0));
    show("msgsnd type 0", send(q, 0, "zero", 0));
    show("msgsnd type -1", send(q, -1, "minus", 0));
    struct message *big = calloc(1, sizeof(long) + 8193);
    big->type = 1;
    show("msgsnd 8193 bytes", msgsnd(q, big, 8193, 0));
    free(big);

    struct msqid_ds ds;
    show("IPC_STAT", msgctl(q, IPC_STAT, &ds));
    /* (Not msg_lrpid: qemu 7.2 writes msg_lspid and msg_lrpid as 8-byte fields, so the guest
       reads msg_lrpid as the upper half of msg_lspid.) */
    printf("qnum %lu cbytes %lu qbytes %lu lspid is me %d mode %o\n", (unsigned long)ds.msg_qnum,
           (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes, ds.msg_lspid == getpid(),
           ds.msg_perm.mode & 0777);

    receive(q, "msgrcv type 2", 64, 2, 0);
    receive(q, "msgrcv type 1 except", 64, 1, MSG_EXCEPT);
    receive(q, "msgrcv type -4", 64, -4, 0);
    receive(q, "msgrcv type 7, IPC_NOWAIT", 64, 7, IPC_NOWAIT);
    receive(q, "msgrcv 2 bytes", 2, 0, 0);
    receive(q, "msgrcv 2 bytes, MSG_NOERROR", 2, 0, MSG_NOERROR);
    receive(q, "msgrcv type 0", 64, 0, 0);
    receive(q, "msgrcv empty, IPC_NOWAIT", 64, 0, IPC_NOWAIT);
    receive(q, "msgrcv size -1", (size_t)-1, 0, IPC_NOWAIT);
    msgctl(q, IPC_STAT, &ds);
    printf("qnum %lu cbytes %lu rtime set %d\n", (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
           ds.msg_rtime != 0);

    struct msginfo info;
    printf("IPC_INFO ok %d msgmax %d msgmnb %d\n", msgctl(0, IPC_INFO, (struct msqid_ds *)&info) >= 0,
           info.msgmax, info.msgmnb);

    /* Keys, and a semaphore set with the same key is another object. */
    key_t key = 0x3d000000 | (getpid() & 0xffffff);
    int keyed = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
    show("msgget key, IPC_EXCL", keyed < 0 ? -1 : 0);
    show("msgget key again, IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
    show("msgget key is the same queue", msgget(key, 0) == keyed ? 0 : -1);
    int sem = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
    show("semget same key, IPC_EXCL", sem < 0 ? -1 : 0);
    semctl(sem, 0, IPC_RMID);
    show("IPC_RMID keyed", msgctl(keyed, IPC_RMID, NULL));
    show("msgget removed key", msgget(key, 0));
    show("msgsnd to the removed queue", send(keyed, 1, "x", 0));

    /* A full queue: msg_qbytes 10. */
    msgctl(q, IPC_STAT, &ds);
    ds.msg_qbytes = 10;
    show("IPC_SET qbytes 10", msgctl(q, IPC_SET, &ds));
    msgctl(q, IPC_STAT, &ds);
    printf("qbytes now %lu\n", (unsigned long)ds.msg_qbytes);
    show("msgsnd 6 bytes", send(q, 1, "sixsix", 0));
    show("msgsnd 6 more, IPC_NOWAIT", send(q, 1, "sixsix", IPC_NOWAIT));
    show("msgsnd 4 more", send(q, 1, "four", 0));
    pid_t pid = later(q, 150, 1);
    double t = now_ms();
    long r = send(q, 2, "room", 0);
    report("msgsnd until a child receives", r, errno, t, 100);
    reap(pid);
    receive(q, "msgrcv type 0", 64, 0, 0);
    receive(q, "msgrcv type 0", 64, 0, 0);

    pid = later(q, 150, 0);
    t = now_ms();
    struct message m;
    r = msgrcv(q, &m, sizeof m.text, 9, 0);
    report("msgrcv type 9 until a child sends", r, errno, t, 100);
    reap(pid);

    on_signal(SIGALRM, handler, SA_RESTART);
    t = now_ms();
    arm_real_timer(100);
    r = msgrcv(q, &m, sizeof m.text, 0, 0);
    report("msgrcv, SIGALRM (SA_RESTART)", r, errno, t, 100);
    send(q, 1, "sixsix", 0);
    t = now_ms();
    arm_real_timer(100);
    r = send(q, 1, "sixsix", 0);
    report("msgsnd to a full queue, SIGALRM", r, errno, t, 100);

    pid = later(q, 150, 2);
    t = now_ms();
    r = msgrcv(q, &m, sizeof m.text, 4, 0);
    report("msgrcv until the queue is removed", r, errno, t, 100);
    reap(pid);
    show("msgctl IPC_STAT on the removed queue", msgctl(q, IPC_STAT, &ds));
    return 0;
}
