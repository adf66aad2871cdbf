# membarrier: which commands exist, registration before the expedited private barriers, bad
# flags and commands. The reference is the host's kernel (qemu passes the call through); the
# RSEQ commands are left out of the comparison, as Skiff has no restartable sequences (rseq is
# ENOSYS, and Linux leaves them out of the query without CONFIG_RSEQ).
import ctypes, errno, os, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
RSEQ = 128 | 256

def membarrier(cmd, flags=0):
    r = libc.syscall(283, cmd, flags, 0)          # riscv64's membarrier
    return r if r >= 0 else errno.errorcode[ctypes.get_errno()]

print("query", membarrier(0) & ~RSEQ)
print("global", membarrier(1))
print("private expedited before registering", membarrier(8))
print("sync-core before registering", membarrier(32))
print("registrations", membarrier(512))
print("register private expedited", membarrier(16), "then", membarrier(8))
print("register global expedited", membarrier(4), "then", membarrier(2))
print("registrations", membarrier(512))
print("sync-core still unregistered", membarrier(32), "register", membarrier(64), "then", membarrier(32))
print("flags", membarrier(1, 1), "unknown command", membarrier(1 << 20), "two commands", membarrier(8 | 1))
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    print("child: registrations", membarrier(512), "private expedited", membarrier(8), flush=True)
    os._exit(0)
os.waitpid(pid, 0)
