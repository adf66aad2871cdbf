#!/usr/bin/env bash
# Fails when the x86-64 interpreter's run loop (`X86Core.run`) calls a guest-memory accessor out
# of line. Not a timed test: it reads the release binary's machine code with objdump (~1 s).
#   scripts/check-x86-run-loop.sh [SKIFF]     (default: .build/release/skiff)
#
# Why: every guest load and store of the run loop is meant to be inlined (a handful of host
# instructions). Twice it silently became a call to the raw pointer's generic
# `loadUnaligned(fromByteOffset:as:)` / `storeBytes(of:toByteOffset:as:)`, specialised per width
# and left out of line: the run loop is past the SIL inliner's caller-size limit, past which only
# always-inline callees go in (main e2246ba: 5.99 M host instructions per amd64 CoreMark
# iteration instead of 5.21 M, ~70 K calls per iteration; unseen for a session). The fix is the
# `@inline(__always)` functions per width, `X86Core.hostLoad8`...`hostStore64` (X86Operands.swift);
# a merge that grows the loop, or an edit that drops one of those attributes or goes around them,
# brings the calls back. This script looks at every `call` in the run loop and fails if its target
# is one of those accessors (generic or per width), or one of the per-width functions themselves.
# The miss paths (readMiss, writeMiss, fillPageCache, the `write` closures) are calls by design.
#
# Checked: it fails on main e2246ba's binary (the regression: 135 load and 61 store call sites)
# and passes on the fixed one.
# bench/amd64-coremark-count.sh runs it before counting. Exit status: 0 ok, 1 calls found,
# 2 the run loop was not found (renamed? then update RUN_LOOP below: it must not pass silently).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/skiff}
# X86Core.run(instructionBudget:) -> X86Stop, mangled.
RUN_LOOP='$s3X860A4CoreV3run17instructionBudgetAA0A4StopOSi_tF'
# Mangled names keep identifiers as written. The store showed up as
# `$s48_swift_se0349_UnsafeMutableRawPointer_storeBytess6UInt64V_Tt1g5` (the standard library's
# internal name for it), the load as `$sSv13loadUnaligned14fromByteOffset2as...`.
FORBIDDEN='loadUnaligned|storeBytes|load14fromByteOffset|hostLoad|hostStore'

[ -f "$BIN" ] || { echo "check-x86-run-loop: no binary at $BIN" >&2; exit 2; }
asm=$(objdump -d --no-show-raw-insn --disassemble="$RUN_LOOP" "$BIN")
lines=$(grep -c '^ *[0-9a-f]*:' <<<"$asm" || true)
if [ "$lines" -lt 1000 ]; then
    echo "check-x86-run-loop: $RUN_LOOP not found in $BIN (or only $lines instructions)" >&2
    exit 2
fi
calls=$(grep -E '\scall' <<<"$asm" | sed -E 's/^ *([0-9a-f]+):.*call[q]? +/\1 /')
bad=$(grep -E "$FORBIDDEN" <<<"$calls" || true)
ncalls=$(grep -c . <<<"$calls" || true)
if [ -n "$bad" ]; then
    echo "check-x86-run-loop: FAIL: X86Core.run calls guest-memory accessors out of line" >&2
    echo "$bad" | awk '{print $NF}' | sort | uniq -c | sort -rn >&2
    echo "(the run loop has $lines instructions and $ncalls calls; see the header of $0)" >&2
    exit 1
fi
echo "check-x86-run-loop: ok ($BIN: run loop $lines instructions, $ncalls calls, none to a guest-memory accessor)"
