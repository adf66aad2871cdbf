# Subshells, command substitution, grouping, scoping, exit codes.
v=outer
( v=inner; echo "in subshell: $v"; exit 3 ); echo "status=$? v=$v"
{ v=grouped; echo "in group"; }; echo "after group v=$v"
echo "nested: $(echo "a$(echo "b$(echo c)")")"
n=$(for i in 1 2 3; do echo $i; done | wc -l); echo "count=$n"
cd /tmp && (cd /usr/share && pwd) && pwd
out=$( (echo to-out; echo to-err >&2) 2>&1 ); echo "captured: $out"
f() { local l=local; echo "$l $1"; return 4; }; r=$(f arg); echo "r=$r status=$?"
echo "$(( $(seq 10 | wc -l) * 2 ))"
(exit 255); echo $?; (exit 256); echo $?
bash -c 'exit 42'; echo "child bash=$?"
