"""Round services: who may (403), when (409), and what is valid (422)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from consult import workdays
from consult.audit.models import AuditEntry
from consult.db import db
from consult.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from consult.rounds import lifecycle, periods, services
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundKind
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    UserFactory,
    with_roles,
)

T0 = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture(autouse=True)
def clock(app):
    db.session().expire_on_commit = False
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def stranger():
    return with_roles(UserFactory(role="official", role__department=DepartmentFactory()))


@pytest.fixture
def official(dept):
    return with_roles(UserFactory(role="official", role__department=dept))


@pytest.fixture
def consultation(dept):
    c = ConsultationFactory(department=dept)
    DraftVersionFactory(consultation=c)
    return c


def add(actor, c, **over):
    fields = dict(kind="comments", version_number=1, title="第一轮", opens_at=day(1),
                  closes_at=day(10), response_due_at=day(20), survey_days=7)
    fields.update(over)
    r = services.add_round(actor, c, **fields)
    db.session.commit()
    return services.get_round(actor, r.id)


def audit_actions():
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_add_round_audits_and_starts_scheduled(official, consultation):
    r = add(official, consultation)
    assert lifecycle.state_of(r) is RoundState.SCHEDULED
    assert r.kind is RoundKind.COMMENTS and r.version.number == 1
    assert audit_actions() == ["round.added"]


def test_round_may_be_prepared_before_publishing(official, dept):
    c = ConsultationFactory(department=dept, unpublished=True)
    DraftVersionFactory(consultation=c)
    r = add(official, c)
    with pytest.raises(NotFound):
        services.get_round(with_roles(UserFactory()), r.id)
    with pytest.raises(NotFound):
        services.get_round(None, r.id)
    assert services.get_round(official, r.id).id == r.id


def test_other_department_may_not_add(consultation):
    with pytest.raises(PermissionDenied):
        add(stranger(), consultation)
    with pytest.raises(PermissionDenied):
        add(with_roles(UserFactory(role="admin")), consultation)
    assert audit_actions() == []


def test_version_of_another_consultation_is_refused(official, consultation, dept):
    other = DraftVersionFactory(consultation=ConsultationFactory(department=dept))
    with pytest.raises(ValidationFailed) as exc:
        add(official, consultation, version_number=None, version_id=other.id)
    assert exc.value.field == "version_number" and exc.value.status == 422
    with pytest.raises(ValidationFailed):
        add(official, consultation, version_number=2)
    own = services.versions_of(consultation.id)[0]
    assert add(official, consultation, version_number=None,
               version_id=own.id).version_id == own.id


@pytest.mark.parametrize("over, field", [
    (dict(closes_at=day(1)), "closes_at"),
    (dict(closes_at=day(0.5)), "closes_at"),
    (dict(response_due_at=day(9)), "response_due_at"),
    (dict(opens_at=day(-1)), "opens_at"),
    (dict(closes_at=day(500)), "closes_at"),
    (dict(survey_days=0), "survey_days"),
    (dict(kind="poll"), "kind"),
    (dict(title="长" * 201), "title"),
    (dict(opens_at=None), "opens_at"),
])
def test_invalid_rounds(official, consultation, over, field):
    with pytest.raises(ValidationFailed) as exc:
        add(official, consultation, **over)
    assert exc.value.field == field


def test_opening_a_few_minutes_ago_is_accepted(official, consultation):
    r = add(official, consultation, opens_at=T0 - timedelta(minutes=5))
    assert lifecycle.state_of(r) is RoundState.OPEN


def test_past_rounds_only_with_the_internal_flag(official, consultation):
    r = add(official, consultation, opens_at=day(-30), closes_at=day(-10),
            response_due_at=day(-2), _allow_past=True)
    assert lifecycle.is_overdue(r)


def test_overlap_rules(official, consultation):
    first = add(official, consultation)
    for kind in ("comments", "both"):
        with pytest.raises(ValidationFailed) as exc:
            add(official, consultation, kind=kind, opens_at=day(9), closes_at=day(12),
                response_due_at=day(20))
        assert exc.value.field == "opens_at"
    add(official, consultation, kind="vote", opens_at=day(2), closes_at=day(5))  # other kind
    add(official, consultation, kind="vote", opens_at=day(11), closes_at=day(14),
        response_due_at=day(20))
    with pytest.raises(ValidationFailed):  # a "both" round overlaps the vote too
        add(official, consultation, kind="both", opens_at=day(12), closes_at=day(13))
    add(official, consultation, opens_at=day(10), closes_at=day(12))  # touching is fine
    # Closing early frees the rest of the slot.
    with time_machine.travel(day(3), tick=False):
        services.close_round(official, first, reason="提前结束")
        db.session.commit()
        add(official, consultation, opens_at=day(4), closes_at=day(6), response_due_at=day(20))


def test_edit_only_while_scheduled(official, consultation):
    r = add(official, consultation)
    services.edit_round(official, r, title="新标题", closes_at=day(11))
    db.session.commit()
    assert r.title == "新标题" and r.closes_at == day(11)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.edited"))
    assert set(entry.data["changes"]) == {"title", "closes_at"}
    with pytest.raises(ValidationFailed):
        services.edit_round(official, r, closes_at=day(0.5))
    db.session.rollback()
    with time_machine.travel(day(2), tick=False), pytest.raises(InvalidState) as exc:
        services.edit_round(official, r, title="开放后修改")
    assert exc.value.status == 409
    with pytest.raises(PermissionDenied):
        services.edit_round(stranger(), r, title="x")


def test_edit_keeps_its_own_slot(official, consultation):
    r = add(official, consultation)
    services.edit_round(official, r, opens_at=day(2))  # overlaps only itself
    db.session.commit()
    assert r.opens_at == day(2)


def test_close_round_requires_reason_and_open_state(official, consultation):
    r = add(official, consultation)
    with pytest.raises(InvalidState):
        services.close_round(official, r, reason="太早")
    with time_machine.travel(day(2), tick=False):
        with pytest.raises(ValidationFailed) as exc:
            services.close_round(official, r, reason="  ")
        assert exc.value.field == "reason"
        services.close_round(official, r, reason="已收到足够意见")
        db.session.commit()
        assert lifecycle.state_of(r) is RoundState.CLOSED
    assert audit_actions() == ["round.added", "round.open", "round.closed"]


def test_extend_round(official, consultation):
    r = add(official, consultation)
    add(official, consultation, opens_at=day(15), closes_at=day(25), response_due_at=day(30))
    with time_machine.travel(day(2), tick=False):
        with pytest.raises(ValidationFailed) as exc:
            services.extend_round(official, r, new_closes_at=day(9), reason="x")
        assert exc.value.field == "new_closes_at"
        with pytest.raises(ValidationFailed) as exc:  # runs into the next round
            services.extend_round(official, r, new_closes_at=day(16), reason="x")
        assert exc.value.field == "new_closes_at"
        with pytest.raises(ValidationFailed) as exc:
            services.extend_round(official, r, new_closes_at=day(12), reason="")
        assert exc.value.field == "reason"
        services.extend_round(official, r, new_closes_at=day(12), reason="延长两天")
        db.session.commit()
    r = services.get_round(official, r.id)
    assert r.closes_at == day(12)
    assert [(e.old_closes_at, e.new_closes_at, e.reason) for e in r.extensions] == [
        (day(10), day(12), "延长两天")]
    with time_machine.travel(day(13), tick=False), pytest.raises(InvalidState):
        services.extend_round(official, r, new_closes_at=day(14), reason="x")



# ---------------------------------------------------------------- legal comment periods

def test_a_round_shorter_than_the_minimum_needs_a_public_reason(official, consultation, dept):
    dept.min_period_days = 30
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        add(official, consultation, opens_at=day(1), closes_at=day(20))
    assert refused.value.field == "short_period_reason"
    assert "less than the 30 days" in str(refused.value.message)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Round.id))) == 0  # nothing half-saved
    r = add(official, consultation, opens_at=day(1), closes_at=day(20),
            short_period_reason="  时间紧迫。 ")
    assert r.short_period_reason == "时间紧迫。"
    # long enough: no reason is kept
    r2 = add(official, consultation, kind="vote", opens_at=day(1), closes_at=day(40),
             response_due_at=day(50), short_period_reason="不需要")
    assert r2.short_period_reason is None


def test_period_counts_days_and_working_days():
    zone = ZoneInfo("Asia/Shanghai")
    opens = datetime(2026, 6, 1, 9, tzinfo=zone)
    closes = datetime(2026, 6, 30, 18, tzinfo=zone)
    period = periods.measure(opens, closes, minimum=30, in_workdays=False)
    assert (period.length, period.short) == (30, False)
    assert periods.measure(opens, closes - timedelta(days=1), minimum=30,
                           in_workdays=False).short
    # 1-30 June 2026: 22 working days (the Dragon Boat Festival, 19 June, is a holiday)
    worked = periods.measure(opens, closes, minimum=7, in_workdays=True)
    assert worked.length == sum(1 for d in range(30) if workdays.is_workday(
        date(2026, 6, 1) + timedelta(days=d)))
    assert not workdays.is_workday(date(2026, 6, 19))
    assert worked.length == 21
    week = periods.measure(datetime(2026, 6, 15, 9, tzinfo=zone),
                           datetime(2026, 6, 23, 18, tzinfo=zone), minimum=7, in_workdays=True)
    assert (week.length, week.short) == (6, True)  # 15-23 June less the holiday and weekend
