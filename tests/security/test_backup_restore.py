"""``flask backup create`` / ``flask backup restore``: a round trip loses no row
(row counts of every table compared), on SQLite (online backup API) and PostgreSQL
(pg_dump/pg_restore, marker pg)."""

from __future__ import annotations

import pytest
from flask_babel import refresh
from sqlalchemy import delete

from consult.extensions import db
from consult.ops.backup import row_counts
from tests.conftest import make_app


def _round_trip(app, tmp_path):
    from tests.security.world import build_world

    build_world()
    before = row_counts()
    assert sum(before.values()) > 20
    runner = app.test_cli_runner()
    path = tmp_path / "consult.backup"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0
    # a disaster: every row gone
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(delete(table))
    assert sum(row_counts().values()) == 0
    result = runner.invoke(args=["backup", "restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    after = row_counts()
    lost = {t: before[t] - after.get(t, 0) for t in before if before[t] != after.get(t, 0)}
    assert not lost, f"rows lost or gained per table: {lost}"
    print(f"\nbackup round trip ({db.engine.dialect.name}): {sum(before.values())} rows in "
          f"{len(before)} tables, 0 lost")
    # a second backup to the same file is refused, not overwritten (in the operator's
    # language: the test's app context had cached the site's default locale, which a real
    # command, with an app context of its own, never has)
    refresh()
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code != 0 and "exists already" in result.output


def test_sqlite_round_trip(pytestconfig, tmp_path):
    if pytestconfig.consult_db_url is not None:
        pytest.skip("the SQLite round trip runs on the SQLite test run")
    app = make_app(pytestconfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.sqlite3",
                   SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        db.create_all()
        try:
            _round_trip(app, tmp_path)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    path = tmp_path / "junk.backup"
    path.write_bytes(b"not a database at all" * 100)
    result = app.test_cli_runner().invoke(args=["backup", "restore", "--yes", str(path)])
    assert result.exit_code != 0
    assert "Error" in result.output


@pytest.mark.pg
def test_postgresql_round_trip(app, tmp_path):
    _round_trip(app, tmp_path)
