"""Heavy software as users put it in containers (issue 9): gcc (compile, assemble, link, run),
make, git, a program built against musl, Tcl, LuaJIT (its JIT on), Ruby, PHP, and servers used
by a client in the same container: redis-server + redis-cli, nginx + curl, PostgreSQL (initdb,
postgres, psql). Debian trixie riscv64 packages in rootfs/devel (`scripts/fixtures.sh --devel`);
the reference is the whole container under proot + qemu; each case runs in a fresh scratch
directory. The slow JIT runtimes (node, go, java, erlang) are in test_runtimes.py (opt-in)."""
import pytest

from cases import ids, run, script_cases

CASES = script_cases("devel", lambda text: ["/usr/bin/bash", "-c", text], root="devel", reference="proot", scratch=True)


@pytest.mark.devel
@pytest.mark.processes
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_devel(case, roots, devel_root):
    run(case, dict(roots, devel=devel_root))
