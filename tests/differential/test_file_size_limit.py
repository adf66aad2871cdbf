"""RLIMIT_FSIZE (issue 15): tests/isa/faults/file_size_limit.c, built by scripts/build-isa-tests.sh,
runs under qemu (which hands setrlimit to the host's Linux, so the host kernel is the reference)
and under skiff, in the root's /tmp; stdout and exit status must match (stderr is not compared:
qemu reports its forked child's death by SIGXFSZ there). The shell cases (`ulimit -f`, the default
action's status 153 through fork and exec) are scripts/bash/file_size_limit.sh and
scripts/busybox-sh/file_size_limit.sh in test_processes.py."""
import harness


def test_file_size_limit(isa_root):
    argv = ["/faults/file_size_limit"]
    ref = harness.qemu(isa_root, argv, workdir="/tmp")
    got = harness.skiff(isa_root, argv, workdir="/tmp")
    # The reference must show the limit at work, or the comparison proves nothing.
    assert ref.status == 0 and b"EFBIG" in ref.stdout and b"child killed by signal 25" in ref.stdout, \
        "unexpected reference run:\n" + ref.describe()
    harness.assert_same(ref, got, stderr=False)
