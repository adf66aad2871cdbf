"""Timed waits (issue 18): each tests/waits/NAME.c, built by scripts/build-isa-tests.sh, runs under
qemu and under skiff; stdout and exit status must match. The programs print what each wait
returned (value, errno) and whether it lasted at least its timeout and at most SLACK_MS more
(waits.h), so a wait that ends early, late or never, or with the wrong errno, shows as a diff:
poll/select/epoll/nanosleep/futex/sigtimedwait timeouts and 1 ms waits in a row (timeouts),
EINTR and SA_RESTART when a timer's signal comes (signals), threads waking threads (threads),
SysV semaphores and message queues and inotify with their waits (sysv_semaphores,
sysv_message_queues, inotify; issue 9), and every path that drops a descriptor (close_paths).
A program whose first lines say `// reference: proot` execs itself, so its reference is proot +
qemu (qemu alone cannot follow exec)."""
import os

import pytest

import harness

NAMES = harness.c_programs("tests/waits")
RUNS = 4


@pytest.mark.parametrize("name", NAMES)
def test_waits(isa_root, name):
    argv = [f"/waits/{name}"]
    with open(os.path.join(harness.REPO, "tests", "waits", name + ".c")) as f:
        head = [next(f, "") for _ in range(12)]
    reference = harness.proot if "// reference: proot\n" in head else harness.qemu
    # Lateness is the loaded machine's as much as the emulator's: a pair of runs with a LATE wait
    # on either side is run again, up to RUNS pairs (CI's 2 cores also run the rest of the suite
    # beside it; one CI run saw qemu itself late twice in a row). The last pair is judged whole.
    for attempt in range(RUNS):
        ref = reference(isa_root, argv)
        got = harness.skiff(isa_root, argv)
        if b"LATE" not in ref.stdout + got.stdout:
            break
    assert ref.status == 0 and ref.stdout.count(b"on time") >= 5, "unexpected reference run:\n" + ref.describe()
    assert b"EARLY" not in ref.stdout and b"LATE" not in ref.stdout, "the reference itself was off:\n" + ref.describe()
    harness.assert_same(ref, got, stderr=False)
