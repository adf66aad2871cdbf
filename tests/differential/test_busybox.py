"""busybox applets in one process each (no fork): the static busybox from the Debian root, and the
busybox-only root where applets are reached through /bin symlinks (argv[0] selects the applet)."""
import gzip
import io

import pytest

from cases import Case, data, ids, run

BB = "/usr/bin/busybox"
TEXT = data(1, 20000, "abcdefghij")
NUMBERS = "\n".join(str((i * 7919) % 1000 - 500) for i in range(400)).encode() + b"\n"
TABLE = b"".join(b"%d:%s:%d\n" % (i, w.encode(), (i * 37) % 11) for i, w in
                 enumerate(["pear", "apple", "fig", "kiwi", "plum", "apple", "date", "lime", "fig"] * 5))
BLOB = data(2, 300000)


def gz(b):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as f:
        f.write(b)
    return out.getvalue()


SH_BUILTINS = r'''
f() { echo "f:$1:$#"; return 3; }
f a b; echo "rc=$?"
i=0; s=0; while [ $i -lt 300 ]; do s=$((s + i * i)); i=$((i + 1)); done; echo "sum=$s"
for w in alpha beta "gamma delta" omega; do
  case $w in a*) echo "A $w";; *a) echo "endsA $w";; *) echo "other $w";; esac
done
x="Hello, World"; echo "${#x} ${x#Hello} ${x%World} ${x%%o*} ${unset:-def} ${x:+set}"
set -- 3 1 2; echo "$# $* $2"; shift; echo "$@"
printf '%s-%d-%x-%05.2f-%c\n' str 42 255 3.14159 zebra
echo $((0x10 + 010 + 7 * 3)) $((7 / 2)) $((-7 % 3)) $((1 << 40)) $((9223372036854775807 + 1))
read a b <<EOF
one two three
EOF
echo "$a|$b"
IFS=: read -r p q r <<EOF
x:y:z:w
EOF
echo "$p/$q/$r"
test -d / && echo "root is a dir"; [ -f /nonexistent ] || echo "no file"
trap 'echo "exit trap $?"' EXIT
false || echo "false failed"; ! true; echo "negated=$?"
echo done
exit 5
'''

AWK = r'''
{ for (i = 1; i <= NF; i++) { n[$i]++; total++ } lines++ }
END {
  for (w in n) if (n[w] > 3) k++
  printf "lines=%d words=%d frequent=%d\n", lines, total, k
  s = "The Quick Brown Fox"; gsub(/[A-Z]/, "<&>", s); print s, toupper(s), length(s)
  split("a,b,,c", parts, ","); print parts[1] parts[2] parts[4], length(parts)
  print substr("abcdef", 2, 3), index("abcdef", "cd"), match("xxabcx", /b+c/), RSTART, RLENGTH
  printf "%.6f %e %g %d %o %x %5.1f|%-6s|\n", 355 / 113, 1e10 / 3, 2 / 3, -7.9, 64, 255, 2.25, "ab"
  print int(-3.7), 10 % 3, -10 % 3, 1e300 * 10, 0.1 + 0.2, 2147483647 + 1, -0.0
}'''

SED = r'''
1,20s/\(a[a-z]*\) \([a-z]*\)/[\2 \1]/g
/^j/d
y/bcd/BCD/
3,10{ s/e/E/2; }
$!N
s/\n/ + /
h
$G
'''

CASES = [
    Case("sh-builtins", [BB, "sh", "-c", SH_BUILTINS], status=5),
    Case("sh-script-stdin", [BB, "sh", "-s", "x", "y"], stdin=b'echo "args: $0 $# $1 $2"\nfor i in 1 2 3; do echo "line $i"; done\n'),
    Case("awk", [BB, "awk", AWK], stdin=TEXT),
    Case("awk-fields", [BB, "awk", "-F:", '$3 > 5 { printf "%-6s %3d\\n", $2, $1 * $3 }'], stdin=TABLE),
    Case("sed", [BB, "sed", SED], stdin=TEXT[:3000]),
    Case("sed-n", [BB, "sed", "-n", "-e", "/fig/{=;p}", "-e", "$p"], stdin=TABLE),
    Case("sort", [BB, "sort"], stdin=TEXT),
    Case("sort-n", [BB, "sort", "-n", "-r"], stdin=NUMBERS),
    Case("sort-k-t-u", [BB, "sort", "-t:", "-k2,2", "-k1,1n", "-u"], stdin=TABLE),
    Case("gzip-stdin", [BB, "gzip", "-c", "-9"], stdin=BLOB[:100000] + TEXT),
    Case("gunzip-stdin", [BB, "gunzip", "-c"], stdin=gz(BLOB + TEXT)),
    Case("gunzip-corrupt", [BB, "gunzip", "-c"], stdin=gz(TEXT)[:-20] + b"garbage!" * 3, status=1),
    Case("sha256sum", [BB, "sha256sum"], stdin=BLOB),
    Case("md5sum", [BB, "md5sum"], stdin=BLOB),
    Case("sha512sum", [BB, "sha512sum"], stdin=TEXT),
    Case("dc", [BB, "dc", "-e", "2 128 ^ p 7 3 / p 20 k 2 v p 17 5 % p 3 _4 * p"]),
    Case("expr", [BB, "expr", "12345", "*", "6789", "+", "(", "100", "/", "7", ")"]),
    Case("expr-match", [BB, "expr", "match", "abc123def", "[a-z]*\\([0-9]*\\)"]),
    Case("expr-false", [BB, "expr", "0", "&", "1"], status=1),
    Case("printf", [BB, "printf", "%5s|%-5d|%o|%e|%c|%b|%%\\n", "ab", "42", "8", "12345.678", "zed", "tab\\there"]),
    Case("seq", [BB, "seq", "1", "3", "100"]),
    Case("seq-w", [BB, "seq", "-w", "-s", ",", "8", "12"]),
    Case("tr", [BB, "tr", "a-j", "A-J"], stdin=TEXT),
    Case("tr-s", [BB, "tr", "-s", "a-e"], stdin=TEXT[:5000]),
    Case("tr-d", [BB, "tr", "-d", "\\n"], stdin=TEXT[:5000]),
    Case("cut", [BB, "cut", "-d:", "-f1,3"], stdin=TABLE),
    Case("cut-c", [BB, "cut", "-c", "2-5,9-"], stdin=TEXT[:4000]),
    Case("od", [BB, "od", "-A", "x", "-t", "x1"], stdin=BLOB[:512]),
    Case("od-c", [BB, "od", "-c"], stdin=TEXT[:300] + bytes(range(0, 40))),
    Case("base64", [BB, "base64"], stdin=BLOB[:5000]),
    Case("base64-d", [BB, "base64", "-d"], stdin=b"aGVsbG8sIHNraWZmIQo=\n"),
    Case("wc", [BB, "wc"], stdin=TEXT),
    Case("uniq-c", [BB, "uniq", "-c"], stdin=b"a\na\nb\nc\nc\nc\na\n"),
    Case("tail", [BB, "tail", "-n", "3"], stdin=TEXT),
    Case("unknown-applet", [BB, "no-such-applet"], status=127),
    Case("bad-option", [BB, "sort", "--no-such-option"], status=2),
    # busybox-only root: applets through /bin symlinks, argv[0] selects the applet.
    Case("bbroot-sh", ["/bin/sh", "-c", 'echo "via $0"; i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo $i; done'], root="busybox"),
    Case("bbroot-seq", ["/bin/seq", "3"], root="busybox"),
    Case("bbroot-path-lookup", ["echo", "found", "through", "PATH"], root="busybox"),
    Case("bbroot-ls", ["/bin/ls", "/bin"], root="busybox"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_busybox(case, roots):
    run(case, roots)
