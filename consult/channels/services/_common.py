"""Shared guards of the channels services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.errors import InvalidState, ValidationFailed
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round

# Offline opinions are recorded while the round is open and after it closes (a letter
# posted in time arrives days later), until the response is published.
RECORDABLE = (RoundState.OPEN, RoundState.CLOSED)


def require_recordable(round_: Round) -> None:
    if not round_.kind.has_comments:
        raise InvalidState(_l("This round takes votes only, not opinions."))
    lifecycle.require(round_, *RECORDABLE)


def parse_day(value: Any, *, field: str, empty: Any = None) -> date:
    """A date from a form (``YYYY-MM-DD``), a spreadsheet cell or a ``date``; 422 else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()[:10]
    if not text:
        raise ValidationFailed(empty or _l("Enter the date."), field=field)
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValidationFailed(_l("Enter the date as YYYY-MM-DD."), field=field) from None
