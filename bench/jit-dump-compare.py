#!/usr/bin/env python3
"""Do two builds compile the same code? (A check for changes to the translator that must not
change its output; not a test.)

    bench/jit-dump-compare.py DIR_A DIR_B

Each DIR holds one tier's SKIFF_JIT_DUMP files of the same run (PREFIX.PID.1.map and .bin), made
deterministic as far as it goes:

    SWIFT_DETERMINISTIC_HASHING=1 SKIFF_JIT_THRESHOLD=8 SKIFF_JIT_DUMP=DIR/d setarch -R \\
        skiff run -e PYTHONHASHSEED=0 --rootfs ROOT /usr/bin/python3 -c 'import json, re'

The order blocks are compiled in still varies between runs (a few orderings), which moves blocks
to other addresses, so blocks are compared by guest entry and end, not by place: every block must
exist in both with the same size and the same bytes, but for fields that name the same thing from
another address or build: a rel32 to the same trampoline or to the start of the same guest
block, or to the same offset in its own block; a mov r32/r64 of the same block-relative address
(embedded data) or of a helper's address in the host binary (helpers differ between builds); a
chainable exit's link number shifted by the same amount throughout the block. Prints the counts
and the first differences; exits 1 if any."""
import glob
import struct
import sys


def load(directory):
    map_path = sorted(glob.glob(directory + '/*.map'))[0]
    bin_path = sorted(glob.glob(directory + '/*.bin'))[0]
    lines = open(map_path).read().splitlines()
    base = int(lines[0].split()[1], 16)
    blocks, starts = {}, {}
    for line in lines[1:]:
        f = line.split()
        address, pc, end, size = int(f[0], 16), int(f[2], 16), int(f[4], 16), int(f[5])
        blocks.setdefault((pc, end), []).append((address, size))
        starts[address] = pc
    return base, open(bin_path, 'rb').read(), blocks, starts


def helper(value):
    """An address in the (non-PIE) host binary's text."""
    return 0x200000 <= value < 0x20000000


def main(dir_a, dir_b):
    base_a, code_a, blocks_a, starts_a = load(dir_a)
    base_b, code_b, blocks_b, starts_b = load(dir_b)
    trampolines = min(a for v in blocks_a.values() for a, _ in v) - base_a

    def target(t, base, starts):
        if base <= t < base + trampolines:
            return ('trampoline', t - base)
        if t in starts:
            return ('block', starts[t])
        return None

    counts_a = {k: len(v) for k, v in blocks_a.items()}
    counts_b = {k: len(v) for k, v in blocks_b.items()}
    bad = relocated = identical = total = 0
    if counts_a != counts_b:
        d = sorted(set(counts_a.items()) ^ set(counts_b.items()))
        print(f'the runs compiled different blocks: {len(d)}, e.g. {d[:5]}')
        bad += 1
    for key in counts_a:
        for (at_a, size_a), (at_b, size_b) in zip(blocks_a[key], blocks_b.get(key, [])):
            total += 1
            if size_a != size_b:
                bad += 1
                print(f'block {key[0]:#x}: {size_a} bytes, {size_b} bytes')
                continue
            a = code_a[at_a - base_a:at_a - base_a + size_a]
            b = code_b[at_b - base_b:at_b - base_b + size_b]
            if a == b:
                identical += 1
                continue
            i, shift = 0, None
            while i < size_a:
                if a[i] == b[i]:
                    i += 1
                    continue
                explained = False
                for p in range(max(0, i - 7), i + 1):          # imm64
                    if p + 8 > size_a:
                        break
                    va, vb = struct.unpack_from('<Q', a, p)[0], struct.unpack_from('<Q', b, p)[0]
                    if (va - at_a == vb - at_b and 0 <= va - at_a < size_a + 4096) or \
                       (helper(va) and helper(vb) and p >= 2 and a[p - 2] in (0x48, 0x49)):
                        relocated, i, explained = relocated + 1, p + 8, True
                        break
                if not explained:
                    for p in range(max(0, i - 3), i + 1):      # rel32 or imm32
                        if p + 4 > size_a:
                            break
                        ra, rb = struct.unpack_from('<i', a, p)[0], struct.unpack_from('<i', b, p)[0]
                        ta, tb = at_a + p + 4 + ra, at_b + p + 4 + rb
                        ka, kb = target(ta, base_a, starts_a), target(tb, base_b, starts_b)
                        ua, ub = struct.unpack_from('<I', a, p)[0], struct.unpack_from('<I', b, p)[0]
                        same_target = ka is not None and ka == kb
                        same_inner = ta - at_a == tb - at_b and 0 <= ta - at_a <= size_a
                        helpers = helper(ua) and helper(ub) and p >= 1 and 0xB8 <= a[p - 1] <= 0xBF
                        link = (p >= 1 and a[p - 1] == 0xB8 and b[p - 1] == 0xB8 and ua < 1 << 24 and ub < 1 << 24
                                and (shift is None or ub - ua == shift))
                        if same_target or same_inner or helpers or link:
                            if link and not (same_target or same_inner or helpers):
                                shift = ub - ua
                            relocated, i, explained = relocated + 1, p + 4, True
                            break
                if not explained:
                    bad += 1
                    if bad < 6:
                        print(f'block {key[0]:#x} differs at +{i}: {a[max(0, i - 6):i + 6].hex()} / {b[max(0, i - 6):i + 6].hex()}')
                    i += 1
    print(f'{total} blocks ({identical} with identical bytes), {relocated} fields relocated, {bad} other differences')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
