"""amd64 guests (issue 12): static x86-64 programs run on the host CPU (the reference) and under
`skiff run --rootfs ROOT`; stdout and exit status must be identical.

ROOT is built here: Debian's busybox-static for amd64 (`apt-get download`, cached in the
fixtures directory) and the C programs of tests/amd64 compiled with the host's gcc -static,
plus Tests/X86Tests/Programs/alu.c (every ALU form with the flags each defines). The host runs
the same files (busybox applets with the root's bin first on PATH, working directory ROOT).
Needs an x86-64 Linux host with gcc; skipped elsewhere."""
import glob
import os
import platform
import shutil
import subprocess

import pytest

import harness

SOURCES = os.path.join(harness.REPO, "tests", "amd64")
ALU = os.path.join(harness.REPO, "Tests", "X86Tests", "Programs")
PROGRAMS = sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(SOURCES, "*.c")))


@pytest.fixture(scope="session")
def amd64_root(fixtures_dir):
    if platform.machine() != "x86_64" or not shutil.which("gcc"):
        pytest.skip("needs an x86-64 host with gcc")
    root = os.path.join(fixtures_dir, "rootfs", "amd64")
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    busybox = os.path.join(root, "bin", "busybox")
    if not os.path.exists(busybox):
        cache = os.path.join(fixtures_dir, "amd64-debs")
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["apt-get", "download", "busybox-static:amd64"], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deb = glob.glob(os.path.join(cache, "busybox-static_*_amd64.deb"))[0]
        tree = os.path.join(cache, "busybox-static")
        subprocess.run(["dpkg", "-x", deb, tree], check=True)
        shutil.copy(os.path.join(tree, "bin", "busybox"), busybox)
    for name in PROGRAMS:
        out = os.path.join(root, name)
        src = os.path.join(SOURCES, name + ".c")
        if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
            subprocess.run(["gcc", "-O2", "-static", "-o", out, src], check=True)
    alu = os.path.join(root, "alu")
    if not os.path.exists(alu) or os.path.getmtime(alu) < os.path.getmtime(os.path.join(ALU, "alu.c")):
        subprocess.run(["gcc", "-O1", "-static", "-nostdlib", "-ffreestanding", "-fno-builtin", "-mno-red-zone",
                        "-fno-stack-protector", "-I", ALU, "-o", alu, os.path.join(ALU, "alu.c")], check=True)
    return root


def native(root, argv):
    env = {"PATH": os.path.join(root, "bin") + ":/usr/bin:/bin", "HOME": "/root"}
    return harness.run_host([os.path.join(root, argv[0].lstrip("/"))] + argv[1:], cwd=root, env=env)


BUSYBOX_CASES = [
    ["echo", "hi"],
    ["sh", "-c", "echo a $((3*4)); for i in 3 1 2; do echo $i; done | busybox sort -r; exit 4"],
    ["sh", "-c", "seq 100 | busybox awk '{s+=$1} END {print s}'"],
    ["sh", "-c", "echo hello world | busybox sed s/world/x86/ | busybox tr a-z A-Z"],
    ["sha256sum", "bin/busybox"],
    ["md5sum", "bin/busybox"],
    ["sh", "-c", "printf '%s %05d %x\\n' x 42 255; busybox expr 7 \\* 6"],
    ["sh", "-c", "busybox seq 1 50 | busybox sort -n -r | busybox head -3"],
    ["sh", "-c", "false; echo $?; busybox sh -c 'exit 9'; echo $?"],
]


@pytest.mark.parametrize("argv", BUSYBOX_CASES, ids=[" ".join(c)[:40] for c in BUSYBOX_CASES])
def test_busybox(amd64_root, argv):
    ref = native(amd64_root, ["/bin/busybox"] + argv)
    got = harness.skiff(amd64_root, ["/bin/busybox"] + argv, env={"PATH": "/bin"})
    harness.assert_same(ref, got, stderr=False)


@pytest.mark.parametrize("name", PROGRAMS + ["alu"])
def test_program(amd64_root, name):
    argv = ["/" + name, "x", "y"]
    ref = native(amd64_root, argv)
    assert ref.stdout, "a program that prints nothing proves nothing"
    got = harness.skiff(amd64_root, argv)
    harness.assert_same(ref, got, stderr=False)
