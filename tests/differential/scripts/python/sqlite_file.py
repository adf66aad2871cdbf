# reference: proot (qemu -L sends paths that do not exist yet under the root to the host)
# A database file in /tmp, in rollback-journal and in WAL mode (WAL maps its -shm file shared).
import os, sqlite3
d = os.getcwd()
for mode in ("delete", "wal"):
    path = f"/tmp/skiff-diff/python-sqlite_file/test-{mode}.db"
    db = sqlite3.connect(path)
    print(mode, db.execute(f"pragma journal_mode={mode}").fetchone())
    db.execute("create table kv (k text primary key, v integer)")
    with db:
        db.executemany("insert into kv values (?, ?)", [(f"key{i:05d}", i * i) for i in range(3000)])
    with db:
        db.execute("update kv set v = v + 1 where k like 'key0001%'")
    try:
        with db:
            db.execute("insert into kv values ('key00001', 0)")
    except sqlite3.IntegrityError as e:
        print("IntegrityError", e)
    db.close()
    db = sqlite3.connect(path)
    print(db.execute("select count(*), sum(v), max(k) from kv").fetchone(), db.execute("pragma integrity_check").fetchone())
    db.close()
    print(sorted(os.listdir(d)), os.path.getsize(path) > 0)
