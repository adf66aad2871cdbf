# exec, fd redirections, command lookup, exit statuses 126/127.
exec 3> /tmp/skiff-exec-fd3
echo "to fd 3" >&3
exec 3>&-
cat /tmp/skiff-exec-fd3; rm /tmp/skiff-exec-fd3
exec 4< /usr/share/common-licenses/BSD; read -r first <&4; exec 4<&-; echo "first: $first"
{ echo out; echo err >&2; } 2>&1 | sort
no-such-command-xyz 2>/dev/null; echo "not found=$?"
/usr/share/common-licenses/BSD 2>/dev/null; echo "not executable=$?"
type -t cd ls; command -v sort; hash -r
(exec echo "exec replaced the subshell"); echo "after exec=$?"
bash -c 'exec -a custom-name bash -c "echo \$0"'
env -i FOO=bar /usr/bin/env
nice -n 5 nice
for i in $(seq 1 30); do expr $i \* $i; done | tail -2
