"""Fixtures: an app per test on SQLite (in memory) or PostgreSQL (--db / TEST_DATABASE_URL),
a test client, logging in as a role, and a SQL statement counter."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, g, has_request_context, request_started
from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import StaticPool

from consult.app import create_app
from consult.config import TestConfig
from consult.extensions import db
from tests.factories import DepartmentFactory, RoundFactory, UserFactory, moderation_world
from tests.oracles import comment_tallies

# The Redis database the tests may use and empty: one per concurrent run (CI runs SQLite and
# PostgreSQL side by side, each with its own REDIS_TEST_URL).
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def pytest_addoption(parser):
    parser.addoption(
        "--db", default=os.environ.get("TEST_DATABASE_URL", "sqlite"),
        help="'sqlite' (in memory, default) or a postgresql+psycopg:// URL of a throwaway database",
    )


def pytest_configure(config):
    url = config.getoption("--db")
    config.consult_db_url = None if url == "sqlite" else url


def pytest_collection_modifyitems(config, items):
    if config.consult_db_url is None:
        skip = pytest.mark.skip(reason="PostgreSQL only: set TEST_DATABASE_URL="
                                "postgresql+psycopg://... (or --db=...), see the README")
        for item in items:
            if "pg" in item.keywords:
                item.add_marker(skip)


def pytest_collection_finish(session):
    """Every module, model and factory is loaded now and lives to the end: the cycle
    collector stops walking them (about a sixth of the suite's CPU went to collections
    walking the same long-lived objects again and again), and runs less often (each test
    leaves an app's worth of cycles, freed a few tests later instead of after each)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1_000)


def pytest_report_header(config):
    return f"consult database: {config.consult_db_url or 'SQLite in memory'}"


@pytest.fixture(autouse=True)
def _operator_speaks_english(monkeypatch):
    """Commands speak the terminal's language (consult.operator_locale): tests read their
    output in English whatever the shell running them says; a test of Chinese output
    passes LANG itself."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


_PG_SCHEMA_READY: set[str] = set()


def make_app(pytestconfig, **overrides) -> Flask:
    url = pytestconfig.consult_db_url
    settings: dict = {}
    if url is None:
        settings["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        settings["SQLALCHEMY_DATABASE_URI"] = url
    settings.update(overrides)

    class Config(TestConfig):
        pass

    for key, value in settings.items():
        setattr(Config, key, value)
    app = create_app(Config)
    request_started.connect(_fresh_globals, app)
    return app


def _fresh_globals(sender, **extra) -> None:
    """Each request starts with an empty ``g``, as in production.

    The test client reuses the test's app context (and so its ``g``) for every request;
    Flask-Login's current user and Flask-Babel's locale would leak from one request
    into the next (a detached user, a stale language).
    """
    g.__dict__.clear()


@pytest.fixture
def app(pytestconfig, request) -> Iterator[Flask]:
    app = make_app(pytestconfig)
    with app.app_context():
        prepare_schema(pytestconfig)
        # Flask-Mailman's locmem backend appends to the app's mail state, not to the
        # extension object.
        app.extensions["mailman"].outbox = []
        yield app
        db.session.remove()
        try:
            _check_comment_tallies()
        finally:  # the next test starts from an empty database whatever this one left
            clear_database(pytestconfig,
                           many_rows=bool(request.node.get_closest_marker("many_rows")))
            db.engine.dispose()


def _check_comment_tallies() -> None:
    """Whatever a test did to comments, through whichever service, the counts kept of each
    round's comments (consult.participation.tallies) equal a recount of the comments: the
    one check walks every write path the suite takes."""
    try:
        kept, recounted = comment_tallies()
    except sa_exc.OperationalError:
        return  # no schema (a test of migrations or of a failed start)
    finally:
        db.session.remove()
    assert kept == recounted, "comment_tally differs from a recount of the comments"


_SQLITE_TEMPLATE: list[sqlite3.Connection] = []


def prepare_schema(pytestconfig) -> None:
    url = pytestconfig.consult_db_url
    if url is None:
        # CREATE TABLE for every model costs ~0.15 s; copying an empty template
        # database built once per session costs next to nothing.
        if not _SQLITE_TEMPLATE:
            template = sqlite3.connect(":memory:", check_same_thread=False)
            engine = create_engine("sqlite://", creator=lambda: template, poolclass=StaticPool)
            db.metadata.create_all(engine)
            _SQLITE_TEMPLATE.append(template)
        with db.engine.connect() as conn:
            _SQLITE_TEMPLATE[0].backup(conn.connection.driver_connection)
    elif url not in _PG_SCHEMA_READY:
        db.drop_all()
        db.create_all()
        _PG_SCHEMA_READY.add(url)


_CLEAR_SQL: list[str] = []


def clear_database(pytestconfig, *, many_rows: bool = False) -> None:
    if pytestconfig.consult_db_url is None:
        return  # each app has its own in-memory database, gone with its engine
    # DELETE, children first: a test leaves a few rows, and TRUNCATE of every table
    # (new files for each) took about two seconds per test. All of them in one round trip
    # (a script of statements without parameters): a quarter of the time of one each.
    if not _CLEAR_SQL:
        _CLEAR_SQL.append("; ".join(
            [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
            + ["SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S' "
               "AND c.relnamespace = current_schema()::regnamespace"]))
    if not many_rows:
        try:
            with db.engine.begin() as conn:
                conn.exec_driver_sql(_CLEAR_SQL[0])
            return
        except sa_exc.IntegrityError:
            pass  # a foreign-key cycle the order cannot satisfy
    # TRUNCATE: after a test that leaves many rows (DELETE checks each row's foreign keys:
    # 40 s after 90,000 rows), or when DELETE could not.
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Log the test client in as ``user`` (no password round trip)."""
    def login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user
    return login


@pytest.fixture
def count_queries(app):
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)

    @contextmanager
    def counting():
        seen.clear()
        yield seen

    yield counting
    event.remove(db.engine, "before_cursor_execute", on_execute)


@pytest.fixture
def outbox(app):
    return app.extensions["mailman"].outbox


# Fixtures many test modules share (a module's own fixture of the same name wins).

@pytest.fixture
def english(client):
    """Pages in English (the default locale is zh_CN): assertions read the English text."""
    client.set_cookie("locale", "en")


@pytest.fixture
def dept(app):
    return DepartmentFactory()


@pytest.fixture
def official(dept):
    """An official of ``dept``."""
    return UserFactory(role="official", role__department=dept)


@pytest.fixture
def rnd(app):
    """An open round (comments and votes) on a fresh consultation of a fresh department."""
    return RoundFactory()


@pytest.fixture
def english_request(app):
    """Service tests run inside an English request (messages read in English)."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def world(app):
    """The moderation world (tests.factories.ModerationWorld): inside the test's own
    request when it has one (service tests), else a short one."""
    if has_request_context():
        return moderation_world()
    with app.test_request_context("/"):
        return moderation_world()
