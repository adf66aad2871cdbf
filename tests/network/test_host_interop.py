"""Guest networking end to end (issue 5): guest servers reached by host clients and the reverse,
`--network none` (loopback of the container's own, the host unreachable) and `-p` publishing.
Real programs on both sides: the Debian fixture's python3.13 and busybox in the guest, python's
http.server/urllib and plain sockets on the host. Ports are chosen free at test time."""
import contextlib
import errno
import http.server
import os
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIFF = os.environ.get("SKIFF") or os.path.join(REPO, ".build", "release", "skiff")
STARTUP = 120   # seconds a guest server may take to come up (python imports under emulation)


@pytest.fixture(scope="session")
def root():
    out = subprocess.run([os.path.join(REPO, "scripts", "fixtures.sh")], stdout=subprocess.PIPE, text=True, check=True)
    return os.path.join(out.stdout.strip().splitlines()[-1], "rootfs", "debian")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



@contextlib.contextmanager
def guest(cmd):
    """Runs a guest in the background; stops it (SIGTERM) when done."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        yield p
    finally:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def wait_for_port(port, p):
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise AssertionError(f"guest exited early with {p.returncode}: {p.stderr.read().decode(errors='replace')}")
        with socket.socket() as s:
            s.settimeout(2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {STARTUP}s")


def fetch(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.status, r.read()


@contextlib.contextmanager
def host_http_server(directory):
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=directory, **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_guest_http_server_host_client(root):
    port = free_port()
    with guest([SKIFF, "run", "--rootfs", root, "/usr/bin/python3.13", "-m", "http.server",
                "--bind", "127.0.0.1", "--directory", "/usr/share/doc/bash", str(port)]) as p:
        wait_for_port(port, p)
        status, body = fetch(f"http://127.0.0.1:{port}/copyright")
        assert status == 200
        with open(os.path.join(root, "usr/share/doc/bash/copyright"), "rb") as f:
            assert body == f.read()
        status, listing = fetch(f"http://127.0.0.1:{port}/")
        assert b"copyright" in listing


def test_guest_busybox_nc_listens(root):
    port = free_port()
    with guest([SKIFF, "run", "--rootfs", root, "/usr/bin/busybox", "nc", "-l", "-p", str(port)]) as p:
        wait_for_port(port, p)
        # wait_for_port's probe was the one connection nc accepts; it has gone, so nc exits.
        p.wait(60)
    port = free_port()
    with guest([SKIFF, "run", "--rootfs", root, "/usr/bin/busybox", "sh", "-c",
                f"echo from-guest | /usr/bin/busybox nc -l -p {port}"]) as p:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                c = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline and p.poll() is None, "guest nc never listened"
                time.sleep(0.2)
        with c:
            c.sendall(b"from-host\n")
            got = b""
            while not got.endswith(b"\n"):
                d = c.recv(100)
                if not d:
                    break
                got += d
        out, _ = p.communicate(timeout=60)
        assert got == b"from-guest\n"
        assert out == b"from-host\n"


def test_guest_clients_fetch_from_host_server(root, tmp_path):
    (tmp_path / "hello.txt").write_bytes(b"hello from the host\n")
    with host_http_server(str(tmp_path)) as port:
        url = f"http://127.0.0.1:{port}/hello.txt"
        r = subprocess.run([SKIFF, "run", "--rootfs", root, "/usr/bin/python3.13", "-c",
                            f"import urllib.request; print(urllib.request.urlopen('{url}').read().decode(), end='')"],
                           capture_output=True, timeout=300)
        assert (r.returncode, r.stdout) == (0, b"hello from the host\n"), r.stderr
        r = subprocess.run([SKIFF, "run", "--rootfs", root, "/usr/bin/busybox", "wget", "-q", "-O", "-",
                            f"http://127.0.0.1:{port}/hello.txt"], capture_output=True, timeout=300)
        assert (r.returncode, r.stdout) == (0, b"hello from the host\n"), r.stderr


GUEST_PROBE = """
import errno, socket, sys
def connect(address):
    s = socket.socket()
    try:
        s.connect(address)
        return "connected"
    except OSError as e:
        return errno.errorcode[e.errno]
print("host server on 127.0.0.1:", connect(("127.0.0.1", int(sys.argv[1]))))
print("outside address:", connect(("192.0.2.1", 80)))
l = socket.socket(); l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen()
print("own server on that port:", connect(("127.0.0.1", int(sys.argv[1]))))
print("resolves localhost:", socket.gethostbyname("localhost"))
"""


def test_network_none_is_loopback_only(root, tmp_path):
    (tmp_path / "x").write_bytes(b"x")
    with host_http_server(str(tmp_path)) as port:
        r = subprocess.run([SKIFF, "run", "--network", "none", "--rootfs", root, "/usr/bin/python3.13", "-c",
                            GUEST_PROBE, str(port)], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == [
        "host server on 127.0.0.1: ECONNREFUSED",   # the container's loopback, where nothing listens
        "outside address: ENETUNREACH",
        "own server on that port: connected",
        "resolves localhost: 127.0.0.1",
    ]


def test_published_port_reaches_guest_server(root):
    host_port = free_port()
    with guest([SKIFF, "run", "--network", "none", "-p", f"127.0.0.1:{host_port}:8000", "--rootfs", root,
                "/usr/bin/python3.13", "-m", "http.server", "--directory", "/usr/share/doc/bash", "8000"]) as p:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                status, body = fetch(f"http://127.0.0.1:{host_port}/copyright")
                break
            except OSError:
                # Skiff listens from the start; until the guest listens, connections wait.
                assert time.monotonic() < deadline and p.poll() is None, "published port never answered"
                time.sleep(0.5)
        assert status == 200
        with open(os.path.join(root, "usr/share/doc/bash/copyright"), "rb") as f:
            assert body == f.read()


def test_publish_bad_input(root):
    for spec, words in [("80", "expected"), ("1:2:3:4", "expected"), ("70000:80", "expected"), ("8080:80/udp", "only tcp")]:
        r = subprocess.run([SKIFF, "run", "--network", "none", "-p", spec, "--rootfs", root, "/usr/bin/true"],
                           capture_output=True, timeout=60)
        assert r.returncode == 125 and words.encode() in r.stderr, (spec, r.stderr)
    r = subprocess.run([SKIFF, "run", "--network", "bridge", "--rootfs", root, "/usr/bin/true"], capture_output=True, timeout=60)
    assert r.returncode == 125 and b"network bridge" in r.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        r = subprocess.run([SKIFF, "run", "--network", "none", "-p", f"127.0.0.1:{busy.getsockname()[1]}:80",
                            "--rootfs", root, "/usr/bin/true"], capture_output=True, timeout=60)
        assert r.returncode == 125 and b"address already in use" in r.stderr, r.stderr


@contextlib.contextmanager
def host_dns_server(address):
    """A minimal DNS server on the host's UDP port 53: every A query gets 10.1.2.3, other types
    an empty answer. The fixture root has no resolv.conf, so the guest's glibc asks 127.0.0.1."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((address, 53))
    except OSError as e:
        s.close()
        pytest.skip(f"cannot serve DNS on {address}:53 on this host ({e.strerror})")
    stop = threading.Event()

    def serve():
        s.settimeout(0.2)
        while not stop.is_set():
            try:
                query, client = s.recvfrom(512)
            except socket.timeout:
                continue
            end = 12
            while query[end]:
                end += query[end] + 1
            question = query[12:end + 5]
            qtype = int.from_bytes(query[end + 1:end + 3], "big")
            answers = b""
            if qtype == 1:
                answers = b"\xc0\x0c" + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + (60).to_bytes(4, "big") \
                    + (4).to_bytes(2, "big") + bytes([10, 1, 2, 3])
            header = query[:2] + b"\x81\x80" + (1).to_bytes(2, "big") + (1 if answers else 0).to_bytes(2, "big") + bytes(4)
            s.sendto(header + question + answers, client)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()
        s.close()


def test_guest_dns_through_its_own_resolver(root):
    # glibc sends the A and AAAA queries together with sendmmsg over a connected UDP socket.
    with host_dns_server("127.0.0.1"):
        r = subprocess.run([SKIFF, "run", "--rootfs", root, "/usr/bin/python3.13", "-c",
                            "import socket; print(socket.getaddrinfo('name.example', 80, type=socket.SOCK_STREAM)[0][4][0])"],
                           capture_output=True, timeout=300)
        assert (r.returncode, r.stdout) == (0, b"10.1.2.3\n"), r.stderr
        r = subprocess.run([SKIFF, "run", "--network", "none", "--rootfs", root, "/usr/bin/python3.13", "-c",
                            "import socket\ntry: socket.getaddrinfo('name.example', 80)\nexcept socket.gaierror as e: print('no DNS:', e.errno == socket.EAI_AGAIN)"],
                           capture_output=True, timeout=300)
        assert (r.returncode, r.stdout) == (0, b"no DNS: True\n"), r.stderr


def test_busybox_httpd_and_wget_on_the_containers_own_loopback(root):
    # A forking server and a client, both in the container; port 80 is the container's own.
    bb = "/usr/bin/busybox"
    script = (f"{bb} httpd -f -p 127.0.0.1:80 -h /usr/share/doc/bash & "
              f"for i in $({bb} seq 1 200); do {bb} wget -q -O - http://127.0.0.1/copyright && break; {bb} sleep 0.1; done; "
              "kill $!")
    r = subprocess.run([SKIFF, "run", "--network", "none", "--rootfs", root, bb, "sh", "-c", script],
                       capture_output=True, timeout=300)
    with open(os.path.join(root, "usr/share/doc/bash/copyright"), "rb") as f:
        assert (r.returncode, r.stdout) == (0, f.read()), r.stderr


CONFINED_GUEST = """
import ctypes, errno, socket, sys
l = socket.socket()
l.bind(("0.0.0.0", 7000))
l.listen()
c, _ = l.accept()
libc = ctypes.CDLL(None, use_errno=True)
unspecified = (ctypes.c_ubyte * 16)()          # struct sockaddr with sa_family AF_UNSPEC
r = libc.connect(c.fileno(), unspecified, 16)
print("disconnect:", r, errno.errorcode.get(ctypes.get_errno()))
try:
    c.connect(("127.0.0.1", int(sys.argv[1])))
    print("reconnected")
except OSError as e:
    print("reconnect:", errno.errorcode[e.errno])
print("local port:", c.getsockname()[1])
c.sendall(b"bye")
c.close()
"""


def test_published_connection_is_no_way_out(root, tmp_path):
    # Under --network none the guest gets a published port's connections as host sockets; they
    # must not be re-pointed at the host's network.
    with host_http_server(str(tmp_path)) as outside:
        host_port = free_port()
        with guest([SKIFF, "run", "--network", "none", "-p", f"127.0.0.1:{host_port}:7000", "--rootfs", root,
                    "/usr/bin/python3.13", "-c", CONFINED_GUEST, str(outside)]) as p:
            deadline = time.monotonic() + STARTUP
            while True:   # Skiff listens on the host port as soon as it starts
                try:
                    c = socket.create_connection(("127.0.0.1", host_port), timeout=STARTUP)
                    break
                except ConnectionRefusedError:
                    assert time.monotonic() < deadline and p.poll() is None, "skiff never listened"
                    time.sleep(0.1)
            c.settimeout(STARTUP)
            assert c.recv(10) == b"bye"
            out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert out.decode().splitlines() == ["disconnect: -1 ENETUNREACH", "reconnect: EISCONN", "local port: 7000"]
