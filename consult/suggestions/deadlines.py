"""Reply deadlines: the only code that compares the clock with a suggestion's due date.

A department has ``reply_days`` working days to answer a suggestion, counted on the
official calendar (statutory holidays off, adjusted working weekends on:
``consult.workdays``) from the day after it received it (submission, routing or
transfer), in the site's time zone, ending at the end of the last day.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, select

from consult import workdays
from consult.clock import now as clock_now
from consult.db import db
from consult.suggestions.models import Suggestion, SuggestionPolicy

DEFAULT_REPLY_DAYS = 15
MIN_REPLY_DAYS, MAX_REPLY_DAYS = 1, 90


def default_reply_days() -> int:
    return int(current_app.config.get("SUGGESTION_REPLY_DAYS", DEFAULT_REPLY_DAYS))


def reply_days_for(department_id: int | None) -> int:
    """The department's own setting, else ``CONSULT_SUGGESTION_REPLY_DAYS`` (15)."""
    if department_id is not None:
        days = db.session.scalar(select(SuggestionPolicy.reply_days).where(
            SuggestionPolicy.department_id == department_id))
        if days:
            return days
    return default_reply_days()


def due_date(department_id: int | None, received_at: datetime) -> datetime:
    return workdays.deadline(received_at, reply_days_for(department_id))


def is_overdue(suggestion: Suggestion, now: datetime | None = None) -> bool:
    """Unanswered by its current department past the due date."""
    now = now or clock_now()
    return suggestion.answered_at is None and now > suggestion.due_at


def overdue_sql(now: datetime | None = None):
    """``is_overdue`` as a SQL condition, for list filters and counts."""
    now = now or clock_now()
    return and_(Suggestion.answered_at.is_(None), Suggestion.due_at < now)
