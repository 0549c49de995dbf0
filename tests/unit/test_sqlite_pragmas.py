"""Every SQLite connection the app opens enforces foreign keys and writes through the
write-ahead log, in which readers go on reading while a vote or a comment commits."""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import create_engine, text

import consult.db  # noqa: F401 (the connect listener)


def test_a_file_database_is_put_in_wal_with_foreign_keys(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    # kept in the file: any later connection, even one that is not the app's, finds it
    assert sqlite3.connect(tmp_path / "site.sqlite3").execute(
        "PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_reader_is_not_held_up_by_a_write_in_progress(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'site.sqlite3'}",
                           connect_args={"timeout": 0.2})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    writing, done = threading.Event(), threading.Event()

    def writer():
        raw = engine.raw_connection()  # (the app's connect listener has run on it)
        try:
            raw.driver_connection.isolation_level = None
            cursor = raw.driver_connection.cursor()
            # the lock a commit takes; in the rollback journal no one may read under it
            cursor.execute("BEGIN EXCLUSIVE")
            cursor.execute("UPDATE t SET n = 2")
            writing.set()
            done.wait(5)
            cursor.execute("COMMIT")
        finally:
            raw.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(5)
        with engine.connect() as conn:  # the rollback journal: "database is locked"
            assert conn.execute(text("SELECT n FROM t")).scalar() == 1
    finally:
        done.set()
        thread.join()
    engine.dispose()


def test_an_in_memory_database_stays_in_memory():
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "memory"
