"""python3.13 (dynamic, glibc) running scripts from scripts/python/ via -c, each in a fresh scratch
working directory below /tmp."""
import pytest

from cases import Case, data, ids, run, script_cases

PY = "/usr/bin/python3.13"
CASES = script_cases("python", lambda text: [PY, "-c", text], scratch=True)
for c in CASES:
    if c.id == "python-stdin_echo":
        c.stdin = data(3, 100000)
CASES += [
    Case("python-version", [PY, "--version"]),
    Case("python-syntax-error", [PY, "-c", "def f(:\n  pass"], status=1),
    Case("python-isolated-flags", [PY, "-I", "-S", "-c", "import sys; print(sys.flags.isolated, 'site' in sys.modules)"]),
    Case("python-stdin-script", [PY, "-"], stdin=b"import sys\nprint(sys.argv)\nfor i in range(3): print(i * 'ab')\n"),
    Case("python-module-run", [PY, "-m", "json.tool", "--sort-keys"], stdin=b'{"b": [1, 2, {"c": null}], "a": 1.5e3}'),
    Case("python-env", [PY, "-c", "import os; print(os.environ.get('SKIFF_TEST_VAR'), os.environ.get('HOME'))"],
         env={"SKIFF_TEST_VAR": "value with spaces = and ü"}),
    Case("python-bare-name", ["python3.13", "-c", "print('found via PATH')"]),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_python(case, roots):
    run(case, roots)
