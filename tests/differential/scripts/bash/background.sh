# Background jobs and wait. (Job-status notes name pids, so those go to /dev/null.)
sleep 0.3 & p1=$!
(exit 7) & p2=$!
( sleep 0.1; exit 9 ) & p3=$!
wait $p2; echo "p2=$?"
wait $p3; echo "p3=$?"
wait $p1; echo "p1=$?"
for i in 1 2 3 4 5; do ( sleep "0.0$i"; exit $i ) & done
wait; echo "all waited: $?"
sleep 5 & k=$!
{ kill $k; wait $k; } 2>/dev/null; echo "killed: $?"
sleep 5 & k=$!
{ kill -9 $k; wait $k; } 2>/dev/null; echo "sigkill: $?"
wait 99999 2>/dev/null; echo "no such job: $?"
