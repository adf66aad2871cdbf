#!/usr/bin/env bash
# Cross-compiles the ISA tests (tests/isa/*.c) and the fault programs (tests/isa/faults/*.c) for
# riscv64 and derives the malformed executables the bad-input tests need. The output directory is
# itself a tiny root filesystem (static programs need nothing else), so it can be given to
# `skiff run --rootfs` as is:
#
#   $OUT/root/isa/NAME          one static binary per tests/isa/NAME.c
#   $OUT/root/faults/NAME       one binary per tests/isa/faults/NAME.c, plus malformed files
#   $OUT/root/waits/NAME        one binary per tests/waits/NAME.c (timed waits, signals, threads)
#
# Binaries are built, never committed. Rebuilds only what changed (a stamp holds the hash of the
# source, the shared header and the flags). Prints $OUT/root on its last line.
#
# Per-file options, in the first lines of a .c file:
#   // cflags: FLAGS      extra compiler/linker flags (e.g. -march=rv64gc_zba_zbb_zbs, -latomic)
#   // link: dynamic      link dynamically instead of -static
#
# Environment: SKIFF_ISA_CACHE (default ~/.cache/skiff-isa), CC (default riscv64-linux-gnu-gcc).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SKIFF_ISA_CACHE:-$HOME/.cache/skiff-isa}
CC=${CC:-riscv64-linux-gnu-gcc}
command -v "$CC" >/dev/null || { echo "build-isa-tests: $CC not found (Debian package gcc-riscv64-linux-gnu)" >&2; exit 1; }
root=$OUT/root
mkdir -p "$root/isa" "$root/faults" "$root/waits" "$root/tmp" "$OUT/stamps"
# One run at a time: the differential suite's workers (pytest-xdist) each call this script at
# start, and two runs writing the same files at once lose each other's temporary files.
exec 9>"$OUT/.lock"
flock 9

build() { # source, output
    local src=$1 out=$2 flags link static=-static
    flags=$(sed -n '1,5s|^// cflags: ||p' "$src")
    link=$(sed -n '1,5s|^// link: ||p' "$src")
    [ "$link" = dynamic ] && static=
    local stamp="$OUT/stamps/$(echo "$out" | tr / _)"
    local hash
    hash=$(cat "$src" "$here"/tests/isa/*.h "$here/tests/waits/waits.h" | sha256sum | cut -c1-16)-$(echo "$CC $static $flags" | sha256sum | cut -c1-8)
    if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return; fi
    echo "build-isa-tests: $CC $(basename "$src")" >&2
    # shellcheck disable=SC2086
    "$CC" -O1 $static -I"$here/tests/isa" -o "$out.tmp" "$src" $flags -lm
    mv "$out.tmp" "$out"
    echo "$hash" > "$stamp"
}

for src in "$here"/tests/isa/*.c; do build "$src" "$root/isa/$(basename "$src" .c)"; done
for src in "$here"/tests/isa/faults/*.c; do build "$src" "$root/faults/$(basename "$src" .c)"; done
for src in "$here"/tests/waits/*.c; do build "$src" "$root/waits/$(basename "$src" .c)"; done

# Malformed executables, derived from a good static binary (regenerated every time: cheap).
python3 - "$root/faults" <<'EOF'
import os, shutil, struct, sys
d = sys.argv[1]
good = open(os.path.join(d, "exit_status"), "rb").read()
assert good[:4] == b"\x7fELF" and good[4] == 2 and struct.unpack_from("<H", good, 18)[0] == 243

def put(name, data, mode=0o755):
    p = os.path.join(d, name)
    with open(p + ".tmp", "wb") as f:
        f.write(data)
    os.chmod(p + ".tmp", mode)
    os.replace(p + ".tmp", p)

def patched(off, fmt, value):
    b = bytearray(good)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)

phoff = struct.unpack_from("<Q", good, 32)[0]
put("truncated-header", good[:40])                       # shorter than the ELF header
put("truncated-phdrs", good[:phoff + 20])               # header intact, program headers cut
put("corrupt-phentsize", patched(54, "<H", 7))          # e_phentsize nonsense
put("corrupt-phnum", patched(56, "<H", 0xffff))         # e_phnum far beyond the file
put("wrong-machine", patched(18, "<H", 183))            # e_machine = AArch64 (x86-64 runs now)
put("wrong-class", patched(4, "B", 1))                  # ELFCLASS32
put("corrupt-entry", patched(24, "<Q", 0x10))           # valid image, entry in unmapped memory
put("empty", b"")
put("text-no-shebang", b"echo this is not a program\n")
put("missing-interpreter.sh", b"#!/nonexistent/bin/sh\necho unreachable\n")
put("not-executable", good, 0o644)
true = shutil.which("true") or "/bin/true"              # the host's own (x86-64 or arm64) ELF
put("host-true", open(os.path.realpath(true), "rb").read())
os.makedirs(os.path.join(d, "a-directory"), exist_ok=True)

# Confinement: links that would leave the root if resolved on the host.
esc = os.path.join(os.path.dirname(d), "escape")
os.makedirs(esc, exist_ok=True)
for name, target in (("up", "../../../../../../../../../../etc"), ("abs", "/etc"),
                     ("tmp-up", "../../../../../../../../../../tmp"), ("loop", "loop")):
    p = os.path.join(esc, name)
    if os.path.lexists(p):
        os.unlink(p)
    os.symlink(target, p)
EOF
echo "$root"
