# Named pipes (mkfifo): open ordering, O_NONBLOCK rules, one pipe shared across processes,
# EOF, SIGPIPE/EPIPE, poll/select readiness, data dropped after the last close.
import errno, os, select, signal, stat, sys, time

os.mkfifo("f", 0o640)
st = os.stat("f")
print("isfifo", stat.S_ISFIFO(st.st_mode), oct(st.st_mode & 0o777), st.st_size)
print("listed", [(e.name, e.is_file(), e.is_dir()) for e in os.scandir(".")])
try:
    os.mkfifo("f")
except FileExistsError as e:
    print("again", e.errno == errno.EEXIST)

# O_NONBLOCK: a writer without a reader gets ENXIO, a reader opens at once.
try:
    os.open("f", os.O_WRONLY | os.O_NONBLOCK)
except OSError as e:
    print("writer alone", errno.errorcode[e.errno])
r = os.open("f", os.O_RDONLY | os.O_NONBLOCK)
print("reader alone reads", os.read(r, 10))
# No writer has come yet: poll shows nothing (no POLLHUP), select finds it readable (EOF).
p = select.poll(); p.register(r, select.POLLIN)
print("poll before a writer", p.poll(0))
w = os.open("f", os.O_WRONLY | os.O_NONBLOCK)
print("writer with a reader ok")
try:
    os.read(r, 10)
except BlockingIOError:
    print("empty with a writer: EAGAIN")
os.write(w, b"abc")
print("poll with data", p.poll(0))
print("select with data", select.select([r], [w], [], 0)[0:2] == ([r], [w]))
print("read", os.read(r, 10))
os.close(w)
print("poll after the writer left", p.poll(0))
print("eof", os.read(r, 10))
os.close(r)

# Blocking opens wait for the other side; a child writes, the parent reads to EOF.
pid = os.fork()
if pid == 0:
    time.sleep(0.2)
    fd = os.open("f", os.O_WRONLY)
    for i in range(3):
        os.write(fd, b"line %d\n" % i)
    os._exit(0)
fd = os.open("f", os.O_RDONLY)   # waits for the child's open
data = b""
while True:
    chunk = os.read(fd, 100)
    if not chunk:
        break
    data += chunk
os.close(fd)
print("child wrote", data, os.waitpid(pid, 0)[1])

# The other order: the writer waits for a reader.
pid = os.fork()
if pid == 0:
    time.sleep(0.2)
    fd = os.open("f", os.O_RDONLY)
    print("child read", os.read(fd, 100)); sys.stdout.flush()
    os.close(fd)
    os._exit(0)
fd = os.open("f", os.O_WRONLY)
os.write(fd, b"to the child")
os.close(fd)
os.waitpid(pid, 0)

# O_RDWR opens at once; the data goes when the last descriptor closes.
fd = os.open("f", os.O_RDWR | os.O_NONBLOCK)
os.write(fd, b"kept?")
os.close(fd)
fd = os.open("f", os.O_RDWR | os.O_NONBLOCK)
try:
    print("after reopen", os.read(fd, 10))
except BlockingIOError:
    print("after reopen: empty")
os.close(fd)

# The reader is gone: EPIPE with SIGPIPE ignored, death by SIGPIPE otherwise.
r = os.open("f", os.O_RDONLY | os.O_NONBLOCK)
w = os.open("f", os.O_WRONLY)
os.close(r)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
try:
    os.write(w, b"x")
except BrokenPipeError as e:
    print("write without reader", errno.errorcode[e.errno])
p = select.poll(); p.register(w, select.POLLOUT)
print("writer poll", p.poll(0))
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.write(w, b"x")
    os._exit(0)
status = os.waitpid(pid, 0)[1]
print("child killed by", os.WIFSIGNALED(status) and os.WTERMSIG(status))
os.close(w)

# A blocking reader in select wakes when a writer writes.
pid = os.fork()
if pid == 0:
    fd = os.open("f", os.O_WRONLY)
    time.sleep(0.2)
    os.write(fd, b"late")
    os.close(fd)
    os._exit(0)
fd = os.open("f", os.O_RDONLY)
print("select", select.select([fd], [], [], 5)[0] == [fd], os.read(fd, 10))
os.waitpid(pid, 0)
print("eof after close", os.read(fd, 10))
os.close(fd)
os.unlink("f")
print("done")

# A blocking open interrupted by a signal: the waiting reader is gone afterwards (ENXIO again).
class Interrupted(Exception):
    pass
def on_alarm(signo, frame):
    raise Interrupted()
os.mkfifo("g")
signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.2)
try:
    os.open("g", os.O_RDONLY)
except Interrupted:
    print("open interrupted")
try:
    os.open("g", os.O_WRONLY | os.O_NONBLOCK)
except OSError as e:
    print("after the interrupted open", errno.errorcode[e.errno])
# truncate(2) of a FIFO is EINVAL at once (it must not open it and wait for a reader).
for name in ("g", "/dev/null"):
    try:
        os.truncate(name, 0)
    except OSError as e:
        print("truncate", name, errno.errorcode[e.errno])
os.unlink("g")
print("end")
