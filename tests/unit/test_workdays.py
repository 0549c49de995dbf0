"""Working days on the official calendar: statutory holidays off, adjusted weekends on."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from consult import workdays


def test_spring_festival_2026_is_skipped_and_its_working_saturdays_count():
    # 2026: off Sun 15 Feb to Mon 23 Feb; Sat 14 Feb and Sat 28 Feb are working days.
    assert workdays.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert workdays.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert workdays.add_workdays(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert workdays.workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert workdays.holiday_name(date(2026, 2, 17)) == "Spring Festival"


def test_national_day_2026_is_skipped_and_its_working_saturday_counts():
    assert workdays.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)  # Saturday
    assert not workdays.is_workday(date(2026, 10, 5))


def test_a_deadline_ends_at_the_local_end_of_its_last_working_day(app):
    # Friday 13 Feb 2026, 18:00 in Shanghai; 5 working days: 14, 24, 25, 26, 27 Feb.
    start = datetime(2026, 2, 13, 10, 0, tzinfo=UTC)
    assert workdays.deadline(start, 5) == datetime(2026, 2, 27, 15, 59, 59, tzinfo=UTC)
    now = datetime(2026, 2, 24, 2, 0, tzinfo=UTC)  # Tuesday 24 Feb, 10:00 local
    assert workdays.workdays_left(workdays.deadline(start, 5), now) == 3
    late = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tue 3 Mar: late by Sat 28 Feb, 2 and 3 Mar
    assert workdays.workdays_left(workdays.deadline(start, 5), late) == -3


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday_and_says_so(
        caplog, monkeypatch):
    monkeypatch.setattr(workdays, "_WARNED", set())  # as a fresh process
    future = 2100
    assert not workdays.calendar_known(future)
    with caplog.at_level(logging.WARNING, logger="consult.workdays"):
        assert workdays.add_workdays(date(future, 1, 1), 1) == date(future, 1, 4)  # Fri -> Mon
        workdays.add_workdays(date(future, 1, 4), 3)
    warnings = [r for r in caplog.records if str(future) in r.getMessage()]
    assert len(warnings) == 1  # said, and only once per year
    assert workdays.calendar_known(2026)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 1)),
       st.integers(min_value=0, max_value=40))
def test_counting_back_gives_what_was_added(start, days):
    end = workdays.add_workdays(start, days)
    assert workdays.workdays_between(start, end) == days
    assert end == start or workdays.is_workday(end)
