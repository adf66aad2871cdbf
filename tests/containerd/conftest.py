"""containerd end to end: Debian's containerd (1.6) started here as root with its own root,
state and sockets under a temporary directory, Skiff's shim (containerd-shim-skiff-v1) and
`skiff` on its PATH; images imported with `ctr images import` from `skiff save`/`build-wasm`
tars. Skipped, with the reason, when not root or containerd is missing; scripts/test.sh (CI:
root, containerd installed by scripts/setup.sh) sets SKIFF_REQUIRE_CONTAINERD=1, which turns
those skips into failures so that CI cannot pass them silently."""
import fcntl
import importlib.util
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import termios
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The container tests' runner, loaded under its own name (every test folder has a conftest).
_spec = importlib.util.spec_from_file_location("containers_conftest", os.path.join(REPO, "tests", "containers", "conftest.py"))
containers_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(containers_conftest)
Skiff = containers_conftest.Skiff
skiff_binary = containers_conftest.skiff_binary
fixtures_dir = containers_conftest.fixtures_dir

TIMEOUT = 120


def unavailable(reason):
    """Skips the tests, or fails them where containerd must run (SKIFF_REQUIRE_CONTAINERD=1)."""
    if os.environ.get("SKIFF_REQUIRE_CONTAINERD") == "1":
        pytest.fail(f"containerd tests required (SKIFF_REQUIRE_CONTAINERD=1) but: {reason}")
    pytest.skip(reason)


def shim_binary():
    return os.environ.get("SKIFF_SHIM") or os.path.join(os.path.dirname(skiff_binary()), "containerd-shim-skiff-v1")


class Containerd:
    def __init__(self, base, bindir):
        self.base = base
        self.socket = os.path.join(base, "c.sock")
        self.env = dict(os.environ)
        self.env["PATH"] = bindir + ":" + self.env.get("PATH", "")
        config = os.path.join(base, "config.toml")
        with open(config, "w") as f:
            f.write(f"""version = 2
root = "{base}/root"
state = "{base}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{self.socket}"
[debug]
  level = "debug"
""")
        self.log = open(os.path.join(base, "containerd.log"), "wb")
        self.process = subprocess.Popen(["containerd", "--config", config], env=self.env, stdout=self.log,
                                         stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            if os.path.exists(self.socket) and self.ctr("version").returncode == 0:
                return
            time.sleep(0.2)
        self.stop()
        with open(os.path.join(base, "containerd.log"), "rb") as f:
            tail = f.read()[-2000:].decode(errors="replace")
        unavailable(f"containerd did not start: {tail}")

    def ctr(self, *args, stdin=None, timeout=TIMEOUT, check=False):
        p = subprocess.run(["ctr", "--address", self.socket, "--namespace", "skiff-test", *args], env=self.env,
                           input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if check:
            assert p.returncode == 0, f"ctr {' '.join(args)}: {p.returncode}\n{p.stdout!r}\n{p.stderr!r}"
        return p

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def containerd():
    if os.geteuid() != 0:
        unavailable("containerd end-to-end tests need root (CI runs as root)")
    if not shutil.which("containerd") or not shutil.which("ctr"):
        unavailable("containerd and ctr are not installed (scripts/setup.sh installs Debian's containerd)")
    shim = shim_binary()
    if not os.access(shim, os.X_OK):
        unavailable(f"{shim} is not built (swift build -c release --product containerd-shim-skiff-v1)")
    # Short paths: unix sockets are limited to 107 bytes.
    base = tempfile.mkdtemp(prefix="skc-", dir="/tmp")
    bindir = os.path.join(base, "bin")
    os.mkdir(bindir)
    os.symlink(shim, os.path.join(bindir, "containerd-shim-skiff-v1"))
    os.symlink(skiff_binary(), os.path.join(bindir, "skiff"))
    c = Containerd(base, bindir)
    yield c
    # Whatever a failed test left: tasks killed, containers removed, then containerd stopped.
    for line in c.ctr("task", "ls", "-q").stdout.decode().split():
        c.ctr("task", "kill", "-s", "SIGKILL", line)
        c.ctr("task", "delete", "-f", line)
    for line in c.ctr("container", "ls", "-q").stdout.decode().split():
        c.ctr("container", "delete", line)
    c.stop()
    subprocess.run(["umount", "-R", base], stderr=subprocess.DEVNULL)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def skiff_session(tmp_path_factory):
    home = tmp_path_factory.mktemp("skiff-home")
    return Skiff(skiff_binary(), str(home))


RUNTIME = ["--runtime", "io.containerd.skiff.v1", "--snapshotter", "native"]
WASI_IMAGE = "docker.io/library/probe:1"
LINUX_IMAGE = "docker.io/library/busybox-rv:1"


@pytest.fixture(scope="session")
def wasi_image(containerd, skiff_session, tmp_path_factory):
    programs = tmp_path_factory.mktemp("programs")
    out = subprocess.run([os.path.join(os.path.dirname(HERE), "wasi", "build-programs.sh"), str(programs)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.strip().splitlines()[-1]
    archive = str(programs / "probe.tar")
    r = skiff_session("build-wasm", "--cmd", "hello", "-o", archive, os.path.join(out, "wasi-probe.wasm"), "probe:1")
    assert r.status == 0, r
    containerd.ctr("images", "import", "--all-platforms", archive, check=True)
    return WASI_IMAGE


@pytest.fixture(scope="session")
def linux_image(containerd, skiff_session, tmp_path_factory):
    root = os.path.join(fixtures_dir(), "rootfs", "busybox")
    work = tmp_path_factory.mktemp("busybox")
    rootfs = str(work / "rootfs.tar")
    with tarfile.open(rootfs, "w") as t:
        t.add(root, arcname=".", filter=lambda i: None if i.name.endswith(".complete") else i)
        for applet in ("sleep", "tty", "sh", "stty"):
            if not os.path.lexists(os.path.join(root, "bin", applet)):
                info = tarfile.TarInfo("./bin/" + applet)
                info.type = tarfile.SYMTYPE
                info.linkname = "busybox"
                t.addfile(info)
    assert skiff_session("import", rootfs, "busybox-rv:1").status == 0
    archive = str(work / "busybox.tar")
    assert skiff_session("save", "-o", archive, "busybox-rv:1").status == 0
    containerd.ctr("images", "import", "--all-platforms", archive, check=True)
    return LINUX_IMAGE


AMD64_IMAGE = "docker.io/library/busybox-amd64:1"


@pytest.fixture(scope="session")
def amd64_image(containerd, skiff_session, tmp_path_factory):
    """Debian's busybox-static for amd64 (`scripts/fixtures.sh --amd64`) as a linux/amd64 image."""
    out = subprocess.run([os.path.join(REPO, "scripts", "fixtures.sh"), "--amd64"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.strip().splitlines()[-1]
    busybox = os.path.join(out, "rootfs", "debian-amd64", "usr", "bin", "busybox")
    work = tmp_path_factory.mktemp("busybox-amd64")
    rootfs = str(work / "rootfs.tar")
    with tarfile.open(rootfs, "w") as t:
        t.add(busybox, arcname="./bin/busybox")
        for applet in ("sh", "echo", "uname"):
            info = tarfile.TarInfo("./bin/" + applet)
            info.type = tarfile.SYMTYPE
            info.linkname = "busybox"
            t.addfile(info)
    assert skiff_session("import", "--platform", "linux/amd64", rootfs, "busybox-amd64:1").status == 0
    archive = str(work / "busybox-amd64.tar")
    assert skiff_session("save", "-o", archive, "busybox-amd64:1").status == 0
    containerd.ctr("images", "import", "--all-platforms", archive, check=True)
    return AMD64_IMAGE


def wait_status(containerd, name, status, timeout=30):
    """Waits for `ctr task ls` to show task `name` in `status` (RUNNING, STOPPED)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for line in containerd.ctr("task", "ls").stdout.decode().splitlines()[1:]:
            fields = line.split()
            if fields and fields[0] == name and fields[-1] == status:
                return line
        time.sleep(0.2)
    raise AssertionError(f"{name} never {status}: {containerd.ctr('task', 'ls').stdout!r}")


def terminal_session(containerd, *args, resize_after=None):
    """Runs `ctr ARGS` on a pseudo-terminal of 33x101; with `resize_after`, resizes it to 40x120
    (SIGWINCH to ctr, which sends ResizePty) once the output shows those bytes. Returns the
    status and the output. The SIGWINCH is sent again every half second until the new size shows:
    ctr installs its handler only after the process has started, so a first one can come too early
    (SIGWINCH's default action ignores it)."""
    master, slave = pty.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
    p = subprocess.Popen(["ctr", "--address", containerd.socket, "--namespace", "skiff-test", *args],
                         env=containerd.env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    output = b""
    resized_at = None
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                output += os.read(master, 4096)
            except OSError:
                break
        if resize_after and resized_at is None and resize_after in output:
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            p.send_signal(signal.SIGWINCH)
            resized_at = time.time()
        elif resized_at is not None and b"40 120" not in output and time.time() - resized_at > 0.5:
            p.send_signal(signal.SIGWINCH)
            resized_at = time.time()
    if p.poll() is None:
        p.kill()
    p.wait(timeout=30)
    os.close(master)
    return p.returncode, output
