# epoll_ctl while another thread sleeps in epoll_wait on the same instance (the Erlang VM's
# poll thread and its schedulers): a descriptor added, or a one-shot one re-armed, after the
# wait began must still wake it. An epoll instance inside poll/select, and nesting loops (ELOOP).
import errno, os, select, threading, time

ep = select.epoll()
results = []

def waiter(tag, timeout=20):
    start = time.monotonic()
    events = ep.poll(timeout)
    results.append((tag, len(events), time.monotonic() - start < timeout / 2))

# --- a pipe added (already readable) after the waiter went to sleep
t = threading.Thread(target=waiter, args=("added ready",))
t.start()
time.sleep(0.5)
r1, w1 = os.pipe()
os.write(w1, b"x")
ep.register(r1, select.EPOLLIN)
t.join()

# --- a pipe added empty, written later
ep.unregister(r1)
t = threading.Thread(target=waiter, args=("added then written",))
t.start()
time.sleep(0.3)
r2, w2 = os.pipe()
ep.register(r2, select.EPOLLIN)
time.sleep(0.3)
os.write(w2, b"y")
t.join()
ep.unregister(r2)

# --- a one-shot registration re-armed with EPOLL_CTL_MOD while the waiter sleeps
ep.register(r1, select.EPOLLIN | select.EPOLLONESHOT)
print("one-shot first report", len(ep.poll(0)), "then", len(ep.poll(0)))
t = threading.Thread(target=waiter, args=("re-armed",))
t.start()
time.sleep(0.5)
ep.modify(r1, select.EPOLLIN | select.EPOLLONESHOT)
t.join()
for tag, n, prompt in results:
    print(tag, "events", n, "woke promptly", prompt)

# --- an epoll instance is readable for poll/select while an interest is ready
inner = select.epoll()
r3, w3 = os.pipe()
inner.register(r3, select.EPOLLIN)
print("select on idle epoll", select.select([inner.fileno()], [], [], 0)[0] == [])
threading.Timer(0.3, lambda: os.write(w3, b"z")).start()
print("select wakes on nested readiness", select.select([inner.fileno()], [], [], 20)[0] == [inner.fileno()])
p = select.poll()
p.register(inner.fileno(), select.POLLIN)
print("poll on ready epoll", p.poll(0))

# --- nesting: an instance inside another, and a loop refused
outer = select.epoll()
outer.register(inner.fileno(), select.EPOLLIN)
print("outer sees inner", [(fd == inner.fileno(), ev) for fd, ev in outer.poll(0)])
try:
    inner.register(outer.fileno(), select.EPOLLIN)
    print("loop accepted")
except OSError as e:
    print("loop:", errno.errorcode[e.errno])
try:
    ep.register(ep.fileno(), select.EPOLLIN)
except OSError as e:
    print("itself:", errno.errorcode[e.errno])
