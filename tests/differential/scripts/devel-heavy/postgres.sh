# reference: proot
# proot: -0
# PostgreSQL 17: initdb, the server (postmaster forking a backend per connection, shared memory,
# semaphores, signalfd/latches), psql over a unix socket: DDL, 10000 rows, an index, a join,
# a transaction rolled back, a second connection at the same time; then a fast stop.
# PostgreSQL refuses to run as root: the commands run as the postgres user (setuid from root).
B=/usr/lib/postgresql/17/bin
as_postgres() { python3 -c 'import os, sys; os.setgroups([]); os.setgid(102); os.setuid(101); os.execv(sys.argv[1], sys.argv[1:])' "$@"; }
mkdir pg && chown postgres:postgres pg
as_postgres $B/initdb -D "$PWD/pg/data" -A trust -U postgres --no-sync --no-instructions > initdb.log 2>&1 || { echo "initdb failed"; cat initdb.log; exit 1; }
grep -E '^(creating|running|performing)' initdb.log | sed 's/\.\.\. .*/... done/'
as_postgres $B/pg_ctl -D "$PWD/pg/data" -o "-k $PWD/pg -c listen_addresses='' -c fsync=off" -l "$PWD/pg/log" -w start > /dev/null || { cat pg/log; exit 1; }
psql() { as_postgres $B/psql -X -q -h "$PWD/pg" -U postgres -v ON_ERROR_STOP=1 "$@" postgres; }
psql <<'EOF'
create table item (id int primary key, name text, price numeric(10,2));
insert into item select i, 'item ' || i, (i % 100) / 4.0 from generate_series(1, 10000) i;
create index on item (price);
create table sale (item_id int references item, qty int);
insert into sale select (i * 7919) % 10000 + 1, i % 5 + 1 from generate_series(1, 5000) i;
select count(*), sum(price), max(name) from item;
select i.price, sum(s.qty) from sale s join item i on i.id = s.item_id where i.price < 1 group by i.price order by 1;
begin; delete from item where id > 100 and id not in (select item_id from sale); rollback;
select count(*) from item;
explain (costs off) select * from item where price = 3;
EOF
psql -c 'select pg_sleep(1), 1 as first' > first.out &
for i in $(seq 50); do
  n=$(psql -At -c "select count(*) from pg_stat_activity where backend_type = 'client backend'")
  [ "$n" = 2 ] && break; sleep 0.1
done
echo "client backends at once: $n"; wait; cat first.out
as_postgres $B/pg_ctl -D "$PWD/pg/data" -m fast -w stop > /dev/null; echo "stopped $?"
