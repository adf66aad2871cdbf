-- A sqlite3 workload: bulk inserts in a transaction, an index, aggregate queries.
create table t(id integer primary key, k text, g int, v real);
begin;
with recursive c(x) as (select 1 union all select x + 1 from c where x < 80000)
  insert into t(k, g, v) select hex(x * 2654435761 % 4294967296), x % 97, x * 0.5 from c;
commit;
create index t_k on t(k);
select count(*), sum(v), count(distinct g) from t;
select g, count(*), avg(v) from t group by g order by 3 desc limit 3;
select count(*) from t a join t b on a.k = b.k where a.id < 20000;
