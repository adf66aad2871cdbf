#!/usr/bin/env bash
# CPython's own regression tests for the OS-facing modules (issue 9), under skiff and under the
# reference (proot + qemu-riscv64-static: many modules start subprocesses, which qemu alone
# cannot follow), compared test by test. Debian's libpython3.13-testsuite is laid out by
# `scripts/fixtures.sh --python-tests`. For every module: each side's verdict and time, then every
# test whose result differs (a test that passes under the reference must pass under skiff).
# Heavy (minutes per module on each side), so a bench script rather than a CI test.
# The reference's system calls are the host's, made by the user running this script: test_time
# is left out of the defaults because, run as root, its clock_settime tests really move the
# host's clock (an hour back and forth) — name it only as an unprivileged user; the reference
# runs in a UTS namespace of its own (unshare --uts) so test_socket's sethostname stays there.
#
#   bench/python-regrtest.sh [MODULE...]
#
# Environment: SKIFF (default: release build), SKIFF_FIXTURES, SKIFF_BENCH_TIMEOUT (seconds per
# module and side, default 1200), KEEP=DIR keeps the verbose logs there.
set -euo pipefail
cd "$(dirname "$0")/.."
MODULES=${*:-test_os test_posix test_subprocess test_signal test_select test_selectors test_socket test_fcntl test_mmap test_threading test_tempfile test_shutil test_pty test_io test_asyncio}
ROOT=$(scripts/fixtures.sh --python-tests | tail -1)/rootfs/python-tests
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
limit=${SKIFF_BENCH_TIMEOUT:-1200}
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$out"' EXIT

# As bench/waiting.sh: byte-compile once so no run pays for writing __pycache__.
"$SKIFF" run --rootfs "$ROOT" /usr/bin/python3.13 -m compileall -q /usr/lib/python3.13 >/dev/null 2>&1 || true

run() { # side module -> seconds
  local side=$1 module=$2 start end
  start=$(date +%s.%N)
  # Each side runs in its own empty directory (regrtest writes its temporary files there).
  rm -rf "$ROOT/tmp/regrtest-$side-$module"; mkdir -p "$ROOT/tmp/regrtest-$side-$module"
  if [ "$side" = skiff ]; then
    timeout -k 10 "$limit" "$SKIFF" run --rootfs "$ROOT" -w "/tmp/regrtest-$side-$module" -e HOME=/root \
      /usr/bin/python3.13 -m test -v "$module" >"$out/$side-$module.log" 2>&1 || true
  else
    timeout -k 10 "$limit" python3 -c 'import os, sys; sys.path.insert(0, "tests/differential"); import harness; harness.proot_child(); os.execvp(sys.argv[1], sys.argv[1:])' \
      unshare --uts proot -q qemu-riscv64-static -r "$ROOT" -b /dev -b /proc -w "/tmp/regrtest-$side-$module" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root \
      /usr/bin/python3.13 -m test -v "$module" >"$out/$side-$module.log" 2>&1 || true
  fi
  end=$(date +%s.%N)
  rm -rf "$ROOT/tmp/regrtest-$side-$module"
  echo "$end - $start" | bc
}

echo "skiff: $SKIFF"
echo "qemu:  $(qemu-riscv64-static --version | head -1) under proot"
echo "host:  $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
for m in $MODULES; do
  tr=$(run reference "$m"); ts=$(run skiff "$m")
  python3 - "$m" "$out/reference-$m.log" "$out/skiff-$m.log" "$tr" "$ts" <<'EOF'
import re, sys
module, ref_log, skiff_log, tr, ts = sys.argv[1:]
start = re.compile(r"^(test\w+) \(([\w.]+)\)", re.M)
# A verdict after " ... ", or alone on a later line (asyncio's slow-callback warnings come between).
outcome = re.compile(r"(?:\.\.\. |^)(ok|FAIL|ERROR|skipped|expected failure|unexpected success)\b", re.M)
def results(path):
    text = open(path, errors="replace").read()
    # Leave out the tracebacks: each suite's failures come between a rule of "=" and its "Ran N
    # tests" line, and packages such as test_asyncio run one suite per submodule, so tests are
    # listed after the first suite's tracebacks too.
    body = re.sub(r"^={20,}$.*?^Ran \d+ tests? in", "", text, flags=re.M | re.S)
    starts = list(start.finditer(body))
    got = {}
    for i, m in enumerate(starts):
        v = outcome.search(body, m.end(), starts[i + 1].start() if i + 1 < len(starts) else len(body))
        if v:
            got[m.group(2)] = v.group(1)
    verdict = re.findall(r"^Result: (.*)$", text, re.M)
    return got, verdict[-1] if verdict else "no result (crashed or timed out)"
ref, rv = results(ref_log)
got, sv = results(skiff_log)
passed = lambda r: r in ("ok", "expected failure", "skipped")
print(f"\n{module}: reference {float(tr):.0f} s, {rv}, {sum(1 for v in ref.values() if v == 'ok')}/{len(ref)} ok;"
      f" skiff {float(ts):.0f} s, {sv}, {sum(1 for v in got.values() if v == 'ok')}/{len(got)} ok")
for name in sorted(set(ref) | set(got)):
    a, b = ref.get(name, "not run"), got.get(name, "not run")
    if a != b and not (a == "ok" and b == "ok"):
        mark = "WORSE" if passed(a) and not passed(b) or (a == "ok" and b != "ok") else "differs"
        print(f"  {mark:7} {name}: reference {a}, skiff {b}")
EOF
done
