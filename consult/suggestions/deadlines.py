"""Reply deadlines: the only code that compares the clock with a suggestion's due date.

A department has ``reply_days`` working days (Monday to Friday) to answer a
suggestion, counted from the day after it received it (submission, routing or
transfer), in the site's time zone, ending at the end of the last day. Public
holidays and the adjusted working weekends of the Chinese calendar are not modelled
yet: a holiday calendar table would slot into ``add_working_days``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, select

from consult.clock import now as clock_now
from consult.db import db
from consult.suggestions.models import Suggestion, SuggestionPolicy

DEFAULT_REPLY_DAYS = 15
MIN_REPLY_DAYS, MAX_REPLY_DAYS = 1, 90


def add_working_days(start: datetime, days: int, tz: str = "Asia/Shanghai") -> datetime:
    """The end (23:59:59 local time) of the ``days``-th working day after ``start``'s day."""
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


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
    tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    return add_working_days(received_at, reply_days_for(department_id), tz)


def is_overdue(suggestion: Suggestion, now: datetime | None = None) -> bool:
    """Unanswered by its current department past the due date."""
    now = now or clock_now()
    return suggestion.answered_at is None and now > suggestion.due_at


def overdue_sql(now: datetime | None = None):
    """``is_overdue`` as a SQL condition, for list filters and counts."""
    now = now or clock_now()
    return and_(Suggestion.answered_at.is_(None), Suggestion.due_at < now)
