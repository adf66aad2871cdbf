# status: 3
# busybox ash running other programs: pipelines, subshells, command substitution, background
# jobs, traps and signals, here-documents.
BB=/usr/bin/busybox
$BB seq 1 500 | $BB grep 5 | $BB sort -r | $BB head -3
n=$($BB seq 1 100 | $BB wc -l); echo "count=$n"
( exit 4 ); echo "subshell=$?"
echo "nested $(echo "x$(echo y)")"
$BB sleep 0.2 & p=$!
( exit 6 ) & q=$!
wait $q; echo "q=$?"; wait $p; echo "p=$?"
$BB sleep 5 & k=$!; { kill $k; wait $k; } 2>/dev/null; echo "killed=$?"
trap 'echo "USR1 trapped"' USR1; kill -USR1 $$; echo "after trap"
( $BB sh -c 'kill -SEGV $$'; exit $? ) 2>/dev/null; echo "segv=$?"
$BB sh -c 'exit 300'; echo "exit300=$?"
$BB cat <<EOF | $BB tr a-z A-Z
heredoc $((2 + 3)) through a pipe
EOF
for i in 1 2 3; do echo "item $i"; done | while read -r x; do echo "<$x>"; done
$BB find /usr/lib/python3.13/json -name '*.py' | $BB sort | $BB xargs $BB basename -a | $BB tr '\n' ' '; echo
trap 'echo EXIT-trap' EXIT
exit 3
