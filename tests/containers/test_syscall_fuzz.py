"""The system-call fuzzer (issue 15): programs/sysfuzz.c, a riscv64 guest issuing random system
calls with random arguments and pointers, one forked batch after another, run by `skiff run
--network none` with no mounts. Skiff must never crash or abort (the guest's batches may die of
signals; the fuzzer's own exit status comes back as skiff's, and skiff's stderr shows no trap), the
host must answer while it runs, and nothing outside the container's writable layer may change (a
sentinel tree beside the store, and the store itself, are hashed before and after).

SKIFF_SYSFUZZ_SECONDS (default 20; scripts/fuzz.sh passes its SECONDS) bounds the run;
SKIFF_SYSFUZZ_SEED picks the seed (default: the time, printed). Inputs that found bugs are replayed
first (REGRESSIONS: seed, first batch, batches, calls per batch)."""
import hashlib
import io
import os
import subprocess
import tarfile
import tempfile
import time

import pytest

from conftest import HERE, Skiff, skiff_binary

SECONDS = float(os.environ.get("SKIFF_SYSFUZZ_SECONDS", "20"))
SEED = int(os.environ.get("SKIFF_SYSFUZZ_SEED", str(int(time.time()))))
CALLS = 300
REGRESSIONS = [
    (1, 23, 1, CALLS),  # mincore with a length near 2^64: skiff allocated 2^52 bytes and aborted
    # Batch 134 leaves a FIFO at /etc/motd in the writable layer, batch 787 truncate(2)s it: the
    # kernel opened it for writing, which waited for a reader and stopped every task.
    (1796663212, 134, 654, CALLS),
]
# What a host-side crash prints: Swift's runtime traps and its backtracer, the sanitizers.
TRAPS = ("Fatal error", "Program crashed", "Illegal instruction", "Segmentation fault", "AddressSanitizer",
         "Assertion failed", "Precondition failed", "Trace/breakpoint trap")


@pytest.fixture(scope="module")
def fuzz_store(work):
    program = os.path.join(work, "sysfuzz")
    subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-o", program,
                    os.path.join(HERE, "programs", "sysfuzz.c")], check=True)
    archive = os.path.join(work, "sysfuzz.tar")
    with tarfile.open(archive, "w") as t:
        for name, mode in (("tmp", 0o1777), ("etc", 0o755), ("dev", 0o755), ("proc", 0o755), ("sys", 0o755)):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, mode
            t.addfile(info)
        for name, data, mode in (("etc/motd", b"the image's file\n", 0o644), ("sysfuzz", open(program, "rb").read(), 0o755)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            t.addfile(info, io.BytesIO(data))
    skiff = Skiff(skiff_binary(), tempfile.mkdtemp(dir=work, prefix="sysfuzz-home-"))
    r = skiff("import", archive, "sysfuzz:1")
    assert r.status == 0, r
    # One run first: the root filesystem cache is made once, before the store is hashed.
    assert fuzz(skiff, 0, 0, CALLS, 0, 0).wait() == 0
    return skiff


def fuzz(skiff, seed, seconds, calls, first=0, count=-1):
    """Starts `skiff run` of the fuzzer in a container with no network and no mounts."""
    return subprocess.Popen([skiff.binary, "run", "--rm", "--network", "none", "--pids-limit", "64",
                             "sysfuzz:1", "/sysfuzz", str(seed), str(seconds), str(calls), str(first), str(count)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=skiff.env(), start_new_session=True)


def tree_digest(root):
    """Every entry's path, type and mode; for files also size, mtime and content (symlinks:
    target). Paths as bytes: a guest's names need not be UTF-8."""
    h = hashlib.sha256()
    root = os.fsencode(root)
    for directory, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(dirs + files):
            p = os.path.join(directory, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            # (A directory's size and mtime change with the entries made and removed inside it:
            # its container's directory, in the store. Its entries are compared themselves.)
            if os.path.isdir(p) and not os.path.islink(p):
                h.update(rel + f" {st.st_mode:o}\n".encode())
                continue
            h.update(rel + f" {st.st_mode:o} {st.st_size} {st.st_mtime_ns}\n".encode())
            if os.path.islink(p):
                h.update(os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def sentinel_tree(work):
    root = os.path.join(work, "sysfuzz-sentinel")
    if not os.path.isdir(root):
        os.makedirs(os.path.join(root, "sub"))
        for name in ("a", "sub/b", "f", "tmp"):
            with open(os.path.join(root, name), "w") as f:
                f.write(f"sentinel {name}\n")
        os.symlink("a", os.path.join(root, "link"))
    return root


def run_checked(skiff, seed, seconds, calls, first=0, count=-1):
    """Runs the fuzzer; while it runs, the host must answer `skiff images` within 15 s."""
    p = fuzz(skiff, seed, seconds, calls, first, count)
    slowest = 0.0
    # A batch is killed after 3 s; the whole run ends within its seconds and the last batch's.
    deadline = time.monotonic() + seconds + 120
    while p.poll() is None:
        if time.monotonic() > deadline:
            os.killpg(p.pid, 9)
            p.communicate()
            pytest.fail(f"sysfuzz seed {seed} did not end (first {first}, count {count})")
        began = time.monotonic()
        assert skiff("images").status == 0
        slowest = max(slowest, time.monotonic() - began)
        time.sleep(2)
    out, err = p.communicate()
    out, err = out.decode(errors="replace"), err.decode(errors="replace")
    print(f"SKIFF_SYSFUZZ_SEED={seed}: {out.strip()} (slowest `skiff images` meanwhile {slowest:.1f} s)")
    assert p.returncode == 0, f"skiff exited {p.returncode} (seed {seed}); stderr:\n{err[-3000:]}"
    assert not any(t in err for t in TRAPS), f"seed {seed}: {err[-3000:]}"
    assert out.startswith(f"sysfuzz: seed {seed}:"), out
    assert slowest < 15, f"the host took {slowest:.1f} s to answer while the fuzzer ran"
    return out


@pytest.mark.parametrize("seed,first,count,calls", REGRESSIONS)
def test_regression(fuzz_store, seed, first, count, calls):
    run_checked(fuzz_store, seed, 0, calls, first, count)


def test_random_system_calls_stay_inside_the_container(fuzz_store, work):
    sentinel = sentinel_tree(work)
    before = (tree_digest(sentinel), tree_digest(fuzz_store.home))
    out = run_checked(fuzz_store, SEED, SECONDS, CALLS)
    batches = int(out.split(": ")[2].split()[0])  # sysfuzz: seed S: B batches of ...
    assert batches > 0, out
    assert (tree_digest(sentinel), tree_digest(fuzz_store.home)) == before, \
        f"seed {SEED}: something outside the container's writable layer changed"
    # And Skiff still runs containers.
    r = fuzz_store("run", "--rm", "--network", "none", "sysfuzz:1", "/sysfuzz", "1", "0", "10", "0", "1")
    assert r.status == 0 and "1 batches" in r.out, r
