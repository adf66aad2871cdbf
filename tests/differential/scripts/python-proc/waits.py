# Waits after a subprocess and between threads (issue 18). After subprocess.run (vfork + exec), a
# timer's signal whose handler raises still ends a select/poll/epoll wait at once; a thread that
# keeps dropping and retaking the GIL (time.sleep(0)) does not starve the main thread, which
# needs the GIL back after every switch interval.
import select
import selectors
import signal
import socket
import subprocess
import threading
import time

print("child status", subprocess.run(["/usr/bin/true"]).returncode)


class Interrupted(Exception):
    pass


def interrupt(signum, frame):
    raise Interrupted


signal.signal(signal.SIGALRM, interrupt)
rd, wr = socket.socketpair()
for name in ["SelectSelector", "PollSelector", "EpollSelector"]:
    sel = getattr(selectors, name)()
    sel.register(rd, selectors.EVENT_READ)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    start = time.monotonic()
    try:
        sel.select(20)
        print(name, "not interrupted")
    except Interrupted:
        print(name, "interrupted by the timer's handler, in time:", time.monotonic() - start < 5)
    sel.close()
signal.setitimer(signal.ITIMER_REAL, 0)
signal.signal(signal.SIGALRM, signal.SIG_DFL)

stop = False


def hammer():
    while not stop:
        time.sleep(0)          # drops the GIL and takes it again at once


t = threading.Thread(target=hammer)
t.start()
start = time.monotonic()
total = 0
for i in range(40):
    total += sum(range(20000))
    time.sleep(0.001)          # the main thread gives the GIL away and must get it back
stop = True
t.join()
print("main thread finished", total, "in time:", time.monotonic() - start < 60)
