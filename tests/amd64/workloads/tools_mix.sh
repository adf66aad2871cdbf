# A mixed workload for the amd64 differential suite (test_amd64.py: test_workload): Debian's
# coreutils, gzip, tar, perl (Digest::SHA, pack, a backtracking regex), gawk, sqlite3, lua5.4
# and bash on generated data. The host CPU (proot) is the reference.
set -e
d=$(mktemp -d); cd "$d"; trap 'cd /; rm -rf "$d"' EXIT
seq 1 40000 | awk '{ printf "%d %s %.6f\n", $1, substr("abcdefghijklmnopqrstuvwxyz", $1 % 26 + 1, 5), sin($1) * 1000 }' > s.txt
sort -k3 -g s.txt | sha256sum
sort -k2,2 -k1,1nr s.txt | md5sum
gzip -9 -n -c s.txt | sha512sum
gzip -1 -c s.txt | gunzip | cmp - s.txt && echo gz-ok
tar cf - s.txt | wc -c
perl -ne 'BEGIN{$t=0} @f=split; $t+=$f[2]; $h{$f[1]}++; END{ printf "%.4f %d\n", $t, scalar keys %h; print join(",", map {"$_=$h{$_}"} (sort keys %h)[0..4]), "\n" }' s.txt
perl -e 'use Digest::SHA qw(sha1_hex); use POSIX qw(floor); my $s = ""; for my $i (1..20000) { $s .= pack("NnC", $i, $i*7, $i%251) } print sha1_hex($s), " ", length($s), "\n"; my @a = map { sprintf("%.10g", exp($_/1000)) } 1..3000; print sha1_hex(join ",", @a), "\n"; $_ = "x" x 1000 . "y"; print /(x+x+)+y/ ? "match\n" : "no\n";'
gawk 'BEGIN { srand(7); for (i = 0; i < 100000; i++) { x = rand(); s += x * x; h[int(x * 100)]++ } printf "%.10f %d %d\n", s, h[3], length(h); print strftime("%Y-%m-%d", 86400 * 20000, 1); print toupper(sprintf("%x %o %e", 255, 8, 12345.678)) }'
sqlite3 :memory: "create table t(a integer, b text, c real); with recursive n(i) as (select 1 union all select i + 1 from n where i < 50000) insert into t select i, hex(i % 9973) || (i % 97), i * 0.37 from n; create index ti on t(b); select count(*), sum(a), round(avg(c), 6), max(b) from t; select b, count(*) from t group by b order by 2 desc, 1 limit 3; select sum(length(printf('%.8e', c))) from t;"
lua5.4 -e 'local t = {} for i = 1, 200000 do t[i] = (i * 7919) % 100003 end table.sort(t) local s = 0 for i = 1, #t, 1000 do s = s + t[i] end print(s, string.format("%.12f", math.sin(1e6)), #table.concat(t, ","))'
bash -c 'declare -A m; for i in $(seq 1 3000); do m[$((i % 37))]=$i; done; echo ${#m[@]} ${m[5]}; x=""; for i in {1..2000}; do x+="$i"; done; echo ${#x}; echo $(( (2**62 - 1) % 1000003 ))'
od -An -tx1 -N64 s.txt | tr -d ' \n'; echo
cut -d' ' -f2 s.txt | sort | uniq -c | sort -rn | head -2
