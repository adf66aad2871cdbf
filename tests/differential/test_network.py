"""Guest networking (issue 5): python3 socket programs over loopback — TCP between threads and
between forked processes, UDP, non-blocking connect, select/poll/epoll, options, timeouts, errors.
Each case runs twice under skiff: with the host's network (the default, guest sockets are host
sockets) and with `--network none` (the kernel's own loopback network); the reference is qemu,
whose sockets are the host's."""
import socket

import pytest

import harness
from cases import ids, run, script_cases


def host_has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False

CASES = (script_cases("python-net", lambda text: ["/usr/bin/python3.13", "-c", text])
         + script_cases("python-net", lambda text: ["/usr/bin/python3.13", "-c", text], suffix="-none",
                        skiff_options=("--network", "none")))


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_network(case, roots):
    if "ipv6" in case.id and not host_has_ipv6_loopback():
        pytest.skip("this host has no IPv6 loopback (::1), so the reference cannot run the case")
    run(case, roots)


@pytest.mark.skiff_contract
def test_network_none_interfaces(debian_root):
    """`--network none` shows the loopback interface only, as docker's does. Written here: the
    reference (qemu) sees the host's interfaces (python-net/interfaces_lo checks lo itself
    against it in both modes)."""
    script = ("import socket; print(socket.if_nameindex(), socket.if_nametoindex('lo'));"
              "socket.if_indextoname(2)")
    got = harness.skiff(debian_root, ["/usr/bin/python3.13", "-c", script], options=("--network", "none"))
    assert got.status == 1 and got.stdout == b"[(1, 'lo')] 1\n", got.describe()
    assert got.stderr.endswith(b"OSError: [Errno 6] No such device or address\n"), got.describe()
