"""Guest networking (issue 5): python3 socket programs over loopback — TCP between threads and
between forked processes, UDP, non-blocking connect, select/poll/epoll, options, timeouts, errors.
Each case runs twice under skiff: with the host's network (the default, guest sockets are host
sockets) and with `--network none` (the kernel's own loopback network); the reference is qemu,
whose sockets are the host's."""
import pytest

from cases import ids, run, script_cases

CASES = (script_cases("python-net", lambda text: ["/usr/bin/python3.13", "-c", text])
         + script_cases("python-net", lambda text: ["/usr/bin/python3.13", "-c", text], suffix="-none",
                        skiff_options=("--network", "none")))


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_network(case, roots):
    run(case, roots)
