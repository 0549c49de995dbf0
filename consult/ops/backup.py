"""Backup and restore of the whole database.

SQLite: the online backup API (``sqlite3.Connection.backup``), page by page, consistent
while the app keeps running; the backup is itself an SQLite file. Restore copies it
back the same way, in one step, over the live database.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--single-transaction`` (the client tools must be installed and of the server's major
version or newer). The password comes from the URL or from PGPASSWORD/.pgpass.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from consult.extensions import db


class BackupError(RuntimeError):
    pass


def _dialect() -> str:
    return db.engine.dialect.name


def _libpq_url() -> str:
    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(_("%(tool)s is not installed (apt-get install postgresql-client).",
                            tool=name))
    return path


def create(path: str | os.PathLike) -> Path:
    target = Path(path)
    if target.exists():
        raise BackupError(_("%(path)s exists already: choose a new file name.", path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    if _dialect() == "sqlite":
        raw = db.engine.raw_connection()
        try:
            dest = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(dest)
            finally:
                dest.close()
        finally:
            raw.close()
    elif _dialect() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", f"--dbname={_libpq_url()}"])
    else:
        raise BackupError(f"backups of {_dialect()} are not supported")
    return target


def restore(path: str | os.PathLike) -> None:
    source = Path(path)
    if not source.is_file():
        raise BackupError(_("%(path)s is not a file.", path=source))
    db.session.remove()
    if _dialect() == "sqlite":
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            src.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(_("%(path)s is not an SQLite backup: %(error)s", path=source,
                                error=exc)) from exc
        raw = db.engine.raw_connection()
        try:
            src.backup(raw.driver_connection)
        finally:
            src.close()
            raw.close()
        db.engine.dispose()
    elif _dialect() == "postgresql":
        db.engine.dispose()  # our own connections must not hold locks on the tables
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={_libpq_url()}",
              str(source)])
    else:
        raise BackupError(f"restoring {_dialect()} is not supported")


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{args[0]} failed ({result.returncode})")


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema (for the round-trip check)."""
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t))
                for t in db.metadata.sorted_tables}
