"""ISA tests: each tests/isa/NAME.c, built by scripts/build-isa-tests.sh, runs under qemu and under
skiff; stdout and exit status must match (stderr is not compared: on a fatal signal qemu prints its
own "uncaught target signal" line there)."""
import glob
import os

import pytest

import harness

NAMES = sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(harness.REPO, "tests", "isa", "*.c")))


@pytest.mark.parametrize("name", NAMES)
def test_isa(isa_root, name):
    argv = [f"/isa/{name}"]
    ref = harness.qemu(isa_root, argv)
    got = harness.skiff(isa_root, argv)
    # The reference must behave as designed, or the comparison proves nothing.
    assert ref.status == (132 if name == "fp_badfrm" else 0), "unexpected reference run:\n" + ref.describe()
    assert ref.stdout.strip(), "an ISA program that prints nothing proves nothing"
    harness.assert_same(ref, got, stderr=False)

