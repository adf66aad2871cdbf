# Here-documents and here-strings, small and large (a large one does not fit a pipe buffer).
name=world
cat <<EOF
hello $name $((6 * 7))
EOF
cat <<'EOF'
not expanded: $name $(date)
EOF
	cat <<-EOF
	tabs stripped $name
	EOF
read -r a b <<< "here string"; echo "$b,$a"
wc -c <<EOF
$(seq 1 30000)
EOF
sha256sum <<EOF | cut -c1-16
$(head -c 200000 /usr/bin/busybox | base64)
EOF
tr a-z A-Z <<< "$(printf 'x%.0s' {1..70000})" | wc -c
