#!/usr/bin/env python3
"""Which compiled blocks a profile's time goes to (a measurement aid, not a test).

    SKIFF_JIT_DUMP=/tmp/d perf record -o /tmp/p.data skiff run --rootfs ROOT PROGRAM
    perf script -i /tmp/p.data -F ip > /tmp/ips.txt
    bench/jit-blocks.py /tmp/d.PID.1.map /tmp/ips.txt [TOP]

Prints the TOP (default 15) blocks by share of all samples: host address, guest entry and end,
code size. Disassemble one with
    objdump -D -b binary -m i386:x86-64 --adjust-vma=BASE /tmp/d.PID.1.bin --start-address=ADDR
(BASE: the map's `base` line) and the guest side with riscv64-linux-gnu-objdump -d."""
import bisect
import collections
import sys


def main(map_path, ips_path, top=15):
    blocks = []
    for line in open(map_path):
        f = line.split()
        if f[0] != "base":  # 0xADDR pc 0xPC end 0xEND N bytes
            blocks.append((int(f[0], 16), int(f[2], 16), int(f[4], 16), int(f[5])))
    blocks.sort()
    starts = [b[0] for b in blocks]
    counts, total = collections.Counter(), 0
    for line in open(ips_path):
        try:
            ip = int(line.strip(), 16)
        except ValueError:
            continue
        total += 1
        i = bisect.bisect_right(starts, ip) - 1
        if i >= 0 and ip < blocks[i][0] + blocks[i][3]:
            counts[i] += 1
    inside = sum(counts.values())
    print(f"{total} samples, {100 * inside / max(total, 1):.1f}% in compiled blocks")
    for i, n in counts.most_common(top):
        address, pc, end, size = blocks[i]
        print(f"{100 * n / total:5.1f}%  host {address:#x}  guest {pc:#x}-{end:#x} ({end - pc} bytes)  {size} bytes of code")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 15)
