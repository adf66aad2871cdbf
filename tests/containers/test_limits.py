"""--memory, --pids-limit and signals forwarded to the container."""
import os
import signal
import subprocess
import time


def test_memory_request_over_limit_fails_with_enomem(skiff, base):
    r = skiff("run", "--rm", "--memory", "32m", base, "probe", "big", "64")
    assert (r.status, r.out) == (1, "mmap: Cannot allocate memory\n"), r
    # Without a limit the same mapping succeeds.
    r = skiff("run", "--rm", base, "probe", "big", "64")
    assert (r.status, r.out) == (0, "mapped\n"), r


def test_touching_memory_over_limit_is_oom_killed(skiff, base):
    r = skiff("run", "--rm", "--memory", "32m", base, "probe", "touch", "64")
    assert r.status == 137, r
    assert r.out.startswith("reserved 64 MiB\n") and "touched 64 MiB" not in r.out, r
    r = skiff("run", "--rm", "--memory", "128m", base, "probe", "touch", "64")
    assert r.status == 0 and r.out.endswith("touched 64 MiB\n"), r


def test_bad_memory_value(skiff, base):
    for value in ["lots", "1m", "0", "12x"]:
        r = skiff("run", "--rm", "--memory", value, base, "true")
        assert r.status == 125 and "--memory" in r.err, r


def test_pids_limit(skiff, base):
    script = "for i in 1 2 3 4 5 6; do sleep 1 & done; wait; echo finished"
    r = skiff("run", "--rm", "--pids-limit", "4", base, "sh", "-c", script)
    assert "Resource temporarily unavailable" in r.err or "can't fork" in r.err, r
    r = skiff("run", "--rm", "--pids-limit", "20", base, "sh", "-c", script)
    assert (r.status, r.out) == (0, "finished\n"), r


def test_sigterm_is_forwarded_to_the_container(skiff, base):
    p = subprocess.Popen([skiff.binary, "run", "--rm", base, "sh", "-c",
                          "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=skiff.env())
    assert p.stdout.readline() == b"ready\n"
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert (p.returncode, out) == (7, b"got TERM\n"), err


def test_init_reaps_orphans(skiff, base):
    # As on Linux, the first process adopts orphans and can wait for them...
    r = skiff("run", "--rm", base, "probe", "orphan", "0")
    assert (r.status, r.out) == (0, "reaped orphan, exit 7\n"), r
    # ...and with --init the kernel reaps them (docker's --init), so none is left to wait for.
    r = skiff("run", "--rm", "--init", base, "probe", "orphan", "0")
    assert (r.status, r.out) == (0, "wait: No child processes\n"), r


def test_storage_cap_gives_enospc_and_df_shows_it(skiff, base):
    # dd asks for 4 MiB under a 2 MiB cap: it writes what fits, then ENOSPC (dd exits 1); df shows
    # the cap; an append fails too; after the file is removed the container writes again.
    script = ("dd if=/dev/zero of=/data/big bs=64k count=64 2>/dev/null; echo dd $?; "
              "wc -c < /data/big; df -k / | tail -1 | awk '{print $2}'; "
              "echo more >> /data/big; echo append $?; "
              "rm /data/big; dd if=/dev/zero of=/data/again bs=64k count=16 2>/dev/null; echo again $?; "
              "wc -c < /data/again")
    r = skiff("run", "--rm", "--storage-opt", "size=2m", base, "sh", "-c", script)
    assert r.status == 0, r
    assert r.out.split() == ["dd", "1", "2097152", "2048", "append", "1", "again", "0", "1048576"], r
    assert "No space left on device" in r.err, r
    # Without the option the default cap (10 GiB) leaves the same writes alone.
    r = skiff("run", "--rm", base, "sh", "-c", "dd if=/dev/zero of=/data/big bs=64k count=64 2>/dev/null; echo dd $?")
    assert r.out == "dd 0\n", r


def test_bad_storage_options(skiff, base):
    for value in ["size=lots", "size=0", "size=", "quota=1g", "size"]:
        r = skiff("run", "--rm", "--storage-opt", value, base, "true")
        assert r.status == 125 and "--storage-opt" in r.err, r



def test_storage_cap_counts_what_the_layer_held_at_start(skiff, base):
    # The first run appends 1.5 MiB (to a name that is not UTF-8); started again, the container
    # finds it counted: of 1.5 MiB more only 0.5 MiB fits under the 2 MiB cap.
    script = r'f="/data/$(printf "\377")"; head -c 1572864 /dev/zero >> "$f"; echo $?; wc -c < "$f"'
    r = skiff("run", "--name", "capped", "--storage-opt", "size=2m", base, "sh", "-c", script)
    try:
        assert (r.status, r.out.split()) == (0, ["0", "1572864"]), r
        r = skiff("start", "-a", "capped")
        assert (r.status, r.out.split()) == (0, ["1", "2097152"]), r
    finally:
        skiff("rm", "-f", "capped")
