# setitimer/getitimer (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF) and alarm: what fires, when, and
# what the timers read back. Only facts that do not depend on the machine's speed are printed.
import signal
import time

hits = []
signal.signal(signal.SIGALRM, lambda s, f: hits.append("alrm"))

signal.setitimer(signal.ITIMER_REAL, 0.2)
value, interval = signal.getitimer(signal.ITIMER_REAL)
print("real armed", 0 < value <= 0.2, interval)
while not hits:  # (not pause(): a one-shot signal arriving before it would leave it waiting)
    time.sleep(0.005)
print("real fired", hits, signal.getitimer(signal.ITIMER_REAL))

hits.clear()
signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
while len(hits) < 3:
    signal.pause()
old = signal.setitimer(signal.ITIMER_REAL, 0)
print("periodic", len(hits) >= 3, old[1])
print("disarmed", signal.getitimer(signal.ITIMER_REAL))

print("alarm first", signal.alarm(5))
print("alarm replaced, seconds left", signal.alarm(7))
print("alarm cancelled, seconds left", signal.alarm(0))

hits.clear()
signal.alarm(1)
start = time.monotonic()
while not hits:
    time.sleep(0.005)
print("alarm(1) fired", hits, 0.8 < time.monotonic() - start < 5)

# CPU-time timers: they only advance while the process computes.
for which, signo, name in [(signal.ITIMER_PROF, signal.SIGPROF, "prof"), (signal.ITIMER_VIRTUAL, signal.SIGVTALRM, "virtual")]:
    got = []
    signal.signal(signo, lambda s, f: got.append(s))
    signal.setitimer(which, 0.3)
    wall = time.monotonic()
    time.sleep(0.5)                       # sleeping uses no CPU: the timer must not fire
    print(name, "after sleeping", got, signal.getitimer(which)[0] > 0.2)
    cpu = time.process_time()
    n = 0
    while not got:
        n += 1
    used = time.process_time() - cpu
    print(name, "fired after computing", got == [signo], used >= 0.2)
    signal.setitimer(which, 0)

try:
    signal.setitimer(7, 1)
except OSError as e:
    print("bad which", e.errno)
