# Pipelines between external programs, PIPESTATUS, large data through pipes.
seq 1 2000 | grep 7 | sort -r | head -5
yes abc | head -c 100000 | wc -c
head -c 3000000 /dev/zero | gzip -1 | gzip -d | sha256sum
seq 1 50000 | gawk '{ s += $1 } END { print s }'
printf 'b\na\nc\n' | sort | tr a-z A-Z | paste -sd,
true | false | true; echo "PIPESTATUS=${PIPESTATUS[*]}"
cat /usr/share/common-licenses/GPL-3 | tr -s ' ' '\n' | sort | uniq -c | sort -rn | head -3
seq 3 | while read -r n; do echo "line $n"; done
x=$(seq 1 100 | tail -1); echo "last=$x"
