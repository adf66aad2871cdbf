# RLIMIT_FSIZE from busybox ash (issue 15): `ulimit -f` (512-byte blocks in ash) goes through fork
# and exec; head's first write is shortened to the limit, its next one dies of SIGXFSZ (128+25);
# smaller files and pipes are not limited.
BB=/usr/bin/busybox
ulimit -f
( ulimit -f 1; ulimit -f; $BB head -c 5000 /dev/zero > big; exit $? ) 2>/dev/null; echo "status $?"
$BB wc -c < big
( ulimit -f 1; $BB head -c 300 /dev/zero > small; echo "small $?" ); $BB wc -c < small
( ulimit -f 1; $BB head -c 5000 /dev/zero | $BB wc -c )
( ulimit -f 1; trap '' XFSZ; $BB dd if=/dev/zero of=ignored bs=1000 count=1 2>&1; echo "ignored $?" )
$BB wc -c < ignored
