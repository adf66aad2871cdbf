"""Issue 17's end-to-end check: Debian's `debootstrap --second-stage` of a riscv64 minbase tree
runs inside `skiff run --rootfs` to "Base system installed successfully", with no environment
tricks; its probe (`mknod TARGET/test-dev-null c 1 3`, then writing to it) needs mknod of
devices and the device policy. The first stage (`debootstrap --foreign`, on the host) is made
once and kept as a tarball in the fixtures directory; each run works on a fresh copy.
Needs host root: the first stage must be root, and in a `--rootfs` directory device nodes are
real host nodes (an unprivileged Skiff gets EPERM there, as rootless docker does)."""
import os
import shutil
import subprocess
import tarfile

import pytest

import harness

SUITE = "trixie"


def mirror():
    try:
        with open("/etc/apt/sources.list.d/debian.sources") as f:
            for line in f:
                if line.startswith("URIs:"):
                    return line.split()[1]
    except OSError:
        pass
    return "http://deb.debian.org/debian"


@pytest.fixture(scope="session")
def first_stage(fixtures_dir):
    if os.geteuid() != 0:
        pytest.skip("debootstrap and device nodes in a --rootfs directory need host root")
    if shutil.which("debootstrap") is None:
        pytest.skip("Debian's debootstrap is not installed (scripts/setup.sh installs it)")
    cached = os.path.join(fixtures_dir, f"debootstrap-{SUITE}-riscv64-minbase-stage1.tar")
    if not os.path.exists(cached):
        work = cached + ".tree"
        shutil.rmtree(work, ignore_errors=True)
        r = subprocess.run(["debootstrap", "--foreign", "--arch", "riscv64", "--variant=minbase", SUITE, work, mirror()],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
        assert r.returncode == 0, r.stdout.decode(errors="replace")[-4000:]
        with tarfile.open(cached + ".part", "w") as t:
            t.add(work, arcname=".")
        os.rename(cached + ".part", cached)
        shutil.rmtree(work)
    return cached


@pytest.mark.skiff_contract
@pytest.mark.processes
def test_debootstrap_second_stage(first_stage, tmp_path):
    root = str(tmp_path / "target")
    os.makedirs(root)
    with tarfile.open(first_stage) as t:
        t.extractall(root, numeric_owner=True)
    cmd = [harness.skiff_binary(), "run", "--rootfs", root, "/debootstrap/debootstrap", "--second-stage"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
    log = r.stdout.decode(errors="replace")
    assert r.returncode == 0 and "I: Base system installed successfully." in log, log[-4000:]
    # Every package configured.
    r = subprocess.run([harness.skiff_binary(), "run", "--rootfs", root, "dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package}\n"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    rows = r.stdout.decode().splitlines()
    assert len(rows) > 50 and all(row.startswith("ii ") for row in rows), [row for row in rows if not row.startswith("ii ")]
