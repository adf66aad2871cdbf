"""Hostile guests (issue 15) the other tests do not cover: descriptors opened without end, a pipe
flooded by a writer whose reader never reads, a guest that spins without ever making a system call.
Each hits Linux's behaviour (EMFILE at the descriptor limit; the writer blocks, then SIGPIPE;
`skiff stop` ends the spinner) and the host stays responsive. Memory (--memory: ENOMEM, then the
OOM kill with 137) and fork bombs (--pids-limit: EAGAIN) are in test_limits.py."""
import os
import tarfile
import time

from test_detached import eventually, ps_status, run_detached


def test_descriptors_without_end_get_emfile(skiff, base):
    r = skiff("run", "--rm", base, "probe", "fds", "0")
    assert r.status == 0, r
    words = r.out.split()  # open up to N: EMFILE; limit L
    assert words[4] == "EMFILE;", r
    assert int(words[3].rstrip(":")) == int(words[6]) - 1, "every descriptor below the limit was used"
    assert skiff("run", "--rm", base, "true").status == 0  # and the host is fine


def test_pipe_flood_blocks_the_writer_then_sigpipe(skiff, base):
    began = time.monotonic()
    # yes writes without end into a pipe whose reader sleeps and exits without reading: yes
    # blocks on the full pipe (no host memory grows), then dies of SIGPIPE (141 in PIPESTATUS).
    r = skiff("run", "--rm", base, "sh", "-c", "yes | sleep 1; echo reader done")
    assert (r.status, r.out) == (0, "reader done\n"), r
    assert time.monotonic() - began < 60


def test_spinning_guest_is_stopped(skiff, base):
    run_detached(skiff, "--name", "spinner", base, "sh", "-c", "echo ready; while :; do :; done")
    try:
        eventually(lambda: skiff("logs", "spinner").out == "ready\n", what="the spinner")
        started = time.monotonic()
        assert skiff("ps").status == 0  # the host answers while the guest spins
        r = skiff("stop", "-t", "1", "spinner")
        assert r.status == 0, r
        assert time.monotonic() - started < 10
        assert "Exited (143)" in ps_status(skiff, "spinner") or "Exited (137)" in ps_status(skiff, "spinner")
    finally:
        skiff("rm", "-f", "spinner")


def test_container_with_names_that_are_not_utf8_is_removed(skiff, base):
    # The system-call fuzzer's finding: names made by the guest that are not UTF-8 left `skiff rm`
    # (and --rm) reporting success while the container stayed in the store.
    r = skiff("run", "--name", "not-utf8", base, "sh", "-c", r'mkdir /data/d; touch "/data/$(printf "\377\376")" "/data/d/$(printf "\301<")"')
    assert r.status == 0, r
    assert skiff("rm", "not-utf8").status == 0
    assert "not-utf8" not in skiff("ps", "-a").out
    containers = os.path.join(skiff.home, "containers")
    assert all(not any(b"\xff\xfe" in n for _, _, names in os.walk(os.fsencode(os.path.join(containers, c)))
                       for n in names) for c in os.listdir(containers)), "the container's layer was left behind"
    r = skiff("run", "--rm", base, "sh", "-c", r'touch "/data/$(printf "\377\376")"')
    assert r.status == 0, r
    assert not any(b"\xff\xfe" in n for _, _, names in os.walk(os.fsencode(containers)) for n in names)


NOT_UTF8 = b"\xff\xfe"


def test_names_that_are_not_utf8_survive_export_commit_and_cp(skiff, base, tmp_path):
    # A guest's names are bytes: export, commit and cp carried them as Strings (U+FFFD), so each
    # failed with ENOENT on the first such name and wrote nothing.
    script = ('cd /data && mkdir nu && cd nu && b=$(printf "\\377\\376") && mkdir "d$b" && '
              'echo one > "d$b/f$b" && ln -s "t$b" "l$b" && ln "d$b/f$b" "h$b"')
    assert skiff("run", "--name", "names", base, "sh", "-c", script).status == 0
    try:
        exported = tmp_path / "export.tar"
        r = skiff("export", "names", "-o", str(exported))
        assert r.status == 0, r
        with tarfile.open(exported, encoding="utf-8", errors="surrogateescape") as t:
            members = {os.fsencode(m.name.rstrip("/")): m for m in t.getmembers()}
            f = members[b"data/nu/d" + NOT_UTF8 + b"/f" + NOT_UTF8]
            assert f.isfile() and t.extractfile(f).read() == b"one\n"
            assert os.fsencode(members[b"data/nu/l" + NOT_UTF8].linkname) == b"t" + NOT_UTF8
            h = members[b"data/nu/h" + NOT_UTF8]
            assert h.islnk() and os.fsencode(h.linkname) == b"data/nu/d" + NOT_UTF8 + b"/f" + NOT_UTF8

        out = tmp_path / "out"
        r = skiff("cp", "names:/data/nu", str(out))
        assert r.status == 0, r
        assert sorted(os.listdir(os.fsencode(out))) == [b"d" + NOT_UTF8, b"h" + NOT_UTF8, b"l" + NOT_UTF8]
        assert os.readlink(os.fsencode(out) + b"/l" + NOT_UTF8) == b"t" + NOT_UTF8
        with open(os.fsencode(out) + b"/d" + NOT_UTF8 + b"/f" + NOT_UTF8, "rb") as f:
            assert f.read() == b"one\n"

        # Into the container: the names below the path given (arguments are taken as UTF-8).
        source = os.fsencode(tmp_path) + b"/in"
        os.makedirs(source + b"/s" + NOT_UTF8)
        with open(source + b"/s" + NOT_UTF8 + b"/g" + NOT_UTF8, "wb") as f:
            f.write(b"two\n")
        r = skiff("cp", os.fsdecode(source), "names:/data")
        assert r.status == 0, r

        # The committed layer holds every name as the guest wrote it.
        r = skiff("commit", "names", "committed/names:1")
        assert r.status == 0, r
        r = skiff("run", "--rm", "committed/names:1", "sh", "-c",
                  "cd /data && cat nu/h* in/s*/g* && for f in nu/* in/s*/*; do echo $f; done | od -An -tx1 && readlink nu/l* | od -An -tx1")
        assert r.status == 0, r
        lines = r.out.split("\n")
        assert lines[:2] == ["one", "two"], r
        hex_out = " ".join(lines[2:]).split()
        listing = bytes(int(x, 16) for x in hex_out[:-4])
        assert listing == b"nu/d\xff\xfe\nnu/h\xff\xfe\nnu/l\xff\xfe\nin/s\xff\xfe/g\xff\xfe\n", listing
        assert bytes(int(x, 16) for x in hex_out[-4:]) == b"t\xff\xfe\n"
    finally:
        skiff("rm", "-f", "names")
