"""`skiff convert --web` end to end in a real browser: the busybox test image (tests/containers'
test/base, imported from an OCI layout) becomes a site, `skiff serve` serves it, and Debian's
chromium (headless, driven by Selenium through Debian's chromium-driver) opens the page. Keys are
typed into xterm.js as a person types them; what the guest printed is read back from
`window.term`'s buffer. Every wait polls with a deadline (no fixed sleeps). A screenshot of the
interactive session is written to $SKIFF_WEB_SCREENSHOT (default: the test's work directory).
See docs/web.md."""
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = float(os.environ.get("SKIFF_WEB_TIMEOUT", "60"))

# The image builders of tests/containers (loaded under another name: both folders have a conftest).
_spec = importlib.util.spec_from_file_location("containers_conftest", os.path.join(REPO, "tests", "containers", "conftest.py"))
containers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(containers)

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:  # pragma: no cover
    webdriver = None


def skiff_binary():
    path = containers.skiff_binary()
    if not os.path.exists(path):
        pytest.skip(f"no skiff binary at {path} (set SKIFF)")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The test image converted with --web and served by `skiff serve`; yields the base URL."""
    work = str(tmp_path_factory.mktemp("web"))
    skiff = containers.Skiff(skiff_binary(), os.path.join(work, "home"))
    root = os.path.join(containers.fixtures_dir(), "rootfs", "busybox")
    probe = os.path.join(work, "probe")
    subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-o", probe,
                    os.path.join(REPO, "tests", "containers", "programs", "probe.c")], check=True)
    layout = os.path.join(work, "layout")
    containers.build_images(layout, root, probe)
    # Keep only test/base (Cmd: sh -c 'echo cmd-default') so the import names it.
    index_path = os.path.join(layout, "index.json")
    with open(index_path) as f:
        index = json.load(f)
    index["manifests"] = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "base"]
    with open(index_path, "w") as f:
        json.dump(index, f)
    r = skiff("import", layout, "webtest:1")
    assert r.status == 0, r
    directory = os.path.join(work, "site")
    r = skiff("convert", "--web", directory, "webtest:1")
    assert r.status == 0, r
    for name in ("index.html", "skiff.js", "skiff-worker.js", "container.wasm", "site.json",
                 "xterm/xterm.js", "xterm/xterm-addon-fit.js", "xterm/xterm.css"):
        assert os.path.isfile(os.path.join(directory, name)), name
    server = subprocess.Popen([skiff.binary, "serve", directory, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=skiff.env())
    line = server.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        server.kill()
        pytest.fail(f"skiff serve printed {line!r}; stderr: {server.stderr.read()}")
    yield {"url": m.group(0), "work": work}
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return str(tmp_path_factory.mktemp("downloads"))


@pytest.fixture(scope="module")
def browser(downloads):
    if webdriver is None:
        pytest.fail("selenium is not installed (python3 -m pip install selenium; scripts/setup.sh does it)")
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("chromium and chromium-driver are not installed (Debian packages; scripts/setup.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=900,600"):
        options.add_argument(a)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


class Page:
    def __init__(self, driver, url):
        self.driver = driver
        driver.get(url)
        self.wait(lambda: self.driver.execute_script("return !!(window.term && window.skiff)"), "the page's terminal")

    def text(self):
        return self.driver.execute_script("""
            const b = window.term.buffer.active || window.term.buffer, lines = [];   // xterm.js 4.0-4.5: term.buffer
            for (let i = 0; i < b.length; i++) {   // a wrapped row continues the line before it
                const line = b.getLine(i), text = line.translateToString(false);
                if (line.isWrapped && lines.length) lines[lines.length - 1] += text; else lines.push(text);
            }
            return lines.map((l) => l.trimEnd()).join('\\n');""")

    def state(self):
        return self.driver.execute_script("return window.skiff")

    def state_line(self):
        return self.driver.find_element(By.ID, "state").text

    def wait(self, predicate, what, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; state {self.state()}; screen:\n{self.text()}")

    def wait_text(self, pattern, timeout=TIMEOUT):
        return self.wait(lambda: re.search(pattern, self.text(), re.M), repr(pattern), timeout)

    def wait_exit(self):
        self.wait(lambda: self.state()["state"] in ("exited", "failed"), "the guest to end")
        return self.state()

    def type(self, *keys):
        self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(*keys)

    def command(self, line, expect, timeout=TIMEOUT):
        """Types `line` + Enter and waits for `expect` (a regex) to appear after it."""
        before = self.text().count(line)
        self.type(line, Keys.ENTER)
        self.wait(lambda: self.text().count(line) > before, f"the echo of {line!r}")
        return self.wait(lambda: re.search(expect, self.text().rsplit(line, 1)[-1], re.M), f"{expect!r} after {line!r}", timeout)

    def size(self):
        return self.driver.execute_script("return [window.term.rows, window.term.cols]")


def test_default_command(site, browser):
    page = Page(browser, site["url"])
    page.wait_text(r"^cmd-default$")
    state = page.wait_exit()
    assert state["state"] == "exited" and state["status"] == 0, state
    assert "exited with status 0" in page.state_line()


def test_command_and_env_from_url(site, browser):
    page = Page(browser, site["url"] + "?cmd=/bin/sh&cmd=-c&cmd=echo+%22$FOO%22+$(uname+-m);+exit+3&env=FOO=from-url")
    page.wait_text(r"^from-url riscv64$")
    state = page.wait_exit()
    assert state["status"] == 3, state
    assert "exited with status 3" in page.state_line()


def test_interactive_shell(site, browser):
    browser.set_window_size(900, 600)
    page = Page(browser, site["url"] + "?cmd=/bin/sh&env=PS1=web%24+")
    page.wait_text(r"^web\$$")
    assert page.state()["state"] == "running"
    page.command("echo hi-$((6*7))", r"^hi-42$")
    page.command("uname -m", r"^riscv64$")

    # ^C reaches the foreground process group through the line discipline.
    page.type("sleep 100", Keys.ENTER)
    page.wait(lambda: page.text().rstrip().endswith("sleep 100"), "sleep to start")
    time.sleep(0.3)
    started = time.time()
    page.type(Keys.CONTROL, "c")
    page.command("echo status=$?", r"^status=130$")
    assert time.time() - started < 10

    # The guest sees the terminal's size, and a new one after the window is resized (SIGWINCH).
    rows, cols = page.size()
    page.command("stty size", rf"^{rows} {cols}$")
    browser.set_window_size(700, 450)
    page.wait(lambda: page.size() != [rows, cols], "xterm.js to fit the smaller window")
    rows2, cols2 = page.size()
    page.command("stty size", rf"^{rows2} {cols2}$")
    # A foreground program gets SIGWINCH when the window changes.
    page.command("sh -c 'trap \"echo got-winch;exit\" WINCH;echo waiting;while :;do sleep 1;done'", r"^waiting$")
    browser.set_window_size(900, 600)
    page.wait(lambda: page.size() != [rows2, cols2], "xterm.js to fit the larger window")
    page.wait_text(r"^got-winch$")
    page.wait(lambda: page.text().rstrip().endswith("web$"), "the prompt after the WINCH trap")
    rows3, cols3 = page.size()
    page.command("stty size", rf"^{rows3} {cols3}$")

    # busybox vi in raw mode: insert text, leave insert mode with Escape, save with :wq.
    page.type("vi /tmp/note.txt", Keys.ENTER)
    page.wait_text(r"^~")
    page.type("i", "hello from vi", Keys.ENTER, "second line", Keys.ESCAPE)
    # As a person types: busybox vi waits 50 ms after an Escape for the rest of an escape
    # sequence, so ":" sent in the same burst (Selenium's speed) would be read as Alt-":".
    time.sleep(0.5)
    page.type(":wq", Keys.ENTER)
    page.wait(lambda: page.text().rstrip().endswith("web$"), "the prompt after vi")
    page.command("cat /tmp/note.txt; wc -l < /tmp/note.txt", r"^hello from vi\nsecond line\n2$")

    page.command("echo 'the container runs in this page'; uname -a", r"riscv64")
    shot = os.environ.get("SKIFF_WEB_SCREENSHOT") or os.path.join(site["work"], "web-terminal.png")
    browser.save_screenshot(shot)

    page.type("exit 3", Keys.ENTER)
    state = page.wait_exit()
    assert state["status"] == 3, state
    assert "exited with status 3" in page.state_line()


@pytest.fixture(scope="module")
def debian_site(tmp_path_factory):
    """The Debian fixture image (bash, python3.13; what scripts/demo.sh imports) as a compressed site."""
    work = str(tmp_path_factory.mktemp("web-debian"))
    skiff = containers.Skiff(skiff_binary(), os.path.join(work, "home"))
    fixtures = containers.fixtures_dir()
    tar = os.path.join(fixtures, "debian-riscv64-rootfs.tar.gz")
    if not os.path.exists(tar):
        subprocess.run(["tar", "-C", os.path.join(fixtures, "rootfs", "debian"), "--exclude=./tmp/*", "-czf", tar, "."], check=True)
    r = skiff("import", tar, "debian-web:1")
    assert r.status == 0, r
    directory = os.path.join(work, "site")
    r = skiff("convert", "--compress", "--web", directory, "debian-web:1", timeout=600)
    assert r.status == 0, r
    server = subprocess.Popen([skiff.binary, "serve", directory, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=skiff.env())
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
    assert m, server.stderr.read()
    yield {"url": m.group(0), "work": work}
    server.terminate()
    server.wait(10)


def test_debian_python_and_bash(debian_site, browser):
    browser.set_window_size(900, 600)
    page = Page(browser, debian_site["url"] + "?cmd=python3.13&cmd=-c&cmd=print(6*7)")
    page.wait_text(r"^42$", timeout=180)
    assert page.wait_exit()["status"] == 0
    page = Page(browser, debian_site["url"] + "?cmd=/bin/bash&cmd=--norc&env=PS1=deb%24+")
    page.wait_text(r"^deb\$$", timeout=180)
    page.command("echo $BASH_VERSION | cut -d. -f1; python3.13 -c 'import sys; print(sys.platform)'", r"^5\nlinux$", timeout=180)
    page.type("exit 4", Keys.ENTER)
    assert page.wait_exit()["status"] == 4


@pytest.fixture(scope="module")
def relay_server(site):
    """The same site served with --network host: the page's guest TCP connections are made from here."""
    skiff = containers.Skiff(skiff_binary(), os.path.join(site["work"], "home"))
    server = subprocess.Popen([skiff.binary, "serve", os.path.join(site["work"], "site"), "--port", "0", "--network", "host"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=skiff.env())
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
    assert m, server.stderr.read()
    yield m.group(0)
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def host_http(tmp_path_factory):
    """A host HTTP server on a free port: GET serves files (hello.txt, big.bin: 3 MB of random
    bytes), POST answers the SHA-256 of what it received. Yields (port, big.bin's SHA-256)."""
    import functools
    import http.server
    import threading
    root = tmp_path_factory.mktemp("host-http")
    (root / "hello.txt").write_text("relayed-hello\n")
    big = os.urandom(3 << 20)
    (root / "big.bin").write_bytes(big)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = f"posted {len(body)} {hashlib.sha256(body).hexdigest()}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hashlib.sha256(big).hexdigest()
    server.shutdown()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_network_relay(site, relay_server, host_http, browser):
    """Guest TCP through `skiff serve --network host`: busybox wget in the page fetches files from
    a server on this host (3 MB checked by SHA-256) and posts 109 KB back; a closed port is refused;
    without --network host the guest has only its own loopback, so the same fetch is refused."""
    port, digest = host_http
    closed = free_port()
    url = f"http://127.0.0.1:{port}"
    script = (f"wget -q -O - {url}/hello.txt; echo first=$?; "
              f"wget -q -O /tmp/big {url}/big.bin && busybox sha256sum /tmp/big; "
              f"wget -q -O - --post-data \"$(seq 1 20000)\" {url}/; "
              f"wget -q -O - http://127.0.0.1:{closed}/ 2>&1; echo last=$?")
    query = "?cmd=/bin/sh&cmd=-c&cmd=" + script.replace(" ", "+").replace(";", "%3B").replace("&", "%26")
    page = Page(browser, relay_server + query)
    page.wait_text(r"^relayed-hello\nfirst=0$")
    posted = "\n".join(str(i) for i in range(1, 20001)).encode()
    page.wait_text(rf"^{digest}  /tmp/big\nposted {len(posted)} {hashlib.sha256(posted).hexdigest()}$")
    page.wait_text(r"refused\nlast=1$")
    assert page.wait_exit()["status"] == 0

    page = Page(browser, site["url"] + query)
    page.wait_text(r"refused\nfirst=1$")
    page.wait_exit()


def test_network_relay_refuses_other_origins(relay_server):
    """A WebSocket is not bound by the same-origin policy: the relay answers only its own pages."""
    import socket
    host, port = re.search(r"//([\d.]+):(\d+)/", relay_server).groups()

    def upgrade(origin):
        with socket.create_connection((host, int(port)), timeout=10) as s:
            lines = ["GET /.skiff/net HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
            if origin:
                lines.append(f"Origin: {origin}")
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            return s.recv(4096).decode(errors="replace").split("\r\n", 1)[0]

    assert " 101 " in upgrade(f"http://{host}:{port}")
    assert " 101 " not in upgrade("http://elsewhere.example")
    assert " 101 " not in upgrade(None)


def test_files_in_and_out(site, browser, downloads, tmp_path):
    """/files: a file chosen with the page's upload control appears in the container; what the guest
    writes there is listed in the bar, and clicking its link downloads it."""
    upload = tmp_path / "notes.txt"
    upload.write_text("line one\nline two\n")
    script = ("while [ ! -e /files/notes.txt ]; do sleep 0.1; done; mkdir /files/out; "
              "tr a-z A-Z < /files/notes.txt > /files/out/loud.txt; wc -l < /files/notes.txt; echo written")
    page = Page(browser, site["url"] + "?cmd=/bin/sh&cmd=-c&cmd=" + script.replace(" ", "+").replace(";", "%3B"))
    chooser = browser.find_element(By.ID, "upload-input")
    browser.execute_script("arguments[0].hidden = false", chooser)
    chooser.send_keys(str(upload))
    page.wait_text(r"^2\nwritten$")
    assert page.wait_exit()["status"] == 0
    link = page.wait(lambda: [a for a in browser.find_elements(By.CSS_SELECTOR, "#file-list a") if a.text.startswith("out/loud.txt")],
                     "the download link")[0]
    assert "out/loud.txt (18 B)" == link.text
    link.click()
    target = os.path.join(downloads, "loud.txt")
    page.wait(lambda: os.path.exists(target) and open(target).read() == "LINE ONE\nLINE TWO\n", "the downloaded file")


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    """Debian's docker-registry twice, holding tests/containers' test/base:1 and test/entry:1: one
    sending CORS headers (the page may pull from it), one without (the browser must refuse)."""
    work = str(tmp_path_factory.mktemp("registries"))
    layout = os.path.join(work, "layout")
    probe = os.path.join(work, "probe")
    subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-o", probe,
                    os.path.join(REPO, "tests", "containers", "programs", "probe.c")], check=True)
    containers.build_images(layout, os.path.join(containers.fixtures_dir(), "rootfs", "busybox"), probe)
    cors = containers.Registry(os.path.join(work, "cors"), headers={
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "Accept, Authorization",
        "Access-Control-Expose-Headers": "Docker-Content-Digest, WWW-Authenticate, Content-Type",
    })
    plain = containers.Registry(os.path.join(work, "plain"))
    try:
        for registry in (cors, plain):
            registry.push(layout, "base", "test/base:1")
            registry.push(layout, "entry", "test/entry:1")
        yield {"cors": cors.host, "plain": plain.host}
    finally:
        cors.stop()
        plain.stop()


def test_pull_in_the_page(site, registries, browser):
    """`?image=REF`: the page pulls the image from the registry (manifest, config, gzip layers
    through DecompressionStream), the module flattens the layers (a whiteout in the upper one)
    and runs it with the image's config: Env, WorkingDir, and User resolved in its /etc/passwd."""
    reference = f"{registries['cors']}/test/base:1"
    script = "cat /etc/motd; test -e /etc/deleteme || echo deleteme-gone; echo $GREETING; pwd; id -un; cat /data/hello.txt"
    page = Page(browser, site["url"] + "?" + urllib.parse.urlencode([("image", reference), ("cmd", "/bin/sh"), ("cmd", "-c"), ("cmd", script)]))
    state = page.wait_exit()
    assert state["state"] == "exited" and state["status"] == 0, (state, page.text())
    text = page.text()
    for line in ("motd from the upper layer", "deleteme-gone", "hello", "/data", "root", "hello from the image"):
        assert re.search("^" + re.escape(line) + "$", text, re.M), (line, text)
    assert page.driver.find_element(By.ID, "image").text == reference

    # test/entry: Entrypoint + Cmd, and User "app" looked up in the image's /etc/passwd.
    page = Page(browser, site["url"] + f"?image={registries['cors']}/test/entry:1")
    state = page.wait_exit()
    assert state["state"] == "exited" and state["status"] == 0, (state, page.text())
    assert re.search(r"^entry default-arg$", page.text(), re.M), page.text()


def test_pull_errors_are_reported(site, registries, browser):
    """Served without --registry-proxy: a missing image, and a registry without CORS headers."""
    page = Page(browser, site["url"] + f"?image={registries['cors']}/test/missing:1")
    state = page.wait_exit()
    assert state["state"] == "failed" and "404" in state["message"], state
    # A registry that does not allow the page's origin: the browser refuses, the page says why.
    page = Page(browser, site["url"] + f"?image={registries['plain']}/test/base:1")
    state = page.wait_exit()
    assert state["state"] == "failed" and "CORS" in state["message"], state


@pytest.fixture(scope="module")
def proxy_server(site):
    """The same site served by `skiff serve --registry-proxy`."""
    skiff = containers.Skiff(skiff_binary(), os.path.join(site["work"], "home"))
    server = subprocess.Popen([skiff.binary, "serve", os.path.join(site["work"], "site"), "--port", "0", "--registry-proxy"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=skiff.env())
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
    if not m:
        server.kill()
        pytest.fail(f"skiff serve --registry-proxy did not start: {server.stderr.read()}")
    yield m.group(0)
    server.terminate()
    server.wait(10)


def test_pull_through_the_registry_proxy(proxy_server, registries, browser):
    """A registry that sends no CORS headers (as Docker Hub) works when `skiff serve
    --registry-proxy` serves the page: the page's requests go through the server."""
    page = Page(browser, proxy_server + "?" + urllib.parse.urlencode([("image", f"{registries['plain']}/test/entry:1")]))
    state = page.wait_exit()
    assert state["state"] == "exited" and state["status"] == 0, (state, page.text())
    assert re.search(r"^entry default-arg$", page.text(), re.M), page.text()
    # Only manifest and blob reads of well-formed names are forwarded.
    for bad in (".skiff/registry/x/v2/../manifests/1", ".skiff/registry/localhost/v2/a/tags/list", ".skiff/registry//v2/a/blobs/x"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(proxy_server + bad, timeout=10)
        assert e.value.code == 404, bad
