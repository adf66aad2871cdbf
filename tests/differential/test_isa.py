"""ISA tests: each tests/isa/NAME.c, built by scripts/build-isa-tests.sh, runs under qemu and under
skiff; stdout and exit status must match (stderr is not compared: on a fatal signal qemu prints its
own "uncaught target signal" line there).

Lines starting with "spec " are the program's own check against a software model, used where
qemu itself is wrong (see the comment in the .c file): they are left out of the comparison with
qemu, and test_isa_spec checks that under skiff they all end in " ok"."""
import os

import pytest

import harness

NAMES = harness.c_programs("tests/isa")


# Programs that generate and rewrite code run twice: compiled (the native tier, as every case)
# and on the interpreter alone, whose decode cache must drop changed code by itself.
SMC_NAMES = [n for n in NAMES if n.startswith("smc")]
CASES = [pytest.param(n, None, id=n) for n in NAMES] + [pytest.param(n, "0", id=f"{n}-interpreted") for n in SMC_NAMES]


@pytest.mark.parametrize("name,jit", CASES)
def test_isa(isa_root, name, jit):
    argv = [f"/isa/{name}"]
    ref = harness.qemu(isa_root, argv)
    got = harness.skiff(isa_root, argv, jit=jit)
    # The reference must behave as designed, or the comparison proves nothing.
    assert ref.status == (132 if name == "fp_badfrm" else 0), "unexpected reference run:\n" + ref.describe()
    assert ref.stdout.strip(), "an ISA program that prints nothing proves nothing"
    ref.stdout, got.stdout = (b"".join(l for l in r.stdout.splitlines(keepends=True) if not l.startswith(b"spec "))
                              for r in (ref, got))
    harness.assert_same(ref, got, stderr=False)


# The native tier's lea forms (slli + add as one lea) are off by default: these programs run again
# with them on (SKIFF_JIT_LEA=1).
LEA_NAMES = ["lea_forms", "rotate_words", "narrow", "scaled", "loops", "evict", "int_alu"]


def run_with_switch(isa_root, name, monkeypatch, variable):
    """Program `name` under skiff with `variable`=1, compared with qemu."""
    monkeypatch.setenv(variable, "1")
    argv = [f"/isa/{name}"]
    ref = harness.qemu(isa_root, argv)
    got = harness.skiff(isa_root, argv)
    assert ref.status == 0 and ref.stdout.strip(), "unexpected reference run:\n" + ref.describe()
    harness.assert_same(ref, got, stderr=False)


@pytest.mark.parametrize("name", LEA_NAMES)
def test_isa_lea(isa_root, name, monkeypatch):
    run_with_switch(isa_root, name, monkeypatch, "SKIFF_JIT_LEA")


# Tails (the native tier's off-line paths appended to a block) are off by default: these programs
# run again with them on (SKIFF_JIT_TAILS=1).
TAIL_NAMES = ["tails", "narrow", "inner_jumps", "loops", "loop_pages", "evict"]


@pytest.mark.parametrize("name", TAIL_NAMES)
def test_isa_tails(isa_root, name, monkeypatch):
    run_with_switch(isa_root, name, monkeypatch, "SKIFF_JIT_TAILS")


SPEC_NAMES = [n for n in NAMES if b"\"spec " in open(os.path.join(harness.REPO, "tests", "isa", n + ".c"), "rb").read()]


@pytest.mark.skiff_contract
@pytest.mark.parametrize("name", SPEC_NAMES)
def test_isa_spec(isa_root, name):
    got = harness.skiff(isa_root, [f"/isa/{name}"])
    spec = [l for l in got.stdout.splitlines() if l.startswith(b"spec ")]
    assert got.status == 0 and spec, got.describe()
    wrong = [l.decode() for l in spec if not l.endswith(b" ok")]
    assert not wrong, "instructions disagree with the specification's model:\n" + "\n".join(wrong[:20])

