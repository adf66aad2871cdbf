"""The sqlite3 command-line shell (dynamic) with SQL on stdin: in memory and on a file."""
import pytest

from cases import Case, ids, run

SQ = "/usr/bin/sqlite3"
SQL = """
create table t(id integer primary key, name text, grp int, v real);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000)
  insert into t(name, grp, v) select 'item' || x, x % 13, x * 1.25 from c;
select count(*), sum(v), avg(v), group_concat(distinct grp) from t;
.mode column
.headers on
select grp, count(*) as n, printf('%.2f', sum(v)) as total from t group by grp order by grp limit 5;
.mode csv
select id, name, v from t where id in (1, 77, 2000);
.mode json
select json_group_array(json_object('id', id, 'sq', id * id)) as j from t where id < 4;
.mode list
select id, ntile(4) over (order by v), lag(name) over (order by id) from t where id % 500 = 0;
select upper('straße'), hex(randomblob(0)), typeof(1e400), 9223372036854775807 + 1, abs(-9223372036854775807 - 1) is null;
select datetime(0, 'unixepoch'), date('2024-02-29', '+1 year'), strftime('%j %w', '2000-12-31');
create table u(a unique);
insert into u values (1);
insert into u values (1);
select 'after error';
""".encode()
FILE_SQL = b"""
pragma journal_mode=wal;
create table kv(k text primary key, v int);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000)
  insert into kv select 'k' || x, x * x from c;
select count(*), sum(v) from kv;
pragma integrity_check;
.tables
.schema kv
pragma journal_mode=delete;
vacuum;
select count(*) from kv where k like 'k12%';
"""

CASES = [
    Case("sqlite-memory", [SQ, ":memory:"], stdin=SQL, status=1),
    Case("sqlite-bail", [SQ, "-bail", ":memory:"], stdin=SQL, status=1),
    Case("sqlite-file", [SQ, "test.db"], stdin=FILE_SQL, scratch=True),
    Case("sqlite-cmd", [SQ, ":memory:", "select 1 + 1, sqlite_version() like '3.%';"]),
    Case("sqlite-version", [SQ, "-version"], stderr=False),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_sqlite_cli(case, roots):
    run(case, roots)
