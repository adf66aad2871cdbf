"""Differential tests: every case runs under a reference (qemu-riscv64-static, or proot + qemu for
whole-container behaviour) and under `$SKIFF run --rootfs ROOT`, and must produce the same
stdout, stderr and exit status. See tests/differential/README.md."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "skiff_contract: asserts skiff's documented behaviour (exit codes, "
                            "messages) where qemu is not a reference; deselect with -m 'not skiff_contract' "
                            "when SKIFF points at the qemu self-check wrapper")
    config.addinivalue_line("markers", "processes: needs fork/exec/pipes/signals between guest processes "
                            "(reference: proot + qemu)")
    config.addinivalue_line("markers", "devel: compilers, build tools and servers in rootfs/devel "
                            "(scripts/fixtures.sh --devel downloads ~150 MB on first use)")
    config.addinivalue_line("markers", "heavy: the JIT runtimes in rootfs/runtimes (node, go, java, erlang); "
                            "slow, run only with SKIFF_HEAVY=1")


def _script_output(args):
    p = subprocess.run(args, cwd=harness.REPO, stdout=subprocess.PIPE, text=True, check=True)
    return p.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def fixtures_dir():
    return _script_output([os.path.join(harness.REPO, "scripts", "fixtures.sh")])


@pytest.fixture(scope="session")
def debian_root(fixtures_dir):
    return os.path.join(fixtures_dir, "rootfs", "debian")


@pytest.fixture(scope="session")
def devel_root():
    """rootfs/devel, laid out on first use (the download is skipped when no case needs it)."""
    fixtures = _script_output([os.path.join(harness.REPO, "scripts", "fixtures.sh"), "--devel"])
    return os.path.join(fixtures, "rootfs", "devel")


@pytest.fixture(scope="session")
def runtimes_root():
    fixtures = _script_output([os.path.join(harness.REPO, "scripts", "fixtures.sh"), "--runtimes"])
    return os.path.join(fixtures, "rootfs", "runtimes")


@pytest.fixture(scope="session")
def busybox_root(fixtures_dir):
    return os.path.join(fixtures_dir, "rootfs", "busybox")


@pytest.fixture(scope="session")
def isa_root():
    return _script_output([os.path.join(harness.REPO, "scripts", "build-isa-tests.sh")])


@pytest.fixture(scope="session")
def skiff_bin():
    return harness.skiff_binary()


@pytest.fixture(scope="session")
def roots(debian_root, busybox_root, isa_root):
    return {"debian": debian_root, "busybox": busybox_root, "isa": isa_root}


def _known_failures():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_failures.txt")
    known = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                node, _, reason = line.partition("|")
                known[node.strip()] = reason.strip()
    return known


def pytest_collection_modifyitems(config, items):
    """Cases listed in known_failures.txt are strict xfails (see that file)."""
    known = _known_failures()
    for item in items:
        for node, reason in known.items():
            if item.nodeid.endswith(node):
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
