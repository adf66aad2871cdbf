# mknod of the null device as root: writes vanish, reads see EOF; the node shows its numbers.
BB=/usr/bin/busybox
$BB mknod n c 1 3
$BB stat -c '%F %t %T' n
echo x > n
$BB cat n
echo "cat: $?"
$BB mknod z c 1 5
$BB head -c 4 z | $BB od -An -tx1
$BB mknod p p
$BB stat -c '%F' p
$BB rm n z p
