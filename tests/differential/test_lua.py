"""lua5.4 (dynamic) running scripts from scripts/lua/ via -e, in a scratch working directory."""
import pytest

from cases import Case, data, ids, run, script_cases

LUA = "/usr/bin/lua5.4"
# (an -e argument may not start with "-", so a leading newline goes before the first comment)
CASES = script_cases("lua", lambda text: [LUA, "-e", "\n" + text], scratch=True)
for c in CASES:
    c.stdin = data(4, 30000, "abcdefgh")
CASES += [
    Case("lua-version", [LUA, "-v"]),
    Case("lua-error", [LUA, "-e", "local t = nil; print(t.x)"], status=1),
    Case("lua-stdin-chunk", [LUA, "-"], stdin=b"print(('x'):rep(3), ...)\nreturn 1\n"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_lua(case, roots):
    run(case, roots)
