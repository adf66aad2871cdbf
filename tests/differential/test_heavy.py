"""The slow part of issue 9, opt-in (SKIFF_HEAVY=1): runtimes with their own JITs and many
threads in rootfs/runtimes (`scripts/fixtures.sh --runtimes`, ~250 MB: Node.js, the Go
toolchain, OpenJDK 21, Erlang/OTP) and PostgreSQL in rootfs/devel (initdb alone runs minutes
under emulation). Same style as test_devel.py: the reference is proot + qemu. Timings of both
sides are in README.md (bench/heavy.sh measures them)."""
import os

import pytest

from cases import ids, run, script_cases

pytestmark = [pytest.mark.heavy, pytest.mark.processes,
              pytest.mark.skipif(os.environ.get("SKIFF_HEAVY") != "1", reason="opt-in: set SKIFF_HEAVY=1")]

DEVEL = script_cases("devel-heavy", lambda text: ["/usr/bin/bash", "-c", text], root="devel", reference="proot", scratch=True)
RUNTIMES = script_cases("runtimes", lambda text: ["/usr/bin/bash", "-c", text], root="runtimes", reference="proot", scratch=True)


@pytest.mark.parametrize("case", DEVEL, ids=ids(DEVEL))
def test_devel_heavy(case, roots, devel_root):
    run(case, dict(roots, devel=devel_root))


@pytest.mark.parametrize("case", RUNTIMES, ids=ids(RUNTIMES))
def test_runtimes(case, roots, runtimes_root):
    run(case, dict(roots, runtimes=runtimes_root))
