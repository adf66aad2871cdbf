# pidfds: pidfd_open's checks, a pidfd polls readable once its process exits (and POLLHUP too once
# it is reaped), pidfd_send_signal (flags, a reaped process: ESRCH, a /proc/PID directory's
# descriptor as its target), waitid(P_PIDFD) (a non-blocking pidfd: EAGAIN), pidfd_getfd
# (another process's descriptor, close-on-exec), against proot + qemu: the host kernel's own pidfds. (qemu 7.2 does not pass clone's CLONE_PIDFD on, so
# that is not compared here.)
import ctypes, errno, fcntl, os, select, signal, time

libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_getfd = 438

def attempt(name, f):
    try:
        print(name, f())
    except OSError as e:
        print(name, errno.errorcode[e.errno])

def raw(name, *args):
    r = libc.syscall(*args)
    print(name, r if r >= 0 else errno.errorcode[ctypes.get_errno()])
    return r

def polled(fd, timeout):
    got = select.poll()
    got.register(fd, select.POLLIN)
    return [(e & select.POLLIN != 0, e & select.POLLHUP != 0) for _, e in got.poll(timeout)]

for pid in (0, -1, 4_000_000):
    attempt(f"pidfd_open {pid}", lambda: os.pidfd_open(pid))
attempt("pidfd_open flags", lambda: os.pidfd_open(os.getpid(), 1))
attempt("send_signal to a non-pidfd", lambda: signal.pidfd_send_signal(0, 0))

# A child that waits for a signal and hands us a descriptor of its own through a pipe.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    pr, pw = os.pipe()
    os.write(pw, b"from the child")
    os.write(w, str(pr).encode())
    while True:
        time.sleep(1)
fd = os.pidfd_open(pid)
theirs = int(os.read(r, 10))
print("cloexec", fcntl.fcntl(fd, fcntl.F_GETFD), "access", fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE)
attempt("read", lambda: os.read(fd, 8))
print("poll alive", polled(fd, 0))
attempt("signal 0", lambda: signal.pidfd_send_signal(fd, 0))
attempt("signal bad flags", lambda: signal.pidfd_send_signal(fd, 0, None, 8))
attempt("signal two flags", lambda: signal.pidfd_send_signal(fd, 0, None, 3))
attempt("signal 99", lambda: signal.pidfd_send_signal(fd, 99))
got = raw("getfd", SYS_pidfd_getfd, fd, theirs, 0)
if got >= 0:
    print("  reads", os.read(got, 100), "cloexec", fcntl.fcntl(got, fcntl.F_GETFD))
raw("getfd bad fd", SYS_pidfd_getfd, fd, 999, 0)
raw("getfd flags", SYS_pidfd_getfd, fd, theirs, 1)
raw("getfd from a non-pidfd", SYS_pidfd_getfd, r, theirs, 0)
nb = os.pidfd_open(pid, os.PIDFD_NONBLOCK)
attempt("waitid nonblocking pidfd", lambda: os.waitid(os.P_PIDFD, nb, os.WEXITED))
print("waitid WNOHANG", os.waitid(os.P_PIDFD, fd, os.WEXITED | os.WNOHANG))
attempt("waitid bad fd", lambda: os.waitid(os.P_PIDFD, r, os.WEXITED))
# pidfd_send_signal (only it) also takes a descriptor of a /proc/PID directory.
procdir = os.open(f"/proc/{pid}", os.O_DIRECTORY)
attempt("signal through /proc/PID", lambda: signal.pidfd_send_signal(procdir, 0))
status = os.open(f"/proc/{pid}/status", os.O_RDONLY)
attempt("signal through /proc/PID/status", lambda: signal.pidfd_send_signal(status, 0))
pathfd = os.open(f"/proc/{pid}", os.O_PATH)
attempt("signal through O_PATH /proc/PID", lambda: signal.pidfd_send_signal(pathfd, 0))
attempt("waitid /proc/PID", lambda: os.waitid(os.P_PIDFD, procdir, os.WEXITED | os.WNOHANG))
raw("getfd through /proc/PID", SYS_pidfd_getfd, procdir, theirs, 0)
attempt("signal TERM", lambda: signal.pidfd_send_signal(fd, signal.SIGTERM))
print("poll exited", polled(fd, 20000))
raw("getfd from a zombie", SYS_pidfd_getfd, fd, theirs, 0)
attempt("signal a zombie", lambda: signal.pidfd_send_signal(fd, 0))
info = os.waitid(os.P_PIDFD, fd, os.WEXITED | os.WNOWAIT)
print("waitid nowait", info.si_pid == pid, info.si_code == os.CLD_KILLED, info.si_status)
info = os.waitid(os.P_PIDFD, nb, os.WEXITED)
print("waitid", info.si_pid == pid, info.si_code == os.CLD_KILLED, info.si_status)
print("poll reaped", polled(fd, 0))
attempt("signal reaped", lambda: signal.pidfd_send_signal(fd, 0))
attempt("signal reaped through /proc/PID", lambda: signal.pidfd_send_signal(procdir, 0))
raw("getfd reaped", SYS_pidfd_getfd, fd, theirs, 0)
attempt("waitid reaped", lambda: os.waitid(os.P_PIDFD, fd, os.WEXITED))

# A pidfd of a process that is not our child (ourselves): waiting for it is ECHILD.
attempt("waitid not a child", lambda: os.waitid(os.P_PIDFD, os.pidfd_open(os.getpid()), os.WEXITED | os.WNOHANG))

# CPython's test_signal.test_pidfd_send_signal: SIGINT to ourselves through our /proc/PID.
me = os.open(f"/proc/{os.getpid()}", os.O_DIRECTORY)
try:
    signal.pidfd_send_signal(me, signal.SIGINT)
    time.sleep(0.1)
    print("SIGINT through our /proc/PID: not delivered")
except KeyboardInterrupt:
    print("SIGINT through our /proc/PID: KeyboardInterrupt")
