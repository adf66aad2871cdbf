import os, signal, select, fcntl, errno, hashlib
r, w = os.pipe2(os.O_CLOEXEC)
pid = os.fork()
if pid == 0:
    os.close(r)
    chunk = bytes(range(256)) * 64
    for _ in range(64):
        os.write(w, chunk)  # 1 MiB, larger than a pipe buffer: the writer blocks until read
    os._exit(0)
os.close(w)
total = 0; h = hashlib.sha256()
while True:
    b = os.read(r, 65536)
    if not b:
        break
    total += len(b); h.update(b)
os.waitpid(pid, 0)
print("read", total, h.hexdigest())
r, w = os.pipe()
os.set_blocking(r, False)
try:
    os.read(r, 10)
except BlockingIOError as e:
    print("EAGAIN", errno.errorcode[e.errno])
os.set_blocking(w, False)
n = 0
try:
    while True:
        n += os.write(w, b"z" * 4096)
except BlockingIOError:
    print("pipe filled, capacity >= 4096:", n >= 4096, fcntl.fcntl(w, fcntl.F_GETFL) & os.O_NONBLOCK != 0)
os.close(w); os.close(r)
r, w = os.pipe(); os.close(r)
try:
    os.write(w, b"x")
except BrokenPipeError:
    print("EPIPE with SIGPIPE ignored")
r, w = os.pipe()
sync_r, sync_w = os.pipe()
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.close(r); os.close(sync_w)
    os.read(sync_r, 1)           # EOF once the parent has closed its ends
    os.write(w, b"x")
    os._exit(0)
os.close(r); os.close(w); os.close(sync_w); os.close(sync_r)
_, st = os.waitpid(pid, 0)
print("SIGPIPE default kills", os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGPIPE or os.WEXITSTATUS(st))
r, w = os.pipe()
p = select.poll(); p.register(r, select.POLLIN)
print("poll empty", p.poll(50))
os.write(w, b"ready")
print("poll ready", p.poll(1000), select.select([r], [], [], 1)[0] == [r])
ep = select.epoll(); ep.register(r, select.EPOLLIN)
print("epoll", ep.poll(1), os.read(r, 5))
ep.close()
efd = os.eventfd(0)
os.eventfd_write(efd, 5); os.eventfd_write(efd, 3); print("eventfd", os.eventfd_read(efd))
fd = os.dup(w); os.write(fd, b"dup"); os.close(fd); print(os.read(r, 3))
os.dup2(w, 50); os.write(50, b"dup2"); print(os.read(r, 4))
