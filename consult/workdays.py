"""Working days on the official Chinese calendar: every deadline counted in working days
(a suggestion's reply, a response or an answer due, a rectification) is counted here.

The calendar is the State Council's: statutory holidays are days off and the adjusted
working weekends (调休) are working days. It comes from the maintained ``chinesecalendar``
package (updated each year when the State Council publishes the next year's schedule),
not from a list kept by hand. A year the package does not know yet (the schedule is
published around November for the next year) falls back to Monday–Friday, and the log
says so once per year, so an operator knows to upgrade the package.

Days are local dates in the site's time zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai):
a deadline of N working days after a moment ends at 23:59:59 local time of the N-th
working day after that moment's day.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from flask import current_app, has_app_context

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_DAYS = 3660  # a bound on any count, far above any deadline
_WARNED: set[int] = set()


def site_zone() -> ZoneInfo:
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE
    return ZoneInfo(name)


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day on the official calendar (Monday–Friday for a year
    the calendar package does not know yet)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the package has no schedule for this year yet
        if day.year not in _WARNED:
            _WARNED.add(day.year)
            log.warning("The official holiday calendar for %s is not known to the "
                        "chinesecalendar package installed: counting Monday to Friday as "
                        "working days. Upgrade the package once the schedule is published.",
                        day.year)
        return day.weekday() < 5


def calendar_known(year: int) -> bool:
    """Whether the official schedule of ``year`` is known (else Monday–Friday is used)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def holiday_name(day: date) -> str | None:
    """The statutory holiday ``day`` belongs to, in English ("Spring Festival"), if any."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return name if on_holiday and name else None


def add_workdays(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(days)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    if end <= start:
        return 0
    if (end - start).days > MAX_DAYS:
        raise ValueError(end)
    return sum(1 for n in range(1, (end - start).days + 1)
               if is_workday(start + timedelta(days=n)))


def local_day(moment: datetime, zone: ZoneInfo | None = None) -> date:
    return moment.astimezone(zone or site_zone()).date()


def deadline(start: datetime, days: int, zone: ZoneInfo | None = None) -> datetime:
    """The end (23:59:59 local time, returned in UTC) of the ``days``-th working day after
    ``start``'s local day."""
    zone = zone or site_zone()
    last = add_workdays(local_day(start, zone), days)
    return datetime.combine(last, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def workdays_left(due: datetime, now: datetime, zone: ZoneInfo | None = None) -> int:
    """Working days from ``now``'s local day to ``due``'s (negative when overdue)."""
    zone = zone or site_zone()
    today, last = local_day(now, zone), local_day(due, zone)
    if last >= today:
        return workdays_between(today, last)
    return -workdays_between(last, today)
