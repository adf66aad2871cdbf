# Two processes on one database file: file locks must serialise the writers.
import os, sqlite3
path = "two.db"
db = sqlite3.connect(path, timeout=0.2)
db.execute("create table t (who text, n int)"); db.commit()
# Pipes, not sleeps, order the steps, so a loaded machine cannot reorder them: the parent takes
# the write lock, the child's insert must fail with "locked", then the parent commits and the
# child's second insert goes through.
locked_r, locked_w = os.pipe()
tried_r, tried_w = os.pipe()
committed_r, committed_w = os.pipe()
pid = os.fork()
if pid == 0:
    c = sqlite3.connect(path, timeout=0.2)
    os.read(locked_r, 1)
    try:
        c.execute("insert into t values ('child', 1)"); c.commit()
        os._exit(10)
    except sqlite3.OperationalError as e:
        res = 20 if "locked" in str(e) else 30
    os.write(tried_w, b"1")
    os.read(committed_r, 1)
    c.execute("insert into t values ('child', 2)"); c.commit()
    os._exit(res)
db.execute("begin immediate"); db.execute("insert into t values ('parent', 1)")
os.write(locked_w, b"1")
os.read(tried_r, 1)
db.commit()
os.write(committed_w, b"1")
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
