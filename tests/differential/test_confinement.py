"""Paths are resolved inside the guest's root: `..` and symlinks (relative or absolute) never
reach the host's files, for reads or writes. Uses the ISA root (scripts/build-isa-tests.sh),
which has no /etc, so every read below must fail with ENOENT; the host's /etc/passwd exists."""
import os

import pytest

import harness

READS = [
    "/etc/passwd",
    "/../../../../etc/passwd",
    "/isa/../../../../../etc/passwd",
    "/escape/up/passwd",        # -> ../../../../../../etc (relative, climbs past the root)
    "/escape/abs/passwd",       # -> /etc (absolute)
]


@pytest.mark.skiff_contract
@pytest.mark.parametrize("path", READS)
def test_reads_stay_inside(isa_root, path):
    assert os.path.exists("/etc/passwd")
    got = harness.skiff(isa_root, ["/faults/file_probe", "r", path])
    assert (got.status, got.stdout) == (1, b"ENOENT\n"), got.describe()


@pytest.mark.skiff_contract
def test_symlink_loop(isa_root):
    got = harness.skiff(isa_root, ["/faults/file_probe", "r", "/escape/loop/x"])
    assert (got.status, got.stdout) == (1, b"ELOOP\n"), got.describe()


@pytest.mark.skiff_contract
@pytest.mark.parametrize("path", ["/escape/tmp-up/skiff-confinement-marker", "/../tmp/skiff-confinement-marker"])
def test_writes_stay_inside(isa_root, path):
    host = "/tmp/skiff-confinement-marker"
    inside = os.path.join(isa_root, "tmp", "skiff-confinement-marker")
    for p in (host, inside):
        if os.path.exists(p):
            os.unlink(p)
    got = harness.skiff(isa_root, ["/faults/file_probe", "w", path])
    try:
        assert not os.path.exists(host), "the guest wrote to the host's /tmp"
        assert (got.status, got.stdout) == (0, b"written\n"), got.describe()
        assert os.path.exists(inside)
    finally:
        for p in (host, inside):
            if os.path.exists(p):
                os.unlink(p)
