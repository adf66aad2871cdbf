#!/usr/bin/env python3
"""Skiff vs qemu-user on the same workloads in the same run (not a test: prints a table).

Each workload runs RUNS times under the reference (qemu-riscv64-static -L ROOT, or proot + qemu
for workloads that start other programs) and under `skiff run --rootfs ROOT`, alternating. Reported:
the median wall time of each, the ratio skiff/reference, the geometric mean of the ratios, the
same ratio for CPU time (user + system: the fairer figure when other work shares the machine), and
the peak RSS of each (ru_maxrss of the process and the descendants it waited for). The two
outputs must be identical, or the skiff figure is marked WRONG and left out of the mean. Last,
start-up: `busybox echo hi` run directly (no wrapper), median wall and CPU time of each. The
machine's load average is printed first and last: wall times mean little on a busy machine.

With `--arch amd64` the root is an amd64 Debian tree, C benchmark and all, and the reference
qemu-x86_64-static (issue 12: the x86-64 interpreter against qemu-x86_64).

Usage: bench.py --skiff PATH --root DEBIAN_ROOT --bench-root CBENCH_ROOT [--arch riscv64|amd64] [--runs N] [--only NAME...] [--kernels]
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
DATA = "/tmp/skiff-bench"  # inside the root
QEMU = {"riscv64": "qemu-riscv64-static", "amd64": "qemu-x86_64-static"}
qemu = QEMU["riscv64"]  # the reference of this run (--arch)


def read(name):
    with open(os.path.join(HERE, "workloads", name)) as f:
        return f.read()


def workloads(args):
    """(name, root, argv, stdin, reference kind, group)."""
    R, B = args.root, args.bench_root
    cpu = [
        ("c-bench (all kernels)", B, ["/cbench"], None, "qemu", "cpu"),
        ("python3 loops", R, ["/usr/bin/python3.13", "-c", read("loop.py")], None, "qemu", "cpu"),
        ("lua5.4", R, ["/usr/bin/lua5.4", "-e", "\n" + read("bench.lua")], None, "qemu", "cpu"),
        ("sqlite3 inserts+query", R, ["/usr/bin/sqlite3", ":memory:"], read("bench.sql").encode(), "qemu", "cpu"),
        ("gzip -6 of 8 MB", R, ["/usr/bin/gzip", "-c", "-6", f"{DATA}/data-8m.bin"], None, "qemu", "cpu"),
        ("sha256sum of 32 MB", R, ["/usr/bin/sha256sum", f"{DATA}/data-32m.bin"], None, "qemu", "cpu"),
        ("python3 threads", R, ["/usr/bin/python3.13", "-c", read("threads.py")], None, "qemu", "cpu"),
    ]
    procs = [
        ("fork: 200 subshells", R, ["/usr/bin/bash", "-c", "for i in $(seq 200); do (true); done; echo done"], None, "proot", "processes"),
        ("exec: 200 x /usr/bin/true", R, ["/usr/bin/bash", "-c", "for i in $(seq 200); do /usr/bin/true; done; echo done"], None, "proot", "processes"),
        ("pipeline: 50 x seq|sort|wc", R, ["/usr/bin/bash", "-c", "for i in $(seq 50); do seq 100 | sort -r | wc -l; done | tail -1"], None, "proot", "processes"),
    ]
    kernels = [(f"  c-bench kernel: {k}", B, ["/cbench", k], None, "qemu", "c-kernels")
               for k in ("hash", "sort", "nbody", "mandel", "matf", "mixf", "memcpy", "strings")] if args.kernels else []
    return cpu + kernels + procs


def make_data(root):
    d = os.path.join(root, DATA.lstrip("/"))
    os.makedirs(d, exist_ok=True)
    for name, size in (("data-8m.bin", 8 << 20), ("data-32m.bin", 32 << 20)):
        path = os.path.join(d, name)
        if os.path.exists(path) and os.path.getsize(path) == size:
            continue
        # Alternating 64 KiB blocks: text-like (compressible) and pseudo-random bytes.
        x = 12345
        with open(path + ".tmp", "wb") as f:
            for block in range(size >> 16):
                chunk = bytearray()
                while len(chunk) < 65536:
                    x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
                    chunk += x.to_bytes(8, "little") if block & 1 else b"line %d value %d\n" % (block, x % 1000)
                f.write(chunk[:65536])
        os.replace(path + ".tmp", path)


def command(kind, root, argv, skiff):
    if kind == "skiff":
        cmd = [skiff, "run", "--rootfs", root]
        for k, v in GUEST_ENV.items():
            cmd += ["-e", f"{k}={v}"]
        return cmd + argv, None, None
    if kind == "proot":
        # amd64 on this x86-64 host: proot alone (the host CPU), as the amd64 tests' reference.
        emulator = ["-q", qemu] if qemu != QEMU["amd64"] else []
        return ["proot", *emulator, "-r", root, "-b", "/dev", "-b", "/proc", "-w", "/"] + argv, GUEST_ENV, None
    return [qemu, "-L", root, "-0", argv[0], root + argv[0]] + argv[1:], GUEST_ENV, root


def run_once(cmd, env, cwd, stdin):
    """Wall time (s), CPU time (s, user + system), peak RSS (MiB), status, stdout, stderr. The
    command runs under GNU time, whose %M is the peak RSS of the command and the descendants it
    waited for (measured in a small process: a child forked from this Python would inherit its
    RSS high-water mark), and %U %S its CPU time and theirs."""
    fd, rss_file = tempfile.mkstemp(prefix="skiff-bench-rss.")
    os.close(fd)
    cmd = ["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", rss_file] + cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=cwd)
    if stdin:
        try:
            p.stdin.write(stdin)
        except BrokenPipeError:
            pass
        p.stdin.close()
    out = p.stdout.read()
    err = p.stderr.read()
    status = p.wait()
    elapsed = time.perf_counter() - t0
    with open(rss_file) as f:
        lines = f.read().split()
    os.unlink(rss_file)
    try:
        rss_kib, cpu = int(lines[-3]), float(lines[-2]) + float(lines[-1])
    except (IndexError, ValueError):
        rss_kib, cpu = 0, elapsed
    return elapsed, cpu, rss_kib / 1024.0, status, out, err


def run_direct(cmd, env):
    """Wall and CPU time (s) of one run without a wrapper (for start-up), status, stdout."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, env if env is not None else os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_CLOSE, r),
                                        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)])
    os.close(w)
    out = b""
    while chunk := os.read(r, 65536):
        out += chunk
    os.close(r)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - t0
    return elapsed, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status), out


def load_average():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def fmt_time(t):
    return f"{t:8.3f}" if t is not None else "       -"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--bench-root", required=True)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--kernels", action="store_true", help="also time each C benchmark kernel on its own")
    ap.add_argument("--arch", choices=sorted(QEMU), default="riscv64")
    args = ap.parse_args()
    global qemu
    qemu = QEMU[args.arch]
    make_data(args.root)

    print(f"load average at start: {load_average()}")
    rows = []
    for name, root, argv, stdin, refkind, group in workloads(args):
        if args.only and not any(o in name for o in args.only):
            continue
        times = {refkind: [], "skiff": []}
        cpus = {refkind: [], "skiff": []}
        rss = {refkind: 0.0, "skiff": 0.0}
        outs = {}
        failed = None
        for _ in range(args.runs):
            for kind in (refkind, "skiff"):
                cmd, env, cwd = command(kind, root, argv, args.skiff)
                t, c, r, status, out, err = run_once(cmd, env, cwd, stdin)
                if status != 0:
                    if kind == "skiff":
                        failed = f"status {status}: {err.decode(errors='replace').strip().splitlines()[-1:] }"
                        continue
                    sys.exit(f"reference failed on {name}: status {status}\n{err.decode(errors='replace')}")
                times[kind].append(t)
                cpus[kind].append(c)
                rss[kind] = max(rss[kind], r)
                outs.setdefault(kind, out)
            if failed:
                break
        ref_t = statistics.median(times[refkind])
        sk_t = statistics.median(times["skiff"]) if times["skiff"] else None
        ref_c = statistics.median(cpus[refkind])
        sk_c = statistics.median(cpus["skiff"]) if cpus["skiff"] else None
        note = ""
        if failed:
            note = "FAILED " + failed
        elif outs.get("skiff") != outs.get(refkind):
            note = "WRONG OUTPUT"
        rows.append((name, group, refkind, ref_t, sk_t, rss[refkind], rss["skiff"], note, ref_c, sk_c))
        ratio = f"{sk_t / ref_t:6.2f}x" if sk_t and not note else "     - "
        cpu_ratio = f"{sk_c / ref_c:6.2f}x" if sk_c and ref_c and not note else "     - "
        print(f"{name:30s} {refkind:5s} {fmt_time(ref_t)} s  skiff {fmt_time(sk_t)} s  {ratio}  "
              f"CPU {fmt_time(ref_c)} / {fmt_time(sk_c)} s {cpu_ratio}  "
              f"RSS {rss[refkind]:7.1f} / {rss['skiff']:7.1f} MiB  {note}", flush=True)

    print()
    for group in ("cpu", "c-kernels", "processes"):
        ratios = [r[4] / r[3] for r in rows if r[1] == group and r[4] and not r[7]]
        cpu_ratios = [r[9] / r[8] for r in rows if r[1] == group and r[9] and r[8] and not r[7]]
        n_all = sum(1 for r in rows if r[1] == group)
        if ratios:
            gm = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
            gm_cpu = math.exp(sum(math.log(x) for x in cpu_ratios) / len(cpu_ratios)) if cpu_ratios else float("nan")
            print(f"geometric mean skiff/reference ({group}): {gm:.2f}x wall, {gm_cpu:.2f}x CPU "
                  f"over {len(ratios)} of {n_all} workloads")
        elif n_all:
            print(f"geometric mean skiff/reference ({group}): n/a (no workload ran correctly under skiff)")

    # Start-up: busybox echo, many runs, alternating, each spawned directly (no wrapper).
    n = 30
    ts = {"qemu": [], "skiff": []}
    cs = {"qemu": [], "skiff": []}
    for _ in range(n):
        for kind in ("qemu", "skiff"):
            if ts[kind] is None:
                continue
            cmd, env, _ = command(kind, args.root, ["/usr/bin/busybox", "echo", "hi"], args.skiff)
            t, c, status, out = run_direct(cmd, env)
            if status != 0 or out != b"hi\n":
                ts[kind] = None
                continue
            ts[kind].append(t)
            cs[kind].append(c)
    for kind in ("qemu", "skiff"):
        if ts[kind]:
            print(f"startup busybox echo, {kind:5s}: median {statistics.median(ts[kind]) * 1000:6.1f} ms wall "
                  f"(min {min(ts[kind]) * 1000:5.1f}), {statistics.median(cs[kind]) * 1000:5.1f} ms CPU ({n} runs)")
        else:
            print(f"startup busybox echo, {kind:5s}: FAILED")
    print(f"load average at end: {load_average()}")

if __name__ == "__main__":
    main()
