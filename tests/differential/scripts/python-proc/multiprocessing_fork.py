import multiprocessing as mp
def square(x):
    return x * x
def worker(q, n):
    q.put(sum(range(n)))
def add(v, arr, lock):
    for _ in range(200):
        with lock:
            v.value += 1
    arr[0] += 1
if __name__ == "__main__":
    ctx = mp.get_context("fork")
    with ctx.Pool(3) as pool:
        print("pool.map", pool.map(square, range(20)))
        print("apply_async", pool.apply_async(square, (12,)).get(timeout=30))
    q = ctx.Queue()
    ps = [ctx.Process(target=worker, args=(q, n)) for n in (10, 100, 1000)]
    for p in ps: p.start()
    print("queue", sorted(q.get(timeout=30) for _ in ps))
    for p in ps: p.join()
    print("exitcodes", [p.exitcode for p in ps])
    parent, child = ctx.Pipe()
    p = ctx.Process(target=lambda c: (c.send(c.recv()[::-1]), c.close()), args=(child,))
    p.start(); parent.send("reverse me"); print("pipe", parent.recv()); p.join()
    v = ctx.Value("i", 0); arr = ctx.Array("i", 3); lock = ctx.Lock()
    ps = [ctx.Process(target=add, args=(v, arr, lock)) for _ in range(4)]
    for p in ps: p.start()
    for p in ps: p.join()
    print("shared value", v.value, "array", list(arr)[1:])
    p = ctx.Process(target=lambda: (_ for _ in ()).throw(SystemExit(3))); p.start(); p.join(); print("exitcode 3:", p.exitcode)
