"""`ctr task exec` and ResizePty: commands started in a running task's kernel through the shim
(the control socket of `skiff run --rootfs --control-dir BUNDLE`, docs/containerd.md)."""
import signal
import subprocess
import time

import pytest

from conftest import RUNTIME, terminal_session, wait_status  # tests/containerd/conftest.py

# Loops until its terminal is 40x120, printing each size it sees (TIOCGWINSZ through stty) and
# each SIGWINCH it gets.
RESIZE_SCRIPT = ('trap "echo winch" WINCH; last=; while :; do s=$(stty size); '
                 'if [ "$s" != "$last" ]; then echo "size $s"; last=$s; fi; '
                 'if [ "$s" = "40 120" ]; then exit 0; fi; sleep 0.1; done')


@pytest.fixture
def running_task(containerd, linux_image):
    """A Linux task whose own process keeps running (sleep 60), deleted afterwards."""
    name = "rv-execs"
    containerd.ctr("run", "-d", *RUNTIME, "--platform", "linux/riscv64", linux_image, name,
                   "/bin/sleep", "60", check=True)
    wait_status(containerd, name, "RUNNING")
    yield name
    containerd.ctr("task", "kill", "-s", "SIGKILL", name)
    wait_status(containerd, name, "STOPPED")
    containerd.ctr("task", "delete", name)
    containerd.ctr("container", "delete", name)


def exec_(containerd, task, exec_id, *command, stdin=None):
    return containerd.ctr("task", "exec", "--exec-id", exec_id, task, *command, stdin=stdin)


def test_exec_output_status_and_the_task_keeps_running(containerd, running_task):
    p = exec_(containerd, running_task, "e1", "/bin/sh", "-c", "echo out; echo err >&2; exit 7")
    assert (p.returncode, p.stdout, p.stderr) == (7, b"out\n", b"err\n"), p
    # The same kernel: the task's own process is pid 1 beside the exec'd one.
    p = exec_(containerd, running_task, "e2", "/bin/cat", "/proc/1/cmdline")
    assert (p.returncode, p.stdout) == (0, b"/bin/sleep\x0060\x00"), p
    p = exec_(containerd, running_task, "e3", "/bin/cat", stdin=b"through the exec's stdin\n")
    assert (p.returncode, p.stdout) == (0, b"through the exec's stdin\n"), p
    wait_status(containerd, running_task, "RUNNING", timeout=1)
    p = exec_(containerd, running_task, "e4", "/no/such/command")
    assert p.returncode != 0 and b"no/such/command" in p.stderr, p


def test_kill_an_exec(containerd, running_task):
    ctr = subprocess.Popen(["ctr", "--address", containerd.socket, "--namespace", "skiff-test", "task", "exec",
                            "--exec-id", "sleeper", running_task, "/bin/sleep", "50"],
                           env=containerd.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        pids = containerd.ctr("task", "ps", running_task).stdout.decode().split("\n")[1:]
        if len([line for line in pids if line.strip()]) == 2:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the exec'd process never showed in ctr task ps: {pids}")
    containerd.ctr("task", "kill", "--exec-id", "sleeper", running_task, check=True)
    assert ctr.wait(timeout=20) == 128 + signal.SIGTERM, ctr.communicate()
    wait_status(containerd, running_task, "RUNNING", timeout=1)


def test_exec_terminal_resize(containerd, running_task):
    status, output = terminal_session(containerd, "task", "exec", "-t", "--exec-id", "tty1", running_task,
                                      "/bin/sh", "-c", "tty; " + RESIZE_SCRIPT, resize_after=b"size 33 101")
    assert status == 0, (status, output)
    # A terminal of its own (the task has none), sized by ctr's first ResizePty, then resized.
    assert b"/dev/pts/" in output and b"size 33 101" in output and b"winch" in output and b"size 40 120" in output, output


def test_task_terminal_resize(containerd, linux_image):
    status, output = terminal_session(containerd, "run", "-t", "--rm", *RUNTIME, "--platform", "linux/riscv64",
                                      linux_image, "rv-resize", "/bin/sh", "-c", RESIZE_SCRIPT, resize_after=b"size 33 101")
    assert status == 0 and b"size 33 101" in output and b"winch" in output and b"size 40 120" in output, (status, output)


def test_exec_in_a_stopped_task_and_in_a_wasi_task(containerd, linux_image, wasi_image):
    containerd.ctr("run", "-d", *RUNTIME, "--platform", "linux/riscv64", linux_image, "rv-done",
                   "/bin/sh", "-c", "exit 2", check=True)
    wait_status(containerd, "rv-done", "STOPPED")
    p = exec_(containerd, "rv-done", "late", "/bin/sh", "-c", "echo never")
    assert p.returncode != 0 and b"not running" in p.stderr and p.stdout == b"", p
    containerd.ctr("task", "delete", "rv-done", check=True)
    containerd.ctr("container", "delete", "rv-done", check=True)

    containerd.ctr("run", "-d", *RUNTIME, "--platform", "wasip1/wasm", wasi_image, "wasi-exec",
                   "/wasi-probe.wasm", "sleep", "60", check=True)
    wait_status(containerd, "wasi-exec", "RUNNING")
    p = exec_(containerd, "wasi-exec", "w1", "/wasi-probe.wasm", "hello")
    assert p.returncode != 0 and b"WebAssembly module" in p.stderr and b"exec is not supported" in p.stderr, p
    containerd.ctr("task", "kill", "-s", "SIGKILL", "wasi-exec", check=True)
    wait_status(containerd, "wasi-exec", "STOPPED")
    containerd.ctr("task", "delete", "wasi-exec", check=True)
    containerd.ctr("container", "delete", "wasi-exec", check=True)
