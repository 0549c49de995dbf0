"""Shared helpers of the case services: loading a case, the deadline, the tally."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from consult import workdays
from consult.db import db, upsert_insert
from consult.errors import InvalidState, NotFound
from consult.rectification.models import (
    CaseStatus,
    RectificationCase,
    RectificationPolicy,
    RectificationTally,
)
from consult.rounds.models import Round

DEFAULT_DAYS = 5
MIN_DAYS, MAX_DAYS = 1, 60


def default_days() -> int:
    return int(current_app.config.get("RECTIFICATION_DAYS", DEFAULT_DAYS))


def days_for(department_id: int) -> int:
    """The department's own deadline, else ``CONSULT_RECTIFICATION_DAYS`` (5)."""
    days = db.session.scalar(select(RectificationPolicy.due_days).where(
        RectificationPolicy.department_id == department_id))
    return days or default_days()


def due_at(department_id: int, opened_at: datetime) -> datetime:
    """The end of the N-th working day after the opening's day (official calendar)."""
    return workdays.deadline(opened_at, days_for(department_id))


def month_of(moment: datetime) -> date:
    return workdays.local_day(moment).replace(day=1)


def load_case(case_id: int, *, lock: bool = False) -> RectificationCase:
    """The case with its round, consultation and department (one query), or 404."""
    stmt = (select(RectificationCase).where(RectificationCase.id == case_id)
            .options(joinedload(RectificationCase.round).joinedload(Round.consultation),
                     joinedload(RectificationCase.suggestion),
                     joinedload(RectificationCase.department),
                     joinedload(RectificationCase.erratum),
                     joinedload(RectificationCase.action))
            .execution_options(populate_existing=True))
    if lock:
        stmt = stmt.with_for_update(of=RectificationCase)
    case = db.session.scalar(stmt)
    if case is None:
        raise NotFound(_l("There is no such case."))
    return case


def require_status(case: RectificationCase, *allowed: CaseStatus, message: Any) -> None:
    if case.status not in allowed:
        raise InvalidState(message)


def count_rated(department_id: int, month: date, n: int) -> None:
    """Set-by-adding the month's ratings (the demo seed's recount)."""
    count(department_id, month, rated=n)


def count(department_id: int, month: date, **deltas: int) -> None:
    """Move the department's counters for the month, in the caller's transaction."""
    deltas = {c: n for c, n in deltas.items() if n}
    if not deltas:
        return
    db.session.execute(upsert_insert(RectificationTally)
                       .values(department_id=department_id, month=month)
                       .on_conflict_do_nothing(index_elements=["department_id", "month"]))
    db.session.execute(
        update(RectificationTally)
        .where(RectificationTally.department_id == department_id,
               RectificationTally.month == month)
        .values(**{c: getattr(RectificationTally, c) + n for c, n in deltas.items()})
        .execution_options(synchronize_session=False))
