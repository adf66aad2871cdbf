# sched_* calls and the pid they name: 0 and the caller's own pid work; a negative pid is EINVAL
# for the scheduler calls and ESRCH for the affinity calls (Linux only looks it up there); a pid
# nobody has is ESRCH. The reference is the host's kernel (qemu passes the calls through).
import errno, os

def attempt(name, f):
    try:
        r = f()
        print(name, "ok", r if not isinstance(r, set) else len(r) > 0)
    except OSError as e:
        print(name, errno.errorcode[e.errno])

nobody = 4_000_000          # above pid_max's ceiling (2^22): no process has it
for pid in (0, os.getpid(), -1, nobody):
    label = {0: "0", os.getpid(): "self", -1: "-1", nobody: "nobody"}[pid]
    attempt(f"getaffinity {label}", lambda: os.sched_getaffinity(pid))
    attempt(f"setaffinity {label}", lambda: os.sched_setaffinity(pid, os.sched_getaffinity(0)) if pid >= 0 else os.sched_setaffinity(pid, {0}))
    attempt(f"getscheduler {label}", lambda: os.sched_getscheduler(pid))
    attempt(f"getparam {label}", lambda: os.sched_getparam(pid).sched_priority)
    attempt(f"setscheduler {label}", lambda: os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0)))
    attempt(f"setparam {label}", lambda: os.sched_setparam(pid, os.sched_param(0)))
    attempt(f"rr_get_interval {label}", lambda: os.sched_rr_get_interval(pid) >= 0)
