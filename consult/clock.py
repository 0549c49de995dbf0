"""The one clock. Everything that needs "now" asks here, so tests can move time."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
