# timer_create/timer_settime/timer_gettime/timer_getoverrun/timer_delete through ctypes (the
# Python standard library has no binding): SIGEV_SIGNAL on CLOCK_MONOTONIC and CLOCK_REALTIME,
# SIGEV_NONE, SIGEV_THREAD_ID, overruns while the signal is blocked, CPU-time clocks.
import ctypes
import os
import signal
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)


class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


class Itimerspec(ctypes.Structure):
    _fields_ = [("interval", Timespec), ("value", Timespec)]


class Sigevent(ctypes.Structure):
    _fields_ = [("value", ctypes.c_void_p), ("signo", ctypes.c_int), ("notify", ctypes.c_int),
                ("tid", ctypes.c_int), ("pad", ctypes.c_int * 11)]


SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID = 0, 1, 4
CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID = 0, 1, 2


def check(r):
    if r != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def create(clock, signo=0, notify=SIGEV_SIGNAL, value=0, tid=0):
    ev = Sigevent(value=value, signo=signo, notify=notify, tid=tid)
    timer = ctypes.c_void_p()
    check(libc.timer_create(clock, ctypes.byref(ev), ctypes.byref(timer)))
    return timer


def arm(timer, value, interval=0.0, absolute=False):
    spec = Itimerspec(Timespec(int(interval), int(interval % 1 * 1e9)), Timespec(int(value), int(value % 1 * 1e9)))
    old = Itimerspec()
    check(libc.timer_settime(timer, 1 if absolute else 0, ctypes.byref(spec), ctypes.byref(old)))
    return old


def remaining(timer):
    spec = Itimerspec()
    check(libc.timer_gettime(timer, ctypes.byref(spec)))
    return spec.value.sec + spec.value.nsec / 1e9, spec.interval.sec + spec.interval.nsec / 1e9


got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))

for clock, name in [(CLOCK_MONOTONIC, "monotonic"), (CLOCK_REALTIME, "realtime")]:
    got.clear()
    t = create(clock, signal.SIGUSR1)
    arm(t, 0.2)
    left, interval = remaining(t)
    print(name, "armed", 0 < left <= 0.2, interval)
    while not got:  # (not pause(): a one-shot signal arriving before it would leave it waiting)
        time.sleep(0.005)
    print(name, "fired", got, remaining(t))
    check(libc.timer_delete(t))

# Absolute expiry on CLOCK_REALTIME.
got.clear()
t = create(CLOCK_REALTIME, signal.SIGUSR1)
arm(t, time.time() + 0.2, absolute=True)
while not got:
    time.sleep(0.005)
print("absolute fired", got)
check(libc.timer_delete(t))

# Blocked signal, periodic timer: one signal, the other expirations are overruns.
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
t = create(CLOCK_MONOTONIC, signal.SIGUSR2, value=77)
arm(t, 0.01, 0.01)
time.sleep(0.3)
info = signal.sigwaitinfo([signal.SIGUSR2])
overrun = libc.timer_getoverrun(t)
print("sigwaitinfo", info.si_signo == signal.SIGUSR2, info.si_code, "overruns counted", overrun >= 5)
arm(t, 0)
print("disarmed", remaining(t))
check(libc.timer_delete(t))
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR2])

# SIGEV_NONE: never signals, but runs down.
t = create(CLOCK_MONOTONIC, notify=SIGEV_NONE)
arm(t, 0.1)
time.sleep(0.3)
print("sigev_none", remaining(t))
check(libc.timer_delete(t))

# SIGEV_THREAD_ID: the signal goes to the named thread.
seen = []
signal.signal(signal.SIGUSR1, lambda s, f: seen.append(threading.get_native_id() == os.getpid()))
t = create(CLOCK_MONOTONIC, signal.SIGUSR1, notify=SIGEV_THREAD_ID, tid=threading.get_native_id())
arm(t, 0.05)
while not seen:
    time.sleep(0.005)
print("thread id", seen)
check(libc.timer_delete(t))

# CPU-time clock: no expiry while sleeping, expiry after computing.
got.clear()
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
t = create(CLOCK_PROCESS_CPUTIME_ID, signal.SIGUSR1)
arm(t, 0.3)
time.sleep(0.5)
print("cpu clock after sleeping", got)
while not got:
    pass
print("cpu clock fired", got)
check(libc.timer_delete(t))

# Bad arguments.
for what, call in [("delete twice", lambda: libc.timer_delete(t)),
                   ("bad clock", lambda: libc.timer_create(99, None, ctypes.byref(ctypes.c_void_p())))]:
    r = call()
    print(what, r, ctypes.get_errno() if r else 0)
