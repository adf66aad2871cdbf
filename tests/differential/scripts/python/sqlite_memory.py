import sqlite3
db = sqlite3.connect(":memory:")
print(sqlite3.sqlite_version_info >= (3, 40))
db.execute("create table t (id integer primary key, name text, v real, b blob)")
db.executemany("insert into t (name, v, b) values (?, ?, ?)", [(f"n{i % 37}", i * 0.25, bytes([i % 256]) * 3) for i in range(5000)])
db.commit()
print(db.execute("select count(*), sum(v), avg(v), min(name), max(name), total(id) from t").fetchone())
for row in db.execute("select name, count(*), round(sum(v), 2) from t group by name order by 2 desc, 1 limit 5"):
    print(row)
print(db.execute("select id, v, rank() over (order by v desc) from t where id % 1000 = 0").fetchall())
print(db.execute("select json_object('a', 1, 'b', json_array(1, 2, 'x')), printf('%08.3f|%5s|%x', 3.14159, 'ab', 255)").fetchone())
db.execute("create index ix on t(name)")
print(db.execute("explain query plan select * from t where name = 'n3'").fetchall()[0][3])
print(db.execute("with recursive c(x) as (select 1 union all select x + 1 from c where x < 100) select sum(x * x) from c").fetchone())
print(db.execute("select hex(b), typeof(v), upper('straße'), length('😀'), 7 / 2, 7 / 2.0, 1e308 * 10 from t where id = 3").fetchone())
try:
    db.execute("select * from missing")
except sqlite3.OperationalError as e:
    print("OperationalError", e)
db.close()
