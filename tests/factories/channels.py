"""Days as the channels' forms take them (the local calendar day, ISO format)."""

from __future__ import annotations

from datetime import timedelta

from consult.clock import now
from consult.workdays import local_day


def today() -> str:
    return local_day(now()).isoformat()


def yesterday() -> str:
    return (local_day(now()) - timedelta(days=1)).isoformat()
