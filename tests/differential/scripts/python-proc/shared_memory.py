# reference: proot
# Memory shared between processes, as PostgreSQL uses it: MAP_SHARED anonymous memory inherited
# through fork (two levels), POSIX semaphores inside it ping-ponged between processes, shared
# and private futexes on it, SysV segments, a MAP_SHARED file seen through write/read, and
# private memory staying copy-on-write beside it.
import ctypes, errno, mmap, os, struct

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.shmat.restype = ctypes.c_void_p
SYS_futex = 98                     # riscv64
FUTEX_WAIT, FUTEX_WAKE, FUTEX_PRIVATE = 0, 1, 128

def address(m, offset=0):
    return ctypes.addressof(ctypes.c_char.from_buffer(m, offset))

def futex(addr, op, value, timeout=None):
    ts = None
    if timeout is not None:
        ts = (ctypes.c_long * 2)(int(timeout), int(timeout % 1 * 1e9))
    r = libc.syscall(SYS_futex, ctypes.c_void_p(addr), op, value, ts, None, 0)
    return r if r >= 0 else -ctypes.get_errno()

def wait_child(pid):
    _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st)

# --- anonymous MAP_SHARED: writes cross fork both ways, and through a grandchild
m = mmap.mmap(-1, 4 << 20, mmap.MAP_SHARED)
private = bytearray(b"parent")
m[0:6] = b"parent"
pid = os.fork()
if pid == 0:
    seen = bytes(m[0:6])
    m[4096:4101] = b"child"
    m[(4 << 20) - 5:] = b"last!"
    private[:] = b"CHILD!"
    g = os.fork()
    if g == 0:
        m[8192:8202] = b"grandchild"
        os._exit(0)
    os._exit(10 + wait_child(g) + (seen == b"parent"))
print("child status", wait_child(pid))
print("parent sees", bytes(m[4096:4101]), bytes(m[8192:8202]), bytes(m[(4 << 20) - 5:]))
print("private stays", bytes(private))

# --- POSIX semaphores in shared memory (sem_init pshared=1): 300 round trips
SEM = 32
sems = mmap.mmap(-1, 4096, mmap.MAP_SHARED)
ping, pong = address(sems, 0), address(sems, SEM)
assert libc.sem_init(ctypes.c_void_p(ping), 1, 0) == 0 and libc.sem_init(ctypes.c_void_p(pong), 1, 0) == 0
counter = 2 * SEM
pid = os.fork()
if pid == 0:
    for i in range(300):
        libc.sem_wait(ctypes.c_void_p(ping))
        n = struct.unpack_from("<I", sems, counter)[0]
        struct.pack_into("<I", sems, counter, n + 1)
        libc.sem_post(ctypes.c_void_p(pong))
    os._exit(0)
for i in range(300):
    n = struct.unpack_from("<I", sems, counter)[0]
    struct.pack_into("<I", sems, counter, n + 1)
    libc.sem_post(ctypes.c_void_p(ping))
    libc.sem_wait(ctypes.c_void_p(pong))
print("semaphore ping-pong", struct.unpack_from("<I", sems, counter)[0], "status", wait_child(pid))

# --- futexes on shared memory: a shared wake reaches the other process; a private one does not
word = address(sems, 128)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"x")
    a = futex(word, FUTEX_WAIT, 0, timeout=20)
    b = futex(word, FUTEX_WAIT | FUTEX_PRIVATE, 0, timeout=0.5)
    os._exit({0: 1, -errno.EAGAIN: 2}.get(a, 3) * 10 + {-errno.ETIMEDOUT: 1}.get(b, 2))
os.close(w)
os.read(r, 1)
woken = 0
for _ in range(2000):
    woken = futex(word, FUTEX_WAKE, 1)
    if woken:
        break
    os.sched_yield()
print("shared wake woke", woken)
private_woken = 0
for _ in range(50):
    private_woken += max(futex(word, FUTEX_WAKE | FUTEX_PRIVATE, 1), 0)
    os.sched_yield()
print("private wakes from another process woke", private_woken, "child status", wait_child(pid))

# --- SysV shared memory across fork
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
shmid = libc.shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0o600)
base = libc.shmat(shmid, None, 0)
seg = (ctypes.c_char * (3 * 4096)).from_address(base)
seg[0:5] = b"hello"
pid = os.fork()
if pid == 0:
    child_view = seg[0:5]
    seg[2 * 4096:2 * 4096 + 5] = b"world"
    os._exit(0 if child_view == b"hello" else 1)
print("sysv child", wait_child(pid), seg[2 * 4096:2 * 4096 + 5])
libc.shmdt(ctypes.c_void_p(base))
libc.shmctl(shmid, IPC_RMID, None)

# --- a MAP_SHARED file: stores reach the file for another process's read after msync
with open("shared.bin", "wb") as f:
    f.write(b"." * 8192)
fd = os.open("shared.bin", os.O_RDWR)
fm = mmap.mmap(fd, 8192, mmap.MAP_SHARED)
pid = os.fork()
if pid == 0:
    fm[100:105] = b"CHILD"
    fm.flush()
    os._exit(0)
wait_child(pid)
print("file mapping", bytes(fm[100:105]), os.pread(fd, 5, 100))
fm.close()
os.close(fd)
