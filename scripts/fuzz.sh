#!/usr/bin/env bash
# Builds Skiff's libFuzzer harnesses (Fuzz/Harnesses) and runs each for a bounded time on its
# committed seed corpus (Fuzz/Corpus/NAME). A crash, an address-sanitizer report or a broken
# invariant fails the script; libFuzzer keeps the input as Fuzz/Findings/crash-* (reproduce with
# `.build-fuzz/fuzz-NAME Fuzz/Findings/crash-…`, then make it a regression test).
#
#   scripts/fuzz.sh [SECONDS] [NAME...]    each fuzzer SECONDS (default 60); all when no NAME
#   scripts/fuzz.sh --build [NAME...]      build only
#   scripts/fuzz.sh --seeds [NAME...]      (re)write the committed seed corpus with the harnesses' own seed makers
#                                          (the regression-* inputs, former findings, are kept)
#
# `syscalls` is not a libFuzzer harness: it runs tests/containers/test_syscall_fuzz.py (a riscv64
# guest issuing random system calls under `skiff run`) for SECONDS, with $SKIFF (default
# .build/release/skiff, built by `swift build -c release`); SKIFF_SYSFUZZ_SEED picks its seed.
#
# Only the portable targets the harnesses need are compiled (no SwiftPM: its sanitizer build
# would rebuild every dependency), one module at a time as SwiftPM would, instrumented with
# -sanitize=fuzzer,address, into .build-fuzz/. Names: oci layers fsimage elf cpu x86 syscalls (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${SKIFF_FUZZ_BUILD:-.build-fuzz}   # where it builds (default .build-fuzz)
mkdir -p "$OUT/modules" Fuzz/Findings
ALL="oci layers fsimage elf cpu x86 syscalls"
SECONDS_EACH=60
MODE=run
case "${1:-}" in
  --build) MODE=build; shift ;;
  --seeds) MODE=seeds; shift ;;
  ''|*[!0-9]*) ;;
  *) SECONDS_EACH=$1; shift ;;
esac
NAMES=${*:-$ALL}
SAN="-sanitize=fuzzer,address"
FLAGS="-O -parse-as-library -enable-testing -package-name skiff -swift-version 5 -I $OUT/modules $SAN"
began=$SECONDS
# Other compiler flags than the last build's: start afresh.
[ "$(cat "$OUT/flags" 2>/dev/null)" = "$FLAGS" ] || { rm -f "$OUT"/modules/* "$OUT"/fuzz-*; echo "$FLAGS" > "$OUT/flags"; }

# What each module imports (Package.swift's target dependencies).
imports() {
  case $1 in
    X86|RISCVNative) echo RISCV ;;
    X86Native) echo X86 RISCV RISCVNative ;;
    ImageLayers) echo FSImage ;;
    LinuxKernel) echo RISCV X86 FSImage ;;
    PosixHost) echo LinuxKernel ;;
  esac
}

# module NAME: compiles Sources/NAME as module NAME when one of its sources or an imported module
# is newer than its object.
module() {
  local name=$1 obj="$OUT/modules/$1.o" dir="Sources/$1"
  [ "$1" = Crypto ] && dir=Fuzz/Harnesses/CryptoForParsing
  local inputs=$dir
  for d in $(imports "$1"); do inputs="$inputs $OUT/modules/$d.swiftmodule"; done
  local sources; sources=$(find "$dir" -name '*.swift' | sort)
  # shellcheck disable=SC2086
  if [ -f "$obj" ] && [ -z "$(find $inputs -newer "$obj" -type f | head -1)" ]; then return; fi
  echo "fuzz: compiling $name" >&2
  # shellcheck disable=SC2086
  swiftc $FLAGS -wmo -module-name "$name" -emit-module -emit-module-path "$OUT/modules/$name.swiftmodule" \
    $sources -c -o "$obj"
}
# The modules each harness needs, in dependency order (Package.swift's).
deps() {
  case $1 in
    layers) echo FSImage ImageLayers ;;
    fsimage) echo FSImage ;;
    cpu) echo FSImage RISCV RISCVNative ;;
    x86) echo FSImage RISCV RISCVNative X86 X86Native ;;
    elf) echo FSImage RISCV X86 LinuxKernel PosixHost ;;
    oci) echo FSImage Crypto ;;
  esac
}

# Sources compiled into a harness's own module: OCI's document parsers for `oci` (they import
# Foundation and, for hashing only, Crypto: the fuzz build gives them Fuzz/Harnesses/CryptoForParsing).
extra_sources() {
  case $1 in
    layers) echo Sources/OCI/Layers/LayerArchive.swift ;;
    oci) echo Sources/OCI/SkiffError.swift Sources/OCI/Content/*.swift Sources/OCI/Reference/*.swift \
              Sources/OCI/Support/*.swift Sources/OCI/Registry/AuthChallenge.swift \
              $(ls Sources/OCI/Store/*.swift | grep -v 'RootFilesystemCache\|StoreCheck') ;;
  esac
}

# Compiler and linker arguments a harness needs beyond its modules: `layers` reads layers with
# libarchive as skiff does (CArchive's headers, Sources/ArchiveLoader's loader, compiled by clang).
link_arguments() {
  case $1 in
    layers)
      local o="$OUT/modules/ArchiveLoader.o"
      if [ ! -f "$o" ] || [ Sources/ArchiveLoader/ArchiveLoader.c -nt "$o" ]; then
        echo "fuzz: compiling ArchiveLoader" >&2
        clang -O1 -fPIC -I Sources/ArchiveLoader/include -c Sources/ArchiveLoader/ArchiveLoader.c -o "$o"
      fi
      echo "-I Sources/CArchive $o -ldl" ;;
  esac
}

for n in $NAMES; do
  [ "$n" = syscalls ] && continue
  h="Fuzz/Harnesses/$n.swift"
  [ -f "$h" ] || { echo "fuzz: no harness $h (names: $ALL)" >&2; exit 2; }
  bin="$OUT/fuzz-$n"
  objects=""
  for m in $(deps "$n"); do module "$m"; objects="$objects $OUT/modules/$m.o"; done
  extra=$(extra_sources "$n")
  link=$(link_arguments "$n")
  # shellcheck disable=SC2086
  if [ ! -f "$bin" ] || [ -n "$(find "$h" Fuzz/Harnesses/Support $objects $extra -newer "$bin" -type f | head -1)" ]; then
    echo "fuzz: linking $bin" >&2
    # shellcheck disable=SC2086
    # (gold warns once per sanitizer symbol it cannot export: noise.)
    swiftc $FLAGS -module-name "Fuzz_$n" "$h" Fuzz/Harnesses/Support/*.swift $extra $objects $link -o "$bin" \
      2> >(grep -v "Cannot export local symbol '__asan" >&2)
  fi
done
echo "fuzz: built in $((SECONDS - began)) s" >&2
[ "$MODE" = build ] && exit 0
if [ "$MODE" = seeds ]; then
  for n in $NAMES; do
    [ "$n" = syscalls ] && continue
    # The made seeds are rewritten; findings kept as regression-* inputs stay.
    mkdir -p "Fuzz/Corpus/$n"; find "Fuzz/Corpus/$n" -type f ! -name 'regression-*' -delete
    SKIFF_FUZZ_SEEDS="Fuzz/Corpus/$n" "$OUT/fuzz-$n"
    if [ "$n" = layers ]; then
      # Compressed copies of the one-layer seeds, for libarchive's gzip and zstd filters.
      for t in Fuzz/Corpus/layers/plain.tar Fuzz/Corpus/layers/long-names.tar; do
        gzip -9n < "$t" > "$t.gz"; zstd -q -19 < "$t" > "$t.zst"
      done
    fi
    echo "fuzz: $n: $(ls "Fuzz/Corpus/$n" | wc -l) seeds" >&2
  done
  exit 0
fi

# Extra libFuzzer options and ASAN_OPTIONS. elf: a Kernel has no teardown (skiff frees it by
# exiting); the harness breaks the process/task cycle so each input's address space is freed (RSS
# stays near 700 MB), but the rest of a kernel may stay: no leak reports, and a larger RSS limit.
options() {
  case $1 in
    elf) echo -detect_leaks=0 -rss_limit_mb=4096 ;;
    *) echo -rss_limit_mb=2048 ;;
  esac
}
asan_options() {
  case $1 in
    elf) echo detect_leaks=0 ;;
  esac
}

# Swift's own crash handler would read the dying process's memory and trip the sanitizer
# itself; libFuzzer and the sanitizer report the crash.
export SWIFT_BACKTRACE=enable=no
# run_syscalls / run_libfuzzer NAME: one fuzzer for SECONDS_EACH; its verdict on stderr, its
# success as the status.
run_syscalls() {
  echo "fuzz: syscalls for ${SECONDS_EACH}s (tests/containers/test_syscall_fuzz.py)" >&2
  if SKIFF=${SKIFF:-$PWD/.build/release/skiff} SKIFF_SYSFUZZ_SECONDS=$SECONDS_EACH \
       SKIFF_FIXTURES=${SKIFF_FIXTURES:-$HOME/.cache/skiff-fixtures} \
       python3 -m pytest -q -s -p no:cacheprovider tests/containers/test_syscall_fuzz.py >"$OUT/fuzz-syscalls.log" 2>&1; then
    echo "fuzz: syscalls ok: $(grep -o 'SKIFF_SYSFUZZ_SEED=.*' "$OUT/fuzz-syscalls.log" | tail -1)" >&2
  else
    echo "fuzz: syscalls FAILED; the end of its log:" >&2
    tail -40 "$OUT/fuzz-syscalls.log" | sed 's/^/    /' >&2
    return 1
  fi
}
run_libfuzzer() {
  local n=$1 work="$OUT/corpus-$1" log="$OUT/fuzz-$1.log"   # work: the seeds plus what this run finds (never committed)
  mkdir -p "$work" "Fuzz/Corpus/$n"
  echo "fuzz: $n for ${SECONDS_EACH}s" >&2
  # shellcheck disable=SC2046
  if ASAN_OPTIONS=$(asan_options "$n") "$OUT/fuzz-$n" -max_total_time="$SECONDS_EACH" -timeout=20 -print_final_stats=1 $(options "$n") \
       -artifact_prefix="Fuzz/Findings/$n-" "$work" "Fuzz/Corpus/$n" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz: $n ok: $runs executions, $cov" >&2
  else
    echo "fuzz: $n FAILED (input kept in Fuzz/Findings/); the end of its log:" >&2
    tail -40 "$log" | sed 's/^/    /' >&2
    return 1
  fi
}

# The libFuzzer harnesses are single-threaded: SKIFF_FUZZ_JOBS of them (default: one per core) run
# at once, each for the whole SECONDS_EACH. The system-call fuzzer runs alone (it starts skiff).
jobs_max=${SKIFF_FUZZ_JOBS:-$(nproc)}
status=0
pids=""
for n in $NAMES; do
  [ "$n" = syscalls ] && continue
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 0.5; done
  run_libfuzzer "$n" &
  pids="$pids $!"
done
for p in $pids; do wait "$p" || status=1; done
case " $NAMES " in *" syscalls "*) run_syscalls || status=1 ;; esac
exit $status
