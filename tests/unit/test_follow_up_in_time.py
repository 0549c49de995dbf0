""""Followed up in time" (好差评): a case's 回访 recorded by its due date (working days on
the official calendar) counts in time; recorded later, or the due date passing without
one (counted when the tick escalates the case), counts late; a case neither followed up
nor past due is in neither side. The counters move in the same transaction as the step,
once per case, and the figures, the CSV row and the JSON carry the share with its
Wilson interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from consult.clock import now
from consult.db import atomic
from consult.evaluation.intervals import wilson
from consult.extensions import db
from consult.rectification import services
from consult.rectification.models import RectificationCase, RectificationTally
from consult.rectification.services.export import CSV_HEADER, as_json, csv_row
from consult.workdays import local_day
from tests.factories import UserFactory, fresh, rate, responded_round

COUNTERS = ("followed_up", "follow_up_due", "follow_up_in_time", "escalated")


def do(fn, *args, **kwargs):
    with atomic():
        return fn(*args, **kwargs)


def case_of(case_id):
    db.session.expire_all()
    return services.load_case(case_id)


def tally(dept_id):
    db.session.expire_all()
    rows = db.session.scalars(select(RectificationTally).where(
        RectificationTally.department_id == dept_id)).all()
    return tuple(sum(getattr(r, c) for r in rows) for c in COUNTERS)


def follow_up(official, case_id, at=None):
    at = at or now()
    return do(services.record_follow_up, fresh(official), case_of(case_id),
              on=local_day(at), channel="phone", note="电话回访，市民希望说明补贴标准。", at=at)


def set_case(case_id, **values):
    with atomic():
        case = db.session.get(RectificationCase, case_id)
        for k, v in values.items():
            setattr(case, k, v)


def test_recorded_before_the_due_date_is_in_time(app):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    assert case_of(case.id).followed_up_in_time is None
    assert tally(dept.id) == (0, 0, 0, 0)  # not yet due, not followed up: in neither side
    follow_up(official, case.id)
    c = case_of(case.id)
    assert c.followed_up_in_time is True and c.followed_up_at <= c.due_at
    assert tally(dept.id) == (1, 1, 1, 0)
    # Editing the 回访 (even after the due date) neither recounts nor changes the verdict.
    set_case(case.id, due_at=now() - timedelta(hours=1))
    follow_up(official, case.id)
    assert case_of(case.id).followed_up_in_time is True
    assert tally(dept.id) == (1, 1, 1, 0)
    # Escalated later (not resolved by the due date): already counted, not again.
    assert do(services.escalate_overdue) == 1
    assert tally(dept.id) == (1, 1, 1, 1)


def test_recorded_after_the_due_date_is_late(app):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    set_case(case.id, due_at=now() - timedelta(minutes=5))
    follow_up(official, case.id)
    assert case_of(case.id).followed_up_in_time is False
    assert tally(dept.id) == (1, 1, 0, 0)
    assert do(services.escalate_overdue) == 1  # escalated, still one case due
    assert tally(dept.id) == (1, 1, 0, 1)


def test_due_date_passing_without_a_follow_up_counts_late_at_the_tick_once(app):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    _rater2, not_due = rate(r)
    set_case(case.id, due_at=now() - timedelta(minutes=5))
    assert tally(dept.id) == (0, 0, 0, 0)  # until the tick, nothing is counted
    assert do(services.escalate_overdue) == 1
    c = case_of(case.id)
    assert c.followed_up_in_time is False and c.followed_up_on is None
    assert case_of(not_due.id).followed_up_in_time is None
    assert tally(dept.id) == (0, 1, 0, 1)
    # The late 回访 after the tick: followed up, but the case is not due twice.
    follow_up(official, case.id)
    assert case_of(case.id).followed_up_in_time is False
    assert tally(dept.id) == (1, 1, 0, 1)
    f = services.department_figures(dept.id)[0]
    assert (f.follow_up_share.k, f.follow_up_share.n) == (0, 1)


def test_due_date_counts_working_days_across_a_holiday(app):
    """Opened on 30 September 2026 (10:00 in Beijing), due in 5 working days: the National
    Day holiday (1–7 October) does not count and Saturday 10 October (调休) does, so a 回访
    entered on 13 October, 20:00, thirteen days later, is in time; one entered on
    14 October, 9:00, is late."""
    r, dept, official = responded_round()
    opened = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    due = services.due_at(dept.id, opened)
    ids = []
    for _ in range(2):
        _rater, case = rate(r)
        set_case(case.id, opened_at=opened, due_at=due)
        ids.append(case.id)
    follow_up(official, ids[0], at=datetime(2026, 10, 13, 12, 0, tzinfo=UTC))
    follow_up(official, ids[1], at=datetime(2026, 10, 14, 1, 0, tzinfo=UTC))
    assert [case_of(i).followed_up_in_time for i in ids] == [True, False]
    assert tally(dept.id) == (2, 2, 1, 0)


def test_a_case_under_appeal_waits_and_a_voided_one_stays_out(app):
    r, dept, official = responded_round()
    _r1, upheld = rate(r)
    _r2, voided = rate(r)
    evaluator = UserFactory(role="evaluator")
    for case in (upheld, voided):
        do(services.appeal, fresh(official), case_of(case.id), reason="评价与答复无关。")
        set_case(case.id, due_at=now() - timedelta(minutes=5))
    assert do(services.escalate_overdue) == 0  # under review: not escalated, not counted
    assert tally(dept.id) == (0, 0, 0, 0)
    do(services.decide, fresh(evaluator), case_of(voided.id), outcome="voided",
       reason="评价含辱骂内容，作废。")
    do(services.decide, fresh(evaluator), case_of(upheld.id), outcome="upheld",
       reason="评价针对答复，维持。")
    assert do(services.escalate_overdue) == 1  # the upheld one, past due without a 回访
    assert case_of(upheld.id).followed_up_in_time is False
    assert case_of(voided.id).followed_up_in_time is None
    assert tally(dept.id) == (0, 1, 0, 1)


def test_the_share_in_the_figures_csv_and_json(app):
    r, dept, official = responded_round()
    cases = [rate(r)[1] for _ in range(6)]
    for c in cases[:4]:
        follow_up(official, c.id)
    set_case(cases[4].id, due_at=now() - timedelta(minutes=5))
    follow_up(official, cases[4].id)
    set_case(cases[5].id, due_at=now() - timedelta(minutes=5))
    do(services.escalate_overdue)
    [f] = services.monthly_figures(department_id=dept.id)
    share = f.follow_up_share
    assert (share.k, share.n, share.value) == (4, 6, 4 / 6)
    assert share.interval == wilson(4, 6)
    row = dict(zip([str(h) for h in CSV_HEADER], csv_row(f, dept.name), strict=True))
    assert (row["Followed up"], row["Follow-ups due"], row["Followed up in time"]) == (
        5, 6, round(4 / 6, 4))
    assert (row["Followed up in time low"], row["Followed up in time high"]) == tuple(
        round(x, 4) for x in wilson(4, 6))
    data = as_json(f)["followed_up_in_time"]
    assert (data["count"], data["n"], data["value"]) == (4, 6, round(4 / 6, 4))
    assert data["low"] < data["value"] < data["high"]
