import os, sys, signal
sys.stdout.flush()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"child says hi")
    os._exit(7)
os.close(w)
print(os.read(r, 100))
_, st = os.waitpid(pid, 0)
print("exited", os.WIFEXITED(st), os.WEXITSTATUS(st))
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGKILL)
    os._exit(0)
_, st = os.waitpid(pid, 0)
print("signaled", os.WIFSIGNALED(st), os.WTERMSIG(st))
# Many children, reaped in any order, results summed.
kids = []
for i in range(20):
    pid = os.fork()
    if pid == 0:
        os._exit(i)
    kids.append(pid)
print("sum of statuses", sum(os.WEXITSTATUS(os.waitpid(p, 0)[1]) for p in kids))
# Copy-on-write: the child's changes are invisible to the parent.
data = [1, 2, 3]
pid = os.fork()
if pid == 0:
    data.append(4)
    os._exit(len(data))
print("child saw", os.WEXITSTATUS(os.waitpid(pid, 0)[1]), "parent sees", len(data))
print("ECHILD", end=" ")
try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    print("no children")
print("getppid relation", os.getppid() != os.getpid(), os.getpgrp() == os.getpgid(0), os.getsid(0) == os.getsid(os.getpid()))
pid = os.fork()
if pid == 0:
    os.setsid(); os._exit(0 if os.getsid(0) == os.getpid() else 1)
print("setsid in child", os.WEXITSTATUS(os.waitpid(pid, 0)[1]))
# An orphaned grandchild (its parent exits first). Where it is reparented depends on what runs
# as pid 1 (the container's first process under skiff, something outside under proot), so
# only the middle child's status is printed, and ECHILD is checked above, before this.
pid = os.fork()
if pid == 0:
    if os.fork() == 0:
        os._exit(0)
    os._exit(3)
print("middle child exit", os.WEXITSTATUS(os.waitpid(pid, 0)[1]))
pid = os.fork()
if pid == 0:
    os.execv("/usr/bin/echo", ["echo", "exec from forked child"])
os.waitpid(pid, 0)
