# mkfifo, a background writer and a reader; ls and stat show the FIFO.
BB=/usr/bin/busybox
$BB mkfifo f
$BB stat -c '%F %a' f
$BB ls -l f | $BB cut -c1
(echo hello; echo world) > f &
$BB cat f
wait
($BB sleep 0.2; echo late > f) &
read line < f
echo "read: $line"
wait
exec 3<>f
echo through-rdwr >&3
read -r x <&3
echo "$x"
exec 3>&-
$BB mkfifo -m 600 g
$BB stat -c '%a' g
$BB rm f g
$BB ls
