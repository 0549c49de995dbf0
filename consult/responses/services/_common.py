"""Shared helpers of the response services: loading the round, the response row, text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consult.db import db
from consult.responses.models import RoundResponse
from consult.rounds.models import Round
from consult.security.input import clean_text
from consult.security.permissions import authorize


def clean(value: str | None, *, field: str, limit: int, required: bool = False,
          empty: Any = None) -> str:
    """``clean_text`` with "" for optional empty text."""
    return clean_text(value, field=field, limit=limit, required=required, empty=empty) or ""


def get_round(actor: Any, round_id: int) -> Round:
    """The round with consultation, department and version (404 when not visible)."""
    from consult.rounds import services as rounds

    return rounds.get_round(actor, round_id)


def get_managed_round(actor: Any, round_id: int) -> Round:
    """404 when the actor cannot see the round, 403 when they may not respond to it."""
    round_ = get_round(actor, round_id)
    authorize(actor, "response.manage", round_)
    return round_


def insert_ignore(model, **values) -> bool:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, since psycopg reports rowcount -1 for ON CONFLICT DO NOTHING.
    stmt = insert(model).values(**values).on_conflict_do_nothing().returning(
        *model.__table__.primary_key.columns)
    return db.session.execute(stmt).first() is not None


def response_of(round_id: int, *options, lock: bool = False) -> RoundResponse | None:
    stmt = select(RoundResponse).where(RoundResponse.round_id == round_id).options(*options)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)

