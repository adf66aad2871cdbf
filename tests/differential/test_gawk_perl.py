"""gawk (incl. -M arbitrary precision through GMP/MPFR) and perl (dynamic, with XS modules)."""
import pytest

from cases import Case, data, ids, run

GAWK = "/usr/bin/gawk"
PERL = "/usr/bin/perl"
TEXT = data(5, 40000, "abcdefghijklmnop")

GAWK_PROG = r'''
{ for (i = 1; i <= NF; i++) freq[$i]++ }
END {
  n = asorti(freq, keys); printf "distinct=%d first=%s last=%s\n", n, keys[1], keys[n]
  m = asort(freq, counts); printf "max count=%d\n", counts[m]
  print gensub(/([a-c]+)([d-f]+)/, "<\\2\\1>", "g", "abdef cafe bead")
  print strftime("%Y-%m-%d %H:%M:%S %a %j", 1700000000, 1), (systime() > 1600000000)
  print sprintf("%.10f %e %'d %c %5.3s|", atan2(0, -1), exp(1), 1234567, 65, "abcdef")
  print length("héllo"), toupper("straße"), substr("hello", 0, 3), index("foobar", "bar"), 2 ** 53 + 1
  print sin(1), cos(1), log(10), sqrt(2), int(-7.5), -7 % 3, 0.1 + 0.2, 1e308 * 10, -(1e308 * 10)
  print and(0xff, 0x0f), or(1, 6), xor(5, 3), lshift(1, 40), rshift(1024, 3), (compl(0) > 0)
  split("2024-01-02", d, "-", seps); print d[1] + d[2] + d[3], seps[1]
  srand(11); a = rand(); srand(11); b = rand(); print (a == b), (a < 1)
  printf "%s\n", PROCINFO["version"] != ""
  patsplit("a1b22c333", nums, /[0-9]+/); print nums[1], nums[2], nums[3]
}'''

PERL_PROG = r'''
use strict; use warnings;
use POSIX qw(floor ceil fmod strftime);
use List::Util qw(sum max min first shuffle reduce);
use Digest::MD5 qw(md5_hex); use Digest::SHA qw(sha256_hex);
use Data::Dumper; $Data::Dumper::Sortkeys = 1; $Data::Dumper::Indent = 1;
use JSON::PP;
my %freq; my $lines = 0;
while (my $l = <STDIN>) { $lines++; $freq{$_}++ for split ' ', $l; }
my @top = (sort { $freq{$b} <=> $freq{$a} || $a cmp $b } keys %freq)[0..4];
print "lines=$lines distinct=", scalar(keys %freq), " top=@top\n";
printf "%.6f %e %g %05d %x %o %s\n", 4 * atan2(1, 1), exp(10), 1/3, 42, 255, 8, join(",", map { $_ ** 2 } 1..5);
print floor(-2.5), " ", ceil(-2.5), " ", fmod(10, 3), " ", strftime("%Y-%m-%d %H:%M:%S", gmtime(1700000000)), "\n";
print sum(1..100), " ", max(3, 9, 2), " ", min(3, 9, 2), " ", (first { $_ > 3 } 1..10), " ", (reduce { $a * $b } 1..15), "\n";
print md5_hex("skiff"), " ", sha256_hex("skiff" x 1000), "\n";
my $s = "The quick brown fox"; (my $t = $s) =~ s/(\w+)/\u\L$1/g; print "$t ", scalar(() = $s =~ /o/g), " ", join("|", $s =~ /(\w)(\w)\b/g), "\n";
print Dumper({ a => [1, 2, { b => undef }], c => "str", d => 1.5 });
print JSON::PP->new->canonical->encode({ list => [1, "two", 3.5, JSON::PP::true], nested => { x => undef } }), "\n";
my @packed = unpack("N n C a3", pack("N n C a3", 0xdeadbeef, 513, 255, "xyz")); print "@packed\n";
print 2**64, " ", 9007199254740993, " ", 0.1 + 0.2, " ", 1e21, " ", int(7.9), " ", -7 % 3, " ", 7 <=> 3, " ", "abc" x 3, "\n";
my @sorted = sort { $a <=> $b } map { ($_ * 7919) % 101 } 1..20; print "@sorted\n";
local $, = "-"; local $\ = "!\n"; print "a", "b", "c";
'''

CASES = [
    Case("gawk", [GAWK, GAWK_PROG], stdin=TEXT),
    Case("gawk-M", [GAWK, "-M", "BEGIN { print 2 ^ 200; x = 1; for (i = 1; i <= 40; i++) x *= i; print x; print 3 ** 100 % 1000007; "
                    "PREC = 200; printf \"%.50f\\n\", atan2(0, -1); print 1 / 3 }"]),
    Case("gawk-csv-fields", [GAWK, "-F,", "-v", "OFS=|", "{ $2 = toupper($2); sum += $3 } END { print NR, sum } 1"],
         stdin=b"1,alpha,10\n2,beta,20.5\n3,gamma,-3\n"),
    Case("gawk-syntax-error", [GAWK, "BEGIN { print ( }"], status=1),
    Case("perl", [PERL, "-e", PERL_PROG], stdin=TEXT),
    Case("perl-die", [PERL, "-e", "print qq(start\\n); die qq(fatal: @{[1+1]}\\n)"], status=255),
    Case("perl-version", [PERL, "-e", "print $] >= 5.036 ? qq(ok\\n) : qq(old\\n)"]),
    Case("perl-inplace-files", [PERL, "-e", 'open my $f, ">", "x.txt" or die; print $f "$_\\n" for 1..100; close $f; '
                                'open $f, "<", "x.txt" or die; my @l = <$f>; print scalar(@l), " ", -s "x.txt", "\\n"; '
                                'opendir my $d, "."; print join(",", sort grep !/^\\./, readdir $d), "\\n"; unlink "x.txt" or die; print -e "x.txt" ? "still\\n" : "gone\\n"'],
         scratch=True),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_gawk_perl(case, roots):
    run(case, roots)
