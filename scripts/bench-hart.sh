#!/usr/bin/env bash
# CPU benchmark of the hart alone (no kernel): builds a release runner from Sources/RISCV and the
# test ELF loader, cross-compiles Tests/RISCVTests/Programs/bench.c kernel by kernel, and times
# each under qemu-riscv64-static and the hart (user CPU seconds), checking identical output.
#   scripts/bench-hart.sh [SCALE]      (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-10}
OUT=${TMPDIR:-/tmp}/skiff-bench-hart
mkdir -p "$OUT"
sed -e 's/^@testable import RISCV//; s/^import ELFTestSupport//' Tests/RISCVTests/TestProgramLoader.swift > "$OUT/Loader.swift"
sed -e 's/^import RISCV//' Tests/ELFTestSupport/ELFTestImage.swift > "$OUT/ELFTestImage.swift"
swiftc -Ounchecked -wmo -module-name BenchHart -package-name skiff $(find Sources/RISCV -name '*.swift' | sort) \
  "$OUT/ELFTestImage.swift" "$OUT/Loader.swift" Tests/RISCVTests/Bench/main.swift -o "$OUT/bench-hart" 2> >(grep -v warning >&2)
names=(crc32 quicksort sieve matmul-fp intmix)
total_q=0; total_h=0; logsum=0
printf '%-10s %8s %8s %6s\n' kernel qemu hart ratio
for i in 0 1 2 3 4; do
  k=$((1 << i))
  riscv64-linux-gnu-gcc -O2 -march=rv64gc -static -nostdlib -ffreestanding -fno-builtin -DSCALE=$SCALE -DKERNELS=$k \
    -I Tests/RISCVTests/Programs -o "$OUT/bench$k" Tests/RISCVTests/Programs/bench.c
  q=$( { /usr/bin/time -f %U qemu-riscv64-static "$OUT/bench$k" > "$OUT/q.out"; } 2>&1 | tail -1 )
  h=$( { /usr/bin/time -f %U "$OUT/bench-hart" "$OUT/bench$k" > "$OUT/h.out"; } 2>&1 | tail -1 )
  cmp -s "$OUT/q.out" "$OUT/h.out" || { echo "bench-hart: ${names[$i]}: output differs from qemu" >&2; exit 1; }
  r=$(echo "$h $q" | awk '{printf "%.2f", $1 / ($2 > 0 ? $2 : 0.01)}')
  printf '%-10s %8s %8s %6s\n' "${names[$i]}" "$q" "$h" "$r"
  logsum=$(echo "$logsum $r" | awk '{print $1 + log($2)}')
done
echo "$logsum" | awk '{printf "geometric mean hart/qemu: %.2f\n", exp($1 / 5)}'
