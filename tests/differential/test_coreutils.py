"""GNU coreutils, grep, sed, findutils, diffutils, gzip (dynamic programs), one process each.
Listings are of package-owned directories (fixed contents and times) or sorted.
Programs that stat (ls -l, stat) name files relative to their working directory and print
numeric owners: qemu -L translates neither statx nor /etc/passwd lookups (see harness.py)."""
import pytest

from cases import Case, data, ids, run

TEXT = data(6, 50000, "abcdefghijkl")
BLOB = data(7, 2_000_000)
LIC = "/usr/share/common-licenses"

CASES = [
    Case("ls-la", ["/usr/bin/ls", "-lan", "--time-style=+%Y-%m-%d", "."], workdir=LIC),
    Case("ls-full-time", ["/usr/bin/ls", "-ln", "--full-time", "GPL-3", "Apache-2.0", "../../bin/busybox"], workdir=LIC),
    Case("ls-R", ["/usr/bin/ls", "-R1", "json"], workdir="/usr/lib/python3.13"),
    Case("ls-missing", ["/usr/bin/ls", "nonexistent", "BSD"], workdir=LIC, status=2),
    Case("ls-symlinks", ["/usr/bin/ls", "-ldn", "--time-style=+%Y", "bin", "lib", "usr/bin/rbash"]),
    Case("stat", ["/usr/bin/stat", "-c", "%n %s %a %F %h %u %g %Y", "share/common-licenses/GPL-2", "bin", "../bin", "../etc"], workdir="/usr"),
    Case("stat-L", ["/usr/bin/stat", "-L", "-c", "%n %F %s", "bin"]),
    Case("cat", ["/usr/bin/cat", f"{LIC}/GPL-3", "/etc/debian_version"]),
    Case("cat-stdin-n", ["/usr/bin/cat", "-n", "-A"], stdin=TEXT[:3000] + bytes(range(0, 256))),
    Case("wc", ["/usr/bin/wc", f"{LIC}/GPL-3", f"{LIC}/Artistic"]),
    Case("sort", ["/usr/bin/sort"], stdin=TEXT),
    Case("sort-big", ["/usr/bin/sort", "-k2", "-n", "-S", "1M"], stdin=b"".join(b"%d %d\n" % (i, (i * 7919) % 65537) for i in range(100000))),
    Case("uniq-c", ["/usr/bin/uniq", "-c"], stdin=b"".join(sorted(TEXT.split(b" "))[:2000])),
    Case("sha256sum-big", ["/usr/bin/sha256sum", "-"], stdin=BLOB),
    Case("sha256sum-files", ["/usr/bin/sha256sum", "/usr/bin/busybox", f"{LIC}/GPL-3"]),
    Case("md5-sha1-b2", ["/usr/bin/b2sum", f"{LIC}/GPL-2"]),
    Case("cksum", ["/usr/bin/cksum", f"{LIC}/GPL-2"]),
    Case("date-epoch", ["/usr/bin/date", "-d", "@0", "-u"]),
    Case("date-format", ["/usr/bin/date", "-u", "-d", "2024-02-29 12:34:56", "+%s %A %j %U %V %G %a %b %e %N"]),
    Case("date-arith", ["/usr/bin/date", "-u", "-d", "2023-11-14 12:00 UTC + 3 days", "+%F %T"]),
    Case("date-bad", ["/usr/bin/date", "-d", "not a date"], status=1),
    Case("head-tail", ["/usr/bin/tail", "-c", "+100", f"{LIC}/MPL-2.0"]),
    Case("tr-cut-paste", ["/usr/bin/cut", "-c", "1-10,20-", f"{LIC}/BSD"]),
    Case("seq-fmt", ["/usr/bin/seq", "-f", "%08.3f", "0", "0.125", "2"]),
    Case("factor", ["/usr/bin/factor", "1234567890123", "18446744073709551615", "170141183460469231731687303715884105727"]),
    Case("numfmt", ["/usr/bin/numfmt", "--to=iec-i", "--suffix=B", "1", "1023", "1048576", "123456789012"]),
    Case("printf", ["/usr/bin/printf", "%s|%5.2f|%x|%q|%b\\n", "x y", "3.14159", "255", "a b'c", "a\\tb"]),
    Case("expr", ["/usr/bin/expr", "123456789", "*", "987654321"]),
    Case("od", ["/usr/bin/od", "-A", "d", "-t", "x2", "-t", "c", "-N", "96", "/usr/bin/busybox"]),
    Case("base64", ["/usr/bin/base64", "-w", "60"], stdin=BLOB[:20000]),
    Case("basename-dirname", ["/usr/bin/basename", "-a", "/a/b/c.txt", "/usr/", "x"]),
    Case("realpath", ["/usr/bin/realpath", "/lib/ld-linux-riscv64-lp64d.so.1", "/bin"], reference="proot"),
    Case("readlink", ["/usr/bin/readlink", "-f", "/bin/sh.nonexistent", "/lib"], status=0),
    Case("nl-fold-fmt", ["/usr/bin/fold", "-w", "37", "-s", f"{LIC}/BSD"]),
    Case("tac", ["/usr/bin/tac", f"{LIC}/BSD"]),
    Case("shuf-fixed-source", ["/usr/bin/shuf", "-i", "1-50", f"--random-source={LIC}/GPL-3"]),
    Case("id-whoami-free", ["/usr/bin/id", "-u"]),
    Case("true", ["/usr/bin/true"]),
    Case("false", ["/usr/bin/false"], status=1),
    Case("test-builtin", ["/usr/bin/test", "-d", "/usr"]),
    Case("grep", ["/usr/bin/grep", "-n", "-i", "-E", "warrant(y|ies)", f"{LIC}/GPL-3"]),
    Case("grep-count-o", ["/usr/bin/grep", "-c", "-o", "-w", "the", f"{LIC}/GPL-3"]),
    Case("grep-no-match", ["/usr/bin/grep", "zzzzqqq", f"{LIC}/BSD"], status=1),
    Case("grep-r", ["/usr/bin/grep", "-rl", "--include=*.py", "def dumps", "/usr/lib/python3.13/json"]),
    Case("sed", ["/usr/bin/sed", "-E", "-n", "s/^(\\s*)([A-Z][a-z]+)/\\2:\\1/p;20q", f"{LIC}/GPL-3"]),
    # find prints in directory order, which is the file system's business: one match per case.
    Case("find-name", ["/usr/bin/find", "json", "-name", "tool.py", "-newer", "/usr/bin/true"], workdir="/usr/lib/python3.13"),
    Case("find-printf", ["/usr/bin/find", ".", "-maxdepth", "1", "-name", "GPL-3", "-size", "+20k", "-printf", "%f %s %m %y %d\\n"], workdir=LIC),
    Case("diff", ["/usr/bin/diff", f"{LIC}/GPL-2", f"{LIC}/LGPL-2"], status=1),
    Case("cmp", ["/usr/bin/cmp", f"{LIC}/GPL-2", f"{LIC}/LGPL-2"], status=1),
    Case("gzip-stdin", ["/usr/bin/gzip", "-c", "-n", "-6"], stdin=BLOB[:500000] + TEXT),
    Case("gzip-d", ["/usr/bin/gzip", "-d", "-c"], stdin=__import__("gzip").compress(BLOB + TEXT, mtime=0)),
    Case("split-files", ["/usr/bin/split", "-b", "100k", "-d", "-", "part."], stdin=BLOB[:1000000], scratch=True),
    Case("dd", ["/usr/bin/dd", "if=/usr/bin/busybox", "bs=4096", "skip=3", "count=5", "status=none"]),
    Case("dd-zero", ["/usr/bin/dd", "if=/dev/zero", "bs=1M", "count=3", "status=none"], reference="proot"),
    Case("touch-mkdir-rm", ["/usr/bin/mkdir", "-p", "-v", "a/b/c", "d"], scratch=True),
    Case("uname-m", ["/usr/bin/uname", "-m", "-s"]),
    Case("nproc-ok", ["/usr/bin/getconf", "PAGESIZE"]),
    Case("bad-option", ["/usr/bin/ls", "--no-such-option"], status=2),
]



@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_coreutils(case, roots):
    run(case, roots)
