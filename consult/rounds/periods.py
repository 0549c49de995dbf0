"""Legal comment periods: a department's statutory minimum (30 days unless it sets another,
in calendar or in working days on the official calendar), how long a round is open by that
measure, and whether it needs a public reason for being shorter.

A round is open from its opening day to its closing day, both counted, in the site's
time zone: a round from 1 to 30 June is open 30 days. Working days follow
``consult.workdays`` (statutory holidays off, adjusted working weekends on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import ngettext

from consult import workdays

DEFAULT_MIN_DAYS = 30
MIN_DAYS_RANGE = (1, 365)


@dataclass(frozen=True)
class Period:
    """A round's length measured the way its department's minimum is."""

    length: int
    minimum: int
    in_workdays: bool

    @property
    def short(self) -> bool:
        return self.length < self.minimum

    def days(self, n: int) -> str:
        if self.in_workdays:
            return ngettext("%(num)d working day", "%(num)d working days", n)
        return ngettext("%(num)d day", "%(num)d days", n)

    @property
    def length_label(self) -> str:
        return self.days(self.length)

    @property
    def minimum_label(self) -> str:
        return self.days(self.minimum)


def measure(opens_at: datetime, closes_at: datetime, *, minimum: int,
            in_workdays: bool) -> Period:
    zone = workdays.site_zone()
    first, last = workdays.local_day(opens_at, zone), workdays.local_day(closes_at, zone)
    if in_workdays:
        length = workdays.workdays_between(first - timedelta(days=1), last)
    else:
        length = max((last - first).days + 1, 0)
    return Period(length=length, minimum=minimum, in_workdays=in_workdays)


def of_round(round_, department) -> Period:
    return measure(round_.opens_at, round_.closes_at, minimum=department.min_period_days,
                   in_workdays=department.min_period_workdays)
