"""Linux behaviour where neither reference can judge (qemu cannot run a second program, proot
intercepts execve and process ids): asserted directly. Each expectation is plain Linux/container
semantics, not something particular to Skiff."""
import pytest

import harness

PY = "/usr/bin/python3.13"

MISSING_PROGRAM = r'''
import subprocess
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)
try:
    subprocess.run(["/usr/share/common-licenses/BSD"])
except PermissionError as e:
    print("PermissionError", e.errno)
'''

# The container's first process is pid 1 (as under docker/podman), and orphans are reparented
# to it: a grandchild whose parent has exited sees getppid() == 1 and is reaped by pid 1.
INIT = r'''
import os, time
print("pid", os.getpid(), "ppid", os.getppid())
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    if os.fork() == 0:
        time.sleep(0.3)
        os.write(w, b"%d" % os.getppid())
        os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
os.close(w)
print("orphan's parent", os.read(r, 10).decode())
print("reaped orphan", os.wait()[1])
'''


@pytest.mark.skiff_contract
@pytest.mark.processes
def test_missing_program_raises(debian_root):
    got = harness.skiff(debian_root, [PY, "-c", MISSING_PROGRAM])
    assert (got.status, got.stdout) == (0, b"FileNotFoundError 2\nPermissionError 13\n"), got.describe()


@pytest.mark.skiff_contract
@pytest.mark.processes
def test_first_process_is_init(debian_root):
    got = harness.skiff(debian_root, [PY, "-c", INIT])
    assert (got.status, got.stdout) == (0, b"pid 1 ppid 0\norphan's parent 1\nreaped orphan 0\n"), got.describe()


@pytest.mark.skiff_contract
@pytest.mark.processes
@pytest.mark.parametrize("sig,status", [("TERM", 143), ("INT", 130)])
def test_host_signal_reaches_the_guest(debian_root, sig, status):
    """SIGTERM/SIGINT sent to skiff are forwarded to the guest's foreground process, which dies of
    it by default; skiff then exits 128+N (as `docker run`/`podman run` do)."""
    import signal
    import subprocess
    import time
    cmd = harness.skiff_command(debian_root, ["/usr/bin/sleep", "30"])
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    p.send_signal(getattr(signal, "SIG" + sig))
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        pytest.fail(f"skiff still running 10 s after SIG{sig}")
    assert p.returncode == status
