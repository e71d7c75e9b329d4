import sqlite3

SCHEMA = "CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)"


def connect(path):
    db = sqlite3.connect(path)
    db.execute(SCHEMA)
    return db


def bump(path, name):
    with connect(path) as db:
        db.execute("INSERT INTO counter (name, n) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1", (name,))
        return db.execute("SELECT n FROM counter WHERE name = ?", (name,)).fetchone()[0]


def all_counts(path):
    with connect(path) as db:
        return dict(db.execute("SELECT name, n FROM counter ORDER BY name"))
