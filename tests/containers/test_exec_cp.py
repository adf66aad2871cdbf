"""exec and top into a running container (through its skiff process's control socket), and cp
both ways, running or stopped, confined to the container's files."""
import os
import re
import subprocess
import urllib.request

from conftest import free_port
from test_detached import eventually, read_line, run_detached


def test_exec_into_a_running_server(skiff, base):
    port = free_port()
    run_detached(skiff, "--name", "served", base, "busybox", "httpd", "-f", "-p", f"127.0.0.1:{port}", "-h", "/data")
    try:
        r = skiff("exec", "served", "sh", "-c", "echo written by exec > /data/exec.txt; echo $PWD $GREETING")
        assert (r.status, r.out) == (0, "/data hello\n"), "the container's working directory and environment"

        def fetch():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/exec.txt", timeout=5).read()
            except OSError:
                return None
        assert eventually(fetch, what="the server") == b"written by exec\n", "the server sees what exec wrote"

        r = skiff("exec", "served", "ps")
        rows = [l.split() for l in r.out.splitlines()[1:]]
        assert r.status == 0 and rows[0][0] == "1" and "httpd" in r.out, r
        assert any(row[0] != "1" and "ps" in row[2:] for row in rows), "the exec'd ps sees itself beside the server"

        r = skiff("top", "served")
        assert r.status == 0 and r.out.split()[:8] == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], r
        first = r.out.splitlines()[1].split()
        assert first[:3] == ["root", "1", "0"] and first[5] == "?" and "httpd" in first[7:], r

        assert skiff("exec", "served", "sh", "-c", "exit 7").status == 7
        r = skiff("exec", "-u", "app", "-w", "/tmp", "-e", "X=1", "served", "sh", "-c", "id -u; pwd; echo $X $HOME")
        assert (r.status, r.out) == (0, "1000\n/tmp\n1 /home/app\n"), r
        r = skiff("exec", "-i", "served", "sh", "-c", "tr a-z A-Z", stdin=b"typed\n")
        assert (r.status, r.out) == (0, "TYPED\n"), r
        assert skiff("exec", "served", "cat").out == "", "without -i stdin is /dev/null"
        r = skiff("exec", "served", "no-such-command")
        assert r.status == 127 and "executable file not found" in r.err, r
        r = skiff("exec", "-t", "served", "sh", "-c", "busybox tty; exit 3")
        assert r.status == 3 and re.fullmatch(r"/dev/pts/\d+\r\n", r.out), "a terminal of its own (ONLCR: \\r\\n)"
    finally:
        skiff("rm", "-f", "served")
    r = skiff("exec", "served", "true")
    assert r.status == 1 and "no such container" in r.err, r


def test_exec_into_a_stopped_container(skiff, base):
    assert skiff("run", "--name", "done", base, "true").status == 0
    try:
        r = skiff("exec", "done", "true")
        assert r.status == 1 and "is not running" in r.err, r
        r = skiff("top", "done")
        assert r.status == 1 and "is not running" in r.err, r
    finally:
        skiff("rm", "done")


def make_tree(root):
    os.makedirs(os.path.join(root, "tree", "sub"))
    with open(os.path.join(root, "tree", "run.sh"), "w") as f:
        f.write("#!/bin/sh\necho ran\n")
    os.chmod(os.path.join(root, "tree", "run.sh"), 0o755)
    with open(os.path.join(root, "tree", "sub", "note.txt"), "w") as f:
        f.write("note\n")
    os.symlink("sub/note.txt", os.path.join(root, "tree", "link"))


def test_cp_both_ways(skiff, base, tmp_path):
    host = str(tmp_path)
    make_tree(host)
    outside = os.path.join(host, "outside")
    os.mkdir(outside)
    run_detached(skiff, "--name", "files", base, "sh", "-c",
                 f"mkdir -p {outside}; ln -s {outside} /data/abs; ln -s ../../../../../../../.. /data/up; exec sleep 100")
    try:
        eventually(lambda: skiff("exec", "files", "test", "-L", "/data/up").status == 0, what="the symlinks")
        # Into a running container: a directory by its name, modes kept, symlinks as symlinks.
        r = skiff("cp", os.path.join(host, "tree"), "files:/data")
        assert (r.status, r.out) == (0, ""), r
        r = skiff("exec", "files", "sh", "-c", "/data/tree/run.sh; cat /data/tree/link; stat -c '%a %U' /data/tree/run.sh")
        assert (r.status, r.out) == (0, "ran\nnote\n755 root\n"), r
        # A file to a new name, a directory's contents with /.
        assert skiff("cp", os.path.join(host, "tree", "sub", "note.txt"), "files:/data/renamed.txt").status == 0
        assert skiff("cp", os.path.join(host, "tree", "sub") + "/.", "files:/data/flat").status == 0
        r = skiff("exec", "files", "sh", "-c", "cat /data/renamed.txt /data/flat/note.txt")
        assert r.out == "note\nnote\n", r

        # Escapes: .. stops at the container's root; symlinks resolve inside the container (which
        # has a directory at the same path as the host's `outside`).
        for destination in ["files:/../../../../../../" + outside.lstrip("/") + "/x1",
                            "files:/data/abs/x2", "files:/data/up" + outside + "/x3"]:
            r = skiff("cp", os.path.join(host, "tree", "run.sh"), destination)
            assert r.status == 0, r
        assert os.listdir(outside) == [], "nothing was written outside the container"
        r = skiff("exec", "files", "sh", "-c", f"cat {outside}/x1 {outside}/x2 {outside}/x3 | wc -l")
        assert r.out.split() == ["6"], "the escaping copies landed inside the container instead"

        # Out of a running container.
        r = skiff("cp", "files:/data/tree", os.path.join(host, "back"))
        assert r.status == 0, r
        with open(os.path.join(host, "back", "sub", "note.txt")) as f:
            assert f.read() == "note\n"
        assert os.stat(os.path.join(host, "back", "run.sh")).st_mode & 0o777 == 0o755
        assert os.readlink(os.path.join(host, "back", "link")) == "sub/note.txt"
        r = skiff("cp", "files:/../../../../etc/motd", os.path.join(host, "motd"))
        assert r.status == 0, r
        with open(os.path.join(host, "motd")) as f:
            assert f.read() == "motd from the upper layer\n", "the container's /etc/motd, not the host's"
        r = skiff("cp", "files:/data/up", os.path.join(host, "up"))
        assert r.status == 0 and os.path.islink(os.path.join(host, "up")), "a symlink is copied as a symlink, not followed"
        r = skiff("cp", "files:/no/such/file", host)
        assert r.status == 1 and "could not find" in r.err, r

        # A stopped container: both ways, kept for its next run.
        assert skiff("stop", "-t", "0", "files").status == 0
        assert skiff("cp", os.path.join(host, "tree", "sub", "note.txt"), "files:/root/").status == 0
        r = skiff("cp", "files:/data/renamed.txt", os.path.join(host, "renamed.txt"))
        assert r.status == 0 and open(os.path.join(host, "renamed.txt")).read() == "note\n", r
        assert skiff("start", "files").status == 0
        r = skiff("exec", "files", "cat", "/root/note.txt")
        assert (r.status, r.out) == (0, "note\n"), r

        r = skiff("cp", os.path.join(host, "tree"), os.path.join(host, "elsewhere"))
        assert r.status == 1 and "at least one container" in r.err, r
    finally:
        skiff("rm", "-f", "files")


def test_attach(skiff, base):
    run_detached(skiff, "-i", "--name", "listener", base, "sh", "-c", 'while read l; do echo "got $l"; done')
    try:
        attach = subprocess.Popen([skiff.binary, "attach", "listener"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=skiff.env(), bufsize=0)
        attach.stdin.write(b"one\n")
        attach.stdin.flush()
        assert read_line(attach.stdout) == b"got one\n", "typed input reaches the detached container, its output comes back"
        attach.stdin.close()
        assert skiff("kill", "listener").status == 0
        assert attach.wait(timeout=10) == 137, "attach ends with the container's status"
        assert skiff("logs", "listener").out == "got one\n"
        r = skiff("attach", "listener")
        assert r.status == 1 and "stopped container" in r.err, r
    finally:
        skiff("rm", "-f", "listener")
