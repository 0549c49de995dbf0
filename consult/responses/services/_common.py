"""Shared helpers of the response services: loading the round, the response row, text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consult.db import db
from consult.responses.models import RoundResponse
from consult.security.input import clean_text


def clean(value: str | None, *, field: str, limit: int, required: bool = False,
          empty: Any = None) -> str:
    """``clean_text`` with "" for optional empty text."""
    return clean_text(value, field=field, limit=limit, required=required, empty=empty) or ""




def response_of(round_id: int, *options, lock: bool = False) -> RoundResponse | None:
    stmt = select(RoundResponse).where(RoundResponse.round_id == round_id).options(*options)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)

