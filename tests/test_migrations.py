"""The migrations build the schema from nothing, and the models have not moved on
without them (what ``flask db check`` checks)."""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from consult.extensions import db
from tests.conftest import make_app


@pytest.fixture
def empty_database(pytestconfig, tmp_path):
    """Settings for an app on an empty database: a temporary SQLite file, or a fresh
    schema in the PostgreSQL test database."""
    url = pytestconfig.consult_db_url
    if url is None:
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrations.sqlite3'}",
               "SQLALCHEMY_ENGINE_OPTIONS": {}}
        return
    schema = f"migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


# Flask-Migrate's generated env.py still calls Flask-SQLAlchemy's deprecated get_engine().
@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
def test_upgrade_from_empty_matches_the_models(pytestconfig, empty_database):
    app = make_app(pytestconfig, **empty_database)
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
            flask_migrate.upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"user", "department", "role_assignment", "audit_entry",
                    "alembic_version"} <= tables
            assert tables - {"alembic_version"} == set(db.metadata.tables)

            diff = differences()
            assert diff == [], (
                "The models and the migrations differ; run `flask db migrate`:\n"
                + "\n".join(map(str, diff)))

            # Down to nothing and up again: the downgrade is usable too.
            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            flask_migrate.upgrade()
            assert differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()
