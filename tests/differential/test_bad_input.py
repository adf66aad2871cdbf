"""Programs that crash and files that are not programs.

Crashes are differential where qemu is a faithful reference (the status of a death by signal);
for executables that cannot be started, qemu is not a reference (it prints its own loader
errors), so these assert the documented contract: nothing on stdout, a message on stderr that
names the command, and the status a container runtime (and a shell) gives: 127 when the command
or its ELF interpreter does not exist, 126 when it exists but cannot be executed."""
import platform

import pytest

import harness

# (guest path, expected status, expected stdout): deaths by signal, compared with qemu too.
CRASHES = [
    ("/faults/illegal_instruction", 132, b"before\n"),  # SIGILL
    ("/faults/wild_store", 139, b"before\n"),           # SIGSEGV, unmapped address
    ("/faults/wild_jump", 139, b"before\n"),            # SIGSEGV on instruction fetch
    ("/faults/write_to_code", 139, b"before\n"),        # SIGSEGV, write to read-only text
    ("/faults/ebreak", 133, b"before\n"),               # SIGTRAP
    ("/faults/corrupt-entry", 139, b""),                # loads, then faults at the entry point
]


@pytest.mark.parametrize("path,status,stdout", CRASHES, ids=[c[0].split("/")[-1] for c in CRASHES])
def test_crash_status(isa_root, path, status, stdout):
    ref = harness.qemu(isa_root, [path])
    assert ref.status == status, "reference: " + ref.describe()
    got = harness.skiff(isa_root, [path])
    harness.assert_same(ref, got, stderr=False)
    assert got.stdout == stdout


@pytest.mark.parametrize("code", ["0", "1", "42", "255", "256", "-1"])
def test_exit_status(isa_root, code):
    ref = harness.qemu(isa_root, ["/faults/exit_status", code])
    got = harness.skiff(isa_root, ["/faults/exit_status", code])
    harness.assert_same(ref, got)


NOT_RUNNABLE = [
    ("/faults/truncated-header", 126),
    ("/faults/truncated-phdrs", 126),
    ("/faults/corrupt-phentsize", 126),
    ("/faults/corrupt-phnum", 126),
    ("/faults/wrong-machine", 126),
    ("/faults/wrong-class", 126),
    # The host's own dynamic executable: an x86-64 one is a guest Skiff runs, whose loader
    # (/lib64/ld-linux-x86-64.so.2) is not in this riscv64 root, so ENOENT; arm64 is refused.
    ("/faults/host-true", 127 if platform.machine() in ("x86_64", "AMD64") else 126),
    ("/faults/empty", 126),
    ("/faults/text-no-shebang", 126),   # ENOEXEC: no shell fallback in a container runtime
    ("/faults/not-executable", 126),    # EACCES: no execute permission
    ("/faults/a-directory", 126),       # EACCES
    ("/faults/hello_dynamic", 127),     # PT_INTERP names a missing loader: ENOENT
    ("/faults/missing-interpreter.sh", 127),  # #! names a missing interpreter: ENOENT
    ("/faults/no-such-file", 127),
    ("no-such-command", 127),           # PATH search finds nothing
]


@pytest.mark.skiff_contract
@pytest.mark.parametrize("path,status", NOT_RUNNABLE, ids=[c[0].split("/")[-1] for c in NOT_RUNNABLE])
def test_not_runnable(isa_root, path, status):
    got = harness.skiff(isa_root, [path])
    assert got.status == status, got.describe()
    assert got.stdout == b"", got.describe()
    err = got.stderr.decode("utf-8", "replace")
    name = path.split("/")[-1]
    assert name in err, "the message must name the command:\n" + got.describe()
    for crash_marker in ("Fatal error", "Stack dump", "Backtrace", "SIGSEGV", "Illegal instruction"):
        assert crash_marker not in err, "host-side crash:\n" + got.describe()
    assert len(err.splitlines()) <= 5, "a short message, not a dump:\n" + got.describe()
