# reference: proot
# redis-server and redis-cli in the same container, over a unix socket (no host port to share):
# strings, counters, lists, hashes, sets, expiry, a MULTI transaction, a pipeline of 1000
# commands, SAVE and a restart that loads the dump (fork for BGSAVE too), then SHUTDOWN.
start() { redis-server --port 0 --unixsocket "$PWD/redis.sock" --dir "$PWD" --dbfilename dump.rdb --save '' --appendonly no --loglevel warning --logfile "$PWD/redis.log" --daemonize no & }
cli() { redis-cli -s "$PWD/redis.sock" "$@"; }
ready() { for i in $(seq 100); do cli ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server did not start"; cat redis.log; exit 1; }
start; ready
cli set greeting "hello world"; cli get greeting; cli append greeting "!"; cli strlen greeting
cli incr n; cli incrby n 41; cli rpush l a b c d; cli lrange l 0 -1; cli lpop l
cli hset h f1 v1 f2 v2; cli hgetall h; cli sadd s x y z x; cli scard s
cli set temp 1 PX 100; sleep 0.3; cli exists temp
printf 'MULTI\nINCR n\nINCR n\nEXEC\n' | cli
for i in $(seq 1000); do echo "SET key:$i $i"; done | cli > /dev/null; cli dbsize
cli --eval /dev/stdin <<<'return redis.call("get", "key:500") + 1' 2>/dev/null || cli eval 'return redis.call("get", KEYS[1]) + 1' 1 key:500
cli bgsave > /dev/null; for i in $(seq 100); do [ "$(cli info persistence | grep -c 'rdb_bgsave_in_progress:0')" = 1 ] && [ -s dump.rdb ] && break; sleep 0.1; done
cli save; cli shutdown nosave; wait; echo "server exit $?"
start; ready
cli get greeting; cli dbsize; cli get key:1000
cli shutdown nosave; wait; echo "server exit $?"
