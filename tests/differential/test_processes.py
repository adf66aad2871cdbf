"""Processes talking to processes (issue 4): shells running pipelines, subshells, background jobs,
traps, process substitution, xargs/find -exec; python3 subprocess, fork, pipes, threads, signals,
socketpair, multiprocessing (fork context) and sqlite3 from two processes. The reference is the
whole container under proot + qemu (`proot -q qemu-riscv64-static -r ROOT`); each case runs in a
fresh scratch working directory."""
import pytest

from cases import ids, run, script_cases

CASES = (script_cases("bash", lambda text: ["/usr/bin/bash", "-c", text], reference="proot", scratch=True)
         + script_cases("busybox-sh", lambda text: ["/usr/bin/busybox", "sh", "-c", text], reference="proot", scratch=True)
         + script_cases("python-proc", lambda text: ["/usr/bin/python3.13", "-c", text], reference="proot", scratch=True))


@pytest.mark.processes
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_processes(case, roots):
    run(case, roots)
