# Process substitution (/dev/fd/N), pipefail, errexit in subshells.
diff <(seq 1 5) <(seq 1 6); echo "diff=$?"
while read -r l; do echo "read $l"; done < <(seq 3)
paste <(seq 3) <(seq 4 6) <(printf 'a\nb\nc\n')
cat <(echo one) <(echo two)
wc -l < <(cat /usr/share/common-licenses/BSD)
set -o pipefail
false | true; echo "pipefail=$?"
true | (exit 3) | true; echo "pipefail mid=$?"
set +o pipefail
false | true; echo "no pipefail=$?"
( set -e; false; echo "not reached" ); echo "errexit=$?"
