"""Detached containers (podman's model: each is run by a skiff process of its own): run -d, ps,
logs -f/--tail/-t, stop, kill -s, wait, restart, --restart policies, rm -f."""
import os
import re
import select
import subprocess
import time
import urllib.request

from conftest import free_port

LOOP = "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"


def run_detached(skiff, *args):
    r = skiff("run", "-d", *args)
    assert r.status == 0 and re.fullmatch(r"[0-9a-f]{64}\n", r.out), r
    return r.out.strip()


def ps_status(skiff, name):
    r = skiff("ps", "-a")
    assert r.status == 0, r
    rows = [l for l in r.out.splitlines() if l.endswith(" " + name)]
    assert len(rows) == 1, r
    return rows[0]


def running(skiff, name):
    return any(l.endswith(" " + name) for l in skiff("ps").out.splitlines())


def read_line(stream, seconds=20):
    """A line from a child's unbuffered pipe, failing instead of hanging when none comes."""
    assert select.select([stream], [], [], seconds)[0], "no output in time"
    return stream.readline()


def eventually(check, seconds=10, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_detached_http_server(skiff, base):
    port = free_port()
    cid = run_detached(skiff, "--name", "web", base, "busybox", "httpd", "-f", "-p", f"127.0.0.1:{port}", "-h", "/data")
    try:
        row = ps_status(skiff, "web")
        assert row.startswith(cid[:12]) and " Up " in row, row

        def fetch():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/hello.txt", timeout=5).read()
            except OSError:
                return None
        assert eventually(fetch, what="the guest's httpd") == b"hello from the image\n"
        started = time.time()
        r = skiff("stop", "web")
        assert (r.status, r.out) == (0, "web\n"), r
        assert time.time() - started < 5, "httpd ends on SIGTERM: no need to wait for the SIGKILL"
        assert "Exited (143)" in ps_status(skiff, "web")
        assert not running(skiff, "web")
        r = skiff("stop", "web")
        assert (r.status, r.out) == (0, "web\n"), "stopping a stopped container is not an error, as with docker"
    finally:
        skiff("rm", "-f", "web")


def test_logs_follow_tail_timestamps(skiff, base):
    run_detached(skiff, "--name", "chatty", base, "sh", "-c", LOOP)
    try:
        follow = subprocess.Popen([skiff.binary, "logs", "-f", "chatty"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, env=skiff.env(), bufsize=0)
        lines = [read_line(follow.stdout).decode() for _ in range(4)]
        assert lines == [f"line {i}\n" for i in range(4)], lines
        assert follow.poll() is None, "logs -f keeps going while the container runs"
        eventually(lambda: "line 6\n" in skiff("logs", "chatty").out, what="more output")
        r = skiff("logs", "--tail", "2", "chatty")
        assert r.status == 0 and len(r.out.splitlines()) == 2, r
        first, second = (int(l.split()[1]) for l in r.out.splitlines())
        assert second == first + 1 and first >= 5, r
        r = skiff("logs", "-t", "-n", "1", "chatty")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line \d+\n", r.out), r
        assert skiff("kill", "chatty").status == 0
        out, _ = follow.communicate(timeout=10)
        out = out.decode()
        assert follow.returncode == 0
        everything = skiff("logs", "chatty").out
        assert everything.endswith(out), "logs -f printed everything up to the end"
    finally:
        skiff("rm", "-f", "chatty")


def test_stop_kills_after_timeout_and_wait(skiff, base):
    run_detached(skiff, "--name", "stubborn", base, "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done")
    try:
        eventually(lambda: skiff("logs", "stubborn").out == "ready\n", what="the trap")
        waiter = subprocess.Popen([skiff.binary, "wait", "stubborn"], stdout=subprocess.PIPE, env=skiff.env(),
                                  stdin=subprocess.DEVNULL, text=True)
        started = time.time()
        r = skiff("stop", "-t", "1", "stubborn")
        elapsed = time.time() - started
        assert (r.status, r.out) == (0, "stubborn\n"), r
        assert 0.9 < elapsed < 6, f"SIGTERM is ignored, SIGKILL comes after 1 s (took {elapsed:.1f} s)"
        assert "Exited (137)" in ps_status(skiff, "stubborn")
        assert waiter.communicate(timeout=10)[0] == "137\n"
        r = skiff("wait", "stubborn")
        assert (r.status, r.out) == (0, "137\n"), r
    finally:
        skiff("rm", "-f", "stubborn")


def test_kill_signal(skiff, base):
    run_detached(skiff, "--name", "signals", base, "sh", "-c",
                 "trap 'echo got USR1' USR1; trap 'echo got HUP' HUP; echo ready; while true; do sleep 0.1; done")
    try:
        eventually(lambda: skiff("logs", "signals").out == "ready\n", what="the traps")
        assert skiff("kill", "-s", "USR1", "signals").out == "signals\n"
        eventually(lambda: "got USR1\n" in skiff("logs", "signals").out, what="USR1")
        assert skiff("kill", "--signal", "SIGHUP", "signals").status == 0
        eventually(lambda: "got HUP\n" in skiff("logs", "signals").out, what="HUP")
        assert running(skiff, "signals")
        r = skiff("kill", "-s", "RTMIN", "signals")
        assert r.status == 1 and "cannot be sent" in r.err, r
        r = skiff("kill", "signals")
        assert (r.status, r.out) == (0, "signals\n"), r
        assert "Exited (137)" in ps_status(skiff, "signals")
        r = skiff("kill", "signals")
        assert r.status == 1 and "is not running" in r.err, r
    finally:
        skiff("rm", "-f", "signals")


def test_restart_keeps_the_writable_layer(skiff, base):
    run_detached(skiff, "--name", "again", base, "sh", "-c", "cat /data/runs 2>/dev/null; echo run >> /data/runs; echo up >&2; exec sleep 100")
    try:
        eventually(lambda: skiff("logs", "again").err == "up\n", what="the first run")
        r = skiff("restart", "-t", "1", "again")
        assert (r.status, r.out) == (0, "again\n"), r
        assert " Up " in ps_status(skiff, "again")
        eventually(lambda: skiff("logs", "again").err == "up\nup\n", what="the second run")
        assert skiff("logs", "again").out == "run\n"
        assert skiff("stop", "again").status == 0
        r = skiff("start", "again")
        assert (r.status, r.out) == (0, "again\n"), r
        eventually(lambda: skiff("logs", "again").err == "up\nup\nup\n", what="the third run")
        assert skiff("logs", "again").out == "run\n" + "run\nrun\n", "the second run saw one line, the third two"
        r = skiff("rm", "again")
        assert r.status == 1 and "is running" in r.err, r
        r = skiff("rm", "-f", "again")
        assert (r.status, r.out) == (0, "again\n"), r
        assert "again" not in skiff("ps", "-a").out
    finally:
        skiff("rm", "-f", "again")


def test_restart_policies(skiff, base):
    try:
        run_detached(skiff, "--name", "flaky", "--restart", "on-failure:2", base, "sh", "-c", "echo run; exit 3")
        eventually(lambda: skiff("logs", "flaky").out == "run\nrun\nrun\n" and "Exited (3)" in ps_status(skiff, "flaky"),
                   what="three runs")
        time.sleep(0.5)
        assert skiff("logs", "flaky").out == "run\nrun\nrun\n", "on-failure:2 means at most 2 restarts"
        assert '"restartCount" : 2' in skiff("inspect", "flaky").out

        run_detached(skiff, "--name", "always", "--restart", "always", base, "sh", "-c", "echo run; sleep 0.2")
        eventually(lambda: skiff("logs", "always").out.count("run") >= 2, what="a restart")
        assert skiff("stop", "always").status == 0
        count = skiff("logs", "always").out.count("run")
        time.sleep(1)
        assert skiff("logs", "always").out.count("run") == count, "a stopped container is not restarted"
        assert not running(skiff, "always")

        r = skiff("run", "-d", "--rm", "--restart", "always", base, "true")
        assert r.status == 125 and "conflicting options" in r.err, r
        r = skiff("run", "--restart", "bogus", base, "true")
        assert r.status == 125 and "invalid restart policy" in r.err, r
    finally:
        skiff("rm", "-f", "flaky", "always")


def test_detached_start_failure(skiff, base):
    r = skiff("run", "-d", "--name", "nocmd", base, "no-such-command")
    assert r.status == 127 and "executable file not found" in r.err and r.out == "", r
    assert "Exited (127)" in ps_status(skiff, "nocmd")
    skiff("rm", "nocmd")


def test_debian_root_is_configured(skiff):
    """The Debian fixture (and the demo image made from it) has what maintainer scripts make:
    users and groups from base-passwd, /bin/sh, python3, awk (scripts/fixtures.sh)."""
    from conftest import fixtures_dir
    root = os.path.join(fixtures_dir(), "rootfs", "debian")
    r = skiff("run", "--rootfs", root, "--read-only", "/bin/sh", "-c",
              "whoami; id -gn; python3 -c 'print(6*7)'; echo x | awk '{print \"awk\"}'; getent passwd www-data | cut -d: -f3")
    assert (r.status, r.out) == (0, "root\nroot\n42\nawk\n33\n"), r
