"""Running one command under a reference and under skiff, and comparing the two.

References:
  * qemu:  ``qemu-riscv64-static -L ROOT -0 ARGV0 ROOT/resolved/ARGV0 ARGS`` with cwd = ROOT (or the
    workdir inside it) and an explicit environment (qemu passes the host's on otherwise).
    Caveats: -L is a lookup prefix, not a chroot: a path missing under ROOT falls back to the
    host's file system, and statx (which coreutils' ls and stat use) is not translated at all.
    So cases stat files by paths relative to their working directory, never read /etc/passwd-
    dependent names (ls -n, stat %u), and create files only below their scratch directory.
  * proot: ``proot -q qemu-riscv64-static -r ROOT -b /dev -b /proc -w DIR ARGV`` for commands
    that run other programs (qemu alone cannot follow execve into another riscv64 program).
    Caveat: statx is not translated under proot either (it reaches the host's files), so proot
    cases must not depend on ls -l / stat output; proot reports a death by signal as 255.
Under test:
  * skiff: ``$SKIFF run --rootfs ROOT -e K=V... [-w DIR] ARGV``.

Both sides get the same argv (argv[0] as given), the same environment (GUEST_ENV plus per-case
additions), the same working directory and the same stdin bytes (or /dev/null). A status is the
exit code, or 128+N when the process died of signal N (as a shell and docker report it).

Every command starts as a container runtime starts a container, whatever the test run inherited:
every signal at its default action and none blocked, at niceness 0 (`container_start`). A run under `nohup`
(SIGHUP ignored) or as a background job of a non-interactive shell (SIGINT and SIGQUIT ignored)
would otherwise hand those ignores to the reference through exec, and `bash -c 'kill -INT $$'`
would survive under qemu while it dies in a container; a run under `nice` would show the
reference a niceness the guest (which starts at 0, as a container's first process) does not have.
"""
import dataclasses
import difflib
import os
import shutil
import signal
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU = os.environ.get("SKIFF_QEMU", "qemu-riscv64-static")
TIMEOUT = float(os.environ.get("SKIFF_TEST_TIMEOUT", "180"))
GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
GUEST_ENV = {"PATH": GUEST_PATH, "HOME": "/root"}


def c_programs(directory):
    """The names of the .c programs in a directory of the repository (tests/isa, tests/waits),
    which scripts/build-isa-tests.sh builds into the ISA root."""
    return sorted(name[:-2] for name in os.listdir(os.path.join(REPO, directory)) if name.endswith(".c"))


def skiff_binary():
    return os.environ.get("SKIFF") or os.path.join(REPO, ".build", "release", "skiff")


@dataclasses.dataclass
class Result:
    cmd: list
    status: int
    stdout: bytes
    stderr: bytes

    def describe(self):
        return (f"$ {' '.join(map(str, self.cmd))}\nstatus {self.status}\n"
                f"stdout ({len(self.stdout)} bytes): {self.stdout[:600]!r}\n"
                f"stderr ({len(self.stderr)} bytes): {self.stderr[:1500]!r}")


def container_start():
    """Runs in the child between fork and exec: every signal back to its default action and an
    empty signal mask, as runc/crun give a container's first process (ignored signals survive
    exec, so a test run started under nohup or as a background job would pass them on), and
    niceness 0 when the runner was started under `nice` (raising priority needs root: otherwise
    the niceness stays, and only cases that print it can tell)."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    except OSError:
        pass
    for n in range(1, signal.NSIG):
        if n in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(n, signal.SIG_DFL)
        except (OSError, ValueError):
            pass   # numbers glibc keeps for itself (32, 33)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _deny_untranslated_calls():
    """A seccomp filter that answers the host's faccessat2 and statx with ENOSYS. proot does not
    know these two calls and leaves their paths untranslated, so under proot + qemu every access()
    of a path inside the root failed (qemu 7.2 serves the guest's faccessat through the host libc,
    which tries faccessat2 first: gcc then found neither cc1 nor its LTO plugin) and every statx
    reached the host's file instead (libuv's stat: node found no script). With ENOSYS the libc
    falls back to faccessat and qemu falls back to fstatat, both of which proot translates.
    (x86-64 numbers; other hosts are left alone.)"""
    import ctypes
    import platform
    if platform.machine() != "x86_64":
        return
    AUDIT_ARCH_X86_64, NR_STATX, NR_FACCESSAT2, ENOSYS = 0xC000003E, 332, 439, 38
    program = [(0x20, 0, 0, 4), (0x15, 0, 4, AUDIT_ARCH_X86_64),      # arch == x86-64, else allow
               (0x20, 0, 0, 0), (0x15, 1, 0, NR_STATX),               # nr == statx or faccessat2:
               (0x15, 0, 1, NR_FACCESSAT2),                           #   ENOSYS, else allow
               (0x06, 0, 0, 0x00050000 | ENOSYS), (0x06, 0, 0, 0x7FFF0000)]

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*[Filter(*f) for f in program])
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(Program(len(program), filters)), 0, 0)


def proot_child():
    container_start()
    _deny_untranslated_calls()


def run_host(cmd, stdin=None, cwd=None, env=None, timeout=TIMEOUT, preexec=container_start):
    """Runs a host command; a timeout is reported as status -1 with a note on stderr."""
    try:
        p = subprocess.run(cmd, input=stdin if stdin is not None else None,
                           stdin=None if stdin is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                           timeout=timeout, preexec_fn=preexec)
    except subprocess.TimeoutExpired as e:
        return Result(cmd, -1, e.stdout or b"", (e.stderr or b"") + f"\n[harness: timed out after {timeout}s]".encode())
    except OSError as e:
        return Result(cmd, -1, b"", f"[harness: cannot run {cmd[0]}: {e}]".encode())
    status = p.returncode if p.returncode >= 0 else 128 - p.returncode
    return Result(cmd, status, p.stdout, p.stderr)


def guest_env(extra=None):
    env = dict(GUEST_ENV)
    env.update(extra or {})
    return env


def resolve_in_root(root, path, env_path=GUEST_PATH):
    """Host path of guest `path` inside `root`, following symlinks as the guest would see them
    (absolute link targets stay inside the root). Bare names are searched in PATH."""
    if "/" not in path:
        for d in env_path.split(":"):
            hit = resolve_in_root(root, d + "/" + path)
            if hit and os.path.isfile(hit) and os.access(hit, os.X_OK):
                return hit
        return None
    parts = [p for p in path.split("/") if p]
    cur = []  # resolved guest components
    hops = 0
    while parts:
        name = parts.pop(0)
        if name == ".":
            continue
        if name == "..":
            if cur:
                cur.pop()
            continue
        host = os.path.join(root, *cur, name)
        if os.path.islink(host):
            hops += 1
            if hops > 40:
                return None
            target = os.readlink(host)
            if target.startswith("/"):
                cur = []
            parts = [p for p in target.split("/") if p] + parts
            continue
        cur.append(name)
    return os.path.join(root, *cur)


def qemu(root, argv, stdin=None, env=None, workdir="/"):
    prog = resolve_in_root(root, argv[0])
    if prog is None:
        return Result([QEMU, argv[0]], 127, b"", f"[harness: {argv[0]} not found in {root}]".encode())
    cmd = [QEMU, "-L", root, "-0", argv[0], prog, *argv[1:]]
    return run_host(cmd, stdin=stdin, cwd=os.path.join(root, workdir.lstrip("/")), env=guest_env(env))


def proot(root, argv, stdin=None, env=None, workdir="/", options=()):
    """The whole-container reference. proot turns a death by signal into status 255 and says so on
    stderr; cases that need a signal status run their command inside a shell that reports it."""
    cmd = ["proot", *options, "-q", QEMU, "-r", root, "-b", "/dev", "-b", "/proc", "-w", workdir, *argv]
    r = run_host(cmd, stdin=stdin, env=guest_env(env), preexec=proot_child)
    r.stderr = b"".join(l for l in r.stderr.splitlines(keepends=True)
                        if not l.startswith((b"proot info:", b"proot warning:")))
    return r


def skiff_command(root, argv, env=None, workdir=None, options=()):
    cmd = [skiff_binary(), "run", "--rootfs", root, *options]
    for k, v in guest_env(env).items():
        cmd += ["-e", f"{k}={v}"]
    if workdir and workdir != "/":
        cmd += ["-w", workdir]
    return cmd + list(argv)


def skiff(root, argv, stdin=None, env=None, workdir=None, reference="qemu", options=(), jit=None):
    """`reference` is passed to the skiff process as SKIFF_SELFCHECK_REFERENCE: skiff ignores it;
    the self-check wrapper (selfcheck/skiff-via-qemu) uses it to run the case the same way.
    `options` are extra `skiff run` options (such as `--network none`); `jit` "0" runs the case
    on the interpreter alone (SKIFF_JIT=0)."""
    cmd = skiff_command(root, argv, env, workdir, options)
    if not os.path.exists(cmd[0]):
        return Result(cmd, -1, b"", f"[harness: skiff binary not found at {cmd[0]}; set SKIFF]".encode())
    host_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
                "SKIFF_SELFCHECK_REFERENCE": reference}
    # The emulator's tuning switches (scripts/test.sh lowers the compile threshold; helpers'
    # A/B switches such as SKIFF_JIT_KEEP_PAGES=0, SKIFF_X86_CHAINS=0, SKIFF_FUSE_OFF): every
    # SKIFF_JIT*, SKIFF_X86_* and SKIFF_FUSE* variable of the test run reaches skiff.
    for k, v in os.environ.items():
        if k.startswith(("SKIFF_JIT", "SKIFF_X86_", "SKIFF_FUSE")):
            host_env[k] = v
    if jit is not None:
        host_env["SKIFF_JIT"] = jit
    return run_host(cmd, stdin=stdin, env=host_env)


def _diff(name, a, b, limit=40):
    al = a.decode("utf-8", "replace").splitlines()
    bl = b.decode("utf-8", "replace").splitlines()
    lines = list(difflib.unified_diff(al, bl, f"{name} (reference)", f"{name} (skiff)", lineterm="", n=1))
    more = f"\n... {len(lines) - limit} more diff lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def assert_same(ref, got, stderr=True):
    """Fails with a readable diff unless status, stdout (and stderr) are equal."""
    problems = []
    if ref.status < 0:
        problems.append("the reference itself failed to run:\n" + ref.describe())
    if got.status != ref.status:
        problems.append(f"exit status: reference {ref.status}, skiff {got.status}")
    if got.stdout != ref.stdout:
        problems.append("stdout differs:\n" + _diff("stdout", ref.stdout, got.stdout))
    if stderr and got.stderr != ref.stderr:
        problems.append("stderr differs:\n" + _diff("stderr", ref.stderr, got.stderr))
    if problems:
        raise AssertionError("\n\n".join(problems) + "\n\n--- reference\n" + ref.describe()
                             + "\n--- skiff\n" + got.describe())


def clean_guest_path(root, path):
    """Removes a scratch path both inside the root and on the host (qemu -L sends a path that
    does not exist under the root to the host's file system)."""
    for p in (os.path.join(root, path.lstrip("/")), path):
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.lexists(p):
            os.unlink(p)
