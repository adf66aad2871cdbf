#!/usr/bin/env bash
# Heavy programs (issue 9): compilers, build tools and JIT runtimes, timed under skiff and under
# proot + qemu-riscv64-static on the same root in the same run. Startup-heavy work (gcc's
# cc1/as/collect2/ld per file, go build's many short tool runs) shows what short-lived processes
# and the native tier's compile cost; the runtimes show JIT code generation under emulation.
# Prints per workload the wall time of each side (median of RUNS) and the ratio skiff/reference.
#
#   bench/heavy.sh [RUNS] [WORKLOAD...]     (default 1 run of every workload)
#
# Workloads: gcc (compile and link a 2,000-line C file at -O2), make (a 16-file project, -j2),
# git (commit 200 files, gc), ruby, php, luajit, tcl (a small CPU benchmark each),
# postgres (initdb, start, pgbench -i -s 1, 2 clients x 250 TPC-B transactions, stop: shared
# memory, semaphores and a process per connection), node (the same benchmark), gobuild (go build
# of hello world with a cold cache), java (java Hello.java), erlang. The last four need `scripts/fixtures.sh --runtimes` (~250 MB).
# Environment: SKIFF (default: release build), SKIFF_FIXTURES, SKIFF_BENCH_TIMEOUT (default 900).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1}
shift || true
WORKLOADS=${*:-gcc make git ruby php luajit tcl postgres node gobuild java erlang}
F=$(scripts/fixtures.sh --devel | tail -1)
case " $WORKLOADS " in *" node "*|*" gobuild "*|*" java "*|*" erlang "*) scripts/fixtures.sh --runtimes >/dev/null ;; esac
SKIFF=${SKIFF:-$PWD/.build/release/skiff}
limit=${SKIFF_BENCH_TIMEOUT:-900}
BENCH=/tmp/skiff-bench-heavy

# The guest-side script of each workload (run by bash in a fresh directory $BENCH).
script() {
  case $1 in
    gcc) cat <<'EOF'
for i in $(seq 200); do printf 'static int f%d(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * %d %% 7; return s; }\n' $i $i; done > big.c
printf 'int main(void) { int t = 0;\n' >> big.c
for i in $(seq 200); do printf '  t += f%d(%d);\n' $i $i; done >> big.c
printf '  return t & 1;\n}\n' >> big.c
for i in $(seq 8); do cat /usr/include/stdio.h >/dev/null; done
gcc -O2 -o big big.c && ./big; echo $?
EOF
    ;;
    make) cat <<'EOF'
for i in $(seq 16); do printf '#include <stdio.h>\nint g%d(int x) { return x * %d; }\n' $i $i > f$i.c; done
printf 'int main(void) { return 0; }\n' > main.c
printf 'OBJS = main.o %s\napp: $(OBJS)\n\tcc -o $@ $(OBJS)\n' "$(for i in $(seq 16); do printf 'f%d.o ' $i; done)" > Makefile
make -s -j2 && echo built
EOF
    ;;
    git) cat <<'EOF'
export GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@b GIT_COMMITTER_NAME=A GIT_COMMITTER_EMAIL=a@b HOME=$PWD
git init -q r && cd r && for i in $(seq 200); do seq $i 300 > f$i; done
git add . && git commit -qm one && for i in $(seq 20); do echo $i >> f$i; git commit -qam c$i; done
git gc -q && git log --oneline | wc -l
EOF
    ;;
    ruby) echo "ruby -e 'def fib(n) = n < 2 ? n : fib(n-1) + fib(n-2); h = {}; 200_000.times { |i| h[i % 1000] = (h[i % 1000] || 0) + i }; puts fib(25), h.size'" ;;
    php) echo "php -r 'function fib(\$n) { return \$n < 2 ? \$n : fib(\$n-1) + fib(\$n-2); } \$a = []; for (\$i = 0; \$i < 200000; \$i++) \$a[\$i % 1000] = (\$a[\$i % 1000] ?? 0) + \$i; echo fib(25), \" \", count(\$a), \"\\n\";'" ;;
    luajit) echo "luajit -e 'local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end local t = {} for i = 0, 199999 do t[i % 1000] = (t[i % 1000] or 0) + i end print(fib(30))'" ;;
    tcl) echo "echo 'proc fib {n} { if {\$n < 2} { return \$n }; expr {[fib [expr {\$n-1}]] + [fib [expr {\$n-2}]]} }; puts [fib 20]' | tclsh" ;;
    node) echo "node -e 'function fib(n) { return n < 2 ? n : fib(n-1) + fib(n-2) } const m = new Map(); for (let i = 0; i < 200000; i++) m.set(i % 1000, (m.get(i % 1000) || 0) + i); console.log(fib(30), m.size)'" ;;
    gobuild) cat <<'EOF'
export HOME=$PWD GOCACHE=$PWD/.cache GOPATH=$PWD/.gopath GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0
printf 'module h\ngo 1.24\n' > go.mod
printf 'package main\nimport "fmt"\nfunc main() { fmt.Println("hello") }\n' > main.go
go build -o h . && ./h
EOF
    ;;
    java) cat <<'EOF'
printf 'public class Hello { public static void main(String[] a) { long s = 0; for (int i = 0; i < 20000000; i++) s += i %% 7; System.out.println("hello " + s); } }\n' > Hello.java
java Hello.java
EOF
    ;;
    postgres) cat <<'EOF'
B=/usr/lib/postgresql/17/bin
as_postgres() { python3 -c 'import os, sys; os.setgroups([]); os.setgid(102); os.setuid(101); os.execv(sys.argv[1], sys.argv[1:])' "$@"; }
mkdir pg && chown postgres:postgres pg
as_postgres $B/initdb -D "$PWD/pg/data" -A trust -U postgres --no-sync > /dev/null
as_postgres $B/pg_ctl -D "$PWD/pg/data" -o "-k $PWD/pg -c listen_addresses='' -c fsync=off" -l "$PWD/pg/log" -w start > /dev/null
as_postgres $B/pgbench -h "$PWD/pg" -U postgres -i -s 1 -q postgres 2>&1 | grep -c done
as_postgres $B/pgbench -h "$PWD/pg" -U postgres -n -c 2 -t 250 postgres | grep 'actually processed'
as_postgres $B/pg_ctl -D "$PWD/pg/data" -m fast -w stop > /dev/null; echo "stopped $?"
EOF
    ;;
    erlang) echo "erl -noshell -eval 'io:format(\"~p~n\", [lists:sum([X * X || X <- lists:seq(1, 1000000)])]), halt().'" ;;
  esac
}

root_of() { case $1 in node|gobuild|java|erlang) echo "$F/rootfs/runtimes" ;; *) echo "$F/rootfs/devel" ;; esac; }

run() { # side workload -> "SECONDS STATUS"
  local side=$1 w=$2 root s start end status=0
  root=$(root_of "$w"); s=$(script "$w")
  rm -rf "$root$BENCH"; mkdir -p "$root$BENCH"
  start=$(date +%s.%N)
  if [ "$side" = skiff ]; then
    timeout -k 10 "$limit" "$SKIFF" run --rootfs "$root" -w "$BENCH" /usr/bin/bash -c "$s" >"$out/$side-$w.log" 2>&1 || status=$?
  else
    # proot as the differential harness starts it (default signals; faccessat2/statx answered
    # ENOSYS so proot translates their paths: tests/differential/harness.py) and with the
    # harness's guest environment, not the runner's (node printed a warning about a host
    # NODE_EXTRA_CA_CERTS path under the reference only).
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    timeout -k 10 "$limit" python3 -c 'import os, sys; sys.path.insert(0, "tests/differential"); import harness; harness.proot_child(); os.execvp(sys.argv[1], sys.argv[1:])' \
      proot -0 -q qemu-riscv64-static -r "$root" -b /dev -b /proc -w "$BENCH" /usr/bin/bash -c "$s" >"$out/$side-$w.log" 2>&1 || status=$?
  fi
  end=$(date +%s.%N)
  rm -rf "$root$BENCH"
  echo "$(echo "$end - $start" | bc) $status"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "skiff: $SKIFF"
echo "qemu:  $(qemu-riscv64-static --version | head -1) under proot"
echo "host:  $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-9s %10s %10s %7s  %s\n' workload reference skiff ratio status
for w in $WORKLOADS; do
  : > "$out/ref" ; : > "$out/sk"
  for r in $(seq "$RUNS"); do
    read -r t st < <(run reference "$w"); echo "$t" >> "$out/ref"; rs=$st
    read -r t st < <(run skiff "$w"); echo "$t" >> "$out/sk"; ss=$st
  done
  ref=$(median < "$out/ref"); sk=$(median < "$out/sk")
  same=same; cmp -s "$out/reference-$w.log" "$out/skiff-$w.log" || same="output differs"
  printf '%-9s %9.2fs %9.2fs %6.2fx  ref %s, skiff %s, %s\n' "$w" "$ref" "$sk" "$(echo "$sk / $ref" | bc -l)" "$rs" "$ss" "$same"
done
