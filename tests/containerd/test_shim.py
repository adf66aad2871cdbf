"""`ctr run --runtime io.containerd.skiff.v1`: containerd 1.6 drives Skiff's shim over ttrpc."""
import os
import time

from conftest import RUNTIME, terminal_session, wait_status  # tests/containerd/conftest.py


def run(containerd, image, name, *command, platform="wasip1/wasm", extra=()):
    return containerd.ctr("run", "--rm", *RUNTIME, "--platform", platform, *extra, image, name, *command)


def test_wasi_image_output_and_status(containerd, wasi_image):
    p = run(containerd, wasi_image, "wasi-hello")
    assert (p.returncode, p.stdout) == (0, b"hello from wasi\n"), p
    p = run(containerd, wasi_image, "wasi-args", "/wasi-probe.wasm", "args", "x y")
    assert p.returncode == 0 and b"argv[2]=x y\n" in p.stdout, p
    p = run(containerd, wasi_image, "wasi-exit", "/wasi-probe.wasm", "exit", "5")
    assert p.returncode == 5, p
    p = run(containerd, wasi_image, "wasi-trap", "/wasi-probe.wasm", "trap")
    assert p.returncode == 134 and b"wasm trap" in p.stderr + p.stdout, p
    assert containerd.ctr("task", "ls", "-q").stdout.strip() == b""


def test_wasi_stdin(containerd, wasi_image):
    p = containerd.ctr("run", "--rm", *RUNTIME, "--platform", "wasip1/wasm", wasi_image, "wasi-cat",
                       "/wasi-probe.wasm", "cat", stdin=b"piped through containerd\n")
    assert (p.returncode, p.stdout) == (0, b"piped through containerd\n"), p


def test_linux_image_on_the_emulator(containerd, linux_image):
    p = run(containerd, linux_image, "rv-echo", "/bin/sh", "-c", "echo hi from riscv64; uname -m; exit 3",
            platform="linux/riscv64")
    assert p.returncode == 3 and p.stdout == b"hi from riscv64\nriscv64\n", p


def test_amd64_image_on_the_emulator(containerd, amd64_image):
    # Skiff's own x86-64 CPU runs it (the same shim and `skiff run`; the ELF's machine picks the CPU).
    p = run(containerd, amd64_image, "amd64-echo", "/bin/sh", "-c", "echo hi from amd64; uname -m; exit 4",
            platform="linux/amd64")
    assert p.returncode == 4 and p.stdout == b"hi from amd64\nx86_64\n", p


def test_kill_a_sleeping_task(containerd, linux_image, wasi_image):
    for image, name, command, platform in [(linux_image, "rv-sleep", ["/bin/sleep", "60"], "linux/riscv64"),
                                           (wasi_image, "wasi-sleep", ["/wasi-probe.wasm", "sleep", "60"], "wasip1/wasm")]:
        containerd.ctr("run", "-d", *RUNTIME, "--platform", platform, image, name, *command, check=True)
        wait_status(containerd, name, "RUNNING")
        started = time.time()
        containerd.ctr("task", "kill", name, check=True)
        wait_status(containerd, name, "STOPPED")
        assert time.time() - started < 20
        containerd.ctr("task", "delete", name, check=True)
        containerd.ctr("container", "delete", name, check=True)


def test_exit_seen_by_task_ls(containerd, wasi_image):
    containerd.ctr("run", "-d", *RUNTIME, "--platform", "wasip1/wasm", wasi_image, "wasi-done",
                   "/wasi-probe.wasm", "exit", "4", check=True)
    wait_status(containerd, "wasi-done", "STOPPED")
    p = containerd.ctr("task", "delete", "wasi-done")
    assert p.returncode == 0, p
    containerd.ctr("container", "delete", "wasi-done", check=True)


def test_terminal(containerd, linux_image):
    status, output = terminal_session(containerd, "run", "-t", "--rm", *RUNTIME, "--platform", "linux/riscv64",
                                      linux_image, "rv-tty", "/bin/sh", "-c", "tty; stty size; echo done")
    assert status == 0 and b"/dev/pts/0" in output and b"done" in output, (status, output)


def test_unsupported_mount_is_refused(containerd, wasi_image, tmp_path):
    p = containerd.ctr("run", "--rm", *RUNTIME, "--platform", "wasip1/wasm",
                       "--mount", f"type=nfs,src={tmp_path},dst=/mnt,options=rw", wasi_image, "wasi-nfs")
    assert p.returncode != 0 and b"unsupported mount type 'nfs'" in p.stderr, p
    assert containerd.ctr("task", "ls", "-q").stdout.strip() == b""
    containerd.ctr("container", "delete", "wasi-nfs")


def test_bind_mount(containerd, wasi_image, tmp_path):
    (tmp_path / "f.txt").write_text("bound\n")
    p = containerd.ctr("run", "--rm", *RUNTIME, "--platform", "wasip1/wasm",
                       "--mount", f"type=bind,src={tmp_path},dst=/mnt,options=rbind:ro", wasi_image, "wasi-bind",
                       "/wasi-probe.wasm", "read", "/mnt/f.txt")
    assert (p.returncode, p.stdout) == (0, b"bound\n"), p
