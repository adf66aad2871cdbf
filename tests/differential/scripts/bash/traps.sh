# Traps and signals between processes. (Notes about killed jobs name pids: sent to /dev/null.)
trap 'echo "EXIT trap"' EXIT
trap 'echo "got USR1"' USR1
kill -USR1 $$
echo "after USR1"
trap 'echo "got TERM"; trap - TERM' TERM
kill -TERM $$
echo "after TERM"
( bash -c 'kill -SEGV $$'; exit $? ) 2>/dev/null; echo "child segv=$?"
bash -c 'kill -INT $$'; echo "child int=$?"
bash -c 'trap "" TERM; kill -TERM $$; echo survived'; echo "ignored=$?"
( trap 'echo "subshell exit trap"' EXIT; exit 2 ); echo "subshell=$?"
timeout 0.5 sleep 10; echo "timeout=$?"
( timeout -s KILL 0.5 sleep 10; exit $? ) 2>/dev/null; echo "timeout kill=$?"
trap 'echo "ERR trap at $LINENO"' ERR
false
trap - ERR
bash -c 'trap "echo child got HUP; exit 5" HUP; kill -HUP $$; sleep 1'; echo "hup=$?"
