# A threaded Python workload: 4 threads hashing and exchanging work through a queue.
import hashlib, queue, threading
q, out, lock = queue.Queue(), [], threading.Lock()
def worker():
    while (item := q.get()) is not None:
        h = item
        for _ in range(200):
            h = hashlib.sha256(h).digest()
        with lock:
            out.append(h)
ts = [threading.Thread(target=worker) for _ in range(4)]
for t in ts: t.start()
for i in range(800): q.put(i.to_bytes(4, "little"))
for _ in ts: q.put(None)
for t in ts: t.join()
print(len(out), hashlib.sha256(b"".join(sorted(out))).hexdigest()[:16])
