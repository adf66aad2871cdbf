import os, sys
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    os.execve("/usr/bin/python3.13", ["python3.13", "-c", "import os, sys; print('execve child', sys.argv[0], os.environ['K'])"], {"K": "v", "PATH": "/usr/bin"})
os.waitpid(pid, 0)
fd = os.open("/usr/share/common-licenses/BSD", os.O_RDONLY)
os.set_inheritable(fd, True)
pid = os.fork()
if pid == 0:
    os.execv("/usr/bin/head", ["head", "-c", "20", f"/dev/fd/{fd}"])
os.waitpid(pid, 0); print()
cfd = os.open("/usr/share/common-licenses/BSD", os.O_RDONLY | os.O_CLOEXEC)
pid = os.fork()
if pid == 0:
    os.execv("/usr/bin/bash", ["bash", "-c", f"cat /dev/fd/{cfd} >/dev/null 2>&1; echo cloexec-closed=$?"])
os.waitpid(pid, 0)
os.lseek(fd, 0, os.SEEK_SET)
pid = os.fork()
if pid == 0:
    os.lseek(fd, 10, os.SEEK_SET); os._exit(0)
os.waitpid(pid, 0); print("shared offset after child's lseek:", os.lseek(fd, 0, os.SEEK_CUR))
sys.stdout.flush()
os.execv("/usr/bin/echo", ["echo", "python replaced by echo"])
