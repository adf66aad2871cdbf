# RLIMIT_FSIZE from the shell (issue 15): `ulimit -f` (1024-byte blocks in bash) goes through fork
# and exec; head's first write is shortened to the limit, its next one dies of SIGXFSZ (128+25;
# the subshell's notice naming a pid goes to /dev/null); smaller files and pipes are not limited;
# with SIGXFSZ ignored the write fails with EFBIG instead.
ulimit -f
( ulimit -f 1; ulimit -f; head -c 5000 /dev/zero > big; exit $? ) 2>/dev/null; echo "status $?"
wc -c < big
( ulimit -f 1; head -c 1000 /dev/zero > small; echo "small $?" ); wc -c < small
( ulimit -f 1; head -c 5000 /dev/zero | wc -c )
( ulimit -f 1; trap '' XFSZ; head -c 5000 /dev/zero > ignored; echo "ignored $?" ) 2>&1
wc -c < ignored
( ulimit -f 2; truncate -s 2048 sized; echo "truncate to the limit $?"; truncate -s 2049 sized; exit $? ) 2>/dev/null; echo "truncate past it $?"
wc -c < sized
