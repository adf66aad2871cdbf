# F_GETPIPE_SZ / F_SETPIPE_SZ: Linux rounds a size up to a power of two pages (at least one),
# refuses to shrink below the pages the data occupies (EBUSY), keeps the data in order across a
# resize, and a write fills exactly the new capacity. Sizes stay at most pipe-max-size (1 MiB):
# the reference runs as root, whose CAP_SYS_RESOURCE may go above it (a container may not).
import errno, fcntl, os

def attempt(name, f):
    try:
        print(name, f())
    except OSError as e:
        print(name, errno.errorcode[e.errno])

r, w = os.pipe()
print("default", fcntl.fcntl(w, fcntl.F_GETPIPE_SZ), fcntl.fcntl(r, fcntl.F_GETPIPE_SZ))
for size in (0, 1, 4095, 4096, 4097, 12288, 100000, 65536, 1 << 20, 8192):
    attempt(f"set {size}", lambda: fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, size))
    print("  now", fcntl.fcntl(r, fcntl.F_GETPIPE_SZ))
attempt("set -1", lambda: fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, -1))
with open("/dev/null", "wb") as f:
    attempt("get on a file", lambda: fcntl.fcntl(f.fileno(), fcntl.F_GETPIPE_SZ))
    attempt("set on a file", lambda: fcntl.fcntl(f.fileno(), fcntl.F_SETPIPE_SZ, 4096))

# An 8 KiB pipe takes 8 KiB of a big non-blocking write, and cannot shrink below it.
os.set_blocking(w, False)
data = bytes(i % 251 for i in range(100000))
print("wrote", os.write(w, data))
attempt("atomic write into a full pipe", lambda: os.write(w, b"x" * 100))
attempt("shrink while full", lambda: fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096))
got = os.read(r, 4096)
attempt("shrink to what is left", lambda: fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096))
# Growing with data inside keeps it in order; the new room takes the next write.
attempt("grow", lambda: fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 65536))
print("wrote", os.write(w, data[8192:]))
while True:
    try:
        chunk = os.read(r, 7000)
    except BlockingIOError:
        break
    if not chunk:
        break
    got += chunk
    if len(got) >= 8192 + 65536 - 4096:
        break
print("read", len(got), got == data[:len(got)])
