# reference: proot
# signalfd, timerfd and signal-driven I/O (O_ASYNC + F_SETOWN -> SIGIO), as PostgreSQL (signalfd
# for its latches), Erlang (timerfd) and nginx (FIOASYNC on its channels) use them.
import ctypes, errno, fcntl, os, select, signal, struct, time

libc = ctypes.CDLL(None, use_errno=True)
SFD_NONBLOCK, SFD_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC

def signalfd(fd, signals, flags=0):
    mask = ctypes.c_uint64(sum(1 << (s - 1) for s in signals))
    r = libc.signalfd(fd, ctypes.byref(mask), flags)
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r

def records(data):
    out = []
    for i in range(0, len(data), 128):
        signo, err, code, pid, uid, _fd, tid, band, overrun, trapno, status, sint, sptr = struct.unpack_from("<IiiIIiIIIIiiQ", data, i)
        out.append((signal.Signals(signo).name, code, pid == os.getpid(), status, sint))
    return out

# --- signalfd: blocked signals are read instead of delivered
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGUSR2, signal.SIGCHLD])
sfd = signalfd(-1, [signal.SIGUSR1, signal.SIGUSR2], SFD_NONBLOCK | SFD_CLOEXEC)
try:
    os.read(sfd, 128)
except BlockingIOError:
    print("empty signalfd: EAGAIN")
try:
    os.read(sfd, 64)
except OSError as e:
    print("short buffer:", errno.errorcode[e.errno])
os.kill(os.getpid(), signal.SIGUSR2)
os.kill(os.getpid(), signal.SIGUSR1)
print("poll:", select.select([sfd], [], [], 1)[0] == [sfd])
print("read two:", records(os.read(sfd, 256)))
print("pending after read:", sorted(s.name for s in signal.sigpending()))
signal.sigqueue = getattr(signal, "sigqueue", None)
libc.sigqueue(os.getpid(), signal.SIGUSR1, ctypes.c_void_p(1234))
print("sigqueue value:", records(os.read(sfd, 128)))
# changing the mask of an existing signalfd; SIGCHLD of a child with its status
signalfd(sfd, [signal.SIGUSR1, signal.SIGCHLD])
pid = os.fork()
if pid == 0:
    os._exit(9)
ep = select.epoll()
ep.register(sfd, select.EPOLLIN)
print("epoll:", len(ep.poll(5)) == 1)
rec = records(os.read(sfd, 128))[0]
print("child:", rec[0], "code", rec[1], "status", rec[3])
os.waitpid(pid, 0)
ep.close()
# a blocking read is woken by a signal from another process
os.set_blocking(sfd, True)
pid = os.fork()
if pid == 0:
    time.sleep(0.2)
    os.kill(os.getppid(), signal.SIGUSR1)
    os._exit(0)
print("blocking read:", records(os.read(sfd, 128))[0][0])
os.waitpid(pid, 0)
os.close(sfd)
try:
    signalfd(0, [signal.SIGUSR1])
except OSError as e:
    print("signalfd on a non-signalfd:", errno.errorcode[e.errno])

# --- timerfd
tfd = os.timerfd_create(time.CLOCK_MONOTONIC, flags=os.TFD_NONBLOCK)
try:
    os.read(tfd, 8)
except BlockingIOError:
    print("unarmed timerfd: EAGAIN")
os.timerfd_settime(tfd, initial=0.05, interval=0.02)
r, _, _ = select.select([tfd], [], [], 2)
print("timerfd ready:", r == [tfd])
time.sleep(0.15)
n = struct.unpack("<Q", os.read(tfd, 8))[0]
print("expirations >= 4:", n >= 4)
value, interval = os.timerfd_gettime(tfd)
print("interval:", round(interval, 3), "next within interval:", 0 < value <= 0.02)
os.timerfd_settime(tfd, initial=0, interval=0)
print("disarmed:", os.timerfd_gettime(tfd))
now = time.clock_gettime(time.CLOCK_MONOTONIC)
os.timerfd_settime(tfd, flags=os.TFD_TIMER_ABSTIME, initial=now - 1)
print("absolute time in the past:", struct.unpack("<Q", os.read(tfd, 8))[0])
os.set_blocking(tfd, True)
os.timerfd_settime(tfd, initial=0.1)
t0 = time.monotonic()
print("blocking read:", struct.unpack("<Q", os.read(tfd, 8))[0], 0.08 < time.monotonic() - t0 < 2)
os.close(tfd)
try:
    os.timerfd_create(time.CLOCK_PROCESS_CPUTIME_ID)
except OSError as e:
    print("CPU clock:", errno.errorcode[e.errno])

# --- O_ASYNC: SIGIO to the owner when a pipe or socket gets data
got = []
signal.signal(signal.SIGIO, lambda s, f: got.append(s))
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETOWN, os.getpid())
print("owner:", fcntl.fcntl(r, fcntl.F_GETOWN) == os.getpid())
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_ASYNC)
os.write(w, b"x")
time.sleep(0.05)
print("SIGIO after a pipe write:", len(got) >= 1)
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) & ~os.O_ASYNC)
got.clear()
os.write(w, b"y")
time.sleep(0.05)
print("no SIGIO without O_ASYNC:", got == [])
import socket
a, b = socket.socketpair()
fcntl.fcntl(a.fileno(), fcntl.F_SETOWN, os.getpid())
fcntl.ioctl(a.fileno(), 0x5452, struct.pack("i", 1))   # FIOASYNC, as nginx does
print("O_ASYNC set by FIOASYNC:", bool(fcntl.fcntl(a.fileno(), fcntl.F_GETFL) & os.O_ASYNC))
pid = os.fork()
if pid == 0:
    b.send(b"from child")
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.05)
print("SIGIO from another process's send:", len(got) >= 1, a.recv(100))
try:
    fcntl.fcntl(a.fileno(), fcntl.F_SETOWN, 999999)
except OSError as e:
    print("owner that does not exist:", errno.errorcode[e.errno])
with open("regular", "w") as f:
    try:
        fcntl.ioctl(f.fileno(), 0x5452, struct.pack("i", 1))
        print("FIOASYNC on a regular file: accepted")
    except OSError as e:
        print("FIOASYNC on a regular file:", errno.errorcode[e.errno])
