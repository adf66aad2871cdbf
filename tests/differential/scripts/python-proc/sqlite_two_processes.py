# Two processes on one database file: file locks must serialise the writers.
import os, sqlite3, time
path = "two.db"
db = sqlite3.connect(path, timeout=0.2)
db.execute("create table t (who text, n int)"); db.commit()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    c = sqlite3.connect(path, timeout=0.2)
    os.write(w, b"1")            # parent may take its lock now
    time.sleep(0.3)
    try:
        c.execute("insert into t values ('child', 1)"); c.commit()
        os._exit(10)
    except sqlite3.OperationalError as e:
        res = 20 if "locked" in str(e) else 30
    time.sleep(0.6)               # parent has committed by now
    c.execute("insert into t values ('child', 2)"); c.commit()
    os._exit(res)
os.close(w); os.read(r, 1)
db.execute("begin immediate"); db.execute("insert into t values ('parent', 1)")
time.sleep(0.6)
db.commit()
_, st = os.waitpid(pid, 0)
print("child result", os.WEXITSTATUS(st))
print(db.execute("select who, n from t order by who, n").fetchall())
db.execute("pragma journal_mode=wal")
db.execute("pragma busy_timeout=20000")
pid = os.fork()
if pid == 0:
    c = sqlite3.connect(path, timeout=20)
    for i in range(100):
        c.execute("insert into t values ('wal-child', ?)", (i,)); c.commit()
    os._exit(0)
for i in range(100):
    db.execute("insert into t values ('wal-parent', ?)", (i,)); db.commit()
_, st = os.waitpid(pid, 0)
print("wal child status", os.waitstatus_to_exitcode(st))
print(db.execute("select who, count(*) from t group by who order by who").fetchall())
