"""Database base class, column types and transaction helpers."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import has_request_context, request
from flask.globals import app_ctx
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from consult.clock import now

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def _session_scope() -> int:
    """One session per request (or per app context outside requests).

    Flask-SQLAlchemy scopes sessions by app context, and Flask reuses an already
    pushed app context for requests; in production that is the same thing, but it
    would let a test's session leak into the requests of its test client. Scoping by
    request keeps every request on a fresh session, as it is in production.
    """
    if has_request_context():
        return id(request._get_current_object())
    return id(app_ctx._get_current_object())


db = SQLAlchemy(model_class=Base, session_options={"scopefunc": _session_scope})


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=now)


@contextmanager
def atomic(*, expire: bool = True) -> Iterator[None]:
    """One user action, one transaction: commit on success, roll back on any error.

    ``expire=False`` keeps the loaded objects as they are after the commit instead of
    re-reading each one on its next use: for a request that shows only what it has just
    written or read under its locks (the vote page), those reads are all waste."""
    session = db.session()
    try:
        yield
        if expire:
            session.commit()
        else:
            previous, session.expire_on_commit = session.expire_on_commit, False
            try:
                session.commit()
            finally:
                session.expire_on_commit = previous
    except BaseException:
        session.rollback()
        raise


def on_commit(fn: Callable[[], None]) -> None:
    """Run ``fn`` after the current transaction commits (mail, jobs); dropped on rollback."""
    db.session.info.setdefault("on_commit", []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    callbacks = session.info.pop("on_commit", [])
    for fn in callbacks:
        fn()


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_commit(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("on_commit", None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: foreign keys enforced, and the write-ahead log, in which readers go on
    reading while a write commits (in the default rollback journal every page waited for
    every vote and comment to be written). WAL is kept in the database file: the first
    connection sets it; one that finds the file locked leaves it to the next."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # (an in-memory database says "memory")
        except sqlite3.OperationalError:  # "database is locked": another process is writing
            log.info("SQLite journal mode left for the next connection", exc_info=True)
        cursor.close()


def str_enum(enum_cls, length: int = 20) -> Enum:
    """A portable enum column storing the members' values (not names) as VARCHAR."""
    return Enum(enum_cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda cls: [member.value for member in cls])


def upsert_insert(model):
    """An INSERT of the session's dialect (PostgreSQL or SQLite), the one that has
    ``on_conflict_do_nothing`` and ``on_conflict_do_update``; the core ``insert`` has
    neither. Every "insert unless it exists" and every upsert starts here."""
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def insert_ignore(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING in the current transaction; True when a row was
    inserted (one support per user, one follow, one participant row...).

    Decided by RETURNING, not ``rowcount``: psycopg reports -1 for these inserts, which
    would count every duplicate as new."""
    key = list(model.__table__.primary_key.columns)
    stmt = upsert_insert(model).values(**values).on_conflict_do_nothing().returning(*key)
    return db.session.execute(stmt).first() is not None
