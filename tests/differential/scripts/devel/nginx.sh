# reference: proot
# proot: -0
# nginx (a master and two workers: fork, socketpairs with SIGIO, epoll, sendfile) serving
# files to curl over TCP on 127.0.0.1: a small and a 3 MB file, a 404, a HEAD, a range, keep-alive
# with several requests on one connection, then a graceful stop (SIGQUIT) that waits for workers.
port=$((18000 + RANDOM % 2000))
mkdir -p www logs
echo "hello from nginx" > www/index.html
head -c 3000000 /dev/zero | tr '\0' 'x' > www/big.txt
cat > nginx.conf <<EOF
daemon off;
worker_processes 2;
error_log $PWD/logs/error.log warn;
pid $PWD/nginx.pid;
events { worker_connections 64; }
http {
  access_log $PWD/logs/access.log;
  sendfile on;
  client_body_temp_path $PWD/tmp-body; proxy_temp_path $PWD/tmp-proxy; fastcgi_temp_path $PWD/tmp-fcgi;
  uwsgi_temp_path $PWD/tmp-uwsgi; scgi_temp_path $PWD/tmp-scgi;
  server { listen 127.0.0.1:$port; root $PWD/www; }
}
EOF
nginx -p "$PWD" -c "$PWD/nginx.conf" & server=$!
for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
u=http://127.0.0.1:$port
curl -sS "$u/index.html"
curl -sS "$u/big.txt" | md5sum
curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' "$u/missing"
curl -sSI "$u/index.html" | grep -E '^(HTTP|Content-Length|Content-Type)' | tr -d '\r'
curl -sS -r 10-19 "$u/big.txt"; echo
curl -sS -w '%{num_connects} ' "$u/index.html" "$u/index.html" "$u/index.html" | tr '\n' ' '; echo
kill -QUIT $server; wait $server; echo "nginx exit $?"
wc -l < logs/access.log
