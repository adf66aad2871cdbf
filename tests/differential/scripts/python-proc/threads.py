import threading, queue, concurrent.futures, time
lock = threading.Lock()
counter = 0
def work(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1
ts = [threading.Thread(target=work, args=(20000,)) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("counter", counter)
q = queue.Queue(maxsize=5)
results = []
def producer():
    for i in range(100): q.put(i)
    q.put(None)
def consumer():
    while (item := q.get()) is not None:
        results.append(item * item)
a, b = threading.Thread(target=producer), threading.Thread(target=consumer)
a.start(); b.start(); a.join(); b.join()
print("queue", sum(results), len(results))
cond = threading.Condition(); state = {"ready": False}
def waiter():
    with cond:
        cond.wait_for(lambda: state["ready"], timeout=5)
        state["seen"] = True
t = threading.Thread(target=waiter); t.start()
time.sleep(0.05)
with cond:
    state["ready"] = True; cond.notify_all()
t.join(); print("condition", state)
bar = threading.Barrier(3); order = []
def at_barrier(i):
    bar.wait(); 
    with lock: order.append(i)
ts = [threading.Thread(target=at_barrier, args=(i,)) for i in range(3)]
for t in ts: t.start()
for t in ts: t.join()
print("barrier", sorted(order))
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
    print("pool", list(ex.map(lambda x: x ** 3, range(12))))
ev = threading.Event(); threading.Timer(0.05, ev.set).start(); print("event", ev.wait(5))
local = threading.local()
def setlocal(v, out):
    local.v = v; time.sleep(0.01); out.append(local.v == v)
out = []; ts = [threading.Thread(target=setlocal, args=(i, out)) for i in range(5)]
for t in ts: t.start()
for t in ts: t.join()
print("thread-local", all(out), len(out), threading.active_count())
sem = threading.BoundedSemaphore(2); peak = [0, 0]
def limited():
    with sem:
        with lock: peak[0] += 1; peak[1] = max(peak[1], peak[0])
        time.sleep(0.02)
        with lock: peak[0] -= 1
ts = [threading.Thread(target=limited) for _ in range(6)]
for t in ts: t.start()
for t in ts: t.join()
print("semaphore peak <= 2:", peak[1] <= 2)
