# More bytes than a pipe or socket takes at once (issue 9): sendfile, copy_file_range, write,
# writev, pwritev, send and sendmsg must neither drop nor repeat a byte, and return what Linux
# returns (blocking pipes and stream sockets take everything, non-blocking ones what fits).
import errno, hashlib, os, signal, socket, sys, time

def digest(b):
    return hashlib.sha256(b).hexdigest()[:16]

BLOB = bytes((i * 7 + i // 251) % 256 for i in range(300_000))
with open("blob", "wb") as f:
    f.write(BLOB)

def slow_reader(r, others=(), delay=0.3, size=3000, label="reader"):
    """A child that waits, then drains `r` in small reads and reports what came."""
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        for fd in others:
            os.close(fd)
        time.sleep(delay)
        got = bytearray()
        while True:
            b = os.read(r, size) if isinstance(r, int) else r.recv(size)
            if not b:
                break
            got += b
        print(label, len(got), digest(bytes(got)))
        sys.stdout.flush()
        os._exit(0)
    return pid

def errname(f):
    try:
        return f()
    except OSError as e:
        return errno.errorcode[e.errno]

# sendfile from a file into a pipe read slowly, at the file's position: the position moves only
# by what the pipe took, and the reader gets the file exactly.
print("whole file", digest(BLOB))
r, w = os.pipe()
pid = slow_reader(r, [w])
os.close(r)
fd = os.open("blob", os.O_RDONLY)
counts = []
while True:
    n = os.sendfile(w, fd, None, 1 << 20)
    if n == 0:
        break
    counts.append(n)
print("sendfile(pos): total", sum(counts), "all within a pipe", all(0 < n <= 65536 for n in counts),
      "position", os.lseek(fd, 0, os.SEEK_CUR))
os.close(w)
os.waitpid(pid, 0)

# The same with an explicit offset: the file position stays, the offset advances.
r, w = os.pipe()
pid = slow_reader(r, [w], delay=0.1, size=65536)
os.close(r)
offset, total = 1000, 0
while True:
    n = os.sendfile(w, fd, offset, 100_000)
    if n == 0:
        break
    offset += n
    total += n
print("sendfile(offset): total", total, "offset", offset, "position", os.lseek(fd, 0, os.SEEK_CUR))
os.close(w)
os.waitpid(pid, 0)
print("expected from 1000", len(BLOB) - 1000, digest(BLOB[1000:]))

# A non-blocking pipe nobody reads: one pipeful, then EAGAIN, and the position says so.
os.lseek(fd, 0, os.SEEK_SET)
r, w = os.pipe()
os.set_blocking(w, False)
print("sendfile nonblocking", os.sendfile(w, fd, None, len(BLOB)), errname(lambda: os.sendfile(w, fd, None, len(BLOB))),
      "position", os.lseek(fd, 0, os.SEEK_CUR))
print("pipe holds", digest(os.read(r, 1 << 20)) == digest(BLOB[:65536]))
os.close(w)
print("sendfile from a pipe", errname(lambda: os.sendfile(os.open("out-a", os.O_WRONLY | os.O_CREAT, 0o644), r, None, 10)))
os.close(r)
app = os.open("out-a", os.O_WRONLY | os.O_APPEND)
print("sendfile to O_APPEND", errname(lambda: os.sendfile(app, fd, 0, 10)))

# copy_file_range in chunks at the files' positions, and at explicit offsets.
dst = os.open("copy", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.lseek(fd, 0, os.SEEK_SET)
counts = []
while True:
    n = os.copy_file_range(fd, dst, 70_000)
    if n == 0:
        break
    counts.append(n)
print("copy_file_range:", counts, "positions", os.lseek(fd, 0, os.SEEK_CUR), os.lseek(dst, 0, os.SEEK_CUR))
print("copy", digest(open("copy", "rb").read()) == digest(BLOB))
print("at offsets", os.copy_file_range(fd, dst, 5000, 100, 300_000), "positions unchanged",
      os.lseek(fd, 0, os.SEEK_CUR), os.lseek(dst, 0, os.SEEK_CUR),
      open("copy", "rb").read()[300_000:] == BLOB[100:5100])
r, w = os.pipe()
print("copy_file_range to a pipe", errname(lambda: os.copy_file_range(fd, w, 10)))
print("copy_file_range to O_APPEND", errname(lambda: os.copy_file_range(fd, app, 10)))
os.close(r); os.close(w); os.close(app)

# A blocking write and writev into a pipe read slowly: every byte, in one call.
r, w = os.pipe()
pid = slow_reader(r, [w], label="write reader")
os.close(r)
print("write", os.write(w, BLOB))
os.close(w)
os.waitpid(pid, 0)
r, w = os.pipe()
pid = slow_reader(r, [w], label="writev reader")
os.close(r)
parts = [BLOB[:100_000], BLOB[100_000:100_001], BLOB[100_001:250_000], b"", BLOB[250_000:]]
print("writev", os.writev(w, parts))
os.close(w)
os.waitpid(pid, 0)

# Non-blocking writev: what fits (a pipeful, ending inside an iovec), then EAGAIN; the reader
# gets exactly the bytes counted.
r, w = os.pipe()
os.set_blocking(w, False)
n = os.writev(w, [BLOB[:50_000], BLOB[50_000:120_000]])
print("writev nonblocking", n, errname(lambda: os.writev(w, [b"x" * 10, b"y" * 10])))
os.close(w)
got = b""
while True:
    b = os.read(r, 65536)
    if not b:
        break
    got += b
print("pipe had", len(got), got == BLOB[:n])
os.close(r)

# A signal while a blocking write waits for room: the bytes already in the pipe are the result.
signal.signal(signal.SIGALRM, lambda *a: None)
r, w = os.pipe()
pid = slow_reader(r, [w], delay=1.0, label="interrupted reader")
os.close(r)
signal.setitimer(signal.ITIMER_REAL, 0.3)
print("interrupted write", os.write(w, BLOB))
os.close(w)
os.waitpid(pid, 0)

# pwritev at an offset, several iovecs.
f = os.open("pw", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
print("pwritev", os.pwritev(f, [BLOB[:70_000], BLOB[70_000:200_000]], 10), "position", os.lseek(f, 0, os.SEEK_CUR))
print("pw", os.pread(f, 300_000, 0) == bytes(10) + BLOB[:200_000])
os.close(f)

# Stream sockets: a blocking send and sendmsg with several iovecs take everything, beyond the
# socket's buffer; non-blocking sendmsg takes part and the reader gets exactly that part.
big = BLOB * 2
a, b = socket.socketpair()
pid = slow_reader(b, [a.fileno()], label="send reader", size=65536)
b.close()
print("send", a.send(big))
a.close()
os.waitpid(pid, 0)
a, b = socket.socketpair()
pid = slow_reader(b, [a.fileno()], label="sendmsg reader", size=65536)
b.close()
print("sendmsg", a.sendmsg([big[:1000], big[1000:400_000], big[400_000:]]))
a.close()
os.waitpid(pid, 0)
a, b = socket.socketpair()
a.setblocking(False)
n = a.sendmsg([big[:300_000], big[300_000:]])
print("sendmsg nonblocking partial", 0 < n < len(big), errname(lambda: a.sendmsg([b"x"])))
a.close()
got = b""
while True:
    d = b.recv(65536)
    if not d:
        break
    got += d
print("socket had the counted bytes", len(got) == n, got == big[:n])
