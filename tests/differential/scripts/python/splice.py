# splice, tee and vmsplice: a pipe gives up only what the other side took, tee leaves the data,
# offsets move instead of file positions, and Linux's errors (neither side a pipe, an offset for
# a pipe, the same pipe, SPLICE_F_NONBLOCK on an empty pipe, no reader, O_APPEND output).
import ctypes, errno, fcntl, os, socket, termios

libc = ctypes.CDLL(None, use_errno=True)
NONBLOCK = os.SPLICE_F_NONBLOCK

def attempt(name, f):
    try:
        print(name, f())
    except OSError as e:
        print(name, errno.errorcode[e.errno])

def waiting(fd):
    return fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")

def tee(a, b, n, flags=0):
    r = libc.tee(a, b, ctypes.c_size_t(n), flags)
    if r < 0:
        raise OSError(ctypes.get_errno(), "tee")
    return r

class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

def vmsplice(fd, buffers, flags=0):
    iov = (iovec * len(buffers))(*[iovec(ctypes.cast(b, ctypes.c_void_p), len(b)) for b in buffers])
    r = libc.vmsplice(fd, iov, len(buffers), flags)
    if r < 0:
        raise OSError(ctypes.get_errno(), "vmsplice")
    return r

data = bytes((i * 7) % 256 for i in range(100000))
with open("/tmp/splice-src", "wb") as f:
    f.write(data)
src = os.open("/tmp/splice-src", os.O_RDONLY)
dst = os.open("/tmp/splice-dst", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
r, w = os.pipe()

def drain(fd):
    os.set_blocking(fd, False)
    try:
        while os.read(fd, 1 << 20):
            pass
    except BlockingIOError:
        pass
    os.set_blocking(fd, True)

# File into a pipe: the pipe's room bounds it; an offset moves, the position does not. (From a
# page-aligned offset: Linux fills a pipe by pages, so an unaligned start holds 10 bytes less.)
print("file->pipe at 4096", os.splice(src, w, 70000, offset_src=4096), "position", os.lseek(src, 0, os.SEEK_CUR))
print("  pipe holds", os.read(r, 70000) == data[4096:4096 + 65536])
print("file->pipe", os.splice(src, w, 1000), "position", os.lseek(src, 0, os.SEEK_CUR))
# Pipe into a file: only what was asked leaves the pipe.
print("pipe->file", os.splice(r, dst, 300), "left", waiting(r), "file position", os.lseek(dst, 0, os.SEEK_CUR))
print("pipe->file at 5000", os.splice(r, dst, 10000, offset_dst=5000), "left", waiting(r))
print("  file", os.fstat(dst).st_size, os.pread(dst, 300, 0) == data[:300], os.pread(dst, 700, 5000) == data[300:1000])

# Between pipes; tee copies without consuming.
r2, w2 = os.pipe()
os.write(w, b"abcdefghij")
print("tee", tee(r, w2, 4), "left", waiting(r), os.read(r2, 100))
print("pipe->pipe", os.splice(r, w2, 6), "left", waiting(r), os.read(r2, 100))
print("tee more than there is", tee(r, w2, 100), os.read(r2, 100))
os.write(w, b"xyz")
print("tee all", tee(r, w2, 100), os.read(r2, 100), os.read(r, 100))

# Errors.
attempt("no pipe", lambda: os.splice(src, dst, 10))
attempt("offset for a pipe", lambda: os.splice(r, dst, 10, offset_src=0))
attempt("same pipe", lambda: os.splice(r, w, 10))
attempt("bad flags", lambda: os.splice(r, w2, 10, flags=0x100))
attempt("empty pipe, SPLICE_F_NONBLOCK", lambda: os.splice(r, dst, 10, flags=NONBLOCK))
attempt("tee empty, SPLICE_F_NONBLOCK", lambda: tee(r, w2, 10, NONBLOCK))
attempt("tee not pipes", lambda: tee(src, w2, 10))
attempt("tee same pipe", lambda: tee(r, w, 10))
attempt("negative offset", lambda: os.splice(src, w, 10, offset_src=-1))
attempt("write-only input", lambda: os.splice(w2, w, 10))
attempt("read-only output", lambda: os.splice(src, r, 10))
attempt("zero length", lambda: os.splice(src, w, 0))
app = os.open("/tmp/splice-app", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
os.write(w, b"q")
attempt("O_APPEND output", lambda: os.splice(r, app, 10))
drain(r)
os.close(r2)
attempt("pipe->pipe without a reader", lambda: (os.write(w, b"x"), os.splice(r, w2, 10)))
r3, w3 = os.pipe()
os.close(r3)
attempt("file->pipe without a reader", lambda: os.splice(src, w3, 10))
os.write(w, b"last")
os.close(w)
print("after the writer left", os.splice(r, dst, 10), os.splice(r, dst, 10))

# A socket into a pipe and back.
a, b = socket.socketpair()
r, w = os.pipe()
a.send(b"over the socket")
print("socket->pipe", os.splice(b.fileno(), w, 100), os.read(r, 100))
os.write(w, b"back again")
print("pipe->socket", os.splice(r, a.fileno(), 100), b.recv(100))

# vmsplice: user memory into a pipe (gathered), out of one.
bufs = [ctypes.create_string_buffer(b"one,", 4), ctypes.create_string_buffer(b"two,", 4), ctypes.create_string_buffer(b"three", 5)]
print("vmsplice in", vmsplice(w, bufs))
out = [ctypes.create_string_buffer(6), ctypes.create_string_buffer(10)]
print("vmsplice out", vmsplice(r, out), out[0].raw, out[1].raw)
attempt("vmsplice empty, NONBLOCK", lambda: vmsplice(r, out, NONBLOCK))
attempt("vmsplice not a pipe", lambda: vmsplice(src, out))
for path in ("/tmp/splice-src", "/tmp/splice-dst", "/tmp/splice-app"):
    os.unlink(path)
